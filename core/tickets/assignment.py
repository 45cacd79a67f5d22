"""Who owns a ticket: assigning one to a desk user, with an audit event."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update

from core.audit import Actor, record
from core.errors import NotFound, ValidationError
from db.base import utcnow
from db.models import Ticket, User
from db.session import SessionFactory


@dataclass(frozen=True, slots=True)
class Assignment:
    ticket_id: int
    assignee_id: int
    assignee_email: str
    previous_id: int | None
    at: datetime

    @property
    def changed(self) -> bool:
        return self.previous_id != self.assignee_id


class AssignmentService:
    def __init__(
        self, session_factory: SessionFactory, *, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.sessions = session_factory
        self.clock = clock

    async def assign(self, ticket_id: int, assignee_id: int, actor: Actor) -> Assignment:
        now = self.clock()
        async with self.sessions.begin() as session:
            ticket = await session.get(Ticket, ticket_id)
            if ticket is None:
                raise NotFound(f"ticket {ticket_id} not found", ticket_id=ticket_id)
            assignee = await session.get(User, assignee_id)
            if assignee is None or not assignee.is_active:
                raise ValidationError(f"user {assignee_id} cannot take tickets", field="assignee")
            previous = ticket.assigned_to_id
            if previous != assignee_id:
                await session.execute(
                    update(Ticket)
                    .where(Ticket.id == ticket_id)
                    .values(assigned_to_id=assignee_id)
                    .execution_options(synchronize_session=False)
                )
                record(
                    session,
                    actor,
                    "ticket.assigned",
                    ticket_id=ticket_id,
                    changes={"assigned_to_id": [previous, assignee_id]},
                    at=now,
                    assignee=assignee.email,
                    previous_id=previous,
                )
            return Assignment(ticket_id, assignee_id, assignee.email, previous, now)
