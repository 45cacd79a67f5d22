"""The SLA sweep: every minute in the worker, the running clocks whose next alert has come
(a warning level or the due time) fire it, once.

It reads only the clocks due (``next_alert_at <= now``, a partial index), so its cost
follows what is due, not how many tickets are open. Each clock is moved on by a
compare-and-set on the ``next_alert_at`` it was read with (and still running): of two
sweeps, or a sweep and a sent reply, one wins, and only the winner's notices are sent. On
PostgreSQL the rows are also taken ``FOR UPDATE SKIP LOCKED``, so two workers split the
work instead of waiting on each other, and since nobody else can move a clock it holds,
the sweep's compare-and-sets run as one executemany (psycopg pipelines it: one round trip
instead of one per clock); on SQLite each clock is its own statement (in-process, cheap).
The clocks read take their new values as committed ones, so the session writes nothing
more at commit. ``bench/sla.py`` measures it over 100,000 open tickets.

Warnings (``sla_warning``) go to the assignee (to the managers when nobody has the ticket);
breaches (``sla_breach``, urgent) to the assignee and the managers (active users with the
role ``manager``; the admins when there are none). On breach the policy's escalation runs
in the same transaction: raise the ticket's urgency one step, reassign it to a manager, or
to the group ``managers``: the least-loaded active manager or admin who is available
(their agent profile available and below capacity, when they have one; load as automatic
assignment counts it, ``core.workflow.assignment.open_loads``), ties by least recently
assigned. With none available the owner keeps the ticket, and the ``sla.escalated`` audit
event's ``reason`` and the ``Breach.note`` say so.
Notices go to the sink after the commit; if the sink fails, the levels it carried are
marked unfired again, so the next sweep retries them (the sink drops a ``key`` it has
sent before). The report names the tickets whose clocks moved, so the worker re-renders
their Slack cards (amber at a warning, red at the breach).

A sweep may also be given ``BreachAlerts`` (the worker's posts in the breach channel,
``bot.breach_alerts``): after the commit it is handed, in one call, the breaches this sweep
fired for the first time (a clock's ``breached_at`` set by this sweep), with what the
escalation did. So a breach is told there once: not again when a failed sink has the
breach notices retried, and not at all by a sweep that lost the clock. A failure of the
alerts is logged and does not stop the sweep; it is not retried (the DMs are).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, cast

from sqlalchemy import Select, Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from core.audit import Actor, record
from core.errors import InvalidTransition
from core.vocabulary import URGENCIES
from core.workflow.assignment import open_loads
from core.workflow.notices import Notice, NoticeSink
from core.workflow.sla import BREACH_LEVEL, Policy, load_policies, next_alert, warn_instant
from db.base import utcnow
from db.models import AgentProfile, SlaClock, Ticket, User
from db.session import SessionFactory, is_postgres, rows_changed

log = logging.getLogger(__name__)

LABELS = {"first_response": "first response", "next_response": "next response"}
BATCH = 1000  # clocks per executemany on PostgreSQL

# a clock moved on by the sweep: its levels told, its breach noted, its next alert
_MOVE = update(SlaClock).execution_options(synchronize_session=False)
# the same for many clocks at once, as a Core statement for executemany (bound per
# clock: b_id, b_seen, b_warned, b_breached_at, b_next)
_CLOCKS = cast(Table, SlaClock.__table__)
_HELD_MOVE = (
    update(_CLOCKS)
    .where(
        _CLOCKS.c.id == bindparam("b_id"),
        _CLOCKS.c.next_alert_at == bindparam("b_seen"),
        _CLOCKS.c.stopped_at.is_(None),
        _CLOCKS.c.paused_at.is_(None),
    )
    .values(
        warned=bindparam("b_warned"),
        breached_at=bindparam("b_breached_at"),
        next_alert_at=bindparam("b_next"),
    )
)


@dataclass
class SweepReport:
    clocks: int = 0  # due clocks read
    warnings: int = 0  # warning levels fired
    breaches: int = 0
    escalations: int = 0
    breach_alerts: int = 0  # first breaches handed to the breach channel
    lost: int = 0  # clocks another sweep (or a reply) moved first
    notices: int = 0
    # the tickets whose clocks fired a level or the breach: what shows their SLA (the Slack
    # card) is re-rendered from the database (``server.worker``)
    ticket_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {k: v for k, v in self.__dict__.items() if isinstance(v, int)}


@dataclass(frozen=True, slots=True)
class Breach:
    """A breach a sweep fired, for the breach channel: the ticket as the escalation left it
    (``assignee`` after a reassignment, ``urgency`` after a raise), and what it did."""

    ticket_id: int
    subject: str
    metric: str
    cycle: int
    due_at: datetime
    assignee: str | None  # email, None when nobody has the ticket
    urgency: str | None
    policy: str | None
    raised: bool = False  # the escalation raised the urgency (to ``urgency``)
    raised_from: str | None = None  # the urgency before (None: not triaged yet)
    reassigned_from: str | None = None  # the assignee's email before it reassigned
    reassigned: bool = False  # the escalation reassigned the ticket (to ``assignee``)
    note: str | None = None  # the group escalation's reason: who it picked, or nobody


class BreachAlerts(Protocol):
    async def breached(self, items: Sequence[Breach]) -> None:
        """Tell the breach channel of these breaches (one call per sweep)."""
        ...


@dataclass
class RecordingBreachAlerts:
    """Keeps what it was told (tests)."""

    items: list[Breach] = field(default_factory=list)
    calls: int = 0

    async def breached(self, items: Sequence[Breach]) -> None:
        self.calls += 1
        self.items.extend(items)


@dataclass
class _Fired:
    clock_id: int
    ticket_id: int
    metric: str
    cycle: int
    levels: list[int]
    breached: bool
    escalate: bool
    due_at: datetime
    notices: list[Notice] = field(default_factory=list)
    breach: Breach | None = None  # a first breach, for the breach channel


def metric_label(metric: str, cycle: int) -> str:
    """``first_response``, ``next_response.2``: a clock's name in notice keys."""
    return metric if cycle == 0 else f"{metric}.{cycle}"


def raised(urgency: str | None) -> str:
    """One step up: Low -> Medium -> High (High stays)."""
    if urgency not in URGENCIES:
        return URGENCIES[1]
    return URGENCIES[min(URGENCIES.index(urgency) + 1, len(URGENCIES) - 1)]


class SlaSweep:
    def __init__(
        self,
        session_factory: SessionFactory,
        sink: NoticeSink,
        clock: Callable[[], datetime] = utcnow,
        *,
        limit: int = 5000,
        alerts: BreachAlerts | None = None,
    ) -> None:
        self.sessions = session_factory
        self.sink = sink
        self.clock = clock
        self.limit = limit
        self.alerts = alerts

    async def run(self) -> SweepReport:
        now = self.clock()
        report = SweepReport()
        async with self.sessions.begin() as session:
            fired = await self._fire(session, now, report)
        notices = [n for f in fired for n in f.notices]
        if notices:
            try:
                await self.sink.send(notices)
                report.notices = len(notices)
            except Exception:
                log.exception(
                    "the notice sink failed: %s SLA notices will be retried", len(notices)
                )
                await self._unfire(fired)
        breaches = [f.breach for f in fired if f.breach is not None]
        if breaches and self.alerts is not None:
            try:
                await self.alerts.breached(breaches)
                report.breach_alerts = len(breaches)
            except Exception:  # the channel post is best effort: the DMs carry the breach
                log.exception(
                    "the breach alerts failed: %s SLA breach(es) not posted (not retried)",
                    len(breaches),
                )
        return report

    async def _fire(
        self, session: AsyncSession, now: datetime, report: SweepReport
    ) -> list[_Fired]:
        q = due_clocks(now, self.limit)
        if is_postgres(session):
            q = q.with_for_update(skip_locked=True)
        clocks = list(await session.scalars(q))
        report.clocks = len(clocks)
        if not clocks:
            return []
        policies = {p.id: p for p in await load_policies(session)}
        planned = [self._plan(clock, policies.get(clock.policy_id or -1), now) for clock in clocks]
        if is_postgres(session):
            fired = await self._store_held(session, planned)
        else:
            fired = [f for f, move in planned if await self._store_one(session, move)]
        report.lost = len(planned) - len(fired)
        for outcome in fired:
            if outcome.ticket_id not in report.ticket_ids:
                report.ticket_ids.append(outcome.ticket_id)
            report.warnings += len(outcome.levels) if not outcome.breached else 0
            report.breaches += outcome.breached
        if fired:
            await self._notify(session, fired, policies, clocks, now, report)
        return fired

    def _plan(
        self, clock: SlaClock, policy: Policy | None, now: datetime
    ) -> tuple[_Fired, dict[str, Any]]:
        """What is due on one clock, and the compare-and-set that fires it (no I/O).

        The loaded clock takes its new values as committed ones (the sweep's own UPDATE
        writes them), so the session has nothing to flush for it at commit."""
        seen = clock.next_alert_at
        warned = set(clock.warned or ())
        levels: list[int] = []
        breached = clock.due_at <= now and BREACH_LEVEL not in warned
        first_breach = breached and clock.breached_at is None
        if policy is not None:
            cal = policy.calendar
            pending = [lv for lv in policy.warn_levels if lv not in warned and lv < BREACH_LEVEL]
            # levels passed unseen are not sent after the breach: the breach is
            levels = (
                pending
                if breached
                else [lv for lv in pending if warn_instant(clock, cal, lv) <= now]
            )
        new_warned = sorted(warned | set(levels) | ({BREACH_LEVEL} if breached else set()))
        set_committed_value(clock, "warned", new_warned)
        if first_breach:
            set_committed_value(clock, "breached_at", clock.due_at)
        new_next = next_alert(clock, policy.calendar, policy.warn_levels) if policy else None
        set_committed_value(clock, "next_alert_at", new_next)
        move = {
            "b_id": clock.id,
            "b_seen": seen,
            "b_warned": new_warned,
            "b_breached_at": clock.breached_at,
            "b_next": new_next,
        }
        fired = _Fired(
            clock_id=clock.id,
            ticket_id=clock.ticket_id,
            metric=clock.metric,
            cycle=clock.cycle,
            levels=[] if breached else levels,
            breached=breached,
            escalate=first_breach,
            due_at=clock.due_at,
        )
        return fired, move

    async def _store_one(self, session: AsyncSession, move: dict[str, Any]) -> bool:
        """One clock's compare-and-set (SQLite: another process may have moved it since it
        was read); False when it lost."""
        won = await session.execute(
            _MOVE.values(
                warned=move["b_warned"],
                breached_at=move["b_breached_at"],
                next_alert_at=move["b_next"],
            ).where(
                SlaClock.id == move["b_id"],
                SlaClock.next_alert_at == move["b_seen"],
                SlaClock.stopped_at.is_(None),
                SlaClock.paused_at.is_(None),
            )
        )
        return rows_changed(won) == 1

    async def _store_held(
        self, session: AsyncSession, planned: list[tuple[_Fired, dict[str, Any]]]
    ) -> list[_Fired]:
        """PostgreSQL: the clocks were read ``FOR UPDATE``, so nobody moves them before this
        transaction ends and every compare-and-set wins; they run as one executemany (one
        round trip in psycopg's pipeline) instead of one statement per clock. Should one
        lose all the same, the sweep fires nothing (``InvalidTransition``, rolled back)."""
        moves = [move for _f, move in planned]
        for start in range(0, len(moves), BATCH):
            batch = moves[start : start + BATCH]
            won = await session.execute(_HELD_MOVE, batch)
            if rows_changed(won) != len(batch):
                raise InvalidTransition(
                    f"{len(batch) - rows_changed(won)} SLA clock(s) held by this sweep "
                    "were moved by another transaction",
                    clocks=len(batch),
                )
        return [f for f, _move in planned]

    async def _notify(
        self,
        session: AsyncSession,
        fired: list[_Fired],
        policies: dict[int, Policy],
        clocks: Sequence[SlaClock],
        now: datetime,
        report: SweepReport,
    ) -> None:
        ids = sorted({f.ticket_id for f in fired})
        tickets = {t.id: t for t in await session.scalars(select(Ticket).where(Ticket.id.in_(ids)))}
        managers = list(
            await session.scalars(
                select(User.id).where(User.is_active.is_(True), User.role == "manager")
            )
        ) or list(
            await session.scalars(
                select(User.id).where(User.is_active.is_(True), User.role == "admin")
            )
        )
        policy_of = {c.id: policies.get(c.policy_id or -1) for c in clocks}
        first: list[tuple[_Fired, Ticket, Policy | None, dict[str, list[Any]], str | None]] = []
        for f in fired:
            ticket = tickets.get(f.ticket_id)
            if ticket is None:
                continue
            label = LABELS.get(f.metric, f.metric)
            name = metric_label(f.metric, f.cycle)
            data = {
                "ticket_id": ticket.id,
                "subject": ticket.subject,
                "metric": f.metric,
                "cycle": f.cycle,
                "due_at": f.due_at.isoformat(),
            }
            if f.breached:
                owner = ticket.assigned_to_id  # told even when the escalation reassigns
                policy = policy_of.get(f.clock_id)
                changes: dict[str, list[Any]] = {}
                note: str | None = None
                if policy is not None and f.escalate:
                    changes, note = await self._escalate(session, ticket, policy, f, now, report)
                if f.escalate:
                    first.append((f, ticket, policy, changes, note))
                to = _unique([owner, ticket.assigned_to_id, *managers])
                f.notices.extend(
                    Notice(
                        kind="sla_breach",
                        user_id=uid,
                        key=f"sla_breach:ticket:{ticket.id}:{name}:user:{uid}",
                        text=f"Ticket #{ticket.id} breached its {label} target: "
                        f"{ticket.subject or '(no subject)'}",
                        ticket_id=ticket.id,
                        urgent=True,
                        data=data,
                    )
                    for uid in to
                )
                record(
                    session,
                    Actor.worker(),
                    "sla.breached",
                    ticket_id=ticket.id,
                    at=now,
                    metric=f.metric,
                    cycle=f.cycle,
                    due_at=f.due_at.isoformat(),
                )
                continue
            to = _unique([ticket.assigned_to_id]) or managers
            for level in f.levels:
                f.notices.extend(
                    Notice(
                        kind="sla_warning",
                        user_id=uid,
                        key=f"sla_warning:ticket:{ticket.id}:{name}:{level}:user:{uid}",
                        text=f"Ticket #{ticket.id} has used {level}% of its {label} target "
                        f"(due {f.due_at:%Y-%m-%d %H:%M} UTC): {ticket.subject or '(no subject)'}",
                        ticket_id=ticket.id,
                        data={**data, "level": level},
                    )
                    for uid in to
                )
        if first:
            await self._breaches(session, first)

    async def _breaches(
        self,
        session: AsyncSession,
        first: list[tuple[_Fired, Ticket, Policy | None, dict[str, list[Any]], str | None]],
    ) -> None:
        """The first breaches as the breach channel is told them (assignees by email)."""
        uids = {t.assigned_to_id for _, t, _, _, _ in first} | {
            c["assigned_to_id"][0] for _, _, _, c, _ in first if "assigned_to_id" in c
        }
        rows = await session.execute(
            select(User.id, User.email).where(User.id.in_([u for u in uids if u]))
        )
        emails = {uid: email for uid, email in rows.tuples()}
        for f, ticket, policy, changes, note in first:
            moved = changes.get("assigned_to_id")
            f.breach = Breach(
                ticket_id=ticket.id,
                subject=ticket.subject or "",
                metric=f.metric,
                cycle=f.cycle,
                due_at=f.due_at,
                assignee=emails.get(ticket.assigned_to_id or -1),
                urgency=ticket.urgency,
                policy=policy.name if policy is not None else None,
                raised="urgency" in changes,
                raised_from=changes["urgency"][0] if "urgency" in changes else None,
                reassigned_from=emails.get(moved[0] or -1) if moved else None,
                reassigned=moved is not None,
                note=note,
            )

    async def _escalate(
        self,
        session: AsyncSession,
        ticket: Ticket,
        policy: Policy,
        fired: _Fired,
        now: datetime,
        report: SweepReport,
    ) -> tuple[dict[str, list[Any]], str | None]:
        """Run the policy's escalation on a first breach; what it changed (before, after),
        and for the group ``managers`` the reason (whom it picked, or that nobody was)."""
        changes: dict[str, list[Any]] = {}
        if policy.escalate_raise_urgency and ticket.urgency != URGENCIES[-1]:
            changes["urgency"] = [ticket.urgency, raised(ticket.urgency)]
        if policy.escalate_to_id is not None and ticket.assigned_to_id != policy.escalate_to_id:
            active = await session.scalar(
                select(User.id).where(User.id == policy.escalate_to_id, User.is_active.is_(True))
            )
            if active is not None:
                changes["assigned_to_id"] = [ticket.assigned_to_id, policy.escalate_to_id]
        reason: str | None = None
        if policy.escalate_to_group == "managers":
            picked = await least_loaded_manager(session, exclude=ticket.assigned_to_id)
            if picked is None:
                reason = "no manager available: the owner keeps the ticket"
            else:
                uid, email, load = picked
                changes["assigned_to_id"] = [ticket.assigned_to_id, uid]
                reason = f"reassigned to the least-loaded manager {email} (load {load})"
                await session.execute(
                    update(AgentProfile)
                    .where(AgentProfile.user_id == uid)
                    .values(last_assigned_at=now)
                    .execution_options(synchronize_session=False)
                )
        if not changes and reason is None:
            return changes, reason
        if changes:
            await session.execute(
                update(Ticket)
                .where(Ticket.id == ticket.id)
                .values(**{k: v[1] for k, v in changes.items()})
                .execution_options(synchronize_session=False)
            )
        for key, (_, after) in changes.items():
            set_committed_value(ticket, key, after)  # written above: nothing to flush
        data: dict[str, Any] = {"policy": policy.name, "metric": fired.metric}
        if reason is not None:
            data["reason"] = reason
        record(
            session,
            Actor.worker(),
            "sla.escalated",
            ticket_id=ticket.id,
            changes=changes,
            at=now,
            **data,
        )
        report.escalations += bool(changes)
        return changes, reason

    async def _unfire(self, fired: Sequence[_Fired]) -> None:
        """The sink failed: the levels (and breach) it carried are unfired, due now, so the
        next sweep tells them again; a breach's escalation is not repeated."""
        async with self.sessions.begin() as session:
            for f in fired:
                told = {*f.levels, *([BREACH_LEVEL] if f.breached else [])}
                clock = await session.get(SlaClock, f.clock_id)
                if clock is None or clock.stopped_at is not None or clock.paused_at is not None:
                    continue
                clock.warned = [lv for lv in clock.warned if lv not in told]
                clock.next_alert_at = self.clock()


def due_clocks(now: datetime, limit: int) -> Select[tuple[SlaClock]]:
    """The running clocks whose next alert is due, soonest first (``ix_sla_clocks_alert``)."""
    return (
        select(SlaClock)
        .where(
            SlaClock.next_alert_at.is_not(None),
            SlaClock.next_alert_at <= now,
            SlaClock.stopped_at.is_(None),
            SlaClock.paused_at.is_(None),
        )
        .order_by(SlaClock.next_alert_at)
        .limit(limit)
    )


async def least_loaded_manager(
    session: AsyncSession, *, exclude: int | None = None
) -> tuple[int, str, int] | None:
    """The group ``managers``' pick: (id, email, load) of the active manager or admin with
    the lowest load who is available (agent profile available and below capacity; without
    a profile: available), ties by least recently assigned, then id; None when nobody is.
    ``exclude``: the current owner, who is not an escalation."""
    rows = list(
        await session.execute(
            select(
                User.id,
                User.email,
                AgentProfile.available,
                AgentProfile.capacity,
                AgentProfile.last_assigned_at,
            )
            .outerjoin(AgentProfile, AgentProfile.user_id == User.id)
            .where(User.is_active.is_(True), User.role.in_(("manager", "admin")))
        )
    )
    rows = [r for r in rows if r.id != exclude and r.available is not False]
    loads = await open_loads(session, [r.id for r in rows])
    fit = [
        (
            loads.get(r.id, 0),
            r.last_assigned_at.timestamp() if r.last_assigned_at else float("-inf"),
            r,
        )
        for r in rows
        if r.capacity is None or loads.get(r.id, 0) < r.capacity
    ]
    if not fit:
        return None
    load, _, row = min(fit, key=lambda x: (x[0], x[1], x[2].id))
    return int(row.id), str(row.email), load


def _unique(ids: Sequence[int | None]) -> list[int]:
    out: list[int] = []
    for i in ids:
        if i is not None and i not in out:
            out.append(i)
    return out
