"""desk migrate | web | worker | run | demo."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import sys
from importlib import resources

from core.config import Settings
from core.errors import ConfigError
from core.keyguard import refuse_dev_key
from core.mail.maildir import deliver_to_maildir, ensure_maildir
from db.migrate import upgrade
from server.cli.commands import command_parser
from server.cli.common import fail, run_with_desk
from server.wiring import Desk, build_desk

EMBEDDED_MAILBOX = "embedded"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = command_parser(sub, "migrate")
    p.set_defaults(func=cmd_migrate)
    for name, func in (("run", cmd_run), ("web", cmd_web)):
        p = command_parser(sub, name)
        p.add_argument("--host", default=None, help="default 127.0.0.1 (DESK_HOST)")
        p.add_argument("--port", type=int, default=None, help="default 8000 (DESK_PORT)")
        p.add_argument(
            "--interval", type=int, default=30, help="worker cycle in seconds (run only)"
        )
        p.add_argument(
            "--socket-mode",
            action="store_true",
            help="reach Slack over Socket Mode (SLACK_APP_TOKEN), no public URL needed",
        )
        p.set_defaults(func=func)
    p = command_parser(sub, "worker")
    p.add_argument("--interval", type=int, default=120, help="seconds between cycles")
    p.set_defaults(func=cmd_worker)
    p = command_parser(sub, "demo")
    p.set_defaults(func=cmd_demo)


def cmd_migrate(_args: argparse.Namespace) -> int:
    settings = Settings()
    try:
        before = current_revision(settings.database.url)
        upgrade(settings.database.url)
        after = current_revision(settings.database.url)
    except Exception as exc:  # any failure to reach or change the database ends here
        return fail(f"migration failed: {' '.join(str(exc).split())[:300]}")
    print(migration_outcome(before, after))
    return 0


def current_revision(database_url: str) -> str | None:
    """The Alembic revision the database is at; None when it has no desk schema yet."""
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine

    from db.session import create_private_sqlite, sync_url

    create_private_sqlite(database_url)  # this is the first connection: make the file 0600
    engine = create_engine(sync_url(database_url))
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def migration_outcome(before: str | None, after: str | None) -> str:
    """What ``desk migrate`` did, in the words of its one line of output."""
    if before is None:
        return f"created the desk schema at revision {after}"
    if before == after:
        return f"the database is already at revision {after} (up to date)"
    return f"upgraded the database from revision {before} to {after}"


def demo_messages() -> list[bytes]:
    folder = resources.files("core") / "demo"
    return [
        f.read_bytes()
        for f in sorted(folder.iterdir(), key=lambda f: f.name)
        if f.name.endswith(".eml")
    ]


async def ensure_embedded(desk: Desk, *, seed: bool) -> int:
    """With no mailbox configured, use the local Maildir inbox; seed it on first start."""
    data, mail = desk.settings.data, desk.settings.mail
    if [m for m in await desk.mailboxes.all() if m.name != EMBEDDED_MAILBOX]:
        return 0
    existed = data.maildir_inbox.exists()
    await desk.mailboxes.ensure_maildir(
        name=EMBEDDED_MAILBOX,
        address=mail.support_address,
        inbox=data.maildir_inbox,
        outbox=data.maildir_outbox,
    )
    if seed and not existed:
        return seed_demo(desk)
    ensure_maildir(data.maildir_inbox)  # private: 0700, like every Maildir the desk makes
    return 0


def seed_demo(desk: Desk) -> int:
    messages = demo_messages()
    for raw in messages:
        deliver_to_maildir(desk.settings.data.maildir_inbox, raw)
    return len(messages)


def cmd_demo(_args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        await ensure_embedded(desk, seed=False)
        n = seed_demo(desk)
        print(
            f"{n} sample messages put into {desk.settings.data.maildir_inbox}; `desk fetch` reads them"
        )
        return 0

    return run_with_desk(work)


def check_listen(host: str, port: int) -> None:
    """Raise a ConfigError (one line, exit 1) when ``host:port`` cannot be listened on,
    before anything starts: a port another process holds, or a host not of this machine.
    Binds the way the server will (SO_REUSEADDR), so a closing socket does not count."""
    import socket

    where = f"{host}:{port}"
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except (OSError, UnicodeError, OverflowError) as exc:
        raise ConfigError(f"cannot listen on {where}: {exc}", host=host, port=port) from exc
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            hint = " (another process listens there: stop it or pass --port)"
            taken = exc.errno == errno.EADDRINUSE
            raise ConfigError(
                f"cannot listen on {where}: {reason}{hint if taken else ''}", host=host, port=port
            ) from exc


async def guard_key(desk: Desk, host: str | None) -> None:
    """Refuse the public development key unless the whole desk is embedded. What the
    settings alone decide (the address, the database URL) is checked before the database
    is reached, so a public address or a server database is refused even when the database
    is down; the mailboxes are read only when the development key is in use."""
    refuse_dev_key(desk.settings, host=host)
    key = desk.settings.data.secret_key
    if key is None or not key.get_secret_value():
        kinds = [m.kind for m in await desk.mailboxes.all()]
        refuse_dev_key(desk.settings, host=host, mailbox_kinds=kinds)


async def serve_web(desk: Desk, host: str, port: int, *, socket_mode: bool = False) -> None:
    import uvicorn

    from server.http.app import create_app

    config = uvicorn.Config(create_app(desk), host=host, port=port, log_level="info")
    check_listen(host, port)
    if not socket_mode:
        await uvicorn.Server(config).serve()
        return
    from server.slack import run_socket_mode

    slack = asyncio.create_task(run_socket_mode(desk))
    try:
        await uvicorn.Server(config).serve()
    finally:
        slack.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await slack


def cmd_web(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        await guard_key(desk, args.host or desk.settings.web.host)
        await serve_web(
            desk,
            args.host or desk.settings.web.host,
            args.port or desk.settings.web.port,
            socket_mode=args.socket_mode,
        )
        return 0

    return run_with_desk(work)


def cmd_worker(args: argparse.Namespace) -> int:
    from server.worker import run_worker

    async def work(desk: Desk) -> int:
        await guard_key(desk, None)
        await run_worker(desk, interval_seconds=args.interval)
        return 0

    return run_with_desk(work)


def cmd_run(args: argparse.Namespace) -> int:
    if cmd_migrate(args):
        return 1
    from server.worker import run_worker

    async def work(desk: Desk) -> int:
        seeded = await ensure_embedded(desk, seed=True)
        host, port = args.host or desk.settings.web.host, args.port or desk.settings.web.port
        if seeded:
            print(f"seeded the embedded inbox with {seeded} sample messages", file=sys.stderr)
        print(
            f"desk running: API http://{host}:{port}/docs  tickets: `desk tickets`  "
            f"sent replies land in {desk.settings.data.maildir_outbox}",
            file=sys.stderr,
        )
        await guard_key(desk, host)
        check_listen(host, port)  # before the worker starts: nothing runs half
        stop = asyncio.Event()
        worker = asyncio.create_task(run_worker(desk, interval_seconds=args.interval, stop=stop))
        try:
            await serve_web(desk, host, port, socket_mode=args.socket_mode)
        finally:
            stop.set()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
        return 0

    return run_with_desk(work)


__all__ = ["build_desk", "register"]
