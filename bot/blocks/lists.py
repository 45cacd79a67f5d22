"""Ticket lists: /desk search results (paged) and App Home."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot import ids
from bot.blocks.draft import URGENCY_ICON
from bot.blocks.knowledge import snippet_mrkdwn
from bot.blocks.text import VIEW_BLOCKS, escape, mrkdwn, plain, plural, short, slack_date
from core.reports.headlines import QueueCounts

Block = dict[str, Any]
HOME_FILTERS = {
    "pending": "All pending",
    "high": "High urgency",
    "escalated": "Escalated",
    "unassigned": "Unassigned",
    "failed": "Send failed",
}


@dataclass(frozen=True, slots=True)
class TicketLine:
    ticket_id: int
    subject: str
    requester: str
    category: str | None
    urgency: str | None
    status: str
    approval_status: str | None
    received_at: datetime | None
    escalation: bool
    assignee: str | None
    permalink: str | None
    # the running SLA clock due first (the view's ``sla``): its metric, due time, breach
    sla_metric: str | None = None
    sla_due: datetime | None = None
    sla_breached: bool = False
    snippet: str | None = None  # a search's: where its words matched (between marks)

    @classmethod
    def from_view(cls, view: dict[str, Any], permalink: str | None) -> TicketLine:
        received = view.get("received_at")
        running = [
            (datetime.fromisoformat(c["due"]), metric, bool(c.get("breached")))
            for metric, c in (view.get("sla") or {}).items()
            if c.get("state") == "running" and c.get("due")
        ]
        due, metric, breached = min(running) if running else (None, None, False)
        return cls(
            ticket_id=view["id"],
            subject=view.get("subject") or "(no subject)",
            requester=view.get("sender_email") or "",
            category=view.get("category"),
            urgency=view.get("urgency"),
            status=view.get("status") or "",
            approval_status=view.get("approval_status"),
            received_at=datetime.fromisoformat(received) if received else None,
            escalation=bool(view.get("escalation_required")),
            assignee=view.get("assigned_to_email"),
            permalink=permalink,
            sla_metric=metric,
            sla_due=due,
            sla_breached=breached,
            snippet=view.get("snippet"),
        )


def _sla_bit(t: TicketLine) -> str | None:
    if t.sla_due is None or t.sla_metric is None:
        return None
    name = t.sla_metric.replace("_", " ")
    when = slack_date(t.sla_due, fmt="{date_short} {time}")
    if t.sla_breached:
        return f":red_circle: {name} breached, was due {when}"
    return f"{name} due {when}"


def ticket_line(t: TicketLine) -> Block:
    title = escape(short(f"#{t.ticket_id} {t.subject}", 150))
    title = f"<{t.permalink}|{title}>" if t.permalink else title
    bits = [
        escape(short(t.requester, 120)),
        f"{URGENCY_ICON.get(t.urgency or '', '')} {escape(t.urgency or '?')}",
        escape(t.category or "?"),
        f"draft {t.approval_status}" if t.approval_status else t.status,
        f"received {slack_date(t.received_at, fmt='{date_short} {time}')}",
    ]
    if sla := _sla_bit(t):
        bits.append(sla)
    if t.escalation:
        bits.append(":rotating_light: escalated")
    if t.assignee:
        bits.append(f"owner {escape(short(t.assignee, 100))}")
    found = f"\n> {snippet_mrkdwn(short(t.snippet, 600))}" if t.snippet else ""
    return {"type": "section", "text": mrkdwn(f"*{title}*\n" + " · ".join(bits) + found)}


def search_blocks(
    lines: list[TicketLine],
    *,
    total: int,
    offset: int,
    text: str,
    page_size: int,
    total_capped: bool = False,
) -> list[Block]:
    """One page of a search; ``total_capped``: more than ``total`` match ("1,000+")."""
    shown = f"{offset + 1}–{offset + len(lines)}" if lines else "0"
    found = f"{total:,}+ tickets" if total_capped else plural(total, "ticket")
    blocks: list[Block] = [
        {
            "type": "section",
            "text": mrkdwn(
                f"*Search* `{escape(short(text, 200)) or 'everything'}`: {shown} of {found}"
            ),
        }
    ]
    blocks += [ticket_line(t) for t in lines]
    if not lines:
        blocks.append(
            {
                "type": "context",
                "elements": [
                    mrkdwn("Nothing found. Try fewer words or filters; `/desk help` lists them.")
                ],
            }
        )
    buttons = []
    if len(text) <= 1500:
        if offset > 0:
            buttons.append(_page_button("‹ Previous", text, max(0, offset - page_size)))
        if offset + len(lines) < total:  # a capped total: pages up to the cap
            buttons.append(_page_button("Next ›", text, offset + page_size))
    if buttons:
        blocks.append({"type": "actions", "block_id": "search_pages", "elements": buttons})
    return blocks


def _page_button(label: str, text: str, offset: int) -> Block:
    return {
        "type": "button",
        "action_id": f"{ids.SEARCH_PAGE}_{offset}",
        "text": plain(label),
        "value": json.dumps({"q": text, "o": offset}, separators=(",", ":")),
    }


def parse_page(value: str) -> tuple[str, int]:
    data = json.loads(value or "{}")
    return str(data.get("q", "")), int(data.get("o", 0))


def home_view(
    *,
    name: str,
    role: str,
    counts: QueueCounts,
    mine: list[TicketLine],
    oldest: list[TicketLine],
    filtered: list[TicketLine] | None = None,
    filter_name: str | None = None,
    top: list[Block] | None = None,
    bottom: list[Block] | None = None,
    breached: list[TicketLine] | None = None,
    at_risk: list[TicketLine] | None = None,
    workload: list[Block] | None = None,
) -> dict[str, Any]:
    """``top``: blocks under the counts (headline numbers, scheduler status); ``bottom``:
    blocks kept at the end whatever the lists take (the bulk selection). The overview
    opens with the tickets that breached an SLA target and those at risk (``None``: not
    shown), and ends with ``workload`` (the team's load, for managers)."""
    bottom = bottom or []
    blocks: list[Block] = [
        {"type": "header", "text": plain(short(f"Support desk · {name}", 150))},
        {"type": "context", "elements": [mrkdwn(f"Your role: *{role}*")]},
        {
            "type": "section",
            "fields": [
                mrkdwn(f"*Pending drafts*\n{counts.pending}"),
                mrkdwn(f"*Approved, sending*\n{counts.approved}"),
                mrkdwn(f"*Sent today*\n{counts.sent_today}"),
                mrkdwn(f"*Escalated*\n{counts.escalated}"),
                mrkdwn(f"*Send failed*\n{counts.failed}"),
            ],
        },
        {
            "type": "actions",
            "block_id": "home_filters",
            "elements": [
                {
                    "type": "button",
                    "action_id": f"{ids.HOME_FILTER}_{key}",
                    "text": plain(label),
                    "value": key,
                    **({"style": "primary"} if key == filter_name else {}),
                }
                for key, label in HOME_FILTERS.items()
            ]
            + [
                {
                    "type": "button",
                    "action_id": f"{ids.HOME_FILTER}_none",
                    "text": plain("Overview"),
                    "value": "none",
                }
            ],
        },
        *(top or []),
        {"type": "divider"},
    ]
    if filtered is not None and filter_name in HOME_FILTERS:
        blocks += _section(HOME_FILTERS[filter_name], filtered, empty="Nothing here.")
    else:
        blocks += _sla_sections(breached, at_risk)
        blocks += _section("Assigned to you", mine, empty="Nothing assigned to you.")
        blocks += _section("Oldest pending drafts", oldest, empty="No drafts are waiting. :tada:")
        if workload:
            blocks += [*workload, {"type": "divider"}]
    room = VIEW_BLOCKS - len(bottom)
    if len(blocks) > room:
        blocks = blocks[: room - 1] + [
            {
                "type": "context",
                "elements": [mrkdwn("More tickets than fit here: use `/desk search`.")],
            }
        ]
    return {"type": "home", "blocks": blocks + bottom}


def _sla_sections(
    breached: list[TicketLine] | None, at_risk: list[TicketLine] | None
) -> list[Block]:
    if breached is None and at_risk is None:
        return []
    if not breached and not at_risk:
        return [
            {
                "type": "context",
                "elements": [
                    mrkdwn(":white_check_mark: Nothing at risk of an SLA breach, nothing breached.")
                ],
            },
            {"type": "divider"},
        ]
    out: list[Block] = []
    if breached:
        out += _section(":red_circle: SLA breached", breached, empty="")
    if at_risk:
        out += _section(":large_yellow_circle: At risk of breaching", at_risk, empty="")
    return out


def _section(title: str, lines: list[TicketLine], *, empty: str) -> list[Block]:
    out: list[Block] = [{"type": "section", "text": mrkdwn(f"*{escape(title)}*")}]
    if not lines:
        out.append({"type": "context", "elements": [mrkdwn(empty)]})
    out += [ticket_line(t) for t in lines]
    out.append({"type": "divider"})
    return out
