"""Modals: loading and result screens, Edit draft, Reject with a reason, Change category."""

from __future__ import annotations

from typing import Any

from bot import ids
from bot.blocks.text import INPUT_MAX, escape, mrkdwn, plain, plural, short, split_joinable
from core.tickets.draft_details import DraftCard
from core.vocabulary import CATEGORIES

View = dict[str, Any]
AFTER_SAVE = "save"
AFTER_APPROVE = "save_approve"


def _title(text: str) -> dict[str, Any]:
    return plain(short(text, 24))


def loading_view(title: str, text: str = "Loading…") -> View:
    return {
        "type": "modal",
        "title": _title(title),
        "close": plain("Close"),
        "blocks": [{"type": "section", "text": mrkdwn(f":hourglass_flowing_sand: {escape(text)}")}],
    }


def notice_view(title: str, text: str, *, ok: bool = True) -> View:
    icon = ":white_check_mark:" if ok else ":warning:"
    return {
        "type": "modal",
        "title": _title(title),
        "close": plain("Close"),
        "blocks": [{"type": "section", "text": mrkdwn(f"{icon} {escape(short(text, 2900))}")}],
    }


def _ticket_context(card: DraftCard) -> dict[str, Any]:
    return {
        "type": "context",
        "elements": [
            mrkdwn(
                f"Ticket #{card.ticket_id} · to {escape(card.requester_email)} · "
                f"{escape(short(card.subject, 200))}"
            )
        ],
    }


def edit_view(
    card: DraftCard,
    ctx: ids.ModalContext,
    *,
    use_template: dict[str, Any] | None = None,
    text: str | None = None,
    revision: str = "",
) -> View:
    """The draft in as many inputs as it needs (3,000 characters each), plus Save or
    Save & Approve. The cut points are remembered so the parts join back exactly.
    ``use_template``: the "Use template" select; ``text`` (with a new ``revision``, so
    Slack replaces what was typed): a template's text instead of the draft's."""
    chunks, seps = split_joinable(card.body if text is None else text, INPUT_MAX)
    blocks: list[dict[str, Any]] = [_ticket_context(card)]
    if use_template is not None:
        blocks.append(use_template)
    if len(chunks) > 1:
        blocks.append(
            {
                "type": "context",
                "elements": [
                    mrkdwn(
                        f"This reply has {plural(sum(map(len, chunks)), 'character')}: Slack boxes hold "
                        f"3,000, so it is in {len(chunks)} parts that are joined back as one text."
                    )
                ],
            }
        )
    for i, chunk in enumerate(chunks):
        blocks.append(
            {
                "type": "input",
                "block_id": f"body_{i}-{revision}" if revision else f"body_{i}",
                "optional": len(chunks) > 1,
                "label": plain(
                    "Reply" if len(chunks) == 1 else f"Reply, part {i + 1} of {len(chunks)}"
                ),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "text",
                    "multiline": True,
                    "max_length": INPUT_MAX,
                    "initial_value": chunk,
                },
            }
        )
    blocks.append(
        {
            "type": "input",
            "block_id": "after",
            "label": plain("After saving"),
            "element": {
                "type": "radio_buttons",
                "action_id": "choice",
                "initial_option": {"text": plain("Save only"), "value": AFTER_SAVE},
                "options": [
                    {"text": plain("Save only"), "value": AFTER_SAVE},
                    {"text": plain("Save & Approve (send it)"), "value": AFTER_APPROVE},
                ],
            },
        }
    )
    version = ctx.version if text is not None and ctx.version is not None else card.version
    meta = ids.ModalContext(card.draft_id, version, ctx.channel, ctx.ts, tuple(seps))
    return {
        "type": "modal",
        "callback_id": ids.EDIT_VIEW,
        "title": _title(f"Edit draft #{card.draft_id}"),
        "submit": plain("Save"),
        "close": plain("Cancel"),
        "private_metadata": meta.dump(),
        "blocks": blocks,
    }


def reject_view(ctx: ids.ModalContext) -> View:
    return {
        "type": "modal",
        "callback_id": ids.REJECT_VIEW,
        "title": _title(f"Reject draft #{ctx.draft_id}"),
        "submit": plain("Reject"),
        "close": plain("Cancel"),
        "private_metadata": ctx.dump(),
        "blocks": [
            {
                "type": "input",
                "block_id": "reason",
                "label": plain("Why is this draft wrong?"),
                "hint": plain("Required. The reason is kept and teaches later drafts."),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "text",
                    "multiline": True,
                    "min_length": 1,
                    "max_length": INPUT_MAX,
                },
            }
        ],
    }


def classify_view(card: DraftCard, ctx: ids.ModalContext) -> View:
    options = [{"text": plain(c), "value": c} for c in CATEGORIES]
    element: dict[str, Any] = {"type": "static_select", "action_id": "choice", "options": options}
    if card.category in CATEGORIES:
        element["initial_option"] = {"text": plain(card.category), "value": card.category}
    return {
        "type": "modal",
        "callback_id": ids.CLASSIFY_VIEW,
        "title": _title("Change category"),
        "submit": plain("Save"),
        "close": plain("Cancel"),
        "private_metadata": ctx.dump(),
        "blocks": [
            _ticket_context(card),
            {
                "type": "input",
                "block_id": "category",
                "label": plain("Category"),
                "element": element,
            },
        ],
    }
