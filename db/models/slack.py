from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, utcnow


class SlackPost(Base):
    """Where a draft was posted in Slack, and what the message shows now.

    One row per draft. A row with ``ts`` NULL is a claim: the process that inserted it is
    posting the message (the unique ``draft_id`` makes two workers post it once); a claim
    older than a few minutes is taken over. ``thread_ts`` is the ticket's first message when
    this one was posted in its thread. ``rendered_status`` / ``rendered_version`` say which
    state of the draft the message shows, so a sweep can bring stale messages up to date.
    """

    __tablename__ = "slack_posts"
    __table_args__ = (Index("ix_slack_posts_ticket", "ticket_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), unique=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    team_id: Mapped[str | None] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32))
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    permalink: Mapped[str | None] = mapped_column(String(500))
    rendered_status: Mapped[str | None] = mapped_column(String(12))
    rendered_version: Mapped[int | None] = mapped_column(Integer)
    sent_notice: Mapped[bool] = mapped_column(default=False)
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    posted_at: Mapped[datetime | None]


class SlackDelivery(Base):
    """Requests from Slack already handled (trigger id, event id): a retry acts once."""

    __tablename__ = "slack_deliveries"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class KbProposalPost(Base):
    """Where the Slack app posted a knowledge-base proposal (``bot.proposals``), one row per
    article: ``ts`` NULL is a claim being posted (the primary key makes two workers post it
    once); ``rendered_version`` / ``rendered_status`` say which state the message shows."""

    __tablename__ = "kb_proposal_posts"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("kb_articles.id", ondelete="CASCADE"), primary_key=True
    )
    channel: Mapped[str] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32))
    rendered_version: Mapped[int | None] = mapped_column(Integer)
    rendered_status: Mapped[str | None] = mapped_column(String(10))
    rendered_sources: Mapped[int | None] = mapped_column(Integer)
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    posted_at: Mapped[datetime | None]
