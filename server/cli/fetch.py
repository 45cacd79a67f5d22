"""desk fetch: one fetch and triage cycle."""

from __future__ import annotations

import argparse
import sys

from server.cli.commands import command_parser
from server.cli.common import print_json, run_with_desk
from server.wiring import Desk


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = command_parser(sub, "fetch")
    p.add_argument("--mailbox", metavar="NAME")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_fetch)


def cmd_fetch(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        from core.inbound.records import IngestReport
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


__all__ = ["register", "print_json"]
