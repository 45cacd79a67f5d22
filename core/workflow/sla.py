"""SLA clocks: the rules that start, pause, resume and stop them (``SlaClocks``, the
``core.ticket_events.TicketEvents`` the ingest's store, the sender, triage and status
changes call inside their own transactions), and what a policy gives a ticket.

Three metrics per ticket, each a row of ``sla_clocks``:

- ``first_response``: from the ticket's arrival to the first reply *sent* (a draft waiting
  for approval is no answer).
- ``next_response``: each customer message on a ticket already answered opens a cycle (1,
  2, ...) that only a sent reply closes; more mail while one is open adds nothing.
- ``resolution``: from arrival to ``resolved``. The status ``waiting`` (on the customer)
  pauses it; the customer's next mail resumes it; a reopen resumes it too, with the
  business time used so far kept.

A running clock keeps ``resumed_at`` and ``elapsed_seconds`` (business time used before
it), so ``due_at = calendar.add(resumed_at, target - elapsed)``; pausing or stopping banks
the business time since ``resumed_at``. A policy change (or a ticket matching another
policy after triage) banks what was used under the old calendar and counts the rest with
the new one: elapsed business time is kept. ``next_alert_at`` is the next warning level's
instant or the due time, what ``SlaSweep`` reads.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import ValidationError
from core.tickets.sla_due import BREACH_LEVEL  # in ``warned``: the breach was told
from core.vocabulary import SLA_METRICS
from core.workflow.calendar_store import calendar_of
from core.workflow.calendars import BusinessCalendar
from db.base import utcnow
from db.bulk import bulk_insert, table_of
from db.models import SlaCalendar, SlaClock, SlaPolicy, Ticket

log = logging.getLogger(__name__)

FIRST_RESPONSE, NEXT_RESPONSE, RESOLUTION = METRICS = SLA_METRICS
DEFAULT_WARN_LEVELS = (75, 90)
# business time: m minutes, h hours, d days of 24 business hours
_DURATION = re.compile(r"^\s*(\d{1,6})\s*([mhd])\s*$")
_UNIT_MINUTES = {"m": 1, "h": 60, "d": 24 * 60}
MAX_TARGET_MINUTES = 366 * 24 * 60


def parse_target(text: str | int, *, field: str = "target") -> int:
    """``"30m"``, ``"4h"``, ``"3d"`` (or minutes as a number) -> business minutes; a day
    is 24 business hours. Zero, negative or past a year: ValidationError."""
    if isinstance(text, int):
        minutes = text
    else:
        found = _DURATION.match(text)
        if found is None:
            raise ValidationError(
                f"{field}: {str(text)[:40]!r} is not a duration like 30m, 4h or 3d", field=field
            )
        minutes = int(found.group(1)) * _UNIT_MINUTES[found.group(2)]
    if not 0 < minutes <= MAX_TARGET_MINUTES:
        raise ValidationError(f"{field}: a target is 1 minute to 366 days", field=field)
    return minutes


def format_target(minutes: int | None) -> str:
    if minutes is None:
        return "-"
    if minutes % (24 * 60) == 0:
        return f"{minutes // (24 * 60)}d"
    if minutes % 60 == 0:
        return f"{minutes // 60}h"
    return f"{minutes}m"


@dataclass(frozen=True, slots=True)
class Policy:
    """A policy as the clocks use it: its calendar ready for arithmetic."""

    id: int
    name: str
    position: int
    category: str | None
    urgency: str | None
    calendar_id: int
    calendar_name: str
    calendar: BusinessCalendar
    targets: Mapping[str, int | None]
    warn_levels: tuple[int, ...]
    version: int
    is_default: bool
    escalate_raise_urgency: bool = False
    escalate_to_id: int | None = None
    escalate_to_group: str | None = None  # "managers": the least-loaded available one

    def matches(self, category: str | None, urgency: str | None) -> bool:
        return (self.category is None or self.category == category) and (
            self.urgency is None or self.urgency == urgency
        )


def policy_of(row: SlaPolicy, calendar: SlaCalendar) -> Policy:
    return Policy(
        id=row.id,
        name=row.name,
        position=row.position,
        category=row.category,
        urgency=row.urgency,
        calendar_id=calendar.id,
        calendar_name=calendar.name,
        calendar=calendar_of(calendar),
        targets={
            FIRST_RESPONSE: row.first_response_minutes,
            NEXT_RESPONSE: row.next_response_minutes,
            RESOLUTION: row.resolution_minutes,
        },
        warn_levels=tuple(sorted(set(row.warn_levels or ()))),
        version=row.version,
        is_default=row.is_default,
        escalate_raise_urgency=row.escalate_raise_urgency,
        escalate_to_id=row.escalate_to_id,
        escalate_to_group=row.escalate_to_group,
    )


async def load_policies(session: AsyncSession) -> list[Policy]:
    """Every policy in matching order (position, then id): one query."""
    rows = await session.execute(
        select(SlaPolicy, SlaCalendar)
        .join(SlaCalendar, SlaCalendar.id == SlaPolicy.calendar_id)
        .order_by(SlaPolicy.position, SlaPolicy.id)
    )
    return [policy_of(p, c) for p, c in rows.tuples()]


def match_policy(
    policies: Sequence[Policy], category: str | None, urgency: str | None
) -> Policy | None:
    """The first policy (in order) whose criteria the ticket meets, else the default."""
    for p in policies:
        if not p.is_default and p.matches(category, urgency):
            return p
    return next((p for p in policies if p.is_default), None)


# -- one clock's arithmetic ---------------------------------------------------------------


def running(clock: SlaClock) -> bool:
    return clock.stopped_at is None and clock.paused_at is None


def _bank(clock: SlaClock, cal: BusinessCalendar, at: datetime) -> None:
    """Add the business time since ``resumed_at`` to ``elapsed_seconds`` (running clock)."""
    if at > clock.resumed_at:
        clock.elapsed_seconds += int(cal.between_seconds(clock.resumed_at, at))
        clock.resumed_at = at


def warn_instant(clock: SlaClock, cal: BusinessCalendar, level: int) -> datetime:
    """When a running clock reaches ``level`` percent of its target."""
    need = clock.target_minutes * 60 * level / 100 - clock.elapsed_seconds
    return clock.resumed_at if need <= 0 else cal.add_seconds(clock.resumed_at, need)


def schedule(clock: SlaClock, cal: BusinessCalendar, levels: Iterable[int]) -> None:
    """``due_at`` and ``next_alert_at`` of a running clock."""
    left = clock.target_minutes * 60 - clock.elapsed_seconds
    clock.due_at = clock.resumed_at if left <= 0 else cal.add_seconds(clock.resumed_at, left)
    clock.next_alert_at = next_alert(clock, cal, levels)


def next_alert(clock: SlaClock, cal: BusinessCalendar, levels: Iterable[int]) -> datetime | None:
    """The next warning level not fired yet, or the due time; None once the breach was
    told, or while the clock is paused or stopped."""
    fired = set(clock.warned or ())
    if not running(clock) or BREACH_LEVEL in fired:
        return None
    instants = [warn_instant(clock, cal, lv) for lv in levels if lv not in fired and lv < 100]
    return min([*instants, clock.due_at])


def pause(clock: SlaClock, cal: BusinessCalendar, at: datetime) -> None:
    if running(clock):
        _bank(clock, cal, at)
        clock.paused_at = at
        clock.next_alert_at = None


def resume(clock: SlaClock, cal: BusinessCalendar, levels: Iterable[int], at: datetime) -> None:
    """Run a paused clock again, or one stopped by a resolution (a reopen)."""
    if clock.paused_at is not None:
        clock.paused_seconds += max(0, int((at - clock.paused_at).total_seconds()))
        clock.paused_at = None
    elif clock.stopped_at is not None and clock.stop_reason == "resolved":
        clock.stopped_at = None
        clock.stop_reason = None
    else:
        return
    clock.resumed_at = max(at, clock.resumed_at)
    schedule(clock, cal, levels)


def stop(clock: SlaClock, cal: BusinessCalendar, at: datetime, reason: str) -> None:
    if clock.stopped_at is not None:
        return
    if clock.paused_at is not None:
        clock.paused_seconds += max(0, int((at - clock.paused_at).total_seconds()))
        clock.paused_at = None
    else:
        _bank(clock, cal, at)
        if clock.breached_at is None and clock.elapsed_seconds >= clock.target_minutes * 60:
            clock.breached_at = clock.due_at  # breached before a sweep saw it
    clock.stopped_at = at
    clock.stop_reason = reason
    clock.next_alert_at = None


def retarget(
    clock: SlaClock, old: BusinessCalendar | None, policy: Policy, target: int, at: datetime
) -> None:
    """Put an open clock on another policy (or version): the business time used so far is
    kept, the rest is counted with the new calendar and target."""
    if running(clock) and old is not None:
        _bank(clock, old, at)
    clock.policy_id, clock.policy_version, clock.target_minutes = policy.id, policy.version, target
    if running(clock):
        clock.resumed_at = max(at, clock.resumed_at)
        schedule(clock, policy.calendar, policy.warn_levels)


def new_clock(
    ticket_id: int, metric: str, cycle: int, policy: Policy, target: int, at: datetime
) -> SlaClock:
    clock = SlaClock(
        ticket_id=ticket_id,
        metric=metric,
        cycle=cycle,
        policy_id=policy.id,
        policy_version=policy.version,
        target_minutes=target,
        started_at=at,
        resumed_at=at,
        elapsed_seconds=0,
        paused_seconds=0,
        warned=[],
    )
    schedule(clock, policy.calendar, policy.warn_levels)
    return clock


def _row(clock: SlaClock) -> dict[str, Any]:
    return {c.name: getattr(clock, c.key) for c in table_of(SlaClock).columns if c.name != "id"}


# -- the rules ----------------------------------------------------------------------------


@dataclass
class _Ticket:
    clocks: list[SlaClock] = field(default_factory=list)

    def open(self, metric: str) -> list[SlaClock]:
        return [c for c in self.clocks if c.metric == metric and c.stopped_at is None]

    def of(self, metric: str) -> list[SlaClock]:
        return [c for c in self.clocks if c.metric == metric]


class SlaClocks:
    """The clock rules, told of each ticket event in the caller's transaction."""

    def __init__(self, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.clock = clock

    def _at(self, at: datetime) -> datetime:
        """An event's time, never in the future (a Date header may lie)."""
        return min(at, self.clock())

    async def _clocks(self, session: AsyncSession, ticket_ids: Iterable[int]) -> dict[int, _Ticket]:
        ids = sorted(set(ticket_ids))
        out: dict[int, _Ticket] = {t: _Ticket() for t in ids}
        for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
            rows = await session.scalars(
                select(SlaClock)
                .where(SlaClock.ticket_id.in_(chunk))
                .order_by(SlaClock.ticket_id, SlaClock.metric, SlaClock.cycle)
            )
            for clock in rows:
                out[clock.ticket_id].clocks.append(clock)
        return out

    @staticmethod
    def _policy(policies: Sequence[Policy], clocks: Sequence[SlaClock]) -> Policy | None:
        by_id = {p.id: p for p in policies}
        for clock in clocks:
            if clock.policy_id in by_id:
                return by_id[clock.policy_id]
        return None

    async def opened(self, session: AsyncSession, tickets: Sequence[tuple[int, datetime]]) -> None:
        """Start first response and resolution, on the policy for a ticket not triaged yet
        (one that names no category or urgency, or the default): two statements a batch."""
        if not tickets:
            return
        policy = match_policy(await load_policies(session), None, None)
        if policy is None:
            return
        rows = [
            _row(new_clock(tid, metric, 0, policy, target, self._at(at)))
            for tid, at in tickets
            for metric in (FIRST_RESPONSE, RESOLUTION)
            if (target := policy.targets[metric]) is not None
        ]
        await bulk_insert(session, table_of(SlaClock), rows)

    async def classified(self, session: AsyncSession, ticket_id: int, at: datetime) -> None:
        """Match the ticket to a policy again now that its category/urgency are known."""
        await self.classified_many(session, [ticket_id], at)

    async def classified_many(
        self, session: AsyncSession, ticket_ids: Sequence[int], at: datetime
    ) -> None:
        """``classified`` for the tickets of a triage batch: one read of the tickets, the
        policies and the clocks, one flush."""
        at = self._at(at)
        ids = sorted(set(ticket_ids))
        if not ids:
            return
        # columns, not the entity: the caller may hold the ticket from before its UPDATE
        tickets = {}
        for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
            for row in await session.execute(
                select(
                    Ticket.id,
                    Ticket.category,
                    Ticket.urgency,
                    Ticket.status,
                    Ticket.created_at,
                    Ticket.first_response_at,
                ).where(Ticket.id.in_(chunk))
            ):
                tickets[row.id] = row
        if not tickets:
            return
        policies = await load_policies(session)
        states = await self._clocks(session, list(tickets))
        for ticket_id, ticket in tickets.items():
            policy = match_policy(policies, ticket.category, ticket.urgency)
            if policy is None:
                continue
            state = states[ticket_id]
            if state.clocks:
                self._retarget(state.clocks, policies, policy, at)
                continue
            if ticket.status == "resolved":
                continue
            start = self._at(ticket.created_at)  # when the desk stored it
            for metric in (FIRST_RESPONSE, RESOLUTION):
                target = policy.targets[metric]
                if target is None or (metric == FIRST_RESPONSE and ticket.first_response_at):
                    continue
                clock = new_clock(ticket_id, metric, 0, policy, target, start)
                session.add(clock)
                if metric == RESOLUTION and ticket.status == "waiting":
                    pause(clock, policy.calendar, at)
        await session.flush()

    @staticmethod
    def _retarget(
        clocks: Iterable[SlaClock], policies: Sequence[Policy], policy: Policy, at: datetime
    ) -> None:
        """``policies``: as they were when the clocks last moved (their old calendars)."""
        by_id = {p.id: p for p in policies}
        for clock in clocks:
            if clock.stop_reason == "policy" and policy.targets[clock.metric] is not None:
                # a policy without this target had stopped it: this one measures it again
                clock.stopped_at, clock.stop_reason = None, None
                clock.resumed_at = max(at, clock.resumed_at)
                clock.policy_id = None  # what it used so far is banked already
            if clock.stopped_at is not None:
                continue
            if clock.policy_id == policy.id and clock.policy_version == policy.version:
                continue
            target = policy.targets[clock.metric]
            old = by_id.get(clock.policy_id or -1)
            if target is None:  # the new policy does not track this metric
                stop(clock, old.calendar if old else policy.calendar, at, "policy")
                continue
            retarget(clock, old.calendar if old else None, policy, target, at)

    async def customer_wrote(self, session: AsyncSession, tickets: Mapping[int, datetime]) -> None:
        """A customer message on existing tickets: resume resolution (waiting, or a
        reopen), resume a first response a resolution had stopped, else open a next
        response cycle unless one is open. One read and one flush a batch."""
        if not tickets:
            return
        states = await self._clocks(session, tickets)
        if not any(s.clocks for s in states.values()):
            return
        policies = await load_policies(session)
        for tid, state in states.items():
            policy = self._policy(policies, state.clocks)
            if policy is None:
                continue
            at = self._at(tickets[tid])
            cal, levels = policy.calendar, policy.warn_levels
            for clock in state.of(RESOLUTION):
                resume(clock, cal, levels, at)
            first = state.of(FIRST_RESPONSE)
            for clock in first:
                resume(clock, cal, levels, at)
            if any(c.stopped_at is None for c in first):
                continue  # not answered yet: the first response covers this mail
            target = policy.targets[NEXT_RESPONSE]
            if target is None or state.open(NEXT_RESPONSE):
                continue
            cycle = max((c.cycle for c in state.of(NEXT_RESPONSE)), default=0) + 1
            session.add(new_clock(tid, NEXT_RESPONSE, cycle, policy, target, at))
        await session.flush()

    async def reply_sent(self, session: AsyncSession, ticket_id: int, at: datetime) -> None:
        """A sent reply meets the first response and closes the open next response cycle."""
        at = self._at(at)
        state = (await self._clocks(session, [ticket_id]))[ticket_id]
        responses = [*state.open(FIRST_RESPONSE), *state.open(NEXT_RESPONSE)]
        if not responses:
            return
        policies = {p.id: p for p in await load_policies(session)}
        for clock in responses:
            policy = policies.get(clock.policy_id or -1)
            if policy is not None:
                stop(clock, policy.calendar, at, "reply")
        await session.flush()

    async def status_changed(
        self, session: AsyncSession, ticket_id: int, status: str, at: datetime
    ) -> None:
        """``waiting`` pauses resolution, ``resolved`` stops every clock, another status
        (a reopen) resumes what waiting or resolving had held."""
        at = self._at(at)
        state = (await self._clocks(session, [ticket_id]))[ticket_id]
        if not state.clocks:
            return
        policies = {p.id: p for p in await load_policies(session)}
        for clock in state.clocks:
            policy = policies.get(clock.policy_id or -1)
            if policy is None:
                continue
            if status == "resolved":
                stop(clock, policy.calendar, at, "resolved")
            elif status == "waiting":
                if clock.metric == RESOLUTION:
                    pause(clock, policy.calendar, at)
            elif clock.metric in (RESOLUTION, FIRST_RESPONSE):
                resume(clock, policy.calendar, policy.warn_levels, at)
        await session.flush()

    async def reapply(
        self,
        session: AsyncSession,
        at: datetime,
        *,
        previous: Sequence[Policy] = (),
        ticket_ids: Sequence[int] | None = None,
    ) -> int:
        """After a policy change: each ticket with open clocks takes the policy it matches
        now (or its new version), keeping the business time used, counted up to ``at`` on
        the calendars of ``previous`` (the policies before the change). Returns the clocks
        moved."""
        at = self._at(at)
        policies = await load_policies(session)
        before = {p.id: p for p in policies} | {p.id: p for p in previous}
        # open clocks, and those a policy without their target stopped (another may measure them)
        q = select(SlaClock).where(
            or_(SlaClock.stopped_at.is_(None), SlaClock.stop_reason == "policy")
        )
        if ticket_ids is not None:
            q = q.where(SlaClock.ticket_id.in_(sorted(set(ticket_ids))))
        clocks = list(await session.scalars(q.order_by(SlaClock.ticket_id)))
        if not clocks:
            return 0
        ids = sorted({c.ticket_id for c in clocks})
        kinds: dict[int, tuple[str | None, str | None]] = {}
        for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
            rows = await session.execute(
                select(Ticket.id, Ticket.category, Ticket.urgency).where(Ticket.id.in_(chunk))
            )
            kinds.update({tid: (c, u) for tid, c, u in rows.tuples()})
        moved = 0
        for clock in clocks:
            policy = match_policy(policies, *kinds.get(clock.ticket_id, (None, None)))
            if policy is None:
                continue
            was = (clock.policy_id, clock.policy_version)
            self._retarget([clock], list(before.values()), policy, at)
            moved += (clock.policy_id, clock.policy_version) != was
        await session.flush()
        return moved
