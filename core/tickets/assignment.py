"""Who owns a ticket: assigning one to a desk user, with an audit event.

``agent_id``: an agent taking a ticket, whose right rests on it being unassigned (or
already theirs); the UPDATE requires that too, so two agents taking the same ticket at
once cannot both win."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, update

from core.audit import Actor, record
from core.errors import NotFound, PermissionDenied, ValidationError
from db.base import utcnow
from db.models import Ticket, User
from db.session import SessionFactory, rows_changed


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

    async def assign(
        self, ticket_id: int, assignee_id: int, actor: Actor, *, agent_id: int | None = None
    ) -> Assignment:
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
                held = (
                    []
                    if agent_id is None
                    else [or_(Ticket.assigned_to_id.is_(None), Ticket.assigned_to_id == agent_id)]
                )
                result = await session.execute(
                    update(Ticket)
                    .where(Ticket.id == ticket_id, *held)
                    .values(assigned_to_id=assignee_id)
                    .execution_options(synchronize_session=False)
                )
                if rows_changed(result) != 1:
                    await session.rollback()
                    raise PermissionDenied(
                        f"ticket {ticket_id} was taken by someone else meanwhile",
                        ticket_id=ticket_id,
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
