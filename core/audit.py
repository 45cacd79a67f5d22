"""Audit events: written in the caller's transaction, so a change and its record commit together."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.bulk import bulk_insert, table_of
from db.models import AuditEvent


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts, and through which surface (slack, api, cli, system)."""

    name: str
    source: str
    user_id: int | None = None

    @classmethod
    def system(cls) -> Actor:
        return cls(name="system", source="system")


def record(
    session: AsyncSession,
    actor: Actor,
    action: str,
    *,
    ticket_id: int | None = None,
    draft_id: int | None = None,
    **data: Any,
) -> None:
    session.add(
        AuditEvent(
            actor=actor.name,
            source=actor.source,
            action=action,
            ticket_id=ticket_id,
            draft_id=draft_id,
            data=data,
        )
    )


async def record_many(
    session: AsyncSession, actor: Actor, action: str, *, ticket_ids: list[int], **data: Any
) -> None:
    """The same event for many tickets, as one bulk insert (for batch paths like ingest)."""
    await bulk_insert(
        session,
        table_of(AuditEvent),
        [
            {
                "actor": actor.name,
                "source": actor.source,
                "action": action,
                "ticket_id": tid,
                "draft_id": None,
                "data": data,
            }
            for tid in ticket_ids
        ],
    )
