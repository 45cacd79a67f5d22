"""New-ticket notifications: what the engine tells a channel when mail arrives.

One ``TicketBatch`` per poll that created tickets (one message for many mails, not one per
mail); High urgency tickets are flagged so the message mentions the on-call group the caller
names (the Slack app keeps it in its settings). A mailbox that stops fetching is reported
through the same port (``mailbox_alert``). The Slack side implements ``Notifier``; tests use
``RecordingNotifier``. A notifier's failure never stops mail from flowing (the worker logs
it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from sqlalchemy import select

from db.models import Draft, Mailbox, Ticket
from db.session import SessionFactory


@dataclass(frozen=True, slots=True)
class NewTicket:
    ticket_id: int
    subject: str
    requester: str
    category: str | None
    urgency: str | None
    summary: str | None
    draft_id: int | None
    escalation_required: bool = False

    @property
    def high(self) -> bool:
        return self.urgency == "High"


@dataclass(frozen=True, slots=True)
class TicketBatch:
    mailbox: str
    team_id: str | None  # the mailbox's Slack workspace (None: the app's home workspace)
    tickets: list[NewTicket]
    oncall_group: str | None = None  # e.g. a Slack user group id "S0123ABC"

    @property
    def high(self) -> list[NewTicket]:
        return [t for t in self.tickets if t.high]

    @property
    def mention_oncall(self) -> bool:
        return bool(self.oncall_group and self.high)


@runtime_checkable
class Notifier(Protocol):
    async def new_tickets(self, batch: TicketBatch) -> None:
        """Tell people that ``batch.tickets`` arrived (one message for the batch)."""
        ...

    async def mailbox_alert(self, mailbox: str, error: str) -> None:
        """Tell people that ``mailbox`` has not fetched within its alert window."""
        ...


@dataclass
class RecordingNotifier:
    """Keeps every batch; for tests and dry runs."""

    batches: list[TicketBatch] = field(default_factory=list)
    alerts: list[tuple[str, str]] = field(default_factory=list)  # (mailbox, error)

    async def new_tickets(self, batch: TicketBatch) -> None:
        self.batches.append(batch)

    async def mailbox_alert(self, mailbox: str, error: str) -> None:
        self.alerts.append((mailbox, error))


async def ticket_batch(
    sessions: SessionFactory, ticket_ids: Sequence[int], *, oncall_group: str | None = None
) -> TicketBatch | None:
    """The batch for tickets that just arrived (with their triage when it is done)."""
    if not ticket_ids:
        return None
    async with sessions() as session:
        latest = (
            select(Draft.ticket_id, Draft.id)
            .where(Draft.ticket_id.in_(ticket_ids), Draft.status != "superseded")
            .order_by(Draft.id)
        )
        drafts = {t: d for t, d in await session.execute(latest)}
        rows = (
            await session.execute(
                select(Ticket, Mailbox.name, Mailbox.slack_team_id)
                .join(Mailbox, Mailbox.id == Ticket.mailbox_id)
                .where(Ticket.id.in_(ticket_ids))
                .order_by(Ticket.id)
            )
        ).all()
    if not rows:
        return None
    tickets = [
        NewTicket(
            ticket_id=t.id,
            subject=t.subject,
            requester=t.requester_email,
            category=t.category,
            urgency=t.urgency,
            summary=t.summary,
            draft_id=drafts.get(t.id),
            escalation_required=t.escalation_required,
        )
        for t, _, _ in rows
    ]
    tickets.sort(key=lambda t: (not t.high, t.ticket_id))
    return TicketBatch(
        mailbox=rows[0][1], team_id=rows[0][2], tickets=tickets, oncall_group=oncall_group or None
    )
