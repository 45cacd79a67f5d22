"""desk bulk approve | reject | assign | send: many tickets at once.

Tickets are named by id or by the search filters. Without ``--yes`` the command prints
what matches and asks for confirmation on a terminal; when stdin is not a terminal it
refuses (exit 2), so a script never acts on more than it meant to. ``--by`` acts with
their role as the database has it (made an agent on first use), through the same path and
rules as Slack and REST (``core.tickets.decisions``): a deactivated user is refused
outright, and tickets the role does not allow (an agent and someone else's ticket) are
left out as ``not_permitted``, with the reason on stderr. Exit 1 when a reply failed to
send or a ticket was not permitted.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from core.access.permissions import Principal, principal_by_email
from core.access.users import actor_for
from core.errors import PermissionDenied, ValidationError
from core.tickets.bulk import BulkItem, BulkPreview, BulkResult, Selection
from core.tickets.queries import TicketQuery
from core.vocabulary import APPROVAL_STATUSES, STATUSES
from server.cli.commands import command_parser
from server.cli.common import print_json, record_id, run_with_desk
from server.wiring import Desk

VERBS = {"approve": "Approve", "reject": "Reject", "assign": "Assign", "send": "Send"}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = command_parser(sub, "bulk")
    actions = p.add_subparsers(dest="bulk_action", metavar="ACTION")
    actions.required = True
    for name, helptext in (
        ("approve", "approve the pending drafts (escalated ones only with --include-escalated)"),
        ("reject", "reject the pending drafts, all with one --reason"),
        ("assign", "assign the tickets --to one person"),
        ("send", "send the approved replies now"),
    ):
        a = actions.add_parser(name, help=helptext)
        a.add_argument("ids", nargs="*", type=record_id, metavar="TICKET", help="ticket ids")
        a.add_argument(
            "--status",
            choices=STATUSES + APPROVAL_STATUSES,
            metavar="STATUS",
            help="ticket or draft status (pending, approved, open, ...)",
        )
        a.add_argument("--category")
        a.add_argument("--urgency")
        a.add_argument("--q", help="words to find in sender, subject and text")
        a.add_argument("--sender")
        a.add_argument("--assigned-to", metavar="EMAIL", help="tickets assigned to this user")
        a.add_argument("--by", required=True, metavar="EMAIL", help="who acts")
        a.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
        a.add_argument("--json", action="store_true", help="print the result as JSON")
        if name == "approve":
            a.add_argument(
                "--include-escalated",
                action="store_true",
                help="also approve drafts flagged for escalation",
            )
        if name == "reject":
            a.add_argument("--reason", required=True, help="one reason for all")
        if name == "assign":
            a.add_argument("--to", required=True, metavar="EMAIL", help="the assignee")
        a.set_defaults(func=cmd_bulk, bulk_action=name)


def _selection(args: argparse.Namespace, assigned_to_id: int | None) -> Selection:
    filters = {
        "status": args.status,
        "category": args.category,
        "urgency": args.urgency,
        "q": args.q,
        "sender": args.sender,
    }
    has_filter = any(filters.values()) or assigned_to_id is not None
    if args.ids and has_filter:
        raise ValidationError("name tickets by id or by filters, not both")
    if args.ids:
        return list(args.ids)
    if not has_filter:
        raise ValidationError("name the tickets: ids, or filters such as --status pending")
    return TicketQuery(**filters, assigned_to_id=assigned_to_id, limit=1000).validated()


def _print_preview(preview: BulkPreview, *, file: TextIO | None = None) -> None:
    file = file or sys.stdout  # looked up per call: a default bound at import goes stale
    for t in preview.act_on:
        flag = " [escalated]" if t.escalation_required else ""
        print(
            f"  #{t.ticket_id:<6} {t.draft_status or '-':9} {t.urgency or '-':7} "
            f"{t.requester[:28]:28} {t.subject[:60]}{flag}",
            file=file,
        )
    for item in preview.skip:
        print(f"  #{item.ticket_id:<6} skip: {item.detail}", file=file)


def _print_result(result: BulkResult) -> None:
    print(result.summary())
    for item in result.skipped:
        print(f"  #{item.ticket_id}: {item.reason}: {item.detail}")


def confirm(question: str) -> bool | None:
    """True/False from the person at the terminal; None when there is no terminal."""
    if not sys.stdin.isatty():
        return None
    try:
        answer = input(f"{question} [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def cmd_bulk(args: argparse.Namespace) -> int:
    action: str = args.bulk_action

    async def work(desk: Desk) -> int:
        actor = await principal_by_email(desk.sessions, args.by, "cli")
        if actor.role is None:
            raise PermissionDenied(f"{actor.name} is not an active desk user", reason="forbidden")
        assignee = await actor_for(desk.sessions, args.to, "cli") if action == "assign" else None
        owner = (
            await actor_for(desk.sessions, args.assigned_to, "cli") if args.assigned_to else None
        )
        selection = _selection(args, owner.user_id if owner else None)
        include = bool(getattr(args, "include_escalated", False))
        preview = await desk.bulk.preview(
            selection,
            action,
            include_escalated=include,
            who=actor,
            assignee_id=assignee.user_id if assignee else None,
        )
        if not preview.act_on:
            if args.json:
                print_json({"action": action, "done": [], "skipped": preview.as_dict()["skip"]})
            else:
                print(f"nothing to {action}: no matching ticket qualifies")
                _print_preview(preview)
            return _refused(preview.skip)
        if not args.yes:
            target = f" to {args.to}" if action == "assign" else ""
            print(f"{VERBS[action]} {len(preview.act_on)} ticket(s){target}:", file=sys.stderr)
            _print_preview(preview, file=sys.stderr)
            answer = confirm(f"{VERBS[action]} these {len(preview.act_on)} ticket(s)?")
            if answer is None:
                print("desk: not a terminal: add --yes to confirm a bulk action", file=sys.stderr)
                return 2
            if not answer:
                print("cancelled")
                return 0
        result = await _run(desk, action, args, actor, assignee, preview)
        result.skipped[:0] = preview.skip  # what the confirmation already left out
        if args.json:
            print_json(result.as_dict())
        else:
            _print_result(result)
        failed = any(i.reason == "send_failed" for i in result.skipped)
        return max(_refused(result.skipped), 1 if failed else 0)

    return run_with_desk(work)


def _refused(skipped: list[BulkItem]) -> int:
    """Exit 1, each reason on stderr, when the acting user was refused a ticket."""
    refused = [i for i in skipped if i.reason == "not_permitted"]
    for item in refused:
        print(f"desk: ticket {item.ticket_id}: {item.detail}", file=sys.stderr)
    return 1 if refused else 0


async def _run(
    desk: Desk,
    action: str,
    args: argparse.Namespace,
    actor: Principal,
    assignee: Any,
    preview: BulkPreview,
) -> BulkResult:
    """Act on the tickets that were shown (not a new match: what was confirmed)."""
    ids = [t.ticket_id for t in preview.act_on]
    if action == "approve":
        seen = {t.draft_id: t.draft_version for t in preview.act_on if t.draft_id}
        return await desk.bulk.approve(
            ids,
            actor,
            include_escalated=bool(args.include_escalated),
            versions=seen,  # type: ignore[arg-type]
        )
    if action == "reject":
        return await desk.bulk.reject(ids, actor, reason=args.reason)
    if action == "send":
        return await desk.bulk.send(ids, actor)
    return await desk.bulk.assign(ids, actor, assignee_id=assignee.user_id)
