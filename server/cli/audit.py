"""desk audit: read the audit log, newest first, as a table or ``--json``.

Filters as ``core.reports.audit_log`` reads them: ``--actor`` a user's id or the name an
event carries (an email, ``worker``, ``system``), ``--ticket`` a ticket id, ``--action`` one
action or a prefix (``draft.``, ``token*``), ``--since`` (inclusive) and ``--until``
(exclusive) ISO 8601 dates or times (UTC unless they say otherwise). A bad filter is bad
usage: one line on stderr, exit 2.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from typing import Any

from core.errors import ValidationError
from core.reports.audit_log import MAX_LIMIT, AuditFilter, conditions, parse_when
from server.cli.commands import command_parser
from server.cli.common import print_json, record_id, run_with_desk, terminal, usage, whole_number
from server.wiring import Desk

SUMMARY_CHARS = 80


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = command_parser(sub, "audit")
    p.add_argument("--actor", metavar="A", help="a user id, an email, or worker / system / cli")
    p.add_argument("--ticket", metavar="N", type=record_id, help="events on this ticket")
    p.add_argument(
        "--action", metavar="X", help="an action (draft.approved) or a prefix (draft. or token*)"
    )
    p.add_argument("--since", metavar="ISO", type=_when("since"), help="from this time on")
    p.add_argument("--until", metavar="ISO", type=_when("until"), help="before this time")
    p.add_argument(
        "--limit", metavar="N", type=_limit, default=50, help=f"at most N (1 to {MAX_LIMIT})"
    )
    p.add_argument("--offset", metavar="N", type=whole_number(0), default=0, help="skip N")
    p.add_argument("--json", action="store_true", help='{"items": [...], "total": N}')
    p.set_defaults(func=cmd_audit)


def _when(field: str) -> Any:
    def parse(value: str) -> datetime:
        try:
            return parse_when(value, field=field)
        except ValidationError as exc:  # argparse names the option already
            raise argparse.ArgumentTypeError(str(exc).removeprefix(f"{field}: ")) from None

    parse.__name__ = "date"
    return parse


def _limit(value: str) -> int:
    number = whole_number(1)(value)
    if number > MAX_LIMIT:
        raise argparse.ArgumentTypeError(f"{value} is more than {MAX_LIMIT}")
    return number


def cmd_audit(args: argparse.Namespace) -> int:
    filters = AuditFilter(
        actor=args.actor,
        ticket=args.ticket,
        action=args.action,
        since=args.since,
        until=args.until,
    )
    try:
        conditions(filters)  # every filter checked before the database is opened
    except ValidationError as exc:
        return usage("audit", str(exc))

    async def work(desk: Desk) -> int:
        log = desk.audit_log
        items = await log.page(filters, limit=args.limit, offset=args.offset)
        total = await log.count(filters)
        if args.json:
            print_json({"items": items, "total": total})
            return 0
        print(table(items, total=total, offset=args.offset))
        return 0

    return run_with_desk(work)


def table(items: list[dict[str, Any]], *, total: int, offset: int = 0) -> str:
    """The events as lines of text (every value made safe for a terminal)."""
    if not items:
        return "no audit event matches" if total == 0 else f"no events past {offset} of {total}"
    lines = [
        f"{'ID':>6}  {'AT (UTC)':19}  {'SURFACE':7}  {'ACTOR':28}  {'ACTION':24}  {'TARGET':24}"
        "  CHANGES"
    ]
    for e in items:
        at = datetime.fromisoformat(e["at"]).strftime("%Y-%m-%d %H:%M:%S")
        line = (
            f"{e['id']:>6}  {at:19}  {terminal(e['surface']):7}  {terminal(e['actor'])[:28]:28}"
            f"  {terminal(e['action']):24}  {terminal(e['target'] or '-'):24}"
        )
        changed = summary(e["changes"])
        lines.append(f"{line}  {changed}".rstrip())
    shown = f"{offset + 1}-{offset + len(items)} of {total}"
    lines.append(f"{shown} events" if len(items) < total else f"{total} events")
    return "\n".join(lines)


def summary(changes: dict[str, Any]) -> str:
    """``role: agent -> manager; value: *** -> ***``, cut to one short line."""
    parts = []
    for key, change in changes.items():
        if isinstance(change, list) and len(change) == 2:
            before, after = (_short(v) for v in change)
            parts.append(f"{key}: {before} -> {after}")
        else:
            parts.append(f"{key}: {_short(change)}")
    text = terminal("; ".join(parts))
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1] + "…"


def _short(value: Any) -> str:
    if value is None:
        return "-"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
