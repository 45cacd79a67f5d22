from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, utcnow


class AuditEvent(Base):
    """Who did what, when, from where. Written in the same transaction as the change.

    Append-only: the database refuses UPDATE and DELETE on this table (triggers, migration
    0006_audit_trail). ``ticket_id`` and ``draft_id`` are therefore plain numbers, not
    foreign keys: a key with ``ON DELETE SET NULL`` would update old events when a ticket
    goes, and one without would forbid deleting the ticket.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_ticket", "ticket_id", "at"),
        Index("ix_audit_events_at", "at"),
        Index("ix_audit_events_actor", "actor", "at"),
        Index("ix_audit_events_actor_id", "actor_id", "at"),
        Index("ix_audit_events_action", "action", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(320))  # email, slack id, "worker" or "system"
    actor_id: Mapped[int | None]  # the desk user acting, when a person acts (no key: see above)
    source: Mapped[str] = mapped_column(String(20))  # slack|api|cli|worker|system
    action: Mapped[str] = mapped_column(String(50))
    target: Mapped[str | None] = mapped_column(String(200))  # "ticket:12", "setting:ai.provider"
    ticket_id: Mapped[int | None]
    draft_id: Mapped[int | None]
    request_id: Mapped[str | None] = mapped_column(String(100))
    client_addr: Mapped[str | None] = mapped_column(String(100))
    changes: Mapped[dict[str, Any]] = mapped_column(default=dict)  # field -> [before, after]
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
