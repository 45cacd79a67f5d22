"""Automatic assignment on the real database: balanced and round-robin choices, skills,
capacity, availability, the fallback, the queue's order, away agents' tickets returned, a
reopened ticket's previous owner, and two assigners at once never going over capacity."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from core.workflow import assignment
from core.workflow.assignment import AutoAssigner, RecordingAlerts
from core.workflow.calendar_store import CalendarService
from core.workflow.notices import RecordingSink
from db.models import (
    AgentProfile,
    AuditEvent,
    Draft,
    Mailbox,
    MailboxAssignment,
    ReopenedTicket,
    Ticket,
    User,
)
from db.session import SessionFactory, create_engine, create_session_factory

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


class Clock:
    def __init__(self, at: datetime = T0) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **kw: float) -> None:
        self.at += timedelta(**kw)


async def make_mailbox(
    sf: SessionFactory, strategy: str = "balanced", fallback: str = "any_agent", name: str = "sup"
) -> int:
    async with sf.begin() as s:
        box = Mailbox(name=name, address=f"{name}@desk.test")
        s.add(box)
        await s.flush()
        if strategy != "none":
            s.add(MailboxAssignment(mailbox_id=box.id, strategy=strategy, fallback=fallback))
        return box.id


async def make_agent(
    sf: SessionFactory,
    email: str,
    *,
    skills: tuple[str, ...] = ("Billing",),
    languages: tuple[str, ...] = (),
    capacity: int = 15,
    available: bool = True,
    away_since: datetime | None = None,
    last: datetime | None = None,
    profile: bool = True,
) -> int:
    async with sf.begin() as s:
        user = User(email=email, name=email.split("@")[0], role="agent")
        s.add(user)
        await s.flush()
        if profile:
            s.add(
                AgentProfile(
                    user_id=user.id,
                    skills=list(skills),
                    languages=list(languages),
                    capacity=capacity,
                    available=available,
                    away_since=away_since,
                    last_assigned_at=last,
                )
            )
        return user.id


async def make_tickets(
    sf: SessionFactory,
    mailbox_id: int,
    n: int = 1,
    *,
    category: str | None = "Billing",
    urgency: str = "Medium",
    owner: int | None = None,
    status: str = "open",
    received: datetime = T0 - timedelta(hours=1),
    resolved_at: datetime | None = None,
    language: str | None = None,
) -> list[int]:
    async with sf.begin() as s:
        rows = [
            Ticket(
                mailbox_id=mailbox_id,
                requester_email=f"c{i}@cust.test",
                subject=f"{category} question {i}",
                category=category,
                urgency=urgency,
                ai_processed=True,
                assigned_to_id=owner,
                status=status,
                received_at=received + timedelta(seconds=i),
                resolved_at=resolved_at,
                language=language,
            )
            for i in range(n)
        ]
        s.add_all(rows)
        await s.flush()
        return [t.id for t in rows]


async def owners(sf: SessionFactory, ids: list[int] | None = None) -> dict[int, int | None]:
    async with sf() as s:
        q = select(Ticket.id, Ticket.assigned_to_id)
        if ids is not None:
            q = q.where(Ticket.id.in_(ids))
        return {tid: uid for tid, uid in await s.execute(q)}


async def events(sf: SessionFactory, action: str) -> list[AuditEvent]:
    async with sf() as s:
        return list(
            await s.scalars(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
            )
        )


def assigner(sf: SessionFactory, clock: Clock, **kw: Any) -> tuple[AutoAssigner, RecordingSink]:
    sink = RecordingSink()
    return AutoAssigner(sf, sink, clock, **kw), sink


# -- choosing ------------------------------------------------------------------------------------


async def test_balanced_picks_the_lowest_load_and_says_why(session_factory: SessionFactory) -> None:
    sf, clock = session_factory, Clock()
    box = await make_mailbox(sf)
    busy = await make_agent(sf, "busy@team.test")
    idle = await make_agent(sf, "idle@team.test")
    some = await make_agent(sf, "some@team.test")
    await make_tickets(sf, box, 3, owner=busy)
    await make_tickets(sf, box, 1, owner=some)
    await make_tickets(sf, box, 2, owner=idle, status="waiting")  # waiting: not load
    await make_tickets(sf, box, 4, owner=idle, status="resolved")  # resolved: not load
    [new] = await make_tickets(sf, box, received=T0)
    auto, sink = assigner(sf, clock)

    report = await auto.sweep()

    assert report.assigned == [(new, idle)]
    assert (await owners(sf, [new]))[new] == idle
    [event] = await events(sf, "ticket.assigned")
    assert event.ticket_id == new and event.source == "worker"
    assert event.changes == {"assigned_to_id": [None, idle]}
    assert event.data["reason"] == "lowest load 0 of 15, skill Billing"
    assert event.data["decided_by"] == "auto-assignment"
    [notice] = sink.notices
    assert (notice.kind, notice.user_id, notice.ticket_id) == ("assigned", idle, new)
    assert "lowest load 0 of 15" in notice.text
    async with sf() as s:
        profile = await s.get(AgentProfile, idle)
        assert profile is not None and profile.last_assigned_at == T0


async def test_equal_loads_rotate_and_round_robin_ignores_load(
    session_factory: SessionFactory,
) -> None:
    sf, clock = session_factory, Clock()
    rr = await make_mailbox(sf, "round_robin")
    agents = [await make_agent(sf, f"a{i}@team.test", capacity=50) for i in range(3)]
    await make_tickets(sf, rr, 6, owner=agents[0], received=T0 - timedelta(days=1))
    new = await make_tickets(sf, rr, 30)

    report = await assigner(sf, clock)[0].sweep()

    assert len(report.assigned) == 30
    got = Counter(uid for tid, uid in (await owners(sf, new)).items())
    assert got == {a: 10 for a in agents}  # a0's 6 older tickets do not count
    reasons = {e.data["reason"] for e in await events(sf, "ticket.assigned")}
    assert all(r.startswith("round robin: least recently assigned") for r in reasons)


async def test_balanced_fills_the_idle_agents_first(session_factory: SessionFactory) -> None:
    sf, clock = session_factory, Clock()
    box = await make_mailbox(sf, "balanced")
    agents = [await make_agent(sf, f"a{i}@team.test", capacity=50) for i in range(3)]
    await make_tickets(sf, box, 6, owner=agents[0], received=T0 - timedelta(days=1))
    new = await make_tickets(sf, box, 30)

    await assigner(sf, clock)[0].sweep()

    got = Counter(uid for uid in (await owners(sf, new)).values())
    assert got == {agents[0]: 6, agents[1]: 12, agents[2]: 12}  # 12 each in all


async def test_away_agents_and_agents_without_profile_get_none(
    session_factory: SessionFactory,
) -> None:
    sf, clock = session_factory, Clock()
    box = await make_mailbox(sf)
    here = await make_agent(sf, "here@team.test")
    await make_agent(sf, "away@team.test", available=False, away_since=T0)
    await make_agent(sf, "noprofile@team.test", profile=False)
    gone = await make_agent(sf, "gone@team.test")
    async with sf.begin() as s:
        await s.execute(update(User).where(User.id == gone).values(is_active=False))
    new = await make_tickets(sf, box, 12)

    await assigner(sf, clock)[0].sweep()

    assert set((await owners(sf, new)).values()) == {here}


async def test_skills_decide_before_load(session_factory: SessionFactory) -> None:
    sf, clock = session_factory, Clock()
    box = await make_mailbox(sf)
    tech = await make_agent(sf, "tech@team.test", skills=("Technical",))
    billing = await make_agent(sf, "billing@team.test", skills=("billing",))  # any case
    await make_tickets(sf, box, 5, owner=tech)
    [t] = await make_tickets(sf, box, category="Technical")
    [b] = await make_tickets(sf, box, category="Billing")

    await assigner(sf, clock)[0].sweep()

    assert await owners(sf, [t, b]) == {t: tech, b: billing}


async def test_manual_mailboxes_and_untriaged_tickets_are_left_alone(
    session_factory: SessionFactory,
) -> None:
    sf, clock = session_factory, Clock()
    manual = await make_mailbox(sf, "manual", name="manual")
    unset = await make_mailbox(sf, "none", name="unset")
    auto = await make_mailbox(sf, "balanced", name="auto")
    await make_agent(sf, "a@team.test")
    left = await make_tickets(sf, manual, 2) + await make_tickets(sf, unset, 2)
    [raw] = await make_tickets(sf, auto)
    async with sf.begin() as s:
        await s.execute(update(Ticket).where(Ticket.id == raw).values(ai_processed=False))

    report = await assigner(sf, clock)[0].sweep()

    assert report.assigned == []
    assert set((await owners(sf, [*left, raw])).values()) == {None}


# -- edge cases ----------------------------------------------------------------------------------


async def test_no_skilled_agent_falls_back_to_any_agent(session_factory: SessionFactory) -> None:
    sf, clock = session_factory, Clock()
    box = await make_mailbox(sf, fallback="any_agent")
    tech = await make_agent(sf, "tech@team.test", skills=("Technical",))
    [t] = await make_tickets(sf, box, category="Billing")

    await assigner(sf, clock)[0].sweep()

    assert (await owners(sf, [t]))[t] == tech
    [event] = await events(sf, "ticket.assigned")
    assert event.data["reason"] == (
        "no available agent with skill Billing: any agent, load 0 of 15"
    )


async def test_no_skilled_agent_leaves_it_unassigned_and_says_so_once(
    session_factory: SessionFactory,
) -> None:
    sf, clock = session_factory, Clock()
    box = await make_mailbox(sf, fallback="leave_unassigned")
    await make_agent(sf, "tech@team.test", skills=("Technical",))
    [t] = await make_tickets(sf, box, category="Billing")
    alerts = RecordingAlerts()
    auto, sink = assigner(sf, clock, alerts=alerts)

    first = await auto.sweep()
    second = await auto.sweep()

    assert first.left_unassigned == [t] and second.left_unassigned == [t]
    assert (await owners(sf, [t]))[t] is None
    [item] = alerts.items  # told once, not at every sweep
    assert item.ticket_id == t and item.mailbox == "sup" and "skill Billing" in item.reason
    assert len(await events(sf, "ticket.left_unassigned")) == 1
    assert sink.notices == []
    # a Billing agent arrives: the sweep assigns it
    billing = await make_agent(sf, "billing@team.test")
    assert (await auto.sweep()).assigned == [(t, billing)]


async def test_everyone_at_capacity_queues_then_most_urgent_and_oldest_first(
    session_factory: SessionFactory,
) -> None:
    sf, clock = session_factory, Clock()
    box = await make_mailbox(sf)
    a = await make_agent(sf, "a@team.test", capacity=1)
    b = await make_agent(sf, "b@team.test", capacity=1)
    [old_low] = await make_tickets(sf, box, urgency="Low", received=T0 - timedelta(days=3))
    [new_high] = await make_tickets(sf, box, urgency="High", received=T0 - timedelta(minutes=5))
    [old_med] = await make_tickets(sf, box, urgency="Medium", received=T0 - timedelta(days=2))
    [new_med] = await make_tickets(sf, box, urgency="Medium", received=T0 - timedelta(days=1))
    auto = assigner(sf, clock)[0]

    report = await auto.sweep()

    assert {t for t, _ in report.assigned} == {new_high, old_med}
    assert report.queued == [new_med, old_low]  # queued in the order they will be taken
    # nobody has room: a sweep changes nothing
    assert (await auto.sweep()).assigned == []
    # a's ticket waits on the customer now: a has room again, and the next in line is theirs
    mine = [t for t, u in (await owners(sf)).items() if u == a]
    async with sf.begin() as s:
        await s.execute(update(Ticket).where(Ticket.id.in_(mine)).values(status="waiting"))
    assert (await auto.sweep()).assigned == [(new_med, a)]
    assert (await owners(sf, [old_low]))[old_low] is None
    # b resolves theirs: the last one goes to b
    theirs = [t for t, u in (await owners(sf)).items() if u == b]
    async with sf.begin() as s:
        await s.execute(update(Ticket).where(Ticket.id.in_(theirs)).values(status="resolved"))
    assert (await auto.sweep()).assigned == [(old_low, b)]


async def test_an_agent_away_over_30_minutes_gets_untouched_tickets_returned(
    session_factory: SessionFactory,
) -> None:
    sf, clock = session_factory, Clock()
    box = await make_mailbox(sf)
    away = await make_agent(sf, "away@team.test")
    other = await make_agent(sf, "other@team.test")
    untouched, approved, rejected = await make_tickets(sf, box, 3, owner=away)
    [done] = await make_tickets(sf, box, owner=away, status="resolved")
    async with sf.begin() as s:
        s.add(Draft(ticket_id=approved, status="approved", approved_by_id=away, approved_at=T0))
        s.add(Draft(ticket_id=rejected, status="rejected", rejected_by_id=away, rejected_at=T0))
        s.add(Draft(ticket_id=untouched, status="approved", approved_by_id=other))
        await s.execute(
            update(AgentProfile)
            .where(AgentProfile.user_id == away)
            .values(available=False, away_since=T0)
        )
    auto = assigner(sf, clock)[0]

    clock.advance(minutes=29)
    assert (await auto.sweep()).returned == []
    clock.advance(minutes=2)
    report = await auto.sweep()

    assert report.returned == [untouched]
    assert report.assigned == [(untouched, other)]
    assert await owners(sf, [untouched, approved, rejected, done]) == {
        untouched: other,
        approved: away,
        rejected: away,
        done: away,
    }
    [event] = await events(sf, "ticket.returned")
    assert event.changes == {"assigned_to_id": [away, None]}
    assert "away@team.test away since" in event.data["reason"]
    assert (await auto.sweep()).returned == []  # idempotent


async def test_a_reply_to_a_recently_resolved_ticket_goes_back_to_its_owner(
    session_factory: SessionFactory,
) -> None:
    sf, clock = session_factory, Clock()
    box = await make_mailbox(sf)
    owner = await make_agent(sf, "owner@team.test")
    other = await make_agent(sf, "other@team.test")
    await make_tickets(sf, box, 2, owner=owner)  # the owner is busier than other
    [recent] = await make_tickets(sf, box, owner=owner, status="open")
    [old] = await make_tickets(sf, box, owner=owner, status="open")
    async with sf.begin() as s:  # as the intake notes them (core.inbound.store)
        s.add(ReopenedTicket(ticket_id=recent, resolved_at=T0 - timedelta(days=2), reopened_at=T0))
        s.add(ReopenedTicket(ticket_id=old, resolved_at=T0 - timedelta(days=8), reopened_at=T0))
    auto, sink = assigner(sf, clock)

    report = await auto.sweep()

    assert report.kept_owner == [recent]
    assert report.returned == [old]
    assert await owners(sf, [recent, old]) == {recent: owner, old: other}
    kept = [e for e in await events(sf, "ticket.assigned") if e.ticket_id == recent]
    assert kept[0].data["reason"] == (
        "customer replied 2 days after resolution: back to the previous owner"
    )
    [returned] = await events(sf, "ticket.returned")
    assert returned.data["reason"] == "customer replied to a ticket resolved more than 7 days ago"
    assert {n.ticket_id for n in sink.notices} == {recent, old}
    async with sf() as s:
        assert await s.scalar(select(func.count()).select_from(ReopenedTicket)) == 0
    assert (await auto.sweep()).as_dict() == {
        "assigned": 0,
        "queued": 0,
        "left_unassigned": 0,
        "returned": 0,
        "kept_owner": 0,
    }


async def test_a_reply_whose_owner_is_away_goes_to_the_queue(
    session_factory: SessionFactory,
) -> None:
    sf, clock = session_factory, Clock()
    box = await make_mailbox(sf)
    owner = await make_agent(sf, "owner@team.test", available=False, away_since=T0)
    other = await make_agent(sf, "other@team.test")
    [t] = await make_tickets(sf, box, owner=owner)
    async with sf.begin() as s:
        s.add(ReopenedTicket(ticket_id=t, resolved_at=T0 - timedelta(hours=3), reopened_at=T0))

    report = await assigner(sf, clock)[0].sweep()

    assert report.returned == [t] and report.assigned == [(t, other)]
    [returned] = await events(sf, "ticket.returned")
    assert returned.data["reason"] == "customer replied; the previous owner is not available"


# -- languages -----------------------------------------------------------------------------------


async def reason_of(sf: SessionFactory, ticket_id: int) -> str:
    [event] = [e for e in await events(sf, "ticket.assigned") if e.ticket_id == ticket_id]
    return str(event.data["reason"])


async def test_a_ticket_goes_to_an_agent_who_speaks_its_language_before_load(
    session_factory: SessionFactory,
) -> None:
    sf, clock = session_factory, Clock()
    box = await make_mailbox(sf)
    english = await make_agent(sf, "en@team.test", languages=("en",))
    german = await make_agent(sf, "de@team.test", languages=("en", "DE"))  # any case
    await make_tickets(sf, box, 3, owner=german)
    [de] = await make_tickets(sf, box, language="de")
    [en] = await make_tickets(sf, box, language="en")
    [unknown] = await make_tickets(sf, box, language=None)

    await assigner(sf, clock)[0].sweep()

    assert await owners(sf, [de, en, unknown]) == {de: german, en: english, unknown: english}
    assert await reason_of(sf, de) == "lowest load 3 of 15, skill Billing, language de"
    assert await reason_of(sf, en) == "lowest load 0 of 15, skill Billing, language en"
    # a ticket whose language is unknown is anyone's: no language in the reason
    assert await reason_of(sf, unknown) == "lowest load 1 of 15, skill Billing"


async def test_agents_who_list_no_languages_count_as_speaking_any(
    session_factory: SessionFactory,
) -> None:
    sf, clock = session_factory, Clock()
    box = await make_mailbox(sf, "round_robin")
    await make_agent(sf, "en@team.test", languages=("en",), last=T0 - timedelta(days=2))
    unlisted = await make_agent(sf, "any@team.test", last=T0 - timedelta(days=1))
    brazil = await make_agent(sf, "br@team.test", languages=("pt-br",), last=T0)
    [de] = await make_tickets(sf, box, language="de")
    [pt] = await make_tickets(sf, box, language="pt")

    await assigner(sf, clock)[0].sweep()

    # en@ was assigned least recently, but lists languages without German
    assert await owners(sf, [de, pt]) == {de: unlisted, pt: brazil}  # pt-br speaks pt
    assert await reason_of(sf, de) == (
        "round robin: least recently assigned, load 0 of 15, skill Billing, language de"
    )


async def test_languages_do_not_matter_while_no_agent_lists_any(
    session_factory: SessionFactory,
) -> None:
    sf, clock = session_factory, Clock()
    box = await make_mailbox(sf, fallback="leave_unassigned")
    only = await make_agent(sf, "a@team.test")
    [de] = await make_tickets(sf, box, language="de")

    await assigner(sf, clock)[0].sweep()

    assert (await owners(sf, [de]))[de] == only
    assert await reason_of(sf, de) == "lowest load 0 of 15, skill Billing"


async def test_nobody_speaking_it_falls_back_to_the_closest_agent(
    session_factory: SessionFactory,
) -> None:
    sf, clock = session_factory, Clock()
    box = await make_mailbox(sf, fallback="any_agent")
    billing_en = await make_agent(sf, "billing@team.test", languages=("en",))
    tech_de = await make_agent(sf, "tech@team.test", skills=("Technical",), languages=("de",))
    [de] = await make_tickets(sf, box, language="de")
    [fr] = await make_tickets(sf, box, language="fr", received=T0)

    await assigner(sf, clock)[0].sweep()

    # German: nobody with Billing speaks it, so someone who can read it
    assert (await owners(sf, [de]))[de] == tech_de
    assert await reason_of(sf, de) == (
        "no available agent with skill Billing, language de: an agent with language de,"
        " load 0 of 15"
    )
    # French: nobody speaks it, so someone with the skill
    assert (await owners(sf, [fr]))[fr] == billing_en
    assert await reason_of(sf, fr) == (
        "no available agent with skill Billing, language fr: an agent with skill Billing,"
        " load 0 of 15"
    )


async def test_nobody_speaking_it_leaves_it_unassigned_and_says_so(
    session_factory: SessionFactory,
) -> None:
    sf, clock = session_factory, Clock()
    box = await make_mailbox(sf, fallback="leave_unassigned")
    await make_agent(sf, "en@team.test", languages=("en",))
    [de] = await make_tickets(sf, box, language="de")
    alerts = RecordingAlerts()
    auto = assigner(sf, clock, alerts=alerts)[0]

    report = await auto.sweep()

    assert report.left_unassigned == [de] and report.assigned == []
    [item] = alerts.items
    assert item.language == "de"
    assert item.reason == (
        "no available agent with skill Billing, language de; the fallback leaves it unassigned"
    )
    [event] = await events(sf, "ticket.left_unassigned")
    assert event.data["reason"] == item.reason
    # someone who speaks German arrives: the sweep assigns it
    german = await make_agent(sf, "de@team.test", languages=("de",))
    assert (await auto.sweep()).assigned == [(de, german)]


async def test_speakers_at_capacity_keep_the_ticket_queued_for_them(
    session_factory: SessionFactory,
) -> None:
    sf, clock = session_factory, Clock()
    box = await make_mailbox(sf)
    german = await make_agent(sf, "de@team.test", languages=("de",), capacity=1)
    await make_agent(sf, "en@team.test", languages=("en",))
    await make_tickets(sf, box, owner=german, received=T0 - timedelta(days=1))
    [de] = await make_tickets(sf, box, language="de")

    report = await assigner(sf, clock)[0].sweep()

    assert report.queued == [de] and (await owners(sf, [de]))[de] is None


# -- concurrency -------------------------------------------------------------------------------


async def _concurrent_run(
    engine: AsyncEngine,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    *,
    tickets: int,
    capacities: list[int],
) -> tuple[dict[int, int | None], dict[int, int], list[AuditEvent]]:
    # widen the window between counting an agent's load and claiming the ticket, so that
    # the two assigners' claims overlap there: only the profile row's lock keeps them apart
    counted, jitter = assignment._loads, random.Random(12)

    async def slow_loads(session: AsyncSession, user_ids: Any) -> dict[int, int]:
        loads = await counted(session, user_ids)
        await asyncio.sleep(jitter.uniform(0, 0.01))
        return loads

    monkeypatch.setattr(assignment, "_loads", slow_loads)
    sf = create_session_factory(engine)
    box = await make_mailbox(sf)
    agents = [await make_agent(sf, f"a{i}@team.test", capacity=c) for i, c in enumerate(capacities)]
    ids = await make_tickets(sf, box, tickets)
    async with sf.begin() as s:  # each worker triaged half of the mail
        drafts = [Draft(ticket_id=t, status="pending") for t in ids]
        s.add_all(drafts)
        await s.flush()
        halves = [[d.id for d in drafts[i::2]] for i in range(2)]
    engines = [create_engine(database_url) for _ in range(2)]
    try:
        runners = [
            AutoAssigner(create_session_factory(e), RecordingSink(), Clock(), batch_limit=50)
            for e in engines
        ]

        async def work(a: AutoAssigner, drafted: list[int]) -> None:
            await a.after_triage(drafted)
            for _ in range(6):  # then sweeps, overlapping all the time
                await a.sweep()

        await asyncio.gather(*(work(a, half) for a, half in zip(runners, halves, strict=True)))
    finally:
        for e in engines:
            await e.dispose()
    got = await owners(sf, ids)
    loads = Counter(uid for uid in got.values() if uid is not None)
    return got, {a: loads.get(a, 0) for a in agents}, await events(sf, "ticket.assigned")


async def test_two_assigners_at_once_never_exceed_capacity(
    engine: AsyncEngine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    got, loads, assigned = await _concurrent_run(
        engine, database_url, monkeypatch, tickets=200, capacities=[30, 30, 30, 30]
    )
    assert loads == dict.fromkeys(loads, 30)  # full, and nobody over
    assert sum(1 for u in got.values() if u is not None) == 120
    # one claim per ticket: no ticket was assigned twice
    assert len(assigned) == 120
    assert len({e.ticket_id for e in assigned}) == 120


async def test_two_assigners_at_once_give_each_ticket_one_owner(
    engine: AsyncEngine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    got, loads, assigned = await _concurrent_run(
        engine, database_url, monkeypatch, tickets=200, capacities=[60, 60, 60, 60]
    )
    assert None not in got.values()
    assert all(n <= 60 for n in loads.values()) and sum(loads.values()) == 200
    assert sorted(e.ticket_id for e in assigned) == sorted(got)
    for e in assigned:
        assert e.changes["assigned_to_id"] == [None, got[e.ticket_id]]


async def test_the_last_free_place_goes_to_one_of_two_racing_claims(
    engine: AsyncEngine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two assigners, each with its own ticket, both sure that the one agent has room:
    both count the agent's load, then wait for each other before claiming (or time out:
    with the profile row held, the second cannot count until the first commits)."""
    sf = create_session_factory(engine)
    box = await make_mailbox(sf)
    solo = await make_agent(sf, "solo@team.test", capacity=1)
    first, second = await make_tickets(sf, box, 2)
    async with sf.begin() as s:
        drafts = [Draft(ticket_id=t, status="pending") for t in (first, second)]
        s.add_all(drafts)
        await s.flush()
        draft_ids = [d.id for d in drafts]
    counted, met, claims = assignment._loads, asyncio.Event(), [0]

    async def meet_after_counting(session: AsyncSession, user_ids: Any) -> dict[int, int]:
        loads = await counted(session, user_ids)
        if len(list(user_ids)) == 1:  # a claim's count, not the batch's snapshot
            claims[0] += 1
            if claims[0] == 2:
                met.set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(met.wait(), 0.5)
        return loads

    monkeypatch.setattr(assignment, "_loads", meet_after_counting)
    engines = [create_engine(database_url) for _ in range(2)]
    try:
        runners = [
            AutoAssigner(create_session_factory(e), RecordingSink(), Clock()) for e in engines
        ]
        reports = await asyncio.gather(
            *(a.after_triage([d]) for a, d in zip(runners, draft_ids, strict=True))
        )
    finally:
        for e in engines:
            await e.dispose()

    got = await owners(sf, [first, second])
    assert sorted(got.values(), key=str) == [solo, None]
    assert sum(len(r.assigned) for r in reports) == 1
    assert sum(len(r.queued) for r in reports) == 1


async def test_only_agents_in_shift_are_candidates(session_factory: SessionFactory) -> None:
    """T0 is Monday 2 March 2026, 10:00 UTC: 11:00 in Berlin, 05:00 in New York."""
    sf, clock = session_factory, Clock()
    calendars = CalendarService(sf)
    berlin = await calendars.add("berlin", tz="Europe/Berlin", hours="mon-fri 09:00-17:00")
    new_york = await calendars.add("new-york", tz="America/New_York", hours="mon-fri 09:00-17:00")
    box = await make_mailbox(sf)
    early = await make_agent(sf, "early@team.test")
    late = await make_agent(sf, "late@team.test")
    anytime = await make_agent(sf, "anytime@team.test")
    async with sf.begin() as s:
        await s.execute(
            update(AgentProfile)
            .where(AgentProfile.user_id == early)
            .values(shift_calendar_id=berlin.id)
        )
        await s.execute(
            update(AgentProfile)
            .where(AgentProfile.user_id == late)
            .values(shift_calendar_id=new_york.id)
        )
    first = await make_tickets(sf, box, 4)
    auto = assigner(sf, clock)[0]

    await auto.sweep()
    assert set((await owners(sf, first)).values()) == {early, anytime}

    clock.advance(hours=8)  # 19:00 in Berlin, 13:00 in New York
    later = await make_tickets(sf, box, 4, received=T0 + timedelta(hours=7))
    await auto.sweep()
    assert set((await owners(sf, later)).values()) == {late, anytime}
