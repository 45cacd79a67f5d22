"""/desk help as blocks."""

from __future__ import annotations

from typing import Any

from bot.blocks.text import escape, mrkdwn
from core.vocabulary import APPROVAL_STATUSES, CATEGORIES, STATUSES, URGENCIES

Block = dict[str, Any]

HELP = f"""*`/desk` commands*
• `/desk search <words> [status:S] [category:C] [urgency:U] [from:EMAIL] [assignee:EMAIL] [language:de]`: find tickets (only you see the answer)
    status: {", ".join(STATUSES + tuple(s for s in APPROVAL_STATUSES))}
    category: {", ".join(CATEGORIES)} (quote names with spaces, or use the first word: `category:login`)
    urgency: {", ".join(URGENCIES)}
    assignee: an address, `@name`, or a person picked from Slack's @ list
• `/desk stats [7d|30d|all] [by:category|urgency|agent|variant] [trend:day|week|month]`: response and resolution times, approval and edit rates, breakdowns (per prompt variant: unchanged, edited and rejected rates), trends, and a chart (managers)
• `/desk bulk approve|reject|assign|send <ticket numbers or filters>`: act on many tickets at once, after a confirmation (also from App Home)
• `/desk templates`: response templates; managers create and edit them (*Use template* is in the Edit modal)
• `/desk kb [words]`: search the published knowledge-base articles (alone: the recent ones, with their status); `/desk kb new`, `/desk kb edit ID`: write or change one (managers)
• `/desk settings`: mailbox, AI, triage channel, branding and roles (admins)
• `/desk fetch`: fetch mail now and post new drafts (managers)
• `/desk away` / `/desk available`: stop or start getting new tickets (after 30 minutes away, the ones you have not decided on go back to the queue)
• `/desk workload`: each agent's open and waiting tickets, capacity and availability (managers)
• `/desk token`: create an API token (shown once, in the modal), see yours and revoke them
• `/desk help`: this text
Drafts arrive in the triage channel with *Approve & Send*, *Edit*, *Reject* and *Assign*. Your queue is on the app's *Home* tab."""


def help_blocks(note: str | None = None) -> list[Block]:
    blocks: list[Block] = []
    if note:
        blocks.append({"type": "section", "text": mrkdwn(f":warning: {escape(note)}")})
    blocks.append({"type": "section", "text": mrkdwn(HELP)})
    return blocks
