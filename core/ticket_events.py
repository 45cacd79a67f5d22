"""What happens to a ticket, told to whoever keeps track (the SLA clocks): the port.

The places where it happens sit low in core (the ingest's store, the sender, triage, status
changes) and may not import the workflow above them, so they are handed a ``TicketEvents``
and call it inside their own transaction, with their own ``session``: a clock moves in the
same commit as the event that moved it, and a batch is told once (one call for a batch of
mail, not one per message). ``NO_EVENTS`` is the default: nothing keeps track.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession


class TicketEvents(Protocol):
    async def opened(self, session: AsyncSession, tickets: Sequence[tuple[int, datetime]]) -> None:
        """New tickets waiting for an answer: (ticket id, when the desk stored it)."""

    async def customer_wrote(self, session: AsyncSession, tickets: Mapping[int, datetime]) -> None:
        """Existing tickets the customer wrote to again: ticket id -> when the desk stored
        the mail (the ticket was reopened if it was answered, waiting or resolved)."""

    async def reply_sent(self, session: AsyncSession, ticket_id: int, at: datetime) -> None:
        """A reply went out to the customer (a draft waiting for approval is no reply)."""

    async def classified(self, session: AsyncSession, ticket_id: int, at: datetime) -> None:
        """The ticket's category or urgency was set (triage, or a person's correction)."""

    async def status_changed(
        self, session: AsyncSession, ticket_id: int, status: str, at: datetime
    ) -> None:
        """A person set the ticket's status (``waiting``, ``resolved``, ``open``...)."""


class NoEvents:
    """Keeps track of nothing."""

    async def opened(self, session: AsyncSession, tickets: Sequence[tuple[int, datetime]]) -> None:
        return None

    async def customer_wrote(self, session: AsyncSession, tickets: Mapping[int, datetime]) -> None:
        return None

    async def reply_sent(self, session: AsyncSession, ticket_id: int, at: datetime) -> None:
        return None

    async def classified(self, session: AsyncSession, ticket_id: int, at: datetime) -> None:
        return None

    async def status_changed(
        self, session: AsyncSession, ticket_id: int, status: str, at: datetime
    ) -> None:
        return None


NO_EVENTS: TicketEvents = NoEvents()


async def classified_all(
    events: TicketEvents, session: AsyncSession, ticket_ids: Sequence[int], at: datetime
) -> None:
    """``classified`` for each of a batch's tickets, in one call where ``events`` takes a
    batch (``classified_many``: the SLA clocks read once for the batch), else one by one."""
    many = getattr(events, "classified_many", None)
    if many is not None:
        await many(session, ticket_ids, at)
        return
    for ticket_id in ticket_ids:
        await events.classified(session, ticket_id, at)


class AllEvents:
    """Tells each of ``listeners`` in turn, in the same transaction (the SLA clocks, then
    the knowledge base's proposals, say)."""

    def __init__(self, *listeners: TicketEvents) -> None:
        self.listeners = listeners

    async def opened(self, session: AsyncSession, tickets: Sequence[tuple[int, datetime]]) -> None:
        for listener in self.listeners:
            await listener.opened(session, tickets)

    async def customer_wrote(self, session: AsyncSession, tickets: Mapping[int, datetime]) -> None:
        for listener in self.listeners:
            await listener.customer_wrote(session, tickets)

    async def reply_sent(self, session: AsyncSession, ticket_id: int, at: datetime) -> None:
        for listener in self.listeners:
            await listener.reply_sent(session, ticket_id, at)

    async def classified(self, session: AsyncSession, ticket_id: int, at: datetime) -> None:
        for listener in self.listeners:
            await listener.classified(session, ticket_id, at)

    async def status_changed(
        self, session: AsyncSession, ticket_id: int, status: str, at: datetime
    ) -> None:
        for listener in self.listeners:
            await listener.status_changed(session, ticket_id, status, at)
