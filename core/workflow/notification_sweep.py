"""The notification sweep (the worker runs it every minute): the notices no other part of
the desk produces, found by looking, so that nothing is hooked into mail intake's
transaction and a sweep that runs twice (or in two workers) finds the same notices under
the same keys, which the notification service then sends once.

- ``high_urgency``: a ticket triaged High urgency: to its assignee, or, while it has none,
  to the desk's active managers (admins when there is no manager);
  key ``high_urgency:ticket:<id>:user:<id>``.
- ``customer_replied``: a customer's message (not the first of its ticket) on an assigned
  ticket, unless the desk already answered after it; key ``customer_replied:message:<id>``.
- ``draft_waiting``: a pending draft on a ticket assigned to you, older than your
  ``draft_waiting_minutes``; key ``draft_waiting:draft:<id>``.
- ``digest``: from 09:00 in each user's zone on their business days, once a day: their
  open tickets, at risk, breached (their open SLA clocks) and drafts waiting for them;
  an empty digest is recorded as skipped and not sent; key ``digest:user:<id>:<date>``.

Intake and triage are looked at over ``lookback`` (default two hours) only: a desk that
turns notifications on is not flooded with old news, and a worker down for less than that
misses nothing. All of a sweep's notices go to the service in one call, with the held and
retried ones, so a burst becomes one message per user and kind.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import String, and_, cast, distinct, exists, func, select
from sqlalchemy.orm import aliased

from core.workflow.alerts import NotificationService, SendReport
from core.workflow.notices import Notice
from db.base import utcnow
from db.models import Draft, Message, SlaClock, Ticket, User
from db.session import SessionFactory

log = logging.getLogger(__name__)

DIGEST_AT = time(9, 0)
LOOKBACK = timedelta(hours=2)
DRAFT_WAITING_HORIZON = timedelta(days=7)
OPEN = ("resolved",)  # statuses that are not open


@dataclass
class SweepReport:
    found: dict[str, int] = field(default_factory=dict)
    empty_digests: int = 0
    send: SendReport = field(default_factory=SendReport)

    def as_dict(self) -> dict[str, object]:
        return {"found": dict(self.found), "empty_digests": self.empty_digests} | {
            "send": self.send.as_dict()
        }


@dataclass(frozen=True, slots=True)
class Digest:
    open: int = 0
    at_risk: int = 0
    breached: int = 0
    drafts_waiting: int = 0

    @property
    def empty(self) -> bool:
        return not (self.open or self.at_risk or self.breached or self.drafts_waiting)


class NotificationSweep:
    def __init__(
        self,
        sessions: SessionFactory,
        *,
        service: NotificationService,
        clock: Callable[[], datetime] = utcnow,
        lookback: timedelta = LOOKBACK,
    ) -> None:
        self.sessions = sessions
        self.service = service
        self.clock = clock
        self.lookback = lookback

    async def run(self) -> SweepReport:
        now = self.clock()
        report = SweepReport()
        notices: list[Notice] = []
        for kind, produce in (
            ("high_urgency", self.high_urgency),
            ("customer_replied", self.customer_replied),
            ("draft_waiting", self.drafts_waiting),
        ):
            found = await produce(now)
            report.found[kind] = len(found)
            notices += found
        digests, empty = await self.digests(now)
        report.found["digest"] = len(digests)
        report.empty_digests = await self.service.record_skipped(empty, "empty digest")
        notices += digests
        report.send = await self.service.deliver_report(notices, release=True)
        return report

    # -- producers ----------------------------------------------------------------------------

    async def high_urgency(self, now: datetime) -> list[Notice]:
        since = now - self.lookback
        async with self.sessions() as session:
            tickets = (
                await session.execute(
                    select(Ticket.id, Ticket.subject, Ticket.assigned_to_id).where(
                        Ticket.urgency == "High",
                        Ticket.status.not_in(OPEN),
                        Ticket.received_at >= since,
                        Ticket.received_at <= now,
                    )
                )
            ).all()
            if not tickets:
                return []
            managers = list(
                await session.scalars(
                    select(User.id).where(User.is_active.is_(True), User.role == "manager")
                )
            ) or list(
                await session.scalars(
                    select(User.id).where(User.is_active.is_(True), User.role == "admin")
                )
            )
        out = []
        for ticket_id, subject, assignee in tickets:
            for uid in [assignee] if assignee else managers:
                out.append(
                    Notice(
                        kind="high_urgency",
                        user_id=uid,
                        key=f"high_urgency:ticket:{ticket_id}:user:{uid}",
                        text=f"#{ticket_id} High urgency: {_one_line(subject)}",
                        ticket_id=ticket_id,
                        data={"ticket_id": ticket_id, "assigned": bool(assignee)},
                    )
                )
        return out

    async def customer_replied(self, now: datetime) -> list[Notice]:
        since = now - self.lookback
        answer = aliased(Message)
        async with self.sessions() as session:
            rows = (
                await session.execute(
                    select(
                        Message.id,
                        Message.ticket_id,
                        Message.from_email,
                        Ticket.subject,
                        Ticket.assigned_to_id,
                    )
                    .join(Ticket, Ticket.id == Message.ticket_id)
                    .where(
                        Message.direction == "in",
                        Message.kind == "customer",
                        Message.received_at >= since,
                        Message.received_at <= now,
                        Message.message_id != Ticket.message_id,
                        Ticket.assigned_to_id.is_not(None),
                        ~exists().where(
                            and_(
                                answer.ticket_id == Message.ticket_id,
                                answer.direction == "out",
                                answer.received_at > Message.received_at,
                            )
                        ),
                    )
                    .order_by(Message.id)
                )
            ).all()
        return [
            Notice(
                kind="customer_replied",
                user_id=assignee,
                key=f"customer_replied:message:{message_id}",
                text=f"#{ticket_id} {sender} replied: {_one_line(subject)}",
                ticket_id=ticket_id,
                data={"ticket_id": ticket_id, "message_id": message_id},
            )
            for message_id, ticket_id, sender, subject, assignee in rows
        ]

    async def drafts_waiting(self, now: datetime) -> list[Notice]:
        async with self.sessions() as session:
            rows = (
                await session.execute(
                    select(
                        Draft.id, Draft.created_at, Ticket.id, Ticket.subject, Ticket.assigned_to_id
                    )
                    .join(Ticket, Ticket.id == Draft.ticket_id)
                    .where(
                        Draft.status == "pending",
                        Ticket.assigned_to_id.is_not(None),
                        Draft.created_at >= now - DRAFT_WAITING_HORIZON,
                        Draft.created_at <= now,
                    )
                    .order_by(Draft.id)
                )
            ).all()
        if not rows:
            return []
        prefs = await self.service.preferences_for({r[4] for r in rows})
        out = []
        for draft_id, created, ticket_id, subject, assignee in rows:
            minutes = prefs[assignee].draft_waiting_minutes
            waited = int((now - created).total_seconds() // 60)
            if waited < minutes:
                continue
            out.append(
                Notice(
                    kind="draft_waiting",
                    user_id=assignee,
                    key=f"draft_waiting:draft:{draft_id}",
                    text=f"#{ticket_id} a draft has waited {waited} min for your approval: "
                    f"{_one_line(subject)}",
                    ticket_id=ticket_id,
                    data={"ticket_id": ticket_id, "draft_id": draft_id, "minutes": waited},
                )
            )
        return out

    async def digests(self, now: datetime) -> tuple[list[Notice], list[Notice]]:
        """(digests to send, empty ones to record as skipped) for the users whose digest
        is due: 09:00 or later on one of their business days, local time."""
        async with self.sessions() as session:
            users = list(await session.scalars(select(User.id).where(User.is_active.is_(True))))
        prefs = await self.service.preferences_for(users)
        due: dict[int, str] = {}
        for uid, p in prefs.items():
            local = p.local(now)
            if p.channel("digest") == "none" or not p.business_day(local.date()):
                continue
            if local.time() >= DIGEST_AT:
                due[uid] = local.date().isoformat()
        if not due:
            return [], []
        counts = await self._digest_counts(list(due))
        send: list[Notice] = []
        empty: list[Notice] = []
        for uid, day in due.items():
            d = counts.get(uid, Digest())
            notice = Notice(
                kind="digest",
                user_id=uid,
                key=f"digest:user:{uid}:{day}",
                text="\n".join(
                    [
                        f"Your support desk digest for {day}",
                        f"Open tickets: {d.open}",
                        f"At risk of an SLA breach: {d.at_risk}",
                        f"Breached an SLA target: {d.breached}",
                        f"Drafts waiting for your approval: {d.drafts_waiting}",
                    ]
                ),
                data={
                    "date": day,
                    "open": d.open,
                    "at_risk": d.at_risk,
                    "breached": d.breached,
                    "drafts_waiting": d.drafts_waiting,
                },
            )
            (empty if d.empty else send).append(notice)
        return send, empty

    async def _digest_counts(self, user_ids: list[int]) -> dict[int, Digest]:
        """Per user: open tickets assigned to them, pending drafts on those, and those
        with an open SLA clock past a warning level (at risk) or past its due time
        (breached)."""

        async def with_clocks(session: Any, *conds: Any) -> dict[int, int]:
            rows = await session.execute(
                select(Ticket.assigned_to_id, func.count(distinct(Ticket.id)))
                .join(SlaClock, SlaClock.ticket_id == Ticket.id)
                .where(
                    Ticket.assigned_to_id.in_(user_ids),
                    Ticket.status.not_in(OPEN),
                    SlaClock.stopped_at.is_(None),
                    *conds,
                )
                .group_by(Ticket.assigned_to_id)
            )
            return {int(uid): int(n) for uid, n in rows}

        async with self.sessions() as session:
            at_risk = await with_clocks(
                session, SlaClock.breached_at.is_(None), cast(SlaClock.warned, String) != "[]"
            )
            breached = await with_clocks(session, SlaClock.breached_at.is_not(None))
            open_ = {
                int(uid): int(n)
                for uid, n in await session.execute(
                    select(Ticket.assigned_to_id, func.count())
                    .where(Ticket.assigned_to_id.in_(user_ids), Ticket.status.not_in(OPEN))
                    .group_by(Ticket.assigned_to_id)
                )
            }
            drafts = {
                int(uid): int(n)
                for uid, n in await session.execute(
                    select(Ticket.assigned_to_id, func.count())
                    .join(Draft, Draft.ticket_id == Ticket.id)
                    .where(Ticket.assigned_to_id.in_(user_ids), Draft.status == "pending")
                    .group_by(Ticket.assigned_to_id)
                )
            }
        return {
            uid: Digest(
                open=int(open_.get(uid, 0)),
                at_risk=at_risk.get(uid, 0),
                breached=breached.get(uid, 0),
                drafts_waiting=int(drafts.get(uid, 0)),
            )
            for uid in user_ids
        }


def _one_line(text: str | None, limit: int = 120) -> str:
    flat = " ".join((text or "").split()) or "(no subject)"
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
