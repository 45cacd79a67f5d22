from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, utcnow


class DraftOutcome(Base):
    """What people made of one AI draft: approved (as written or edited) or rejected, kept
    once per draft in the transaction of the decision (``core.tickets.outcomes``) and read
    back as examples for the next similar mail (``core.tickets.similar``).

    ``edit_class``: ``unchanged`` (edit ratio < 0.05), ``light`` (< 0.3) or ``heavy``.
    ``subject`` and ``customer_text``: the customer's mail the draft answered (quotes stripped, bounded),
    what similarity is measured on. ``from_template``: the AI drafted from an in-app
    response template, or a person inserted one (``template_id``, when it still exists); an
    outcome whose template is deactivated or deleted stops counting as an example.
    ``prompt_variant``: the draft's (``core.tickets.variants``); NULL for the default prompt."""

    __tablename__ = "draft_outcomes"
    __table_args__ = (Index("ix_draft_outcomes_lookup", "category", "language", "decided_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), unique=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    decision: Mapped[str] = mapped_column(String(10))  # approved|rejected
    edit_ratio: Mapped[float] = mapped_column(Float, default=0.0)
    edit_class: Mapped[str] = mapped_column(String(10))  # unchanged|light|heavy
    ai_text: Mapped[str] = mapped_column(Text, default="")
    final_text: Mapped[str] = mapped_column(Text, default="")
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(30))
    language: Mapped[str | None] = mapped_column(String(8))
    prompt_variant: Mapped[str | None] = mapped_column(String(50))
    subject: Mapped[str] = mapped_column(Text, default="")
    customer_text: Mapped[str] = mapped_column(Text, default="")
    customer_name: Mapped[str] = mapped_column(String(200), default="")
    customer_email: Mapped[str] = mapped_column(String(320), default="")
    from_template: Mapped[bool] = mapped_column(default=False)
    template_id: Mapped[int | None] = mapped_column(
        ForeignKey("response_templates.id", ondelete="SET NULL")
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
