"""People correcting the AI: a ticket's category and urgency, changed by hand.

The change goes on the ticket and on its open drafts, and is audited with the value it
replaced, so corrections can feed later prompts.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import update

from core.audit import Actor, record
from core.errors import NotFound, ValidationError
from core.ticket_events import NO_EVENTS, TicketEvents
from core.vocabulary import OPEN_DRAFT_STATUSES, category_of, urgency_of
from db.base import utcnow
from db.models import Draft, Ticket
from db.session import SessionFactory


class ClassificationService:
    def __init__(
        self,
        session_factory: SessionFactory,
        *,
        events: TicketEvents = NO_EVENTS,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = session_factory
        self.events = events  # told of the new category/urgency (SLA policy)
        self.clock = clock

    async def classify(
        self,
        ticket_id: int,
        actor: Actor,
        *,
        category: str | None = None,
        urgency: str | None = None,
    ) -> dict[str, str]:
        """Set category and/or urgency; returns what changed as ``{field: new}``."""
        values: dict[str, str] = {}
        if category:
            values["category"] = category_of(category)
        if urgency:
            values["urgency"] = urgency_of(urgency)
        if not values:
            raise ValidationError(
                "nothing to change: give a category or an urgency", field="category"
            )
        async with self.sessions.begin() as session:
            ticket = await session.get(Ticket, ticket_id)
            if ticket is None:
                raise NotFound(f"ticket {ticket_id} not found", ticket_id=ticket_id)
            before = {k: getattr(ticket, k) for k in values}
            changed = {k: v for k, v in values.items() if before[k] != v}
            if not changed:
                return {}
            await session.execute(
                update(Ticket)
                .where(Ticket.id == ticket_id)
                .values(**changed)
                .execution_options(synchronize_session=False)
            )
            await session.execute(
                update(Draft)
                .where(Draft.ticket_id == ticket_id, Draft.status.in_(OPEN_DRAFT_STATUSES))
                .values(**changed)
                .execution_options(synchronize_session=False)
            )
            record(
                session,
                actor,
                "ticket.classified",
                ticket_id=ticket_id,
                changes={k: [before[k], v] for k, v in changed.items()},
                before={k: before[k] for k in changed},
                after=changed,
            )
            await self.events.classified(session, ticket_id, self.clock())
            return changed
