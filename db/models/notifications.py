"""Notifications to desk users: their preferences, their settings, and every notice sent.

``notifications_sent.key`` is unique: the notification service claims a notice by
inserting its row first, so a repeated sweep (or a second worker) never sends it twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, utcnow


class NotificationPref(Base):
    """How one user hears of one kind of notice: ``slack`` (a DM), ``email`` or ``none``.
    No row: a Slack DM."""

    __tablename__ = "notification_prefs"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    channel: Mapped[str] = mapped_column(String(10), default="slack")  # slack|email|none


class NotificationSettings(Base):
    """One user's time zone (from Slack's ``users.info``), quiet hours (local ``HH:MM``,
    both set or neither), the days their digest comes, and after how many minutes a draft
    waiting for them is worth a notice."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    tz: Mapped[str | None] = mapped_column(String(64))
    quiet_start: Mapped[str | None] = mapped_column(String(5))
    quiet_end: Mapped[str | None] = mapped_column(String(5))
    business_days: Mapped[str] = mapped_column(String(40), default="mon,tue,wed,thu,fri")
    draft_waiting_minutes: Mapped[int] = mapped_column(Integer, default=30)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class NotificationSent(Base):
    """One notice to one user: claimed (``sending``), held for quiet hours (``held``), or
    done (``ok``, ``failed``, ``skipped``, with the reason). ``ticket_id`` is a plain
    number, so deleting a ticket rewrites no record."""

    __tablename__ = "notifications_sent"
    __table_args__ = (
        Index("ix_notifications_sent_result", "result", "user_id"),
        Index("ix_notifications_sent_user_at", "user_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    key: Mapped[str] = mapped_column(String(300), unique=True)
    channel: Mapped[str] = mapped_column(String(10))  # slack|email|none
    result: Mapped[str] = mapped_column(String(10))  # sending|held|ok|failed|skipped
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)  # claimed
    done_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    ticket_id: Mapped[int | None] = mapped_column(Integer)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    text: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
