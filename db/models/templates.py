from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, utcnow


class ResponseTemplate(Base):
    """A reply template with Jinja2 variables (``{{ customer_name }}``); see
    core.replies.templates. ``category`` NULL is a general template. ``ai_draft``: the
    offline provider drafts replies of its category from it (at most one per category)."""

    __tablename__ = "response_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    category: Mapped[str | None] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(default=True)
    ai_draft: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class TemplateUse(Base):
    """One insertion of a template into a reply (usage counts per period come from here)."""

    __tablename__ = "template_uses"
    __table_args__ = (
        Index("ix_template_uses_used_at", "used_at"),
        Index("ix_template_uses_template", "template_id", "used_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(
        ForeignKey("response_templates.id", ondelete="CASCADE")
    )
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("drafts.id", ondelete="SET NULL"))
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(20), default="api")  # slack|api|cli|ai
    used_at: Mapped[datetime] = mapped_column(default=utcnow)
