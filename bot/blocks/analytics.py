"""Analytics, scheduler status and new-ticket notices in Slack, as pure builders.

- ``/desk stats [7d|30d|all] [by:category|urgency|agent|variant] [trend:day|week|month]``:
  ``parse_stats_options`` and ``analytics_blocks``, with its SLA compliance section
  (``sla_blocks``: per metric, and by the breakdown asked for) (the chart comes from
  ``core.reports.charts.chart_for(analytics, by=..., trend=...)``, uploaded by the handler);
- App Home: ``home_headline_blocks`` (the headline numbers) and
  ``scheduler_status_blocks`` (last run, next run, last error);
- the triage channel: ``new_tickets_message``, one message per batch of new tickets, which
  mentions the on-call group when High urgency tickets are in it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.blocks.text import escape, mrkdwn, plain, plural, short, slack_date
from core.control.scheduler import SchedulerStatus
from core.errors import ValidationError
from core.reports.analytics import DEFAULT_VARIANT, PERIODS, TRENDS, Analytics
from core.reports.charts import BREAKDOWNS
from core.reports.sla_compliance import SlaCompliance, SlaFigures
from core.workflow.notifications import TicketBatch

Block = dict[str, Any]

PERIOD_LABEL = {"7d": "last 7 days", "30d": "last 30 days", "all": "all time"}
STATS_USAGE = (
    "`/desk stats [7d|30d|all] [by:category|urgency|agent|variant] [trend:day|week|month]`"
)


@dataclass(frozen=True, slots=True)
class StatsOptions:
    period: str = "30d"
    by: str | None = None
    trend: str | None = None

    def chart_filename(self) -> str:
        parts = ["desk-stats", self.period] + [p for p in (self.by, self.trend) if p]
        return "-".join(parts) + ".png"


def parse_stats_options(text: str) -> StatsOptions:
    """``7d by:agent trend:week`` (any order; ``by=`` works too)."""
    period, by, trend = "30d", None, None
    for token in (text or "").split():
        key, sep, value = token.lower().replace("=", ":").partition(":")
        if not sep and key in PERIODS:
            period = key
        elif key == "by" and value in BREAKDOWNS:
            by = value
        elif key == "trend" and value in TRENDS:
            trend = value
        else:
            raise ValidationError(f"cannot read `{token}`; use {STATS_USAGE}", field="stats")
    return StatsOptions(period, by, trend)


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    if seconds < 90:
        return f"{seconds:.0f} s"
    minutes = seconds / 60
    if minutes < 90:
        return f"{minutes:.0f} min"
    hours = minutes / 60
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.1f} days"


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.0f}%"


def _headline_fields(a: Analytics) -> list[dict[str, Any]]:
    return [
        mrkdwn(f"*Tickets*\n{a.tickets:,}"),
        mrkdwn(
            f"*First response*\navg {duration(a.first_response.avg_seconds)} · "
            f"median {duration(a.first_response.median_seconds)}"
        ),
        mrkdwn(
            f"*Resolution*\navg {duration(a.resolution.avg_seconds)} · "
            f"median {duration(a.resolution.median_seconds)}"
        ),
        mrkdwn(
            f"*AI drafts approved*\n{percent(a.approval_rate)} "
            f"({a.approved:,} of {a.approved + a.rejected:,} decided)"
        ),
        mrkdwn(
            f"*Edited before approval*\n{percent(a.edit_rate)}"
            + (
                f" · {percent(a.avg_edit_ratio)} of the text changed"
                if a.avg_edit_ratio is not None
                else ""
            )
        ),
        mrkdwn(f"*Escalated*\n{percent(a.escalation_rate)} ({a.escalated:,})"),
    ]


def _table(rows: Sequence[tuple[str, ...]], header: tuple[str, ...]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in [header, *rows]
    ]
    return "```\n" + "\n".join(lines) + "\n```"


def _variants(a: Analytics) -> list[Block]:
    rows = [
        (
            short(v.name or DEFAULT_VARIANT, 24),
            str(v.drafts),
            str(v.decided),
            percent(v.unchanged_rate),
            percent(v.edited_rate),
            percent(v.rejected_rate),
            duration(v.median_approve_seconds),
        )
        for v in a.variants[:25]
    ]
    if not rows:
        return [
            {"type": "section", "text": mrkdwn("*By prompt variant*\nno drafts in this period")}
        ]
    header = ("variant", "drafts", "decided", "unchanged", "edited", "rejected", "to approve")
    text = _table(rows, header)
    return [{"type": "section", "text": mrkdwn(f"*By prompt variant*\n{escape(text)}"[:3000])}]


def _breakdown(a: Analytics, by: str) -> list[Block]:
    if by == "variant":
        return _variants(a)
    if by == "agent":
        rows = [
            (
                short(x.name or x.email, 24),
                str(x.handled),
                str(x.approved),
                str(x.rejected),
                str(x.sent),
                duration(x.avg_response_seconds),
            )
            for x in a.agents[:25]
        ]
        if not rows:
            return [{"type": "section", "text": mrkdwn("*By agent*\nno decisions in this period")}]
        text = _table(rows, ("agent", "handled", "approved", "rejected", "sent", "response"))
        return [{"type": "section", "text": mrkdwn(f"*By agent*\n{escape(text)}"[:3000])}]
    counts = a.by_category if by == "category" else a.by_urgency
    total = sum(counts.values()) or 1
    lines = [f"{escape(k)}: *{v:,}* ({v / total:.0%})" for k, v in counts.items()]
    return [{"type": "section", "text": mrkdwn(f"*By {by}*\n" + ("\n".join(lines) or "none"))}]


def _trend(a: Analytics) -> list[Block]:
    fmt = {"day": "%a %d %b", "week": "wk of %d %b", "month": "%b %Y"}[a.trend_unit]
    rows = [(p.start.strftime(fmt), str(p.received), str(p.sent)) for p in a.trend[-35:]]
    if not rows:
        return []
    text = _table(rows, (a.trend_unit, "received", "sent"))
    more = f" (last {len(rows)})" if len(a.trend) > len(rows) else ""
    return [{"type": "section", "text": mrkdwn(f"*Per {a.trend_unit}*{more}\n{text}"[:3000])}]


SLA_LABEL = {
    "first_response": "first response",
    "next_response": "next response",
    "resolution": "resolution",
}


def _compliance(f: SlaFigures) -> str:
    decided = f.met + f.breached
    return f"{percent(f.compliance)} of {decided}" if decided else "n/a"


def sla_blocks(sla: SlaCompliance, *, by: str | None = None) -> list[Block]:
    """The SLA section: met, breached and compliance per metric, the median and 90th
    percentile of the business time stopped clocks used; ``by`` adds each group's
    compliance per metric."""
    if not sla.clocks:
        return [
            {
                "type": "section",
                "text": mrkdwn("*SLA compliance*\nno SLA clocks started in this period"),
            }
        ]
    rows = [
        (
            SLA_LABEL.get(name, name),
            str(f.met),
            str(f.breached),
            percent(f.compliance),
            str(f.open),
            str(f.paused),
            duration(f.p50_seconds),
            duration(f.p90_seconds),
        )
        for name, f in sla.metrics.items()
    ]
    header = ("metric", "met", "breached", "compliance", "open", "paused", "p50", "p90")
    text = f"*SLA compliance* (times in business hours)\n{_table(rows, header)}"
    blocks: list[Block] = [{"type": "section", "text": mrkdwn(text)}]
    groups = sla.grouped(
        by, lambda x: "unassigned" if x.user_id is None else (x.name or x.email or "?")
    )
    if by and groups:
        grouped = [
            (short(key, 24), *(_compliance(m[name]) for name in SLA_LABEL))
            for key, m in groups[:25]
        ]
        table = _table(grouped, (by, *SLA_LABEL.values()))
        blocks.append(
            {"type": "section", "text": mrkdwn(f"*SLA compliance by {by}*\n{escape(table)}"[:3000])}
        )
    return blocks


def analytics_blocks(
    a: Analytics, *, by: str | None = None, trend: str | None = None
) -> list[Block]:
    """``/desk stats``: headline numbers, then the breakdown and the trend asked for."""
    label = PERIOD_LABEL.get(a.period, a.period)
    blocks: list[Block] = [
        {"type": "header", "text": plain(f"Desk stats, {label}")},
        {"type": "section", "fields": _headline_fields(a)},
    ]
    for dimension in [by] if by else ["category", "urgency"]:
        blocks += _breakdown(a, dimension)
    blocks += sla_blocks(a.sla, by=by)
    if trend:
        blocks += _trend(a)
    if a.templates:
        top = ", ".join(f"{escape(t.name)} ({t.uses})" for t in a.templates[:5])
        blocks.append({"type": "context", "elements": [mrkdwn(f"Templates used most: {top}")]})
    since = slack_date(a.since, fmt="{date_short}") if a.since else "the start"
    ahead = (
        "; computed ahead (every few minutes), these figures are as of the end"
        if a.computed_at
        else ""
    )
    blocks.append(
        {
            "type": "context",
            "elements": [
                mrkdwn(f"From {since} to {slack_date(a.until)}{ahead}; times in the database's UTC")
            ],
        }
    )
    return blocks


def home_headline_blocks(a: Analytics) -> list[Block]:
    """App Home: the headline numbers of a period, compact."""
    return [
        {"type": "header", "text": plain(f"This desk, {PERIOD_LABEL.get(a.period, a.period)}")},
        {"type": "section", "fields": _headline_fields(a)},
    ]


# --- the scheduler in App Home -------------------------------------------------------------


def scheduler_status_blocks(status: SchedulerStatus, *, now: datetime | None = None) -> list[Block]:
    """Auto-fetch: on/off, workers, last run, next run, last error."""
    icon = {"running": ":large_green_circle:", "paused": ":double_vertical_bar:"}.get(
        status.state, ":red_circle:"
    )
    state = {
        "running": "running",
        "paused": "paused (stopped from settings or `desk scheduler stop`)",
        "stopped": "no worker is running"
        if status.enabled
        else "stopped, and no worker is running",
    }[status.state]
    lines = [
        f"{icon} *Auto-fetch {state}* · cycle every {status.interval_seconds} s · "
        f"{plural(len(status.running), 'worker')}",
        f"Last run: {slack_date(status.last_run_at) if status.last_run_at else 'never'} · "
        f"next run: {slack_date(status.next_run_at) if status.next_run_at else '–'}",
    ]
    error = status.last_error
    if error:
        lines.append(f":warning: Last error {slack_date(error[1])}: {escape(short(error[0], 300))}")
    failing = [m for m in status.mailboxes if m.consecutive_failures]
    for m in failing[:5]:
        lines.append(
            f"• {escape(m.name)}: {m.consecutive_failures} failed "
            f"{'fetch' if m.consecutive_failures == 1 else 'fetches'} in a row"
        )
    return [{"type": "section", "text": mrkdwn("\n".join(lines))}]


# --- new tickets in the triage channel -----------------------------------------------------

_SUBTEAM_ID = re.compile(r"^S[A-Z0-9]{4,}$")
_SUBTEAM_REF = re.compile(r"^<!subteam\^(S[A-Z0-9]+)(?:\|[^>]*)?>$")


def oncall_mention(group: str | None) -> str | None:
    """``<!subteam^S0123>`` for a user group id (as stored in ``slack.oncall_group``, or
    pasted as a mention); a ``@handle`` cannot notify, so it is shown as text."""
    if not group:
        return None
    group = group.strip()
    if match := _SUBTEAM_REF.match(group):
        return f"<!subteam^{match.group(1)}>"
    if _SUBTEAM_ID.match(group):
        return f"<!subteam^{group}>"
    return escape(group if group.startswith("@") else f"@{group}")


def new_tickets_message(
    batch: TicketBatch, *, links: dict[int, str] | None = None, listed: int = 15
) -> tuple[str, list[Block]]:
    """One message for a batch of new tickets: ``(text, blocks)``. High urgency ones come
    first and, when an on-call group is set, the message mentions it."""
    links = links or {}
    n, high = len(batch.tickets), len(batch.high)
    mention = oncall_mention(batch.oncall_group) if batch.mention_oncall else None
    head = f"{plural(n, 'new ticket')} in {batch.mailbox}"
    if high:
        head += f", {high} High urgency"
    text = f"{mention} {head}" if mention else head
    blocks: list[Block] = [
        {
            "type": "section",
            "text": mrkdwn(
                (f"{mention} " if mention else "")
                + f":incoming_envelope: *{escape(head)}*"
                + (" :rotating_light:" if high else "")
            ),
        }
    ]
    lines = []
    for t in batch.tickets[:listed]:
        ref = (
            f"<{links[t.ticket_id]}|#{t.ticket_id}>" if t.ticket_id in links else f"#{t.ticket_id}"
        )
        badge = ":red_circle: " if t.high else ""
        triage = " · ".join(x for x in (t.category, t.urgency) if x) or "triage pending"
        lines.append(
            f"{badge}*{ref}* {escape(short(t.subject, 90)) or '(no subject)'} — "
            f"{escape(t.requester)} · {escape(triage)}"
            + (" · :warning: escalate" if t.escalation_required else "")
        )
    blocks.append({"type": "section", "text": mrkdwn("\n".join(lines)[:3000] or " ")})
    if n > listed:
        blocks.append(
            {"type": "context", "elements": [mrkdwn(f"…and {n - listed} more; see App Home")]}
        )
    return text, blocks
