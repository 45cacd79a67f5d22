"""A ticket's status set by a person: ``waiting`` (on the customer: the SLA resolution
clock pauses until they write), ``resolved`` (every clock stops), ``open`` (a reopen:
resolution resumes with the time it had used).

The change is a compare-and-set on the status read (and, for an agent, on the ticket being
unassigned or theirs), audited as ``ticket.status`` and told to the ticket events (SLA
clocks) in the same transaction. Reach it through ``Decisions.set_status``, which checks
the permission first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, update

from core.audit import Actor, record
from core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from core.ticket_events import NO_EVENTS, TicketEvents
from core.vocabulary import SETTABLE_STATUSES
from db.base import utcnow
from db.models import Ticket
from db.session import SessionFactory, rows_changed


@dataclass(frozen=True, slots=True)
class StatusChange:
    ticket_id: int
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def status_of(value: str) -> str:
    status = value.strip().lower()
    if status not in SETTABLE_STATUSES:
        raise ValidationError(
            f"unknown status {value[:30]!r}; a person sets one of {', '.join(SETTABLE_STATUSES)}",
            field="status",
        )
    return status


class StatusService:
    def __init__(
        self,
        session_factory: SessionFactory,
        *,
        events: TicketEvents = NO_EVENTS,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = session_factory
        self.events = events
        self.clock = clock

    async def set(
        self, ticket_id: int, status: str, actor: Actor, *, agent_id: int | None = None
    ) -> StatusChange:
        """``agent_id``: the agent whose right rests on the ticket being unassigned or theirs
        (the compare-and-set requires it too)."""
        status = status_of(status)
        now = self.clock()
        async with self.sessions.begin() as session:
            before = await session.scalar(select(Ticket.status).where(Ticket.id == ticket_id))
            if before is None:
                raise NotFound(f"ticket {ticket_id} not found", ticket_id=ticket_id)
            if before == status:
                return StatusChange(ticket_id, before, status)
            q = update(Ticket).where(Ticket.id == ticket_id, Ticket.status == before)
            if agent_id is not None:
                q = q.where(or_(Ticket.assigned_to_id.is_(None), Ticket.assigned_to_id == agent_id))
            won = await session.execute(
                q.values(
                    status=status, resolved_at=now if status == "resolved" else None
                ).execution_options(synchronize_session=False)
            )
            if rows_changed(won) != 1:
                current = await session.scalar(select(Ticket.status).where(Ticket.id == ticket_id))
                if current == before:
                    raise PermissionDenied(
                        f"ticket {ticket_id} was assigned to someone else meanwhile",
                        ticket_id=ticket_id,
                    )
                raise InvalidTransition(
                    f"ticket {ticket_id} changed meanwhile: it is {current} now",
                    current=current,
                )
            record(
                session,
                actor,
                "ticket.status",
                ticket_id=ticket_id,
                changes={"status": [before, status]},
                at=now,
            )
            await self.events.status_changed(session, ticket_id, status, now)
        return StatusChange(ticket_id, before, status)
