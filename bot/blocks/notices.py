"""A notice to one person, as a Slack DM (pure): ``notice_message`` gives the
notification text (what the push notification and screen readers show) and the blocks."""

from __future__ import annotations

from typing import Any

from bot.blocks.text import MESSAGE_BLOCKS, escape, mrkdwn, split_text
from core.workflow.alerts import NoticeMessage

Block = dict[str, Any]

ICONS = {
    "high_urgency": ":rotating_light:",
    "assigned": ":inbox_tray:",
    "sla_warning": ":hourglass_flowing_sand:",
    "sla_breach": ":red_circle:",
    "customer_replied": ":speech_balloon:",
    "draft_waiting": ":memo:",
    "digest": ":newspaper:",
}


def notice_message(message: NoticeMessage) -> tuple[str, list[Block]]:
    icon = ICONS.get(message.kind, ":bell:")
    text = f"{icon} {message.title}"
    blocks: list[Block] = [{"type": "section", "text": mrkdwn(f"{icon} *{escape(message.title)}*")}]
    if message.lines:
        body = "\n".join(f"• {escape(line.text)}" for line in message.lines)
        for chunk in split_text(body):
            if len(blocks) >= MESSAGE_BLOCKS - 2:
                break
            blocks.append({"type": "section", "text": mrkdwn(chunk)})
    if message.more:
        blocks.append({"type": "context", "elements": [mrkdwn(f"… and {message.more:,} more")]})
    blocks.append(
        {
            "type": "context",
            "elements": [mrkdwn("Choose what you hear of, and how, in the app's Home tab.")],
        }
    )
    return text, blocks
