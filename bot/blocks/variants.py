"""The triage channel's notice of prompt variants the desk paused (``core.tickets.variants``:
rejected 10 points more often than their control over 200 decided drafts). Pure."""

from __future__ import annotations

from typing import Any

from bot.blocks.text import escape, mrkdwn
from core.tickets.variants import PausedVariant

Block = dict[str, Any]


def paused_message(items: list[PausedVariant]) -> tuple[str, list[Block]]:
    names = ", ".join(escape(i.name) for i in items)
    text = (
        f":pause_button: Prompt variant{'s' * (len(items) != 1)} {names} paused: "
        "rejected more often than the control"
    )
    lines = [f"• *{escape(i.name)}* ({escape(i.category)}): {escape(i.reason)}" for i in items]
    blocks: list[Block] = [
        {"type": "section", "text": mrkdwn(text)},
        {"type": "section", "text": mrkdwn("\n".join(lines)[:3000])},
        {
            "type": "context",
            "elements": [
                mrkdwn(
                    "Their tickets get the default prompt now. `desk stats --by variant` "
                    "compares them; `desk variants resume NAME` gives one its share again."
                )
            ],
        },
    ]
    return text, blocks
