"""SLA: business calendars, policies (first match in ``position`` order) and the clocks they
start on tickets, one row per ticket, metric and cycle."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, utcnow


class SlaCalendar(Base):
    """A time zone, weekly business hours and holidays (``core.workflow.calendars``).

    ``hours``: ``{"0": [["09:00", "17:00"]], ...}`` (0 = Monday; an end of ``24:00`` is
    midnight); ``holidays``: ISO dates, local to ``tz``."""

    __tablename__ = "sla_calendars"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    tz: Mapped[str] = mapped_column(String(64))
    hours: Mapped[dict[str, Any]] = mapped_column(JSON)
    holidays: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SlaPolicy(Base):
    """Targets in business minutes for a ticket's category and/or urgency (NULL: any).

    Tickets take the first policy by ``position`` whose criteria match, else the default
    (``is_default``). ``version`` is bumped by every change, and each clock records the
    version it was computed with. On breach: ``escalate_raise_urgency`` raises the ticket's
    urgency one step, ``escalate_to_id`` reassigns it to that user (a manager), or
    ``escalate_to_group`` (``"managers"``, exclusive with it) to the least-loaded available
    manager or admin."""

    __tablename__ = "sla_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0, index=True)
    category: Mapped[str | None] = mapped_column(String(30))
    urgency: Mapped[str | None] = mapped_column(String(10))
    calendar_id: Mapped[int] = mapped_column(
        ForeignKey("sla_calendars.id", ondelete="RESTRICT"), index=True
    )
    first_response_minutes: Mapped[int | None] = mapped_column(Integer)
    next_response_minutes: Mapped[int | None] = mapped_column(Integer)
    resolution_minutes: Mapped[int | None] = mapped_column(Integer)
    warn_levels: Mapped[list[int]] = mapped_column(JSON, default=lambda: [75, 90])
    version: Mapped[int] = mapped_column(Integer, default=1)
    is_default: Mapped[bool] = mapped_column(default=False)
    escalate_raise_urgency: Mapped[bool] = mapped_column(default=False)
    escalate_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    escalate_to_group: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SlaClock(Base):
    """One SLA clock of a ticket: ``first_response``, ``next_response`` (one per cycle: each
    customer message waiting for an answer) or ``resolution``.

    Running: ``due_at = calendar.add(resumed_at, target - elapsed_seconds)``. Paused
    (``paused_at`` set; resolution while the ticket waits on the customer): ``elapsed_seconds``
    holds the business time used, ``paused_seconds`` adds up the wall time paused.
    ``next_alert_at`` is the instant of the next warning level not yet fired, or ``due_at``,
    or NULL once breached, paused or stopped: the sweep reads the running clocks by it (a
    partial index), so its cost follows the clocks due, not the tickets open. ``warned``:
    the levels fired, each set once by a compare-and-set."""

    __tablename__ = "sla_clocks"
    __table_args__ = (
        UniqueConstraint("ticket_id", "metric", "cycle"),
        Index(
            "ix_sla_clocks_alert",
            "next_alert_at",
            postgresql_where=text("next_alert_at IS NOT NULL"),
            sqlite_where=text("next_alert_at IS NOT NULL"),
        ),
        Index(
            "ix_sla_clocks_open_due",
            "due_at",
            postgresql_where=text("stopped_at IS NULL"),
            sqlite_where=text("stopped_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    metric: Mapped[str] = mapped_column(String(20))
    cycle: Mapped[int] = mapped_column(Integer, default=0)
    policy_id: Mapped[int | None] = mapped_column(
        ForeignKey("sla_policies.id", ondelete="SET NULL"), index=True
    )
    policy_version: Mapped[int] = mapped_column(Integer, default=1)
    target_minutes: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime]
    resumed_at: Mapped[datetime]
    elapsed_seconds: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime]
    next_alert_at: Mapped[datetime | None]
    paused_at: Mapped[datetime | None]
    paused_seconds: Mapped[int] = mapped_column(Integer, default=0)
    stopped_at: Mapped[datetime | None]
    # why it stopped: "reply" (a sent reply met it) or "resolved" (the ticket was resolved)
    stop_reason: Mapped[str | None] = mapped_column(String(10))
    breached_at: Mapped[datetime | None]
    warned: Mapped[list[int]] = mapped_column(JSON, default=list)
