"""desk tickets | show | approve | reject | retry | edit | send."""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from core.access.permissions import Principal
from core.access.users import actor_for
from core.tickets.decisions import Decision, Decisions
from core.tickets.queries import SORTS, TicketQuery
from server.cli.common import print_json, read_input, run_with_desk
from server.wiring import Desk


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("tickets", help="list tickets")
    p.add_argument(
        "--status", help="open|answered|resolved or a draft status (pending, approved, sent, ...)"
    )
    p.add_argument("--category")
    p.add_argument("--urgency")
    p.add_argument("--q", help="words to find in sender, subject and text")
    p.add_argument("--sender")
    p.add_argument("--sort", default="-date", choices=SORTS)
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--offset", type=int, default=0)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_tickets)

    p = sub.add_parser("show", help="one ticket with its whole conversation")
    p.add_argument("id", type=int)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("approve", help="approve a ticket's pending draft")
    p.add_argument("id", type=int, help="ticket id")
    p.add_argument("--by", required=True, metavar="EMAIL")
    p.add_argument("--version", type=int, help="the draft version you reviewed (default: current)")
    p.set_defaults(func=cmd_approve)

    p = sub.add_parser("reject", help="reject a ticket's pending draft")
    p.add_argument("id", type=int, help="ticket id")
    p.add_argument("--by", required=True, metavar="EMAIL")
    p.add_argument("--reason", required=True)
    p.set_defaults(func=cmd_reject)

    p = sub.add_parser("edit", help="change a ticket's pending draft")
    p.add_argument("id", type=int, help="ticket id")
    p.add_argument("--by", required=True, metavar="EMAIL")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--text")
    g.add_argument("--file", type=Path)
    p.set_defaults(func=cmd_edit)

    p = sub.add_parser("retry", help="send a ticket's failed reply again (`desk send` sends it)")
    p.add_argument("id", type=int, help="ticket id")
    p.add_argument("--by", required=True, metavar="EMAIL")
    p.set_defaults(func=cmd_retry)

    p = sub.add_parser("send", help="send every approved draft now")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_send)


def cmd_tickets(args: argparse.Namespace) -> int:
    query = TicketQuery(
        status=args.status,
        category=args.category,
        urgency=args.urgency,
        q=args.q,
        sender=args.sender,
        sort=args.sort,
        limit=args.limit,
        offset=args.offset,
    )

    async def work(desk: Desk) -> int:
        rows = await desk.tickets.list(query)
        if args.json:
            print_json(rows)
        else:
            _print_table(rows)
        return 0

    return run_with_desk(work)


def _print_table(rows: list[dict[str, Any]]) -> None:
    if not rows:
        print("no tickets")
        return
    print(
        f"{'ID':>5}  {'RECEIVED':16}  {'STATUS':8}  {'DRAFT':9}  {'URGENCY':7}  {'CATEGORY':16}  {'FROM':28}  SUBJECT"
    )
    for r in rows:
        print(
            f"{r['id']:>5}  {(r['received_at'] or '')[:16]:16}  {r['status']:8}  {r['approval_status'] or '-':9}  "
            f"{r['urgency'] or '-':7}  {r['category'] or '-':16}  {r['sender_email'][:28]:28}  {r['subject'][:60]}"
        )


def cmd_show(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        view = await desk.tickets.get(args.id)
        if args.json:
            print_json(view)
            return 0
        print(f"Ticket #{view['id']}: {view['subject']}")
        print(
            f"From {view['sender_email']}  status {view['status']}  {view['category'] or '-'} / {view['urgency'] or '-'}"
        )
        if view["summary"]:
            print(f"Summary: {view['summary']}")
        for m in view["messages"]:
            arrow = "<-" if m["direction"] == "in" else "->"
            print(f"\n{arrow} {m['date']}  {m['from']}  [{m['kind']}]")
            print(m["text"].strip()[:4000])
            for a in m["attachments"]:
                print(
                    f"   attachment: {a['filename']} ({a['content_type']}, {a['size']} bytes){' - ' + a['note'] if a['note'] else ''}"
                )
            for note in m["notes"]:
                print(f"   note: {note}")
        if view["draft_id"]:
            print(
                f"\nDraft #{view['draft_id']} v{view['draft_version']} [{view['approval_status']}]"
                f"{' ESCALATE: ' + (view['escalation_reason'] or '') if view['escalation_required'] else ''}"
            )
            print(view["draft_response"])
        return 0

    return run_with_desk(work)


def _decide(
    args: argparse.Namespace,
    decide: Callable[[Decisions, Principal], Awaitable[Decision]],
    done: str,
) -> int:
    """Run one decision on ticket ``args.id``'s current draft as ``args.by``; ``done``
    ends the line it prints ("{by}" is who decided)."""

    async def work(desk: Desk) -> int:
        d = await decide(desk.decisions, await _operator(desk, args.by))
        print(f"ticket {args.id}: draft {d.draft_id} {done.format(by=d.by)}")
        return 0

    return run_with_desk(work)


async def _operator(desk: Desk, email: str) -> Principal:
    """The CLI is the operator's tool: it decides as ``email`` without a role check."""
    return Principal.operator_of(await actor_for(desk.sessions, email, "cli"))


def cmd_approve(args: argparse.Namespace) -> int:
    return _decide(
        args,
        lambda d, who: d.approve(who, ticket_id=args.id, version=args.version),
        "approved by {by}; `desk send` sends it",
    )


def cmd_reject(args: argparse.Namespace) -> int:
    return _decide(
        args,
        lambda d, who: d.reject(who, ticket_id=args.id, reason=args.reason),
        "rejected by {by}",
    )


def cmd_retry(args: argparse.Namespace) -> int:
    return _decide(
        args,
        lambda d, who: d.retry(who, ticket_id=args.id),
        "queued again by {by}; `desk send` sends it",
    )


def cmd_edit(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        text = read_input(args.file, args.text) or ""
        edited = await desk.decisions.edit(
            await _operator(desk, args.by), ticket_id=args.id, body=text
        )
        print(f"ticket {args.id}: draft {edited.draft_id} is now version {edited.version}")
        return 0

    return run_with_desk(work)


def cmd_send(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        report = await desk.sender.send_due(limit=10_000, ignore_backoff=True)
        if args.json:
            print_json(report.as_dict())
        else:
            print(", ".join(f"{k} {v}" for k, v in report.as_dict().items()))
        return 1 if report.failed else 0

    return run_with_desk(work)
