"""desk mailbox add | list | show | set | test | remove: the support mailboxes.

Passwords never come from the command line (argv is visible to every user of the machine
in ``ps``): ``--password-stdin`` or ``--password-env VAR``; ``show`` and ``list`` mask them.
``remove`` deletes a mailbox only when no ticket came through it: a mailbox's tickets and
their conversations belong to it (deleting it would delete them) and their replies go out
through it, so one in use is deactivated instead (exit 0): it is no longer fetched, its
tickets stay and can still be answered, and ``set NAME --active`` turns it back on.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from core.audit import Actor
from core.inbound.mailboxes import TLS_MODES, MailboxSpec
from db.models import Mailbox
from server.cli.commands import command_parser
from server.cli.common import fail, print_json, run_with_desk, terminal
from server.wiring import Desk

MASK = "********"
# `desk mailbox set` option -> MailboxFields name
SETTABLE = (
    "address",
    "imap_host",
    "imap_port",
    "imap_user",
    "imap_tls",
    "imap_folder",
    "sent_folder",
    "smtp_host",
    "smtp_port",
    "smtp_user",
    "smtp_tls",
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    mb = command_parser(sub, "mailbox")
    msub = mb.add_subparsers(dest="mailbox_command", metavar="ACTION")
    msub.required = True
    p = msub.add_parser("add", help="add an IMAP/SMTP mailbox")
    p.add_argument("name")
    p.add_argument("--address", required=True, metavar="EMAIL")
    p.add_argument("--imap-host", required=True)
    p.add_argument("--imap-port", type=int, default=993)
    p.add_argument("--imap-user", required=True)
    p.add_argument("--imap-folder", default="INBOX")
    p.add_argument("--sent-folder")
    p.add_argument("--smtp-host", required=True)
    p.add_argument("--smtp-port", type=int, default=587)
    p.add_argument("--smtp-user", required=True)
    p.add_argument(
        "--tls",
        choices=TLS_MODES,
        default=None,
        help="for both (default: ssl for IMAP, starttls for SMTP)",
    )
    p.add_argument("--imap-tls", choices=TLS_MODES)
    p.add_argument("--smtp-tls", choices=TLS_MODES)
    src = p.add_mutually_exclusive_group(required=True)
    _password_options(src)
    p.add_argument(
        "--smtp-password-env", metavar="VAR", help="a separate SMTP password from this variable"
    )
    p.set_defaults(func=cmd_mailbox_add)

    p = msub.add_parser("list", help="every mailbox: kind, address, servers, fetch health")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_mailbox_list)

    p = msub.add_parser("show", help="one mailbox's settings (passwords masked) and health")
    p.add_argument("name")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_mailbox_show)

    p = msub.add_parser(
        "set",
        help="change a mailbox's address, servers, users, TLS, password or AI privacy",
        description="Change what is given, keep the rest. A change to how the mailbox is "
        "reached clears its failure back-off, so the next cycle tries it at once.",
    )
    p.add_argument("name")
    p.add_argument("--address", metavar="EMAIL")
    p.add_argument("--imap-host")
    p.add_argument("--imap-port", type=int)
    p.add_argument("--imap-user")
    p.add_argument("--imap-folder")
    p.add_argument("--sent-folder")
    p.add_argument("--smtp-host")
    p.add_argument("--smtp-port", type=int)
    p.add_argument("--smtp-user")
    p.add_argument("--tls", choices=TLS_MODES, help="for both IMAP and SMTP")
    p.add_argument("--imap-tls", choices=TLS_MODES)
    p.add_argument("--smtp-tls", choices=TLS_MODES)
    _password_options(p.add_mutually_exclusive_group())
    p.add_argument(
        "--smtp-password-env", metavar="VAR", help="a separate SMTP password from this variable"
    )
    on_off = p.add_mutually_exclusive_group()
    on_off.add_argument(
        "--active",
        dest="active",
        action="store_const",
        const=True,
        default=None,
        help="fetch it again (a mailbox `remove` deactivated)",
    )
    on_off.add_argument(
        "--inactive",
        dest="active",
        action="store_const",
        const=False,
        help="stop fetching it; its tickets stay and can still be answered",
    )
    p.add_argument(
        "--ai-redact",
        choices=("on", "off"),
        help="on (the default): card numbers, IBANs, passwords, codes, keys, phone numbers "
        "and customer addresses are replaced by placeholders before the mail's text goes to "
        "an external AI provider; off: the originals are sent",
    )
    p.add_argument("--by", metavar="EMAIL", help="who (for the audit log)")
    p.set_defaults(func=cmd_mailbox_set)

    p = msub.add_parser("test", help="log in to IMAP and SMTP; print what failed")
    p.add_argument("name")
    p.set_defaults(func=cmd_mailbox_test)

    p = msub.add_parser(
        "remove",
        help="delete a mailbox no ticket came through (one holding tickets is deactivated)",
    )
    p.add_argument("name")
    p.add_argument("--by", metavar="EMAIL", help="who (for the audit log)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_mailbox_remove)


def _password_options(group: Any) -> None:
    group.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    group.add_argument(
        "--password-env", metavar="VAR", help="read the password from this environment variable"
    )


def _read_password(args: argparse.Namespace) -> str | None:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return os.environ.get(args.password_env)


class _NoPassword(Exception):
    """A password option named nothing to read: its message is the one line to print."""


def _passwords(args: argparse.Namespace, *, required: bool) -> tuple[str | None, str | None]:
    """(password, SMTP password) as the options name them; ``required``: a password must
    be given (``add``), else only when a password option is (``set``)."""
    password = None
    if required or args.password_stdin or args.password_env:
        password = _read_password(args)
        if not password:
            raise _NoPassword(
                "no password given (empty stdin, or the environment variable is unset)"
            )
    smtp_password = None
    if args.smtp_password_env:
        smtp_password = os.environ.get(args.smtp_password_env)
        if not smtp_password:
            raise _NoPassword(f"environment variable {args.smtp_password_env} is unset")
    return password, smtp_password


def cmd_mailbox_add(args: argparse.Namespace) -> int:
    try:
        password, smtp_password = _passwords(args, required=True)
    except _NoPassword as exc:
        return fail(str(exc))
    assert password is not None  # required=True
    spec = MailboxSpec(
        name=args.name,
        address=args.address,
        imap_host=args.imap_host,
        imap_port=args.imap_port,
        imap_user=args.imap_user,
        imap_folder=args.imap_folder,
        sent_folder=args.sent_folder,
        smtp_host=args.smtp_host,
        smtp_port=args.smtp_port,
        smtp_user=args.smtp_user,
        password=password,
        smtp_password=smtp_password,
        imap_tls=args.imap_tls or args.tls or "ssl",
        smtp_tls=args.smtp_tls or args.tls or "starttls",
    )

    async def work(desk: Desk) -> int:
        mailbox = await desk.mailboxes.add(
            spec, actor=await _actor(desk, getattr(args, "by", None))
        )
        print(
            f"mailbox {mailbox.name} added ({mailbox.address}); `desk mailbox test {mailbox.name}` checks it"
        )
        return 0

    return run_with_desk(work)


def view(m: Mailbox) -> dict[str, Any]:
    """The stable JSON shape of ``desk mailbox show --json`` (and of each ``list`` item):
    the row's fields with every secret replaced by a mask, or null when none is stored."""
    return {
        "id": m.id,
        "name": m.name,
        "kind": m.kind,
        "address": m.address,
        "imap_host": m.imap_host,
        "imap_port": m.imap_port,
        "imap_user": m.imap_user,
        "imap_tls": m.imap_tls,
        "imap_folder": m.imap_folder,
        "sent_folder": m.sent_folder,
        "smtp_host": m.smtp_host,
        "smtp_port": m.smtp_port,
        "smtp_user": m.smtp_user,
        "smtp_tls": m.smtp_tls,
        "password": MASK if m.password_enc else None,
        "smtp_password": MASK if m.smtp_password_enc else None,  # null: the IMAP one serves
        "maildir_path": m.maildir_path,
        "outbox_path": m.outbox_path,
        "fetch_interval_seconds": m.fetch_interval_seconds,
        "last_fetch_at": m.last_fetch_at.isoformat() if m.last_fetch_at else None,
        "last_success_at": m.last_success_at.isoformat() if m.last_success_at else None,
        "last_error": m.last_error,
        "consecutive_failures": m.consecutive_failures,
        "created_at": m.created_at.isoformat() if m.created_at else None,
        "active": m.active,  # false: not fetched (`desk mailbox set NAME --active`)
        # false: an external AI provider is sent the mail's personal data as written
        "ai_redact": m.ai_redact,
    }


def _servers(m: Mailbox) -> str:
    if m.kind == "maildir":
        return f"maildir {m.maildir_path} -> outbox {m.outbox_path}"
    return f"imap {m.imap_host}:{m.imap_port} ({m.imap_tls})  smtp {m.smtp_host}:{m.smtp_port} ({m.smtp_tls})"


def _health(m: Mailbox) -> str:
    if not m.active:
        return "INACTIVE (not fetched)"
    if m.last_error:
        return f"FAILING x{m.consecutive_failures}: {terminal(m.last_error)[:120]}"
    return (
        f"last fetch {m.last_fetch_at:%Y-%m-%d %H:%M} UTC" if m.last_fetch_at else "never fetched"
    )


def cmd_mailbox_list(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        boxes = await desk.mailboxes.all()
        if args.json:
            print_json([view(m) for m in boxes])
            return 0
        if not boxes:
            print(
                "no mailbox configured: `desk mailbox add` (or `desk run` makes the embedded one)"
            )
        for m in boxes:
            print(f"{m.name:16} {m.address:32} {_servers(m)}  {_health(m)}")
        return 0

    return run_with_desk(work)


def cmd_mailbox_show(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        m = await desk.mailboxes.get(args.name)
        shown = view(m)
        if args.json:
            print_json(shown)
            return 0
        if shown["smtp_password"] is None and shown["password"]:
            shown["smtp_password"] = "(the IMAP password)"
        for key, value in shown.items():
            print(f"{key:24} {terminal(str(value)) if value is not None else '-'}")
        return 0

    return run_with_desk(work)


def _changes(args: argparse.Namespace) -> dict[str, object]:
    changes: dict[str, object] = {
        key: getattr(args, key) for key in SETTABLE if getattr(args, key) is not None
    }
    if args.tls:
        changes.setdefault("imap_tls", args.tls)
        changes.setdefault("smtp_tls", args.tls)
    return changes


async def _actor(desk: Desk, email: str | None) -> Actor:
    from core.access.users import actor_for

    if email:
        return await actor_for(desk.sessions, email, "cli")
    return Actor(name="cli", source="cli")


def cmd_mailbox_set(args: argparse.Namespace) -> int:
    try:
        password, smtp_password = _passwords(args, required=False)
    except _NoPassword as exc:
        return fail(str(exc))
    changes = _changes(args)
    active: bool | None = args.active
    redact: bool | None = None if args.ai_redact is None else args.ai_redact == "on"

    async def work(desk: Desk) -> int:
        actor = await _actor(desk, args.by)
        if changes or password or smtp_password or (active is None and redact is None):
            mailbox = await desk.mailboxes.update(
                args.name,
                changes=changes,
                password=password,
                smtp_password=smtp_password,
                actor=actor,
            )
            what = sorted(changes) + ["password"] * bool(password)
            what += ["smtp_password"] * bool(smtp_password)
            print(
                f"mailbox {mailbox.name} changed ({', '.join(what)}); "
                f"`desk mailbox test {mailbox.name}` checks it"
            )
        if active is not None:
            changed = await desk.mailboxes.set_active(args.name, active, actor=actor)
            state = "active: it is fetched again" if active else "inactive: it is not fetched"
            print(f"mailbox {args.name} {'is now' if changed else 'was already'} {state}")
        if redact is not None:
            changed = await desk.mailboxes.set_ai_redact(args.name, redact, actor=actor)
            state = (
                "redacting personal data before an external AI provider reads its mail"
                if redact
                else "sending its mail to an external AI provider as written"
            )
            print(f"mailbox {args.name} {'is now' if changed else 'was already'} {state}")
        return 0

    return run_with_desk(work)


def cmd_mailbox_test(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        mailbox = await desk.mailboxes.get(args.name)
        result = await desk.mailboxes.test(mailbox)
        ok = True
        for proto, outcome in result.items():
            print(f"{proto.upper()}: {outcome}")
            ok = ok and (outcome == "ok" or mailbox.kind == "maildir")
        return 0 if ok else 1

    return run_with_desk(work)


def cmd_mailbox_remove(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        done = await desk.mailboxes.remove(args.name, actor=await _actor(desk, args.by))
        if args.json:
            print_json({"name": done.name, "outcome": done.outcome, "tickets": done.tickets})
        elif done.outcome == "removed":
            print(f"mailbox {args.name} removed")
        else:
            print(
                f"mailbox {args.name} holds {done.tickets} ticket(s), so it is "
                f"{'deactivated' if done.outcome == 'deactivated' else 'kept, already inactive'}"
                " instead of removed: it is not fetched, its tickets stay and can still be "
                f"answered; `desk mailbox set {args.name} --active` turns it back on"
            )
        return 0

    return run_with_desk(work)
