from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, utcnow

ARTICLE_STATUSES = ("draft", "published", "archived")
ARTICLE_ORIGINS = ("manual", "proposal")


class KbArticle(Base):
    """A knowledge-base article: a Markdown ``body`` under a ``title``, in one ``language``
    (ISO 639-1, ``en``), ``draft`` until a manager or an admin publishes it
    (``reviewed_by_id``), ``archived`` when withdrawn. ``version`` counts its edits.

    Full text is kept by the database, outside this model (``db.fulltext``): on PostgreSQL
    the generated ``search_vector`` column (title weight A, body B, in the language's text
    search configuration) and its GIN index; on SQLite the FTS5 table ``kb_articles_fts``
    with the triggers that keep it in step (migration 0012).

    ``origin``: ``manual`` (written by a person) or ``proposal`` (drafted by the desk from
    a resolved ticket, ``core.knowledge.proposals``; a draft until a person publishes or
    discards it).

    ``ai_draft_of``: on a proposal the AI provider is still to redraft, the version of the
    extractive draft it replaces (``core.knowledge.ai_drafts``; a person's edit moves the
    version on, and the model's draft is then dropped); ``ai_draft_attempts``: its failures."""

    __tablename__ = "kb_articles"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'published', 'archived')", name="status"),
        Index("ix_kb_articles_status", "status", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(30))
    language: Mapped[str] = mapped_column(String(10), default="en")
    status: Mapped[str] = mapped_column(String(10), default="draft")
    origin: Mapped[str] = mapped_column(String(10), default="manual", server_default="manual")
    version: Mapped[int] = mapped_column(default=1)
    source_ticket_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    helpful_count: Mapped[int] = mapped_column(default=0)
    unhelpful_count: Mapped[int] = mapped_column(default=0)
    last_cited_at: Mapped[datetime | None] = mapped_column()
    public_url: Mapped[str | None] = mapped_column(String(500))
    ai_draft_of: Mapped[int | None] = mapped_column()
    ai_draft_attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class KbProposalSource(Base):
    """A resolved ticket the desk proposed an article from, once per ticket (the primary
    key): the proposal it made, or the near-duplicate one it joined (``similarity``, the
    token Jaccard that matched it; NULL for the ticket that made it). A ticket resolved,
    reopened and resolved again finds its row and proposes nothing more."""

    __tablename__ = "kb_proposal_sources"

    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    article_id: Mapped[int] = mapped_column(
        ForeignKey("kb_articles.id", ondelete="CASCADE"), index=True
    )
    similarity: Mapped[float | None] = mapped_column(Float)
    proposed_at: Mapped[datetime] = mapped_column(default=utcnow)
