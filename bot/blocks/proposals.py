"""Knowledge-base proposals in Slack, as pure builders: the message the worker posts for
each article proposed from a resolved ticket (title, body, source tickets, and Publish /
Edit / Discard while it is open; who published or discarded it afterwards), and the list
of ``/desk kb proposals``."""

from __future__ import annotations

import re
from typing import Any

from bot import ids
from bot.blocks.text import SECTION_TEXT, escape, mrkdwn, plain, short
from core.errors import ValidationError
from core.knowledge.articles import ArticleView
from core.knowledge.proposals import ProposalView, state_of

Block = dict[str, Any]
BODY_CHARS = SECTION_TEXT - 100
LIST_SIZE = 20
_HEADING = re.compile(r"(?m)^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$")
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def markdown_mrkdwn(body: str) -> str:
    """The article's Markdown as mrkdwn: escaped, headings and ``**bold**`` in ``*bold*``."""
    text = _HEADING.sub(lambda m: f"*{m.group(1)}*", escape(body))
    return _BOLD.sub(lambda m: f"*{m.group(1)}*", text)


def _tickets(ids_: list[int]) -> str:
    shown = ", ".join(f"#{t}" for t in ids_[:10])
    return shown + (f" and {len(ids_) - 10} more" if len(ids_) > 10 else "")


def proposal_message(article: ArticleView, *, by: str | None = None) -> tuple[str, list[Block]]:
    """(fallback text, blocks) of a proposal's message; ``by``: who last decided it, as
    mrkdwn (``<@U…>``), when known."""
    state = state_of(article.status)
    meta = (
        f"#{article.id} · {escape(article.category or 'no category')} · "
        f"{escape(article.language)} · version {article.version}"
    )
    text = f"Proposed article: {short(article.title, 150)}"
    body = markdown_mrkdwn(article.body)
    if len(body) > BODY_CHARS:
        body = body[:BODY_CHARS].rsplit(" ", 1)[0] + f" … (`desk kb show {article.id}`)"
    blocks: list[Block] = [
        {
            "type": "section",
            "block_id": f"kb_proposal:{article.id}",
            "text": mrkdwn(
                f":bulb: *Proposed article* · {meta}\n*{escape(short(article.title, 250))}*"
            ),
        },
        {"type": "section", "text": mrkdwn(body)},
        {
            "type": "context",
            "elements": [
                mrkdwn(
                    f"From resolved {'ticket' if len(article.source_ticket_ids) == 1 else 'tickets'}"
                    f" {_tickets(article.source_ticket_ids)} · personal data removed;"
                    " nothing is published until a manager or an admin publishes it"
                )
            ],
        },
    ]
    if state == "open":
        value = str(article.id)
        blocks.append(
            {
                "type": "actions",
                "block_id": f"kb_proposal_actions:{article.id}",
                "elements": [
                    {
                        "type": "button",
                        "action_id": ids.KB_PROPOSAL_PUBLISH,
                        "text": plain("Publish"),
                        "style": "primary",
                        "value": value,
                    },
                    {
                        "type": "button",
                        "action_id": ids.KB_PROPOSAL_EDIT,
                        "text": plain("Edit"),
                        "value": value,
                    },
                    {
                        "type": "button",
                        "action_id": ids.KB_PROPOSAL_DISCARD,
                        "text": plain("Discard"),
                        "style": "danger",
                        "value": value,
                        "confirm": {
                            "title": plain("Discard this proposal?"),
                            "text": mrkdwn(
                                "The article is kept as archived and this question is not"
                                " proposed again."
                            ),
                            "confirm": plain("Discard"),
                            "deny": plain("Cancel"),
                        },
                    },
                ],
            }
        )
    else:
        icon = (
            ":white_check_mark: Published" if state == "published" else ":file_cabinet: Discarded"
        )
        done = f"{icon}{f' by {by}' if by else ''}"
        if state == "published":
            done += f" · `desk kb show {article.id}`"
        blocks.append({"type": "context", "elements": [mrkdwn(done)]})
    return text, blocks


def proposal_id(action: dict[str, Any]) -> int:
    """The article id a proposal's button carries (untrusted: the core checks the rest)."""
    value = str(action.get("value") or "")
    if not value.isdecimal() or len(value) > 12:
        raise ValidationError("this button lost its article; open the proposal again")
    return int(value)


def proposals_list_blocks(items: list[ProposalView]) -> list[Block]:
    """``/desk kb proposals``: the newest proposals with their state and source tickets."""
    head = "*Knowledge base* · proposals from resolved tickets, the newest first"
    blocks: list[Block] = [{"type": "section", "text": mrkdwn(head)}]
    for p in items[:LIST_SIZE]:
        line = (
            f"*{escape(short(p.title, 200))}*  #{p.id} · {escape(p.category or 'no category')}"
            f" · {escape(p.language)}\n{escape(p.state)} · from {_tickets(p.source_ticket_ids)}"
        )
        blocks.append({"type": "section", "text": mrkdwn(line)})
    if not items:
        blocks.append({"type": "context", "elements": [mrkdwn("No proposals yet.")]})
    return blocks
