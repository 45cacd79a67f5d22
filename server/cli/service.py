"""desk migrate | web | worker | run | demo."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from importlib import resources

from core.config import Settings
from core.mail.maildir import deliver_to_maildir
from db.migrate import upgrade
from server.cli.common import fail, run_with_desk
from server.wiring import Desk, build_desk

EMBEDDED_MAILBOX = "embedded"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("migrate", help="apply database migrations")
    p.set_defaults(func=cmd_migrate)
    for name, helptext, func in (
        ("run", "migrate, seed the embedded inbox on first start, run web + worker", cmd_run),
        ("web", "the REST API (and Slack endpoint when configured)", cmd_web),
    ):
        p = sub.add_parser(name, help=helptext)
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
    p = sub.add_parser("worker", help="fetch, triage and send on a schedule")
    p.add_argument("--interval", type=int, default=120, help="seconds between cycles")
    p.set_defaults(func=cmd_worker)
    p = sub.add_parser("demo", help="put the project's sample mail into the embedded inbox")
    p.set_defaults(func=cmd_demo)


def cmd_migrate(_args: argparse.Namespace) -> int:
    settings = Settings()
    try:
        upgrade(settings.database_url)
    except Exception as exc:  # any failure to reach or change the database ends here
        return fail(f"migration failed: {exc}")
    print("database is up to date")
    return 0


def demo_messages() -> list[bytes]:
    folder = resources.files("core") / "demo"
    return [
        f.read_bytes()
        for f in sorted(folder.iterdir(), key=lambda f: f.name)
        if f.name.endswith(".eml")
    ]


async def ensure_embedded(desk: Desk, *, seed: bool) -> int:
    """With no mailbox configured, use the local Maildir inbox; seed it on first start."""
    s = desk.settings
    if [m for m in await desk.mailboxes.all() if m.name != EMBEDDED_MAILBOX]:
        return 0
    existed = s.maildir_inbox.exists()
    await desk.mailboxes.ensure_maildir(
        name=EMBEDDED_MAILBOX,
        address=s.support_address,
        inbox=s.maildir_inbox,
        outbox=s.maildir_outbox,
    )
    if seed and not existed:
        return seed_demo(desk)
    s.maildir_inbox.mkdir(parents=True, exist_ok=True)
    return 0


def seed_demo(desk: Desk) -> int:
    messages = demo_messages()
    for raw in messages:
        deliver_to_maildir(desk.settings.maildir_inbox, raw)
    return len(messages)


def cmd_demo(_args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        await ensure_embedded(desk, seed=False)
        n = seed_demo(desk)
        print(
            f"{n} sample messages put into {desk.settings.maildir_inbox}; `desk fetch` reads them"
        )
        return 0

    return run_with_desk(work)


async def serve_web(desk: Desk, host: str, port: int, *, socket_mode: bool = False) -> None:
    import uvicorn

    from server.http.app import create_app

    config = uvicorn.Config(create_app(desk), host=host, port=port, log_level="info")
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
        await serve_web(
            desk,
            args.host or desk.settings.host,
            args.port or desk.settings.port,
            socket_mode=args.socket_mode,
        )
        return 0

    return run_with_desk(work)


def cmd_worker(args: argparse.Namespace) -> int:
    from server.worker import run_worker

    async def work(desk: Desk) -> int:
        await run_worker(desk, interval_seconds=args.interval)
        return 0

    return run_with_desk(work)


def cmd_run(args: argparse.Namespace) -> int:
    if cmd_migrate(args):
        return 1
    from server.worker import run_worker

    async def work(desk: Desk) -> int:
        seeded = await ensure_embedded(desk, seed=True)
        host, port = args.host or desk.settings.host, args.port or desk.settings.port
        if seeded:
            print(f"seeded the embedded inbox with {seeded} sample messages", file=sys.stderr)
        print(
            f"desk running: API http://{host}:{port}/docs  tickets: `desk tickets`  "
            f"sent replies land in {desk.settings.maildir_outbox}",
            file=sys.stderr,
        )
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
