"""Audit events: written in the caller's transaction, so a change and its record commit together."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import utcnow
from db.bulk import one_of, table_of
from db.models import AuditEvent, Ticket
from db.session import is_postgres


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts, and through which surface (slack, api, cli, worker, system); for an API
    request also its request id and the client's address."""

    name: str
    source: str
    user_id: int | None = None
    request_id: str | None = None
    client_addr: str | None = None

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
    """The same event for many tickets (for batch paths like ingest), as one
    ``INSERT ... SELECT`` over the tickets: no row is built or sent from here."""
    if not ticket_ids:
        return
    events, tickets = table_of(AuditEvent), table_of(Ticket)
    pg = is_postgres(session)
    values = {
        "at": utcnow(),
        "actor": actor.name,
        "source": actor.source,
        "action": action,
        "draft_id": None,
        "data": data,
    }
    columns = [literal(value, events.c[name].type) for name, value in values.items()]
    await session.execute(
        insert(events).from_select(
            [*values, "ticket_id"],
            select(*columns, tickets.c.id)
            .where(one_of(tickets.c.id, sorted(set(ticket_ids)), pg=pg))
            .order_by(tickets.c.id),
        )
    )
