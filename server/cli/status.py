"""desk wait | resolve | reopen ID --by EMAIL: a person sets a ticket's status.

``wait``: the ticket waits on the customer, which pauses its SLA resolution clock until
they write; ``resolve`` stops its clocks; ``reopen`` resumes resolution with the business
time it had used. Decided as ``--by`` with that user's current role, like ``desk approve``.
"""

from __future__ import annotations

import argparse

from server.cli.commands import command_parser
from server.cli.common import print_json, record_id, run_with_desk
from server.wiring import Desk

STATUS_OF = {"wait": "waiting", "resolve": "resolved", "reopen": "open"}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    for command in STATUS_OF:
        p = command_parser(sub, command)
        p.add_argument("id", type=record_id, help="ticket id")
        p.add_argument("--by", required=True, metavar="EMAIL")
        p.add_argument("--json", action="store_true", help='{"ticket_id", "before", "after"}')
        p.set_defaults(func=cmd_status, status=STATUS_OF[command])


def cmd_status(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        from core.access.permissions import principal_by_email

        who = await principal_by_email(desk.sessions, args.by, "cli")
        change = await desk.decisions.set_status(who, ticket_id=args.id, status=args.status)
        if args.json:
            print_json(
                {"ticket_id": change.ticket_id, "before": change.before, "after": change.after}
            )
        elif change.changed:
            print(f"ticket {change.ticket_id}: {change.before} -> {change.after}")
        else:
            print(f"ticket {change.ticket_id} is {change.after} already")
        return 0

    return run_with_desk(work)
