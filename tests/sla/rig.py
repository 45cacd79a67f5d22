"""A desk's real services on one fixed, movable clock, for SLA tests: ingest, triage,
status changes, sending and the sweep all read the same ``Clock``."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.access.users import actor_for
from core.audit import Actor
from core.inbound.attachments import AttachmentStore
from core.inbound.ingest import Ingestor
from core.mail.transport import FetchedMail
from core.outbound.sending import Limits, Sender
from core.tickets.reclassification import ClassificationService
from core.tickets.status import StatusService
from core.tickets.triage import TriageService
from core.workflow.calendar_store import CalendarService
from core.workflow.notices import RecordingSink
from core.workflow.sla import SlaClocks
from core.workflow.sla_policies import PolicyService
from core.workflow.sla_sweep import SlaSweep
from db.models import Draft, Mailbox, SlaClock, Ticket
from server.wiring import Desk
from tests.support.desk import SUPPORT

BERLIN = ZoneInfo("Europe/Berlin")
_n = itertools.count(1)


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now.astimezone(UTC)

    def set(self, at: datetime) -> None:
        self.now = at

    def advance(self, **delta: float) -> None:
        self.now = self.now + timedelta(**delta)


def mail(
    at: datetime,
    *,
    subject: str = "Cannot log in",
    sender: str = "carla@example.com",
    in_reply_to: str | None = None,
) -> tuple[bytes, str]:
    """A customer's mail dated ``at``; returns it and its Message-ID."""
    n = next(_n)
    mid = f"sla-{n}-{at.timestamp():.0f}@example.com"
    msg = EmailMessage()
    msg["From"] = f"Carla <{sender}>"
    msg["To"] = SUPPORT
    msg["Subject"] = ("Re: " if in_reply_to else "") + subject
    msg["Date"] = format_datetime(at)
    msg["Message-ID"] = f"<{mid}>"
    if in_reply_to:
        msg["In-Reply-To"] = f"<{in_reply_to}>"
        msg["References"] = f"<{in_reply_to}>"
    msg.set_content("Hello, I still cannot log in to my account. Please help me.")
    return msg.as_bytes(), mid


@dataclass
class Rig:
    desk: Desk
    mailbox: Mailbox
    clock: Clock
    sla: SlaClocks
    ingestor: Ingestor
    triage: TriageService
    sender: Sender
    statuses: StatusService
    classification: ClassificationService
    calendars: CalendarService
    policies: PolicyService
    sink: RecordingSink
    sweep: SlaSweep
    uids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def receive(self, *raws: bytes) -> None:
        items = [self.ingestor.parse_one(FetchedMail(uid=next(self.uids), raw=r)) for r in raws]
        await self.ingestor.ingest_batch(self.mailbox, None, items)

    async def ticket_of(self, message_id: str) -> int:
        async with self.desk.sessions() as s:
            tid = await s.scalar(select(Ticket.id).where(Ticket.message_id == message_id))
        assert tid is not None
        return tid

    async def clocks(self, ticket_id: int) -> dict[str, SlaClock]:
        """``first_response``, ``resolution``, ``next_response.1``...: the ticket's clocks."""
        async with self.desk.sessions() as s:
            rows = await s.scalars(select(SlaClock).where(SlaClock.ticket_id == ticket_id))
            return {c.metric if c.cycle == 0 else f"{c.metric}.{c.cycle}": c for c in rows}

    async def actor(self, email: str = "ann@team.test") -> Actor:
        return await actor_for(self.desk.sessions, email, "cli")

    async def send_reply(self, ticket_id: int) -> str:
        """Approve the ticket's pending draft and send it; its Message-ID."""
        async with self.desk.sessions() as s:
            draft = await s.scalar(
                select(Draft).where(Draft.ticket_id == ticket_id, Draft.status == "pending")
            )
        assert draft is not None, "no pending draft"
        await self.desk.drafts.approve(draft.id, await self.actor())
        report = await self.sender.send_due(only=[draft.id])
        assert report.sent == [draft.id], report
        async with self.desk.sessions() as s:
            sent = await s.get(Draft, draft.id)
            assert sent is not None and sent.outgoing_message_id
            return sent.outgoing_message_id.strip("<>")


async def build_rig(desk: Desk, mailbox: Mailbox, tmp_path: Path, start: datetime) -> Rig:
    clock = Clock(start)
    sla = SlaClocks(clock=clock)
    base = await desk.triage_service()
    sink = RecordingSink()
    return Rig(
        desk=desk,
        mailbox=mailbox,
        clock=clock,
        sla=sla,
        ingestor=Ingestor(
            desk.sessions,
            token_key=desk.token_key,
            attachments=AttachmentStore(tmp_path / "files"),
            own_addresses=[SUPPORT],
            clock=clock,
            events=sla,
        ),
        triage=TriageService(desk.sessions, provider=base.provider, clock=clock, events=sla),
        sender=Sender(
            desk.sessions,
            mailer_for=desk.mailboxes.mailer,
            limits=Limits(backoff_seconds=0),
            clock=clock,
            events=sla,
        ),
        statuses=StatusService(desk.sessions, events=sla, clock=clock),
        classification=ClassificationService(desk.sessions, events=sla, clock=clock),
        calendars=CalendarService(desk.sessions),
        policies=PolicyService(desk.sessions, clocks=sla, clock=clock),
        sink=sink,
        sweep=SlaSweep(desk.sessions, sink, clock),
    )
