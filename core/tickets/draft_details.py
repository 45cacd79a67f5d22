"""Everything a chat surface shows about one draft, read in one go.

A ``DraftCard`` is plain data: the ticket, the customer message the draft answers, the
draft with its triage, who decided what and when, the owner, whether a newer draft
replaced it, the ticket's nearest SLA due time (``core.tickets.sla_due``), and the
knowledge-base articles the draft cites. The Slack app renders it; the engine does not
know how.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.teams import team_of
from core.errors import NotFound
from core.tickets.sla_due import SlaDue, nearest_due
from db.models import Draft, KbArticle, Mailbox, Message, Recipient, SlaClock, Ticket, User
from db.session import SessionFactory


@dataclass(frozen=True, slots=True)
class Person:
    user_id: int
    email: str
    name: str
    slack_user_id: str | None


@dataclass(frozen=True, slots=True)
class Citation:
    """A knowledge-base article the draft cites; ``public_url`` when it has a public page."""

    article_id: int
    title: str
    public_url: str | None = None


@dataclass(frozen=True, slots=True)
class DraftCard:
    draft_id: int
    version: int
    status: str
    body: str
    category: str | None
    urgency: str | None
    summary: str | None
    fix_steps: list[str]
    confidence: float | None
    escalation_required: bool
    escalation_reason: str | None
    created_at: datetime
    ticket_id: int
    subject: str
    requester_email: str
    requester_name: str
    ticket_status: str
    team_id: str | None
    customer_text: str
    customer_from: str
    customer_date: datetime | None
    assignee: Person | None = None
    approved_by: Person | None = None
    approved_at: datetime | None = None
    rejected_by: Person | None = None
    rejected_at: datetime | None = None
    rejection_reason: str | None = None
    sent_at: datetime | None = None
    failure_reason: str | None = None
    next_attempt_at: datetime | None = None
    send_attempts: int = 0
    newer_draft_id: int | None = None
    flags: dict[str, Any] = field(default_factory=dict)
    # a failed draft's customer address is marked undeliverable (a permanent bounce): a
    # retry fails until the mark is cleared (looked up for failed drafts only)
    requester_undeliverable: bool = False
    # the provider's own confidence when ``confidence`` is its calibrated value
    raw_confidence: float | None = None
    prompt_variant: str | None = None
    # the ticket's nearest SLA due time and its state; None without an open clock
    sla: SlaDue | None = None
    language: str | None = None  # the customer's (ISO 639-1), None when unknown
    # the articles the draft cites, in its order (one since deleted is left out)
    citations: list[Citation] = field(default_factory=list)


class DraftCardReader:
    def __init__(self, session_factory: SessionFactory) -> None:
        self.sessions = session_factory

    async def get(self, draft_id: int, *, home_team: str | None = None) -> DraftCard:
        async with self.sessions() as session:
            draft = await session.get(Draft, draft_id)
            if draft is None:
                raise NotFound(f"draft {draft_id} not found", draft_id=draft_id)
            ticket = await session.get(Ticket, draft.ticket_id)
            assert ticket is not None
            mailbox_team = await session.scalar(
                select(Mailbox.slack_team_id).where(Mailbox.id == ticket.mailbox_id)
            )
            answered = (
                await session.get(Message, draft.in_reply_to_message_id)
                if draft.in_reply_to_message_id
                else None
            )
            newer = await session.scalar(
                select(Draft.id)
                .where(Draft.ticket_id == ticket.id, Draft.id > draft.id)
                .order_by(Draft.id.desc())
                .limit(1)
            )
            ids = {
                i
                for i in (ticket.assigned_to_id, draft.approved_by_id, draft.rejected_by_id)
                if i is not None
            }
            people = {
                u.id: Person(u.id, u.email, u.name, u.slack_user_id)
                for u in (
                    await session.scalars(select(User).where(User.id.in_(ids))) if ids else []
                )
            }
            # only a failed card offers to clear the mark (every card is read on each refresh)
            recipient = (
                await session.get(Recipient, ticket.requester_email)
                if draft.status == "failed"
                else None
            )
            clocks = await session.scalars(
                select(SlaClock).where(
                    SlaClock.ticket_id == ticket.id, SlaClock.stopped_at.is_(None)
                )
            )
            sla = nearest_due(clocks)
            citations = await _citations(session, list(draft.citations or []))
        return DraftCard(
            draft_id=draft.id,
            version=draft.version,
            status=draft.status,
            body=draft.body,
            category=draft.category or ticket.category,
            urgency=draft.urgency or ticket.urgency,
            summary=draft.summary,
            fix_steps=list(draft.fix_steps or []),
            confidence=draft.confidence,
            raw_confidence=draft.raw_confidence,
            prompt_variant=draft.prompt_variant,
            escalation_required=draft.escalation_required,
            escalation_reason=draft.escalation_reason,
            created_at=draft.created_at,
            ticket_id=ticket.id,
            subject=ticket.subject,
            requester_email=ticket.requester_email,
            requester_name=ticket.requester_name,
            ticket_status=ticket.status,
            team_id=team_of(mailbox_team, home_team),
            customer_text=(answered.reply_text or answered.body_text) if answered else "",
            customer_from=answered.from_email if answered else ticket.requester_email,
            customer_date=answered.date if answered else None,
            assignee=people.get(ticket.assigned_to_id) if ticket.assigned_to_id else None,
            approved_by=people.get(draft.approved_by_id) if draft.approved_by_id else None,
            approved_at=draft.approved_at,
            rejected_by=people.get(draft.rejected_by_id) if draft.rejected_by_id else None,
            rejected_at=draft.rejected_at,
            rejection_reason=draft.rejection_reason,
            sent_at=draft.sent_at,
            failure_reason=draft.failure_reason,
            next_attempt_at=draft.next_attempt_at,
            send_attempts=draft.send_attempts,
            newer_draft_id=newer,
            flags=dict(draft.flags or {}),
            requester_undeliverable=recipient is not None and recipient.undeliverable,
            sla=sla,
            language=ticket.language,
            citations=citations,
        )


async def _citations(session: AsyncSession, article_ids: list[int]) -> list[Citation]:
    if not article_ids:
        return []
    found = {
        a.id: Citation(a.id, a.title, a.public_url)
        for a in await session.scalars(select(KbArticle).where(KbArticle.id.in_(article_ids)))
    }
    return [found[i] for i in article_ids if i in found]
