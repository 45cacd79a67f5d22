"""desk stats: the analytics of a period, as text, JSON or CSV, and a chart; with the SLA
compliance of the clocks started in it (per metric, and by the ``--by`` breakdown)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from core.reports import charts
from core.reports.analytics import DEFAULT_VARIANT, PERIODS, TRENDS, Analytics
from core.reports.sla_compliance import SlaCompliance, SlaFigures
from server.cli.commands import command_parser
from server.cli.common import fail, print_json, run_with_desk
from server.wiring import Desk


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = command_parser(sub, "stats")
    p.add_argument("--period", default="30d", choices=list(PERIODS))
    p.add_argument("--by", choices=list(charts.BREAKDOWNS), help="break the volume down")
    p.add_argument("--trend", choices=list(TRENDS), help="tickets per day, week or month")
    p.add_argument(
        "--fresh",
        action="store_true",
        help="all time: compute now, not the report computed ahead (every few minutes)",
    )
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="every figure as JSON")
    out.add_argument("--csv", action="store_true", help="every figure as CSV rows")
    p.add_argument("--chart", type=Path, metavar="FILE.png", help="also write a PNG chart")
    p.set_defaults(func=cmd_stats)


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 90:
        return f"{seconds:.0f}s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.1f}m"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f}h"
    return f"{seconds / 86400:.1f}d"


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


SLA_LABEL = {
    "first_response": "first response",
    "next_response": "next response",
    "resolution": "resolution",
}


def _sla_columns(*cells: object) -> str:
    widths = (5, 8, 10, 5, 6, 6, 6)
    return "".join(f" {c!s:>{w}}" for c, w in zip(cells, widths, strict=True))


def _compliance(f: SlaFigures) -> str:
    decided = f.met + f.breached
    return f"{percent(f.compliance)} of {decided}" if decided else "-"


def render_sla(sla: SlaCompliance, *, by: str | None) -> list[str]:
    """The SLA section's lines: per metric, then each group of ``by`` (compliance, and of
    how many met + breached clocks)."""
    if not sla.clocks:
        return ["\nSLA compliance: no SLA clocks started in this period"]
    head = ("met", "breached", "compliance", "open", "paused", "p50", "p90")
    lines = ["\n" + f"{'SLA compliance (business time):':32}" + _sla_columns(*head)]
    lines += [
        f"  {SLA_LABEL.get(name, name):30}"
        + _sla_columns(
            f.met,
            f.breached,
            percent(f.compliance),
            f.open,
            f.paused,
            duration(f.p50_seconds),
            duration(f.p90_seconds),
        )
        for name, f in sla.metrics.items()
    ]
    groups = sla.grouped(by)
    if by:
        title = f"SLA compliance by {by}:"
        lines.append(f"\n{title:26}" + "".join(f" {SLA_LABEL[n]:>15}" for n in SLA_LABEL))
        lines += [
            f"  {key[:24]:24}" + "".join(f" {_compliance(m[n]):>15}" for n in SLA_LABEL)
            for key, m in groups
        ] or ["  (none)"]
    return lines


def render_text(a: Analytics, *, by: str | None, trend: str | None) -> str:
    since = a.since.strftime("%Y-%m-%d") if a.since else "the start"
    lines = [
        f"Desk stats, {a.period} ({since} to {a.until:%Y-%m-%d %H:%M} UTC)",
        f"  tickets             {a.tickets}",
        f"  first response      avg {duration(a.first_response.avg_seconds)}, median "
        f"{duration(a.first_response.median_seconds)} ({a.first_response.count} answered)",
        f"  resolution          avg {duration(a.resolution.avg_seconds)}, median "
        f"{duration(a.resolution.median_seconds)} ({a.resolution.count} resolved)",
        f"  AI drafts           {a.drafts}: {a.approved} approved, {a.rejected} rejected "
        f"(approval rate {percent(a.approval_rate)})",
        f"  edited by agents    {a.edited} of the approved ({percent(a.edit_rate)}), changed "
        f"{percent(a.avg_edit_ratio)} of the text on average",
        f"  escalated           {a.escalated} ({percent(a.escalation_rate)})",
    ]
    if by in ("category", "urgency"):
        counts = a.by_category if by == "category" else a.by_urgency
        lines.append(f"\nBy {by}:")
        lines += [f"  {name:18} {n:>6}" for name, n in counts.items()] or ["  (none)"]
    if by == "agent":
        lines.append("\nBy agent:          handled approved rejected   sent  response  assigned")
        lines += [
            f"  {(x.name or x.email)[:18]:18} {x.handled:>6} {x.approved:>8} {x.rejected:>8} "
            f"{x.sent:>6} {duration(x.avg_response_seconds):>9} {x.assigned:>9}"
            for x in a.agents
        ] or ["  (none)"]
    if by == "variant":
        lines.append(
            "\nBy prompt variant:      drafts decided unchanged  edited rejected  to approve"
        )
        lines += [
            f"  {(v.name or DEFAULT_VARIANT)[:20]:20} {v.drafts:>8} {v.decided:>7} "
            f"{percent(v.unchanged_rate):>9} {percent(v.edited_rate):>7} "
            f"{percent(v.rejected_rate):>8} {duration(v.median_approve_seconds):>11}"
            for v in a.variants
        ] or ["  (none)"]
    lines += render_sla(a.sla, by=by)
    if trend:
        lines.append(f"\nPer {a.trend_unit}:        received   sent")
        lines += [f"  {p.start.isoformat():16} {p.received:>8} {p.sent:>6}" for p in a.trend]
    if a.templates:
        lines.append("\nTemplates used:")
        lines += [f"  {t.name[:30]:30} {t.uses:>5}" for t in a.templates[:10]]
    return "\n".join(lines) + "\n"


def cmd_stats(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        report = await desk.analytics.report(
            args.period, trend=args.trend or "day", fresh=args.fresh
        )
        if args.chart is not None:
            png = await asyncio.to_thread(
                charts.chart_for, report, by=args.by, trend=bool(args.trend)
            )
            try:
                args.chart.write_bytes(png)
            except OSError as exc:
                return fail(f"cannot write {args.chart}: {exc}")
            print(f"chart written to {args.chart}", file=sys.stderr)
        if args.json:
            print_json(report.as_dict())
        elif args.csv:
            sys.stdout.write(report.to_csv())
        else:
            sys.stdout.write(render_text(report, by=args.by, trend=args.trend))
        return 0

    return run_with_desk(work)
