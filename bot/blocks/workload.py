"""``/desk workload`` as blocks: per agent open, waiting, at risk, breached, capacity and
whether they take tickets now; and the triage channel's notice of tickets left unassigned.
Pure."""

from __future__ import annotations

from typing import Any

from bot.blocks.text import escape, mrkdwn, plain
from core.reports.workload import AgentLoad
from core.workflow.assignment import LeftUnassigned

Block = dict[str, Any]
MAX_AGENTS = 45  # a message holds 50 blocks


def workload_blocks(
    agents: list[AgentLoad],
    *,
    limit: int = MAX_AGENTS,
    more: str = "`desk workload` lists all",
) -> list[Block]:
    """``limit`` agents at most (App Home shows fewer than ``/desk workload``); ``more``
    says where the rest are."""
    blocks: list[Block] = [{"type": "header", "text": plain("Team workload")}]
    if not agents:
        blocks.append(
            {
                "type": "section",
                "text": mrkdwn(
                    "No agents yet: an agent takes tickets once they have a profile"
                    " (`/desk available`, or `desk users set EMAIL`)."
                ),
            }
        )
        return blocks
    for a in agents[:limit]:
        state = ":large_green_circle: available" if a.available else ":white_circle: away"
        full = " *(full)*" if a.open >= a.capacity else ""
        blocks.append(
            {
                "type": "section",
                "text": mrkdwn(
                    f"*{escape(a.name or a.email)}* ({escape(a.email)}) · {state}\n"
                    f"open {a.open}/{a.capacity}{full} · waiting {a.waiting}"
                    f" · at risk {a.at_risk} · breached {a.breached}"
                ),
            }
        )
    if len(agents) > limit:
        blocks.append(
            {"type": "context", "elements": [mrkdwn(f"…and {len(agents) - limit} more: {more}")]}
        )
    return blocks


MAX_LISTED = 20


def unassigned_message(items: list[LeftUnassigned]) -> tuple[str, list[Block]]:
    """The triage channel's notice of tickets nobody available has the skill for (or
    speaks the language of)."""
    languages = any(i.language for i in items)
    text = (
        f":warning: {len(items)} ticket{'s' * (len(items) != 1)} left unassigned:"
        f" nobody available has the skill{' or speaks the language' if languages else ''}"
    )
    lines = [
        f"• *#{i.ticket_id}* {escape(i.subject[:120])} ({escape(i.mailbox)}, "
        f"{escape(i.category or 'no category')}"
        f"{', language ' + escape(i.language) if i.language else ''})"
        for i in items[:MAX_LISTED]
    ]
    if len(items) > MAX_LISTED:
        lines.append(f"…and {len(items) - MAX_LISTED} more")
    blocks: list[Block] = [
        {"type": "section", "text": mrkdwn(text)},
        {"type": "section", "text": mrkdwn("\n".join(lines))},
        {
            "type": "context",
            "elements": [
                mrkdwn(
                    "Give an agent the skill (`desk users set EMAIL --skills ...`"
                    f"{' or --languages ...' if languages else ''}) or assign them from the"
                    " card; the queue is assigned as soon as someone fits."
                )
            ],
        },
    ]
    return text, blocks
