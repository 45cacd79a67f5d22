"""What people made of each AI draft, kept for learning: one ``draft_outcomes`` row per draft.

``record_outcome`` runs inside the transaction of the decision (``DraftService.approve`` and
``reject``, which every surface reaches through ``core.tickets.decisions``), after its
compare-and-set won, so an outcome exists exactly when the decision does. It keeps the AI's
text and the final one with their edit ratio and class, the rejection reason, the ticket's
category (a person's correction included) and language, and the customer's mail the draft
answered, which ``core.tickets.similar`` compares new mail against. A draft already decided
once (approved, its send failed, then rejected) keeps its first outcome. The articles the
draft cited are counted helpful or not with it (``core.knowledge.feedback``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.knowledge.feedback import count_decision
from core.tickets.edit_distance import edit_ratio
from core.vocabulary import USER_TEMPLATE_VERSION
from db.models import Draft, DraftOutcome, Message, ResponseTemplate, TemplateUse, Ticket

UNCHANGED_BELOW = 0.05
LIGHT_BELOW = 0.3
CUSTOMER_TEXT_CHARS = 4_000
SUBJECT_CHARS = 300


def edit_class(ratio: float) -> str:
    """``unchanged`` (< 0.05), ``light`` (< 0.3) or ``heavy``."""
    if ratio < UNCHANGED_BELOW:
        return "unchanged"
    return "light" if ratio < LIGHT_BELOW else "heavy"


async def record_outcome(
    session: AsyncSession,
    draft: Draft,
    *,
    decision: str,
    at: datetime,
    by_id: int | None,
    reason: str | None = None,
) -> bool:
    """Keep ``draft``'s outcome (``approved`` or ``rejected``) in ``session``'s transaction;
    False when the draft has one already."""
    if decision not in ("approved", "rejected"):
        raise ValueError(f"unknown decision {decision!r}")
    known = await session.scalar(select(DraftOutcome.id).where(DraftOutcome.draft_id == draft.id))
    if known is not None:
        return False
    ticket = await session.get(Ticket, draft.ticket_id)
    message = (
        await session.get(Message, draft.in_reply_to_message_id)
        if draft.in_reply_to_message_id is not None
        else None
    )
    template_id = await _template_of(session, draft)
    final = draft.body
    ratio = edit_ratio(draft.ai_body, final) if draft.ai_body else 0.0
    session.add(
        DraftOutcome(
            draft_id=draft.id,
            ticket_id=draft.ticket_id,
            decision=decision,
            edit_ratio=ratio,
            edit_class=edit_class(ratio),
            ai_text=draft.ai_body,
            final_text=final,
            rejection_reason=reason,
            category=(ticket.category if ticket else None) or draft.category,
            language=ticket.language if ticket else None,
            prompt_variant=draft.prompt_variant,  # the A/B variant drawn (core.tickets.variants)
            subject=(message.subject if message else "")[:SUBJECT_CHARS],
            customer_text=_customer_text(message)[:CUSTOMER_TEXT_CHARS],
            customer_name=(message.from_name if message else "")[:200],
            customer_email=(message.from_email if message else "")[:320],
            from_template=template_id is not None or draft.prompt_version == USER_TEMPLATE_VERSION,
            template_id=template_id,
            decided_by_id=by_id,
            decided_at=at,
        )
    )
    await count_decision(
        session, draft.citations or [], decision=decision, edit_class=edit_class(ratio)
    )
    return True


def _customer_text(message: Message | None) -> str:
    if message is None:
        return ""
    return (message.reply_text or message.body_text or "").strip()


async def _template_of(session: AsyncSession, draft: Draft) -> int | None:
    """The response template the text came from: the last one a person inserted into this
    draft, else the AI-draft template of its category (or the general one) when the offline
    provider drafted from one."""
    inserted = await session.scalar(
        select(TemplateUse.template_id)
        .where(TemplateUse.draft_id == draft.id)
        .order_by(TemplateUse.used_at.desc(), TemplateUse.id.desc())
        .limit(1)
    )
    if inserted is not None or draft.prompt_version != USER_TEMPLATE_VERSION:
        return inserted
    rows = (
        await session.execute(
            select(ResponseTemplate.id, ResponseTemplate.category).where(
                ResponseTemplate.ai_draft.is_(True),
                ResponseTemplate.is_active.is_(True),
                (ResponseTemplate.category == draft.category) | ResponseTemplate.category.is_(None),
            )
        )
    ).all()
    by_category = {category: template_id for template_id, category in rows}
    return by_category.get(draft.category, by_category.get(None))
