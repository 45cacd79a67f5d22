"""desk sla: business calendars and SLA policies, listed, added, changed, previewed.

    desk sla calendar add NAME --tz ZONE --hours "mon-fri 09:00-17:00" [--hours ...]
                               [--holiday YYYY-MM-DD ...] [--ical FILE]
    desk sla policy add NAME --calendar NAME [--category C] [--urgency U]
                             --first-response 4h [--next-response 8h] [--resolution 3d]
    desk sla policy set NAME [the same options]
    desk sla list [--json]
    desk sla preview --policy NAME --at ISO8601 [--json]

Durations (``m``, ``h``, ``d``) are business time; a ``d`` is 24 business hours. Like
``desk users``, these act as the trusted operator at the shell (``--by`` names them in the
audit log). ``--at`` without an offset is read in the policy calendar's zone; the preview's
times are printed in that zone, with their offset.
"""

from __future__ import annotations

import argparse
from datetime import date, datetime
from pathlib import Path
from typing import Any

from server.cli.commands import command_parser
from server.cli.common import print_json, read_input, run_with_desk, terminal
from server.cli.users import shell
from server.wiring import Desk


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2026-12-24") from None


def _instant(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not an ISO 8601 time like 2026-12-04T16:30:00+01:00"
        ) from None


def _policy_options(p: argparse.ArgumentParser, *, adding: bool) -> None:
    p.add_argument("--calendar", required=adding, metavar="NAME", help="a calendar's name or id")
    p.add_argument("--category", metavar="C", help="match tickets of this category")
    p.add_argument("--urgency", metavar="U", help="match tickets of this urgency")
    p.add_argument("--first-response", required=adding, metavar="T", help="business time, e.g. 4h")
    p.add_argument("--next-response", metavar="T", help="business time, e.g. 8h")
    p.add_argument("--resolution", metavar="T", help="business time, e.g. 3d (of 24 h)")
    p.add_argument("--warn", metavar="PCT", help="warning levels in percent (default 75,90)")
    p.add_argument("--position", type=int, metavar="N", help="order of matching (low first)")
    p.add_argument("--default", action="store_true", help="the policy for unmatched tickets")
    p.add_argument(
        "--escalate-urgency", action="store_true", help="on breach, raise the urgency a step"
    )
    p.add_argument(
        "--escalate-to",
        metavar="EMAIL|managers",
        help="on breach, reassign to this manager, or (managers) to the least-loaded available one",
    )
    p.add_argument("--by", metavar="EMAIL", help="who (for the audit log)")
    p.add_argument("--json", action="store_true", help="print the policy as JSON")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sla = command_parser(sub, "sla")
    what = sla.add_subparsers(dest="sla_command", metavar="calendar|policy|list|preview")
    what.required = True

    cal = what.add_parser("calendar", help="business calendars").add_subparsers(
        dest="calendar_command", metavar="add"
    )
    cal.required = True
    c = cal.add_parser("add", help="add a calendar")
    c.add_argument("name")
    c.add_argument("--tz", required=True, metavar="ZONE", help="an IANA zone: Europe/Berlin")
    c.add_argument(
        "--hours",
        required=True,
        action="append",
        metavar="SPEC",
        help='"mon-fri 09:00-12:00,13:00-17:00" (repeat for more days)',
    )
    c.add_argument("--holiday", action="append", type=_day, default=[], metavar="YYYY-MM-DD")
    c.add_argument("--ical", type=Path, metavar="FILE", help="an iCalendar file of holidays")
    c.add_argument("--by", metavar="EMAIL", help="who (for the audit log)")
    c.add_argument("--json", action="store_true", help="print the calendar as JSON")
    c.set_defaults(func=cmd_calendar_add)

    pol = what.add_parser("policy", help="SLA policies").add_subparsers(
        dest="policy_command", metavar="add|set"
    )
    pol.required = True
    p = pol.add_parser("add", help="add a policy (last in order unless --position)")
    p.add_argument("name")
    _policy_options(p, adding=True)
    p.set_defaults(func=cmd_policy_add)
    p = pol.add_parser("set", help="change a policy: open clocks are recomputed")
    p.add_argument("name", help="the policy's name or id")
    _policy_options(p, adding=False)
    p.set_defaults(func=cmd_policy_set)

    p = what.add_parser("list", help="calendars and policies, policies in matching order")
    p.add_argument("--json", action="store_true", help='{"calendars": [...], "policies": [...]}')
    p.set_defaults(func=cmd_list)

    p = what.add_parser("preview", help="when each metric falls due for a ticket received --at")
    p.add_argument("--policy", required=True, metavar="NAME", help="a policy's name or id")
    p.add_argument("--at", required=True, type=_instant, metavar="ISO8601")
    p.add_argument("--json", action="store_true", help="the due times as ISO 8601 with offset")
    p.set_defaults(func=cmd_preview)


def cmd_calendar_add(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        ical = read_input(args.ical)
        who = await shell(desk, args.by)
        info = await desk.calendars.add(
            args.name,
            tz=args.tz,
            hours=args.hours,
            holidays=args.holiday,
            ical=ical,
            who=who,
        )
        if args.json:
            print_json(info.as_json())
        else:
            days = len(info.holidays)
            print(
                f"calendar {terminal(info.name)} ({info.id}): {info.tz},"
                f" {terminal(info.as_json()['hours'])}; {days} holiday{'s' * (days != 1)}"
            )
        return 0

    return run_with_desk(work)


def _policy_fields(args: argparse.Namespace) -> dict[str, Any]:
    fields = {
        "calendar": args.calendar,
        "category": args.category,
        "urgency": args.urgency,
        "first_response": args.first_response,
        "next_response": args.next_response,
        "resolution": args.resolution,
        "warn_levels": args.warn,
        "position": args.position,
        "escalate_to": args.escalate_to,
    }
    out = {k: v for k, v in fields.items() if v is not None}
    if args.default:
        out["is_default"] = True
    if args.escalate_urgency:
        out["escalate_raise_urgency"] = True
    return out


def _print_policy(info: Any, *, as_json: bool, verb: str) -> None:
    if as_json:
        print_json(info.as_json())
        return
    p = info.as_json()
    print(f"policy {terminal(p['name'])} ({p['id']}) {verb}: version {p['version']}")


def cmd_policy_add(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        who = await shell(desk, args.by)
        info = await desk.sla_policies.add(args.name, who=who, **_policy_fields(args))
        _print_policy(info, as_json=args.json, verb="added")
        return 0

    return run_with_desk(work)


def cmd_policy_set(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        from core.errors import ValidationError

        fields = _policy_fields(args)
        if not fields:
            raise ValidationError("nothing to change: give an option, e.g. --first-response 2h")
        who = await shell(desk, args.by)
        info = await desk.sla_policies.change(args.name, who=who, **fields)
        _print_policy(info, as_json=args.json, verb="changed")
        return 0

    return run_with_desk(work)


def cmd_list(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        calendars = [c.as_json() for c in await desk.calendars.list()]
        policies = [p.as_json() for p in await desk.sla_policies.list()]
        if args.json:
            print_json({"calendars": calendars, "policies": policies})
            return 0
        print(table(calendars, policies))
        return 0

    return run_with_desk(work)


def table(calendars: list[dict[str, Any]], policies: list[dict[str, Any]]) -> str:
    lines = ["CALENDARS"] if calendars else ["no calendars: `desk sla calendar add` adds one"]
    for c in calendars:
        lines.append(
            f"  {c['id']:>4}  {terminal(c['name'])[:20]:20}  {c['tz']:20}  {terminal(c['hours'])}"
            + (f"  ({len(c['holidays'])} holidays)" if c["holidays"] else "")
        )
    lines.append("POLICIES" if policies else "no policies: `desk sla policy add` adds one")
    if policies:
        lines.append(
            f"  {'POS':>4}  {'NAME':20}  {'MATCH':28}  {'CALENDAR':14}  FIRST  NEXT   RESOL  WARN"
        )
    for p in policies:
        match = " ".join(x for x in (p["category"], p["urgency"]) if x) or "any"
        if p["is_default"]:
            match = "default"
        lines.append(
            f"  {p['position']:>4}  {terminal(p['name'])[:20]:20}  {terminal(match)[:28]:28}"
            f"  {terminal(p['calendar'])[:14]:14}  {p['first_response']:5}  {p['next_response']:5}"
            f"  {p['resolution']:5}  {','.join(map(str, p['warn_levels']))}"
        )
    return "\n".join(lines)


def cmd_preview(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        preview = await desk.sla_policies.preview(args.policy, args.at)
        if args.json:
            print_json(preview.as_json())
            return 0
        print(f"policy {terminal(preview.policy)}, received {preview.received_at.isoformat()}")
        for metric, due in preview.due.items():
            print(
                f"  {metric.replace('_', ' '):15} {due.strftime('%a %Y-%m-%d %H:%M %z') if due else '-'}"
            )
        return 0

    return run_with_desk(work)
