"""desk recipients list | clear: addresses a permanent bounce marked undeliverable.

The sender refuses a marked address; ``clear`` takes the mark off (audited) once the
customer's mailbox works again, and failed replies to it can be retried (``desk retry
ID``, ``POST /api/v1/tickets/{id}/retry``; in Slack, the failed card's "Clear bounce &
retry" does both).
"""

from __future__ import annotations

import argparse

from core.access.users import actor_for
from server.cli.commands import command_parser
from server.cli.common import print_json, run_with_desk
from server.wiring import Desk


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = command_parser(sub, "recipients")
    cmds = p.add_subparsers(dest="recipients_command", metavar="COMMAND")
    cmds.required = True
    c = cmds.add_parser("list", help="every address marked undeliverable, newest bounce first")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_list)
    c = cmds.add_parser("clear", help="take the undeliverable mark off an address")
    c.add_argument("email")
    c.add_argument("--by", required=True, metavar="EMAIL", help="who (for the audit log)")
    c.set_defaults(func=cmd_clear)


def cmd_list(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        marked = await desk.recipients.undeliverable()
        if args.json:
            print_json([r.as_dict() for r in marked])
            return 0
        if not marked:
            print("no address is marked undeliverable")
        for r in marked:
            when = f"{r.bounced_at:%Y-%m-%d %H:%M} UTC" if r.bounced_at else "-"
            print(f"{r.email:40} {when:20} {r.reason or ''}")
        return 0

    return run_with_desk(work)


def cmd_clear(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        cleared = await desk.recipients.clear(
            args.email, await actor_for(desk.sessions, args.by, "cli")
        )
        print(f"{cleared.email} may be mailed again (it bounced: {cleared.reason or '-'})")
        return 0

    return run_with_desk(work)
