"""desk tickets | show | approve | reject | retry | edit | send."""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.tickets import listing
from core.tickets.listing import SORTS, TicketQuery
from core.vocabulary import APPROVAL_STATUSES, STATUSES
from server.cli.commands import command_parser
from server.cli.common import (
    fail,
    print_json,
    read_input,
    record_id,
    run_reading,
    run_with_desk,
    terminal,
    whole_number,
)

# the engine loads only in the commands that run it: `desk tickets` reads without it
if TYPE_CHECKING:
    from core.access.permissions import Principal
    from core.tickets.decisions import Decision, Decisions
    from db.lite import LiteReader
    from server.wiring import Desk


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = command_parser(sub, "tickets")
    p.add_argument(
        "--status",
        choices=STATUSES + APPROVAL_STATUSES,
        metavar="STATUS",
        help="a ticket status (open, answered, resolved) or a draft status "
        f"({', '.join(APPROVAL_STATUSES)})",
    )
    p.add_argument("--category")
    p.add_argument("--urgency")
    p.add_argument(
        "--q",
        help='words to find in sender, subject and text ("a phrase", -word, or; INV-2291 and'
        " addresses as typed), or text inside the sender's address or name or the subject",
    )
    p.add_argument("--sender")
    p.add_argument("--assignee", metavar="EMAIL", help="only the tickets this desk user owns")
    p.add_argument(
        "--language", metavar="CODE", help="only the tickets in this language (ISO 639-1: de)"
    )
    p.add_argument(
        "--sort", choices=SORTS, help="default: relevance with --q, else -date (newest first)"
    )
    p.add_argument("--limit", type=whole_number(1), default=50)
    p.add_argument("--offset", type=whole_number(), default=0)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_tickets)

    p = command_parser(sub, "show")
    p.add_argument("id", type=record_id)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_show)

    p = command_parser(sub, "approve")
    p.add_argument("id", type=record_id, help="ticket id")
    p.add_argument("--by", required=True, metavar="EMAIL")
    p.add_argument(
        "--version", type=whole_number(1), help="the draft version you reviewed (default: current)"
    )
    p.set_defaults(func=cmd_approve)

    p = command_parser(sub, "reject")
    p.add_argument("id", type=record_id, help="ticket id")
    p.add_argument("--by", required=True, metavar="EMAIL")
    p.add_argument("--reason", required=True)
    p.set_defaults(func=cmd_reject)

    p = command_parser(sub, "edit")
    p.add_argument("id", type=record_id, help="ticket id")
    p.add_argument("--by", required=True, metavar="EMAIL")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--text")
    g.add_argument("--file", type=Path)
    p.set_defaults(func=cmd_edit)

    p = command_parser(sub, "retry")
    p.add_argument("id", type=record_id, help="ticket id")
    p.add_argument("--by", required=True, metavar="EMAIL")
    p.set_defaults(func=cmd_retry)

    p = command_parser(sub, "send")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_send)


def cmd_tickets(args: argparse.Namespace) -> int:
    query = TicketQuery(
        status=args.status,
        category=args.category,
        urgency=args.urgency,
        q=args.q,
        sender=args.sender,
        assignee_email=args.assignee,
        language=args.language,
        sort=args.sort,
        limit=args.limit,
        offset=args.offset,
    )

    def work(reader: LiteReader) -> int:
        statement = listing.page(query.validated(), postgres=reader.postgres)
        if args.assignee is not None:
            known = listing.user_by_email(args.assignee)
            if not reader.rows(known.sql, known.params):
                return fail(f"no desk user {args.assignee!r} (see `desk users list`)")
        rows = [listing.ticket_view(row) for row in reader.rows(statement.sql, statement.params)]
        if rows:
            clocks = listing.sla_clocks([r["id"] for r in rows])
            listing.attach_sla(rows, reader.rows(clocks.sql, clocks.params))
            cited = listing.cited_articles(rows)
            listing.attach_citations(
                rows, reader.rows(cited.sql, cited.params) if cited.params else []
            )
        marks = listing.snippets([r["id"] for r in rows], query, postgres=reader.postgres)
        listing.attach_snippets(rows, reader.rows(marks.sql, marks.params) if marks else [])
        if args.json:
            print_json(rows)
        else:
            _print_table(rows)
        return 0

    # only reads: the plain driver, not the ORM (a tenth of the start-up; bench/cli_start.py)
    return run_reading(work)


def _print_table(rows: list[dict[str, Any]]) -> None:
    """One line per ticket; what came in a customer's mail is escaped (``terminal``)."""
    if not rows:
        print("no tickets")
        return
    print(
        f"{'ID':>5}  {'RECEIVED':16}  {'STATUS':8}  {'DRAFT':9}  {'URGENCY':7}  {'CATEGORY':16}  {'FROM':28}  SUBJECT"
    )
    for r in rows:
        print(
            f"{r['id']:>5}  {(r['received_at'] or '')[:16]:16}  {r['status']:8}  {r['approval_status'] or '-':9}  "
            f"{r['urgency'] or '-':7}  {r['category'] or '-':16}  {terminal(r['sender_email'])[:28]:28}  "
            f"{terminal(r['subject'])[:60]}"
        )
        if r.get("snippet"):  # a search: where its words matched
            print(f"{'':7}{terminal(r['snippet'])[:200]}")


def cmd_show(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        view = await desk.tickets.get(args.id)
        if args.json:
            print_json(view)
        else:
            print(render_ticket(view), end="")
        return 0

    return run_with_desk(work)


def render_ticket(view: dict[str, Any]) -> str:
    """``desk show`` as text: mail text keeps its lines and tabs, every other control
    character (from the mail or the AI's answer) is escaped."""
    t = terminal
    lines = [
        f"Ticket #{view['id']}: {t(view['subject'])}",
        f"From {t(view['sender_email'])}  status {view['status']}  "
        f"{view['category'] or '-'} / {view['urgency'] or '-'}"
        f"  language {view.get('language') or '-'}",
    ]
    if view["summary"]:
        lines.append(f"Summary: {t(view['summary'])}")
    for m in view["messages"]:
        arrow = "<-" if m["direction"] == "in" else "->"
        lines += ["", f"{arrow} {m['date']}  {t(m['from'])}  [{m['kind']}]"]
        lines.append(t(m["text"].strip()[:4000], lines=True))
        for a in m["attachments"]:
            note = " - " + t(a["note"]) if a["note"] else ""
            lines.append(
                f"   attachment: {t(a['filename'])} ({t(a['content_type'])}, {a['size']} bytes){note}"
            )
        lines += [f"   note: {t(note)}" for note in m["notes"]]
    if view.get("assignments"):
        lines += ["", "Assignment:"]
        for a in view["assignments"]:
            whom = f" to {t(a['assignee'])}" if a["assignee"] else ""
            why = f": {t(a['reason'])}" if a["reason"] else ""
            lines.append(f"   {a['at']}  {a['action']}{whom} by {t(a['by'])}{why}")
    if view["draft_id"]:
        escalate = " ESCALATE: " + t(view["escalation_reason"] or "")
        lines += [
            "",
            f"Draft #{view['draft_id']} v{view['draft_version']} [{view['approval_status']}]"
            f"{escalate if view['escalation_required'] else ''}",
            t(view["draft_response"], lines=True),
        ]
        if view.get("citations"):
            cited = ", ".join(f"#{c['id']} {t(c['title'])}" for c in view["citations"])
            lines.append(f"Sources: {cited}")
    return "\n".join(lines) + "\n"


def _decide(
    args: argparse.Namespace,
    decide: Callable[[Decisions, Principal], Awaitable[Decision]],
    done: str,
) -> int:
    """Run one decision on ticket ``args.id``'s current draft as ``args.by``; ``done``
    ends the line it prints ("{by}" is who decided)."""

    async def work(desk: Desk) -> int:
        d = await decide(desk.decisions, await _acting(desk, args.by))
        print(f"ticket {args.id}: draft {d.draft_id} {done.format(by=d.by)}")
        return 0

    return run_with_desk(work)


async def _acting(desk: Desk, email: str) -> Principal:
    """``email``'s desk user with their role as the database has it now (made an agent on
    first use): the same rules as Slack and REST, so a deactivated user, or an agent
    deciding someone else's ticket, is refused (exit 1, the reason on stderr)."""
    from core.access.permissions import principal_by_email

    return await principal_by_email(desk.sessions, email, "cli")


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
            await _acting(desk, args.by), ticket_id=args.id, body=text
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
