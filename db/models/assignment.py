"""Automatic assignment: each agent's profile (skills, capacity, availability, shift) and
each mailbox's strategy; tickets a customer reopened, waiting for the assigner to route."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, utcnow
from db.models.tickets import Ticket


class AgentProfile(Base):
    """What the assigner knows of one desk user. A user takes automatic assignments once
    they have a profile (``desk users set``, ``/desk available``).

    ``skills``: ticket categories (``Billing``...); ``languages``: ISO codes (``en``);
    ``capacity``: open tickets at most; ``away_since``: when they went away (their untouched
    tickets go back to the queue after a while); ``shift_calendar_id``: a business calendar
    whose hours are their shift (none: always in shift); ``availability_source``: who set
    ``available`` last, ``person`` or ``slack_presence`` (presence makes available again only
    the agents it sent away)."""

    __tablename__ = "agent_profiles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    skills: Mapped[list[str]] = mapped_column(default=list)
    languages: Mapped[list[str]] = mapped_column(default=list)
    capacity: Mapped[int] = mapped_column(Integer, default=15)
    available: Mapped[bool] = mapped_column(default=True)
    away_since: Mapped[datetime | None]
    availability_source: Mapped[str] = mapped_column(
        String(20), default="person", server_default="person"
    )
    shift_calendar_id: Mapped[int | None] = mapped_column(
        ForeignKey("sla_calendars.id", ondelete="SET NULL")
    )
    timezone: Mapped[str | None] = mapped_column(String(64))
    last_assigned_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class MailboxAssignment(Base):
    """A mailbox's assignment settings; a mailbox without a row is ``manual``.

    ``strategy``: balanced | round_robin | manual; ``fallback`` when nobody has the skill:
    any_agent | leave_unassigned."""

    __tablename__ = "mailbox_assignment"

    mailbox_id: Mapped[int] = mapped_column(
        ForeignKey("mailboxes.id", ondelete="CASCADE"), primary_key=True
    )
    strategy: Mapped[str] = mapped_column(String(12), default="manual")
    fallback: Mapped[str] = mapped_column(String(20), default="any_agent")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReopenedTicket(Base):
    """A resolved ticket the customer wrote to again: the intake notes when it had been
    resolved, and the assigner decides (previous owner, or the queue) on its next run."""

    __tablename__ = "reopened_tickets"

    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    resolved_at: Mapped[datetime | None]
    reopened_at: Mapped[datetime] = mapped_column(default=utcnow)


# an agent's load (their tickets by status) and the queue (no owner) in one index
Index("ix_tickets_assignee_status", Ticket.assigned_to_id, Ticket.status)

# ticket statuses that do not count toward an agent's load (waiting on the customer, done)
NOT_LOAD_STATUSES = ("waiting", "resolved")
