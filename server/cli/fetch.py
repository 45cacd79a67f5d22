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
        results = await desk.fetcher.fetch_all(args.mailbox)
        triage = await (await desk.triage_service()).triage_queued(limit=10_000)
        out = {
            "mailboxes": [
                {"mailbox": r.mailbox, "error": r.error, **r.report.as_dict()} for r in results
            ],
            "triage": triage.as_dict(),
        }
        if args.json:
            print_json(out)
        else:
            for r in results:
                counts = ", ".join(f"{k} {v}" for k, v in r.report.as_dict().items())
                print(f"{r.mailbox}: " + (f"FAILED: {r.error}" if r.error else counts))
            print("triage: " + ", ".join(f"{k} {v}" for k, v in triage.as_dict().items()))
        errors = [r for r in results if r.error]
        for r in errors:
            print(f"desk: fetch of {r.mailbox} failed: {r.error}", file=sys.stderr)
        return 1 if errors else 0

    return run_with_desk(work)


__all__ = ["register", "print_json"]
