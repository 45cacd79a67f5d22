"""The breach channel's message: the SLA breaches one sweep fired, each ticket linked to its
card, its due time in the reader's time zone, what the escalation did; the on-call group
mentioned when one is set. Pure."""

from __future__ import annotations

from typing import Any

from bot.blocks.analytics import oncall_mention
from bot.blocks.text import escape, mrkdwn, short, slack_date
from core.workflow.sla_sweep import LABELS, Breach

Block = dict[str, Any]
MAX_LISTED = 20
TEXT_ROOM = 2950  # of a section's 3000 characters; the rest for "…and N more"


def _line(b: Breach, links: dict[int, str]) -> str:
    ref = f"<{links[b.ticket_id]}|#{b.ticket_id}>" if b.ticket_id in links else f"#{b.ticket_id}"
    label = LABELS.get(b.metric, b.metric)
    facts = [
        f"{label} was due {slack_date(b.due_at, fmt='{date_short} {time}')}",
        escape(b.assignee) if b.assignee else "unassigned",
        escape(b.urgency or "no urgency"),
    ]
    if b.policy:
        facts.append(f"policy {escape(short(b.policy, 60))}")
    done = []
    if b.raised:
        done.append(f"urgency raised from {escape(b.raised_from or 'none')}")
    if b.reassigned:
        done.append(f"reassigned from {escape(b.reassigned_from or 'nobody')}")
    if b.note and not b.reassigned:  # the group escalation found no manager available
        done.append(escape(b.note))
    tail = f"\n    :arrow_up: escalated: {', '.join(done)}" if done else ""
    subject = escape(short(b.subject, 90)) or "(no subject)"
    return f":red_circle: *{ref}* {subject} — {' · '.join(facts)}{tail}"


def breach_message(
    items: list[Breach], *, links: dict[int, str] | None = None, oncall_group: str | None = None
) -> tuple[str, list[Block]]:
    """One message for the breaches of a sweep: ``(text, blocks)``."""
    links = links or {}
    mention = oncall_mention(oncall_group)
    n = len(items)
    head = f"{n} SLA breach{'es' * (n != 1)}"
    text = f"{mention} {head}" if mention else head
    lines: list[str] = []
    for b in items[:MAX_LISTED]:
        line = _line(b, links)
        if sum(len(x) + 1 for x in lines) + len(line) > TEXT_ROOM:
            break
        lines.append(line)
    if n > len(lines):
        lines.append(f"…and {n - len(lines)} more")
    blocks: list[Block] = [
        {
            "type": "section",
            "text": mrkdwn((f"{mention} " if mention else "") + f":rotating_light: *{head}*"),
        },
        {"type": "section", "text": mrkdwn("\n".join(lines)[:3000])},
    ]
    return text, blocks
