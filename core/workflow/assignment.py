"""Automatic assignment: who gets a ticket nobody owns, by skill and load.

``AutoAssigner`` runs after each triage batch (``after_triage``: the tickets whose drafts
were just stored) and as a sweep in the worker (``sweep``). In a mailbox whose strategy is
not ``manual`` (``db.models.MailboxAssignment``; no row: manual), a triaged ticket without
owner goes to one of the candidates: desk users with an agent profile, active, available,
in shift (their shift calendar, a business calendar of ``sla_calendars``, open now), with
the ticket's category among their skills, and below capacity (load: their tickets not
``waiting`` and not resolved).

Languages: a ticket knows the language its customer wrote in (``tickets.language``, from
their first mail: ``core.mail.language``). When it has one and some candidate lists
languages, only the agents who speak it fit: those whose languages include it (``pt-br``
speaks ``pt``), and those who list none, who count as speaking any language (so a desk that
never set languages assigns as before, and only a list that leaves the language out keeps
an agent from it). Nobody fitting speaks it: the fallback below applies as for a missing
skill. The reason then names both: "lowest load 3 of 15, skill Billing, language de".

- ``balanced`` picks the lowest load, ties by least recently assigned (equal loads rotate);
  ``round_robin`` the least recently assigned, whatever their load (capacity still holds).
- Nobody available has the skill (or speaks the language): the mailbox's ``fallback`` says
  ``any_agent`` (the same choice among the closest others: those who speak the language,
  then those with the skill, then everyone available) or ``leave_unassigned`` (it waits in
  the queue, and the triage channel is told once, through ``QueueAlerts``, with a
  ``ticket.left_unassigned`` audit event). Fitting agents who are all at capacity: the
  ticket stays queued for them.
- The queue is taken most urgent first, then oldest; the sweep assigns what waits as soon
  as someone has room.
- An agent away for more than 30 minutes gets their untouched tickets (no draft of it
  approved, rejected or edited by them) returned to the queue (``ticket.returned``).
- A customer's reply to a ticket resolved less than 7 days ago stays with its previous
  owner when they are available; otherwise it is returned to the queue. The intake notes
  such tickets in ``reopened_tickets`` (``core.inbound.store``); the sweep routes them.

The claim is one compare-and-set (``UPDATE tickets SET assigned_to_id = :a WHERE id = :t
AND assigned_to_id IS NULL``), in a transaction that first updates the agent's profile row
(``last_assigned_at``): on PostgreSQL that row lock queues concurrent claims for one agent
(another worker, another process), on SQLite the update takes the write lock, so the load
counted next includes every claim committed before and nobody goes over capacity. Every
assignment is audited (``ticket.assigned`` with ``changes``, ``reason`` such as "lowest load
3 of 15, skill Billing", source ``worker``) and the assignee gets a ``Notice(kind=
"assigned")`` through the injected sink, once the claim committed.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Select, and_, case, delete, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit import Actor, record
from core.vocabulary import language_code
from core.workflow.calendar_store import calendar_of
from core.workflow.notices import Notice, NoticeSink
from db.base import utcnow
from db.models import (
    AgentProfile,
    AuditEvent,
    Draft,
    DraftEdit,
    Mailbox,
    MailboxAssignment,
    ReopenedTicket,
    SlaCalendar,
    Ticket,
    User,
)
from db.models.assignment import NOT_LOAD_STATUSES
from db.session import SessionFactory, rows_changed

log = logging.getLogger(__name__)

STRATEGIES = ("balanced", "round_robin", "manual")
FALLBACKS = ("any_agent", "leave_unassigned")
AWAY_RETURN_AFTER = timedelta(minutes=30)
OWNER_KEPT_WITHIN = timedelta(days=7)
DECIDER = "auto-assignment"
_URGENCY_RANK = case(
    (Ticket.urgency == "High", 0),
    (Ticket.urgency == "Medium", 1),
    (Ticket.urgency == "Low", 2),
    else_=3,
)


class ShiftCheck(Protocol):
    async def open_at(self, calendar_ids: set[int], at: datetime) -> set[int]:
        """Which of ``calendar_ids`` are open (in business hours) at ``at``."""
        ...


class CalendarShifts:
    """Shifts from the business calendars (``sla_calendars``): one query per batch."""

    def __init__(self, sessions: SessionFactory) -> None:
        self.sessions = sessions

    async def open_at(self, calendar_ids: set[int], at: datetime) -> set[int]:
        async with self.sessions() as session:
            rows = await session.scalars(
                select(SlaCalendar).where(SlaCalendar.id.in_(sorted(calendar_ids)))
            )
            return {row.id for row in rows if calendar_of(row).is_open(at)}


@dataclass(frozen=True, slots=True)
class LeftUnassigned:
    ticket_id: int
    mailbox: str
    subject: str
    category: str | None
    reason: str
    language: str | None = None


class QueueAlerts(Protocol):
    async def left_unassigned(self, items: Sequence[LeftUnassigned]) -> None:
        """Tell the triage channel that these tickets wait with nobody to take them."""
        ...


@dataclass
class RecordingAlerts:
    """Keeps what it was told (tests)."""

    items: list[LeftUnassigned] = field(default_factory=list)

    async def left_unassigned(self, items: Sequence[LeftUnassigned]) -> None:
        self.items.extend(items)


@dataclass
class AssignReport:
    assigned: list[tuple[int, int]] = field(default_factory=list)  # (ticket, user)
    queued: list[int] = field(default_factory=list)  # skilled agents all at capacity
    left_unassigned: list[int] = field(default_factory=list)  # nobody has the skill
    returned: list[int] = field(default_factory=list)  # back to the queue
    kept_owner: list[int] = field(default_factory=list)  # reopened, previous owner kept

    def as_dict(self) -> dict[str, int]:
        return {
            "assigned": len(self.assigned),
            "queued": len(self.queued),
            "left_unassigned": len(self.left_unassigned),
            "returned": len(self.returned),
            "kept_owner": len(self.kept_owner),
        }


@dataclass
class _Agent:
    user_id: int
    email: str
    skills: frozenset[str]
    languages: frozenset[str]  # ISO 639-1 codes; empty: not listed, taken as any language
    capacity: int
    load: int
    last: datetime | None
    seq: int = 0  # claims in this batch, in order: equal clocks still rotate

    def has_room(self) -> bool:
        return self.load < self.capacity

    def skilled(self, category: str | None) -> bool:
        return category is None or category.lower() in self.skills

    def speaks(self, language: str | None) -> bool:
        return language is None or not self.languages or language in self.languages

    def recency(self) -> tuple[float, int]:
        """Least recently assigned first (never assigned: before everyone)."""
        return (self.last.timestamp() if self.last else float("-inf"), self.seq)


@dataclass(frozen=True, slots=True)
class _Queued:
    ticket_id: int
    mailbox: str
    subject: str
    category: str | None
    strategy: str
    fallback: str
    language: str | None = None


class AutoAssigner:
    def __init__(
        self,
        sessions: SessionFactory,
        sink: NoticeSink,
        clock: Callable[[], datetime] = utcnow,
        *,
        shifts: ShiftCheck | None = None,
        alerts: QueueAlerts | None = None,
        batch_limit: int = 500,
    ) -> None:
        self.sessions = sessions
        self.sink = sink
        self.clock = clock
        self.shifts = shifts or CalendarShifts(sessions)
        self.alerts = alerts
        self.batch_limit = batch_limit
        self._seq = itertools.count(1)

    # -- entry points ---------------------------------------------------------------------

    async def after_triage(self, draft_ids: Sequence[int]) -> AssignReport:
        """Assign the tickets whose drafts were just stored (those still without owner in
        a mailbox with automatic assignment)."""
        report = AssignReport()
        if draft_ids:
            chosen = select(Draft.ticket_id).where(Draft.id.in_(list(draft_ids)))
            await self._assign_queue(report, Ticket.id.in_(chosen))
        return report

    async def sweep(self) -> AssignReport:
        """Route reopened tickets, return away agents' untouched tickets, then assign
        what waits in the queue (most urgent, then oldest, first). Idempotent."""
        report = AssignReport()
        await self._route_reopened(report)
        await self._return_from_away(report)
        await self._assign_queue(report, None)
        return report

    # -- the queue --------------------------------------------------------------------------

    async def _assign_queue(self, report: AssignReport, only: Any) -> None:
        now = self.clock()
        async with self.sessions() as session:
            queue = await self._queue(session, only)
            if not queue:
                return
            agents = await self._agents(session, now)
        notices: list[Notice] = []
        left: list[tuple[_Queued, str]] = []
        for item in queue:
            outcome = await self._place(item, agents, now, notices)
            if outcome == "queued":
                report.queued.append(item.ticket_id)
            elif outcome == "left":
                left.append((item, _need(item, _language_needed(item, agents))))
                report.left_unassigned.append(item.ticket_id)
        report.assigned.extend((n.ticket_id or 0, n.user_id) for n in notices)
        await self._say_left(left, now)
        await self._notify(notices)

    async def _queue(self, session: AsyncSession, only: Any) -> list[_Queued]:
        rows = await session.execute(
            select(
                Ticket.id,
                Mailbox.name,
                Ticket.subject,
                Ticket.category,
                MailboxAssignment.strategy,
                MailboxAssignment.fallback,
                Ticket.language,
            )
            .join(MailboxAssignment, MailboxAssignment.mailbox_id == Ticket.mailbox_id)
            .join(Mailbox, Mailbox.id == Ticket.mailbox_id)
            .where(
                Ticket.assigned_to_id.is_(None),
                Ticket.status != "resolved",
                Ticket.ai_processed.is_(True),
                MailboxAssignment.strategy != "manual",
                *([only] if only is not None else []),
            )
            .order_by(_URGENCY_RANK, Ticket.received_at, Ticket.id)
            .limit(self.batch_limit)
        )
        return [_Queued(*row) for row in rows]

    async def _agents(self, session: AsyncSession, now: datetime) -> list[_Agent]:
        """The candidates (active, available, in shift) with their loads: two queries."""
        rows = list(
            await session.execute(
                select(User.id, User.email, AgentProfile)
                .join(AgentProfile, AgentProfile.user_id == User.id)
                .where(User.is_active.is_(True), AgentProfile.available.is_(True))
            )
        )
        calendars = {p.shift_calendar_id for _, _, p in rows if p.shift_calendar_id is not None}
        open_now = await self.shifts.open_at(calendars, now) if calendars else set()
        rows = [
            r for r in rows if r[2].shift_calendar_id is None or r[2].shift_calendar_id in open_now
        ]
        loads = await _loads(session, [uid for uid, _, _ in rows])
        return [
            _Agent(
                user_id=uid,
                email=email,
                skills=frozenset(s.lower() for s in p.skills),
                languages=frozenset(c for c in map(language_code, p.languages) if c),
                capacity=p.capacity,
                load=loads.get(uid, 0),
                last=p.last_assigned_at,
            )
            for uid, email, p in rows
        ]

    async def _place(
        self, item: _Queued, agents: list[_Agent], now: datetime, notices: list[Notice]
    ) -> str:
        """Assign one ticket; 'assigned', 'queued' (everyone fitting is at capacity),
        'left' (nobody has the skill or speaks the language, and the fallback leaves it) or
        'taken'."""
        language = _language_needed(item, agents)
        skilled = [a for a in agents if a.skilled(item.category) and a.speaks(language)]
        fallback: str | None = None
        if not skilled:
            if item.fallback != "any_agent" or not agents:
                return "left"
            fallback, skilled = _closest(item, language, agents)
        while True:
            room = [a for a in skilled if a.has_room()]
            if not room:
                return "queued"
            if item.strategy == "round_robin":
                room.sort(key=lambda a: (a.recency(), a.user_id))
            else:
                room.sort(key=lambda a: (a.load, a.recency(), a.user_id))
            agent = room[0]
            outcome = await self._claim(item, agent, now, language=language, fallback=fallback)
            if outcome is None:  # the agent went away or filled up meanwhile: try the next
                continue
            if outcome == "taken":
                return "taken"
            notices.append(_assigned_notice(item.ticket_id, item.subject, agent, outcome, now))
            return "assigned"

    async def _claim(
        self,
        item: _Queued,
        agent: _Agent,
        now: datetime,
        *,
        language: str | None,
        fallback: str | None,
    ) -> str | None:
        """One claim: the agent's profile row first (serialising claims for them), their
        load counted under it, then the compare-and-set on the ticket. Returns the reason
        on success, "taken" when someone else owns the ticket now, None when this agent
        cannot take it (away, full)."""
        async with self.sessions.begin() as session:
            held = await session.execute(
                update(AgentProfile)
                .where(AgentProfile.user_id == agent.user_id, AgentProfile.available.is_(True))
                .values(last_assigned_at=now)
                .returning(AgentProfile.capacity)
            )
            capacity = held.scalar_one_or_none()
            if capacity is None:
                await session.rollback()
                agent.capacity = 0  # away now: not a candidate for the rest of the batch
                return None
            load = (await _loads(session, [agent.user_id])).get(agent.user_id, 0)
            agent.capacity, agent.load = capacity, load
            if load >= capacity:
                await session.rollback()
                return None
            won = await session.execute(
                update(Ticket)
                .where(Ticket.id == item.ticket_id, Ticket.assigned_to_id.is_(None))
                .values(assigned_to_id=agent.user_id)
                .execution_options(synchronize_session=False)
            )
            if rows_changed(won) != 1:
                await session.rollback()
                return "taken"
            reason = _reason(item, load, capacity, language=language, fallback=fallback)
            record(
                session,
                Actor.worker(),
                "ticket.assigned",
                ticket_id=item.ticket_id,
                changes={"assigned_to_id": [None, agent.user_id]},
                at=now,
                assignee=agent.email,
                previous_id=None,
                decided_by=DECIDER,
                strategy=item.strategy,
                reason=reason,
            )
        agent.load += 1
        agent.last = now
        agent.seq = next(self._seq)
        return reason

    async def _say_left(self, left: list[tuple[_Queued, str]], now: datetime) -> None:
        """Tell the triage channel once per ticket that it waits with nobody to take it
        (each with what nobody available has: "skill Billing, language de")."""
        if not left:
            return
        ids = [q.ticket_id for q, _ in left]
        async with self.sessions.begin() as session:
            told = set(
                await session.scalars(
                    select(AuditEvent.ticket_id).where(
                        AuditEvent.action == "ticket.left_unassigned",
                        AuditEvent.ticket_id.in_(ids),
                    )
                )
            )
            items = [
                LeftUnassigned(
                    q.ticket_id,
                    q.mailbox,
                    q.subject,
                    q.category,
                    f"{need}; the fallback leaves it unassigned",
                    q.language,
                )
                for q, need in left
                if q.ticket_id not in told
            ]
            for i in items:
                record(
                    session,
                    Actor.worker(),
                    "ticket.left_unassigned",
                    ticket_id=i.ticket_id,
                    at=now,
                    decided_by=DECIDER,
                    reason=i.reason,
                )
        if items:
            log.warning("left unassigned (nobody has the skill or language): tickets %s", ids)
            if self.alerts is not None:
                try:
                    await self.alerts.left_unassigned(items)
                except Exception:  # telling people must not stop assignment
                    log.exception("could not tell the triage channel about unassigned tickets")

    async def _notify(self, notices: list[Notice]) -> None:
        if not notices:
            return
        try:
            await self.sink.send(notices)
        except Exception:  # the assignment stands; telling people is best effort
            log.exception("could not hand %s assignment notices over", len(notices))

    # -- away agents and reopened tickets ---------------------------------------------------

    async def _return_from_away(self, report: AssignReport) -> None:
        now = self.clock()
        since = now - AWAY_RETURN_AFTER
        decided = exists().where(
            Draft.ticket_id == Ticket.id,
            or_(
                Draft.approved_by_id == Ticket.assigned_to_id,
                Draft.rejected_by_id == Ticket.assigned_to_id,
            ),
        )
        edited = (
            exists()
            .where(DraftEdit.draft_id == Draft.id, DraftEdit.edited_by_id == Ticket.assigned_to_id)
            .where(Draft.ticket_id == Ticket.id)
        )
        async with self.sessions() as session:
            rows = list(
                await session.execute(
                    select(Ticket.id, Ticket.assigned_to_id, User.email, AgentProfile.away_since)
                    .join(AgentProfile, AgentProfile.user_id == Ticket.assigned_to_id)
                    .join(User, User.id == Ticket.assigned_to_id)
                    .join(MailboxAssignment, MailboxAssignment.mailbox_id == Ticket.mailbox_id)
                    .where(
                        AgentProfile.available.is_(False),
                        AgentProfile.away_since <= since,
                        Ticket.status != "resolved",
                        MailboxAssignment.strategy != "manual",
                        ~decided,
                        ~edited,
                    )
                    .order_by(Ticket.id)
                    .limit(self.batch_limit)
                )
            )
        for ticket_id, owner_id, email, away_since in rows:
            reason = (
                f"{email} away since {away_since.isoformat(timespec='minutes')}"
                f" (more than {int(AWAY_RETURN_AFTER.total_seconds() // 60)} minutes),"
                " no decision on it yet"
            )
            if await self._unassign(ticket_id, owner_id, now, reason):
                report.returned.append(ticket_id)

    async def _unassign(self, ticket_id: int, owner_id: int, now: datetime, reason: str) -> bool:
        async with self.sessions.begin() as session:
            return await _unassign_in(session, ticket_id, owner_id, now, reason)

    async def _route_reopened(self, report: AssignReport) -> None:
        now = self.clock()
        async with self.sessions() as session:
            rows = list(
                await session.execute(
                    select(
                        ReopenedTicket.ticket_id,
                        ReopenedTicket.resolved_at,
                        Ticket.assigned_to_id,
                        Ticket.subject,
                        MailboxAssignment.strategy,
                    )
                    .join(Ticket, Ticket.id == ReopenedTicket.ticket_id)
                    .outerjoin(MailboxAssignment, MailboxAssignment.mailbox_id == Ticket.mailbox_id)
                    .order_by(ReopenedTicket.ticket_id)
                    .limit(self.batch_limit)
                )
            )
            if not rows:
                return
            agents = {a.user_id: a for a in await self._agents(session, now)}
        notices: list[Notice] = []
        for ticket_id, resolved_at, owner_id, subject, strategy in rows:
            async with self.sessions.begin() as session:
                gone = await session.execute(
                    delete(ReopenedTicket).where(ReopenedTicket.ticket_id == ticket_id)
                )
                if rows_changed(gone) != 1 or owner_id is None or strategy in (None, "manual"):
                    continue  # another worker routed it, nobody owned it, or people assign
                owner = agents.get(owner_id)
                recent = resolved_at is not None and now - resolved_at < OWNER_KEPT_WITHIN
                if recent and owner is not None:
                    assert resolved_at is not None
                    days = (now - resolved_at).days
                    reason = (
                        f"customer replied {days} day{'s' * (days != 1)} after resolution:"
                        " back to the previous owner"
                    )
                    record(
                        session,
                        Actor.worker(),
                        "ticket.assigned",
                        ticket_id=ticket_id,
                        changes={},
                        at=now,
                        assignee=owner.email,
                        previous_id=owner_id,
                        decided_by=DECIDER,
                        reason=reason,
                    )
                    report.kept_owner.append(ticket_id)
                    notices.append(
                        Notice(
                            kind="assigned",
                            user_id=owner_id,
                            key=f"assigned:ticket:{ticket_id}:user:{owner_id}:{now.isoformat()}",
                            text=f"Ticket #{ticket_id} is back with you: {subject} ({reason})",
                            ticket_id=ticket_id,
                            data={"subject": subject, "reason": reason},
                        )
                    )
                    continue
                reason = (
                    "customer replied to a ticket resolved more than 7 days ago"
                    if not recent
                    else "customer replied; the previous owner is not available"
                )
                if await _unassign_in(session, ticket_id, owner_id, now, reason):
                    report.returned.append(ticket_id)
        await self._notify(notices)


async def _unassign_in(
    session: AsyncSession, ticket_id: int, owner_id: int, now: datetime, reason: str
) -> bool:
    """Back to the queue, if ``owner_id`` still owns it (a compare-and-set)."""
    result = await session.execute(
        update(Ticket)
        .where(Ticket.id == ticket_id, Ticket.assigned_to_id == owner_id)
        .values(assigned_to_id=None)
        .execution_options(synchronize_session=False)
    )
    if rows_changed(result) != 1:
        return False
    record(
        session,
        Actor.worker(),
        "ticket.returned",
        ticket_id=ticket_id,
        changes={"assigned_to_id": [owner_id, None]},
        at=now,
        decided_by=DECIDER,
        reason=reason,
    )
    return True


async def open_loads(session: AsyncSession, user_ids: Iterable[int]) -> dict[int, int]:
    """Each user's load: their tickets neither waiting on the customer nor resolved (also
    the SLA escalation's, ``core.workflow.sla_sweep``, to pick the least-loaded manager)."""
    ids = list(user_ids)
    if not ids:
        return {}
    rows = await session.execute(open_loads_query(ids))
    return {int(uid): int(n) for uid, n in rows}


def open_loads_query(ids: Sequence[int]) -> Select[tuple[int | None, int]]:
    """The statement of ``open_loads`` (``ix_tickets_assignee_status``)."""
    return (
        select(Ticket.assigned_to_id, func.count())
        .where(and_(Ticket.assigned_to_id.in_(ids), Ticket.status.not_in(NOT_LOAD_STATUSES)))
        .group_by(Ticket.assigned_to_id)
    )


_loads = open_loads


def _language_needed(item: _Queued, agents: Sequence[_Agent]) -> str | None:
    """The ticket's language when it decides: the ticket has one and some candidate lists
    languages (when nobody lists any, everyone speaks everything)."""
    if item.language is None or not any(a.languages for a in agents):
        return None
    return item.language


def _need(item: _Queued, language: str | None) -> str:
    """What nobody available has: "no available agent with skill Billing, language de"."""
    parts = [f"skill {item.category}"] if item.category else []
    parts += [f"language {language}"] if language else []
    return "no available agent" + (f" with {', '.join(parts)}" if parts else "")


def _closest(
    item: _Queued, language: str | None, agents: Sequence[_Agent]
) -> tuple[str, list[_Agent]]:
    """The ``any_agent`` fallback's choice when nobody fits: those who speak the language
    (an agent who cannot read the mail helps least), then those with the skill, then
    anyone; with what they were taken as, for the reason."""
    groups: list[tuple[str, list[_Agent]]] = []
    if language is not None:
        groups.append(
            (f"an agent with language {language}", [a for a in agents if a.speaks(language)])
        )
        if item.category:
            groups.append(
                (
                    f"an agent with skill {item.category}",
                    [a for a in agents if a.skilled(item.category)],
                )
            )
    groups.append(("any agent", list(agents)))
    return next((label, group) for label, group in groups if group)


def _reason(
    item: _Queued, load: int, capacity: int, *, language: str | None, fallback: str | None
) -> str:
    skill = f"skill {item.category}" if item.category else "no category"
    if language is not None:
        skill += f", language {language}"
    if fallback is not None:
        return f"{_need(item, language)}: {fallback}, load {load} of {capacity}"
    if item.strategy == "round_robin":
        return f"round robin: least recently assigned, load {load} of {capacity}, {skill}"
    return f"lowest load {load} of {capacity}, {skill}"


def _assigned_notice(
    ticket_id: int, subject: str, agent: _Agent, reason: str, now: datetime
) -> Notice:
    return Notice(
        kind="assigned",
        user_id=agent.user_id,
        key=f"assigned:ticket:{ticket_id}:user:{agent.user_id}:{now.isoformat()}",
        text=f"Ticket #{ticket_id} is yours: {subject} ({reason})",
        ticket_id=ticket_id,
        data={"subject": subject, "reason": reason},
    )
