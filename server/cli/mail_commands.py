"""desk fetch | mailbox add | mailbox test."""

from __future__ import annotations

import argparse
import os
import sys

from core.inbound.mailboxes import TLS_MODES, MailboxSpec
from server.cli.common import fail, print_json, run_with_desk
from server.wiring import Desk


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("fetch", help="one fetch + triage cycle; prints counts")
    p.add_argument("--mailbox", metavar="NAME")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_fetch)

    mb = sub.add_parser("mailbox", help="configure support mailboxes")
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
    src.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    src.add_argument(
        "--password-env", metavar="VAR", help="read the password from this environment variable"
    )
    p.add_argument(
        "--smtp-password-env", metavar="VAR", help="a separate SMTP password from this variable"
    )
    p.set_defaults(func=cmd_mailbox_add)
    p = msub.add_parser("test", help="log in to IMAP and SMTP; print what failed")
    p.add_argument("name")
    p.set_defaults(func=cmd_mailbox_test)


def cmd_fetch(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        from core.inbound.ingest import IngestReport
        from server.worker import fetch_asked  # the worker's cycle: lock, back-off, triage

        cycle = await fetch_asked(desk, mailbox=args.mailbox, triage_limit=10_000)
        triage = cycle.triage.as_dict() if cycle.triage else {}
        out = {
            "mailboxes": [
                {
                    "mailbox": p.mailbox,
                    "error": p.error,
                    "skipped": p.skipped,  # locked | backing off | gone; None when fetched
                    **(p.fetch.report if p.fetch else IngestReport()).as_dict(),
                }
                for p in cycle.polls
            ],
            "triage": triage,
        }
        if args.json:
            print_json(out)
        else:
            for p in cycle.polls:
                if p.fetch is None:
                    print(f"{p.mailbox}: skipped ({p.skipped})")
                    continue
                counts = ", ".join(f"{k} {v}" for k, v in p.fetch.report.as_dict().items())
                print(f"{p.mailbox}: " + (f"FAILED: {p.error}" if p.error else counts))
            print("triage: " + ", ".join(f"{k} {v}" for k, v in triage.items()))
        for p in cycle.errors:
            print(f"desk: fetch of {p.mailbox} failed: {p.error}", file=sys.stderr)
        return 1 if cycle.errors else 0

    return run_with_desk(work)


def _read_password(args: argparse.Namespace) -> str | None:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return os.environ.get(args.password_env)


def cmd_mailbox_add(args: argparse.Namespace) -> int:
    password = _read_password(args)
    if not password:
        return fail("no password given (empty stdin, or the environment variable is unset)")
    smtp_password = None
    if args.smtp_password_env:
        smtp_password = os.environ.get(args.smtp_password_env)
        if not smtp_password:
            return fail(f"environment variable {args.smtp_password_env} is unset")
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
        mailbox = await desk.mailboxes.add(spec)
        print(
            f"mailbox {mailbox.name} added ({mailbox.address}); `desk mailbox test {mailbox.name}` checks it"
        )
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


__all__ = ["register", "print_json"]
