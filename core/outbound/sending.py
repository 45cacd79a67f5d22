"""Mail out: the only path that hands a reply to a mailer.

A draft is claimed ``approved -> sending`` by compare-and-set, in the same statement that
checks it carries an approval (who and when). The text is checked against the hash taken at
approval. The Message-ID was generated at approval and is reused by every retry. Temporary
failures go back to ``approved`` with a backoff; permanent ones, or too many attempts, end
in ``failed`` with the reason. A ``sending`` row left by a crashed process is released after
a lease (it may then be sent twice with the same Message-ID, which mail clients collapse).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

from sqlalchemy import case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit import Actor, record
from core.errors import MailError, MailPermanentError, ThrottledError
from core.mail.compose import build_reply
from core.mail.transport import Mailer
from core.textsafe import clean
from core.ticket_events import NO_EVENTS, TicketEvents
from db.base import utcnow
from db.models import Draft, Mailbox, Message, Recipient, Ticket
from db.session import SessionFactory, rows_changed

log = logging.getLogger(__name__)

MailerFor = Callable[[Mailbox], Mailer]


def body_hash(body: str) -> str:
    """The seal taken at approval: a reply is sent only while its text still matches it."""
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


@dataclass
class SendReport:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    throttled: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {k: len(v) for k, v in self.__dict__.items()}


@dataclass(frozen=True, slots=True)
class Limits:
    max_attempts: int = 5
    backoff_seconds: float = 30.0
    per_recipient_hour: int = 10
    per_ticket_hour: int = 5
    lease_seconds: float = 600.0


class Sender:
    def __init__(
        self,
        session_factory: SessionFactory,
        *,
        mailer_for: MailerFor,
        limits: Limits = Limits(),
        clock: Callable[[], datetime] = utcnow,
        company_name: str | None = None,
        events: TicketEvents = NO_EVENTS,
    ) -> None:
        self.sessions = session_factory
        self.mailer_for = mailer_for
        self.events = events  # told of each reply sent, in its transaction (SLA clocks)
        self.limits = limits
        self.clock = clock
        self.company_name = company_name

    def from_name(self, mailbox: Mailbox) -> str:
        """The From display name customers see: the company's for the embedded Maildir
        mailbox (its name, "embedded", is internal), an IMAP mailbox's own name otherwise."""
        if mailbox.kind == "maildir" and self.company_name:
            return self.company_name
        return mailbox.name

    async def send_due(
        self, *, limit: int = 100, only: list[int] | None = None, ignore_backoff: bool = False
    ) -> SendReport:
        """Send approved drafts whose time has come (``only``: just these drafts;
        ``ignore_backoff``: also those waiting to retry, as ``desk send`` does)."""
        report = SendReport()
        await self.release_stale()
        for draft_id in await self._due(limit, only, ignore_backoff):
            await self.send_one(draft_id, report)
        return report

    async def _due(self, limit: int, only: list[int] | None, ignore_backoff: bool) -> list[int]:
        now = self.clock()
        # a short claim transaction: on PostgreSQL, rows another worker is picking right now
        # are skipped (FOR UPDATE SKIP LOCKED); the approved -> sending CAS still decides
        async with self.sessions.begin() as session:
            q = select(Draft.id).where(Draft.status == "approved")
            if only is not None:
                q = q.where(Draft.id.in_(only))
            if not ignore_backoff:
                q = q.where(or_(Draft.next_attempt_at.is_(None), Draft.next_attempt_at <= now))
            q = q.order_by(Draft.approved_at).limit(limit).with_for_update(skip_locked=True)
            return list(await session.scalars(q))

    async def release_stale(self) -> int:
        cutoff = self.clock() - timedelta(seconds=self.limits.lease_seconds)
        async with self.sessions.begin() as session:
            result = await session.execute(
                update(Draft)
                .where(Draft.status == "sending", Draft.claimed_at < cutoff)
                .values(status="approved", claimed_at=None)
                .execution_options(synchronize_session=False)
            )
        return rows_changed(result)

    async def _claim(self, draft_id: int) -> bool:
        async with self.sessions.begin() as session:
            result = await session.execute(
                update(Draft)
                .where(
                    Draft.id == draft_id,
                    Draft.status == "approved",
                    Draft.approved_at.is_not(None),
                    Draft.approved_by_id.is_not(None),
                    Draft.approved_body_sha256.is_not(None),
                    Draft.outgoing_message_id.is_not(None),
                )
                .values(
                    status="sending", claimed_at=self.clock(), send_attempts=Draft.send_attempts + 1
                )
                .execution_options(synchronize_session=False)
            )
            return rows_changed(result) == 1

    async def send_one(self, draft_id: int, report: SendReport) -> None:
        if not await self._claim(draft_id):
            return  # another worker has it, or it is no longer approved
        async with self.sessions() as session:
            draft = await session.get(Draft, draft_id)
            assert draft is not None
            ticket = await session.get(Ticket, draft.ticket_id)
            assert ticket is not None
            mailbox = await session.get(Mailbox, ticket.mailbox_id)
            assert mailbox is not None
            try:
                await self._check(session, draft, ticket)
            except ThrottledError as exc:
                await self._requeue(
                    draft_id, str(exc), delay=exc.data.get("retry_after", 600), count_attempt=False
                )
                report.throttled.append(draft_id)
                return
            except MailPermanentError as exc:
                await self._fail(draft_id, str(exc))
                report.failed.append(draft_id)
                return
            message = await self._compose(session, draft, ticket, mailbox)
        try:
            await self.mailer_for(mailbox).send(message)
        except MailPermanentError as exc:
            await self._fail(draft_id, str(exc))
            report.failed.append(draft_id)
        except MailError as exc:  # temporary: connection, 4xx, auth hiccup
            if draft.send_attempts >= self.limits.max_attempts:
                await self._fail(draft_id, f"gave up after {draft.send_attempts} attempts: {exc}")
                report.failed.append(draft_id)
            else:
                delay = self.limits.backoff_seconds * 2 ** (draft.send_attempts - 1)
                await self._requeue(draft_id, str(exc), delay=delay)
                report.retrying.append(draft_id)
        else:
            await self._mark_sent(draft, ticket, mailbox, message["To"])
            report.sent.append(draft_id)

    async def _check(self, session: AsyncSession, draft: Draft, ticket: Ticket) -> None:
        if body_hash(draft.body) != draft.approved_body_sha256:
            raise MailPermanentError("the text changed after approval; approve it again")
        rcpt = await session.get(Recipient, ticket.requester_email)
        if rcpt is not None and rcpt.undeliverable:
            raise MailPermanentError(
                f"{ticket.requester_email} is marked undeliverable ({rcpt.bounce_reason})",
                recipient=ticket.requester_email,
            )
        hour_ago = self.clock() - timedelta(hours=1)
        to_recipient = await session.scalar(
            select(func.count())
            .select_from(Message)
            .where(
                Message.direction == "out",
                Message.received_at >= hour_ago,
                Message.ticket_id.in_(
                    select(Ticket.id).where(Ticket.requester_email == ticket.requester_email)
                ),
            )
        )
        if (to_recipient or 0) >= self.limits.per_recipient_hour:
            raise ThrottledError(
                f"{to_recipient} replies to {ticket.requester_email} in the last hour; holding this one",
                retry_after=600,
            )
        to_ticket = await session.scalar(
            select(func.count())
            .select_from(Message)
            .where(
                Message.direction == "out",
                Message.received_at >= hour_ago,
                Message.ticket_id == ticket.id,
            )
        )
        if (to_ticket or 0) >= self.limits.per_ticket_hour:
            raise ThrottledError(
                f"{to_ticket} replies on ticket {ticket.id} in the last hour", retry_after=600
            )

    async def _compose(
        self, session: AsyncSession, draft: Draft, ticket: Ticket, mailbox: Mailbox
    ) -> EmailMessage:
        answered = (
            await session.get(Message, draft.in_reply_to_message_id)
            if draft.in_reply_to_message_id
            else None
        )
        if answered is None:
            answered = await session.scalar(
                select(Message)
                .where(Message.ticket_id == ticket.id, Message.direction == "in")
                .order_by(Message.date.desc())
                .limit(1)
            )
        refs = list(answered.references) if answered else []
        return build_reply(
            from_addr=mailbox.address,
            from_name=self.from_name(mailbox),
            to=ticket.requester_email,
            subject=answered.subject if answered else ticket.subject,
            body=draft.body,
            message_id=draft.outgoing_message_id or "",
            in_reply_to=answered.message_id
            if answered and not answered.synthetic_message_id
            else None,
            references=refs,
            ticket_id=ticket.id,
            date=self.clock(),
        )

    async def _mark_sent(self, draft: Draft, ticket: Ticket, mailbox: Mailbox, to: str) -> None:
        now = self.clock()
        async with self.sessions.begin() as session:
            await session.execute(
                update(Draft)
                .where(Draft.id == draft.id, Draft.status == "sending")
                .values(status="sent", sent_at=now, claimed_at=None, next_attempt_at=None)
                .execution_options(synchronize_session=False)
            )
            session.add(
                Message(
                    ticket_id=ticket.id,
                    mailbox_id=mailbox.id,
                    direction="out",
                    kind="reply",
                    message_id=draft.outgoing_message_id or "",
                    from_email=mailbox.address,
                    from_name=self.from_name(mailbox),
                    to_addrs=[ticket.requester_email],
                    subject=clean(ticket.subject),
                    date=now,
                    received_at=now,
                    body_text=draft.body,
                    reply_text=draft.body,
                    language=ticket.language,  # written in the customer's (0020's document)
                    draft_id=draft.id,
                )
            )
            await session.execute(
                update(Ticket)
                .where(Ticket.id == ticket.id)
                .values(
                    # waiting on the customer stays so: the reply asked them for something
                    status=case((Ticket.status == "waiting", "waiting"), else_="answered"),
                    first_response_at=func.coalesce(Ticket.first_response_at, now),
                    last_message_at=now,
                )
                .execution_options(synchronize_session=False)
            )
            record(
                session,
                Actor.worker(),
                "draft.sent",
                ticket_id=ticket.id,
                draft_id=draft.id,
                changes={"status": ["sending", "sent"]},
                at=now,
                to=to,
            )
            await self.events.reply_sent(session, ticket.id, now)

    async def _requeue(
        self, draft_id: int, reason: str, *, delay: float, count_attempt: bool = True
    ) -> None:
        values: dict[str, object] = {
            "status": "approved",
            "claimed_at": None,
            "failure_reason": reason,
            "next_attempt_at": self.clock() + timedelta(seconds=delay),
        }
        if not count_attempt:
            values["send_attempts"] = Draft.send_attempts - 1
        await self._release(
            draft_id, values, "draft.send_deferred", reason=reason, retry_in_seconds=delay
        )

    async def _fail(self, draft_id: int, reason: str) -> None:
        values = {
            "status": "failed",
            "failed_at": self.clock(),
            "failure_reason": reason,
            "claimed_at": None,
            "next_attempt_at": None,
        }
        await self._release(draft_id, values, "draft.send_failed", reason=reason)
        log.warning("draft %s failed to send: %s", draft_id, reason)

    async def _release(
        self, draft_id: int, values: dict[str, object], action: str, **audit: Any
    ) -> None:
        """Move a draft this process is sending (status ``sending``) on, and audit it."""
        async with self.sessions.begin() as session:
            await session.execute(
                update(Draft)
                .where(Draft.id == draft_id, Draft.status == "sending")
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            draft = await session.get(Draft, draft_id)
            record(
                session,
                Actor.worker(),
                action,
                ticket_id=draft.ticket_id if draft else None,
                draft_id=draft_id,
                changes={"status": ["sending", values["status"]]},
                **audit,
            )
