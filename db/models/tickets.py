from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, utcnow


class Ticket(Base):
    """A customer conversation. Status: open -> answered -> resolved; follow-ups reopen."""

    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_status_received", "status", "received_at"),
        Index("ix_tickets_requester", "requester_email"),
        Index("ix_tickets_received", "received_at"),  # analytics: the period's tickets
        # a status+category list by date (0020; the urgency sort's index is on an expression:
        # db.fulltext.UNMODELLED_INDEXES)
        Index("ix_tickets_status_category_received", "status", "category", "received_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mailbox_id: Mapped[int] = mapped_column(ForeignKey("mailboxes.id", ondelete="CASCADE"))
    requester_email: Mapped[str] = mapped_column(String(320))
    requester_name: Mapped[str] = mapped_column(String(320), default="")
    subject: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="open")
    # root Message-ID of the conversation (seed: thread_id) and the first message (message_id)
    thread_id: Mapped[str] = mapped_column(String(998), default="")
    message_id: Mapped[str] = mapped_column(String(998), default="")
    category: Mapped[str | None] = mapped_column(String(30))
    urgency: Mapped[str | None] = mapped_column(String(10))
    # the customer's language, ISO 639-1 (``de``), from their first mail
    # (``core.mail.language``); None when it could not be told, and on tickets from before
    language: Mapped[str | None] = mapped_column(String(8))
    summary: Mapped[str | None] = mapped_column(Text)
    escalation_required: Mapped[bool] = mapped_column(default=False)
    ai_processed: Mapped[bool] = mapped_column(default=False)
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_response_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Draft(Base):
    """A reply to one incoming message. pending -> approved -> sending -> sent | failed;
    pending -> rejected; pending -> superseded when a newer customer message arrives.

    Every change of ``status`` is a compare-and-set on ``(id, status)``; see core.tickets.drafts.
    """

    __tablename__ = "drafts"
    __table_args__ = (
        Index("ix_drafts_status_next", "status", "next_attempt_at"),
        # analytics: drafts created, approved and sent in a period
        Index("ix_drafts_created", "created_at"),
        Index("ix_drafts_approved", "approved_at"),
        Index("ix_drafts_sent", "sent_at"),
        # App Home's pending lists and queue counts: the drafts in one status (0022)
        Index("ix_drafts_status_ticket", "status", "ticket_id"),
        # each ticket's latest draft not superseded, from the index alone (0022)
        Index(
            "ix_drafts_latest",
            "ticket_id",
            "id",
            "status",
            postgresql_where=text("status <> 'superseded'"),
            sqlite_where=text("status <> 'superseded'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    in_reply_to_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL", use_alter=True)
    )
    status: Mapped[str] = mapped_column(String(12), default="pending")
    # bumped by every edit; approving names the version the approver saw
    version: Mapped[int] = mapped_column(Integer, default=1)
    body: Mapped[str] = mapped_column(Text, default="")
    ai_body: Mapped[str] = mapped_column(Text, default="")
    # how much people changed the AI text: 0 unchanged .. 1 rewritten (core.tickets.edit_distance)
    edit_ratio: Mapped[float | None] = mapped_column(Float)

    category: Mapped[str | None] = mapped_column(String(30))
    urgency: Mapped[str | None] = mapped_column(String(10))
    summary: Mapped[str | None] = mapped_column(Text)
    fix_steps: Mapped[list[str]] = mapped_column(default=list)
    # the knowledge-base articles (kb_articles.id) the draft cites, in the provider's order;
    # only ids that were offered to it (core.ai.service); an article may since be gone
    citations: Mapped[list[int]] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    # the confidence the escalation threshold was applied to: the provider's own
    # (``raw_confidence``) mapped through its calibration when one is fitted
    # (core.ai.calibration); NULL raw_confidence on drafts from before calibration
    confidence: Mapped[float | None] = mapped_column(Float)
    raw_confidence: Mapped[float | None] = mapped_column(Float)
    escalation_required: Mapped[bool] = mapped_column(default=False)
    escalation_reason: Mapped[str | None] = mapped_column(Text)
    flags: Mapped[dict[str, Any]] = mapped_column(default=dict)
    provider: Mapped[str | None] = mapped_column(String(50))
    model: Mapped[str | None] = mapped_column(String(100))
    prompt_version: Mapped[str | None] = mapped_column(String(50))
    # the prompt variant (prompt_variants.name) the ticket's category drew (core.tickets.variants)
    prompt_variant: Mapped[str | None] = mapped_column(String(50))
    latency_ms: Mapped[int | None] = mapped_column(Integer)
    tokens_in: Mapped[int | None] = mapped_column(Integer)
    tokens_out: Mapped[int | None] = mapped_column(Integer)

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None]
    approved_body_sha256: Mapped[str | None] = mapped_column(String(64))
    rejected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    rejected_at: Mapped[datetime | None]
    rejection_reason: Mapped[str | None] = mapped_column(Text)

    # outgoing: Message-ID generated before the first attempt and reused by retries
    outgoing_message_id: Mapped[str | None] = mapped_column(String(998), unique=True)
    send_attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    failure_reason: Mapped[str | None] = mapped_column(Text)


class DraftEdit(Base):
    """Edit history: every human change to a draft's text."""

    __tablename__ = "draft_edits"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    edited_at: Mapped[datetime] = mapped_column(default=utcnow)
    body_before: Mapped[str] = mapped_column(Text)
    body_after: Mapped[str] = mapped_column(Text)
