"""SLA compliance on fixed clocks (tests/analytics/sla_data.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import math
import random
from datetime import timedelta

import pytest
from sqlalchemy import event

from core.access.teams import team_mailbox_ids
from core.reports.analytics import AnalyticsService
from core.reports.sla_compliance import (
    SlaCompliance,
    SlaFigures,
    interpolate,
    sla_compliance,
)
from db.models import Mailbox, SlaClock, Ticket
from db.session import is_postgres
from server.wiring import Desk
from tests.analytics.data import NOW
from tests.analytics.sla_data import seed_sla


def service(desk: Desk) -> AnalyticsService:
    return AnalyticsService(desk.sessions, clock=lambda: NOW)


def figures(
    met: int = 0,
    breached: int = 0,
    open: int = 0,
    paused: int = 0,
    stopped: int = 0,
    p50: float | None = None,
    p90: float | None = None,
) -> SlaFigures:
    return SlaFigures(met, breached, open, paused, stopped, p50, p90)


NONE = figures()


async def test_a_known_mix_of_clocks_per_metric_and_group(desk: Desk) -> None:
    ids = await seed_sla(desk)
    sla = (await service(desk).report("30d", scope=[ids["a"]])).sla
    assert sla.metrics == {
        # T1 600 met, T2 1800 met, T3 5400 breached, T4 running past due: breached
        "first_response": figures(2, 2, stopped=3, p50=1800, p90=4680),
        # T2 cycle breached; T4's stopped by a policy is left out; T5's opened in the period
        "next_response": figures(2, 1, stopped=2, p50=600, p90=840),
        # T2 paused (its stale due time is no breach), T3 paused with its target used up
        "resolution": figures(1, 1, open=1, paused=1, stopped=1, p50=7200, p90=7200),
    }
    assert [m.compliance for m in sla.metrics.values()] == [0.5, pytest.approx(2 / 3), 0.5]

    assert list(sla.by_category) == ["Billing", "Technical", "Unclassified"]
    billing, technical, unclassified = sla.by_category.values()
    assert billing == {
        "first_response": figures(2, stopped=2, p50=1200, p90=1680),
        "next_response": figures(2, 1, stopped=2, p50=600, p90=840),
        "resolution": figures(1, paused=1, stopped=1, p50=7200, p90=7200),
    }
    assert technical == {
        "first_response": figures(0, 1, stopped=1, p50=5400, p90=5400),
        "next_response": NONE,
        "resolution": figures(0, 1),
    }
    assert unclassified == {
        "first_response": figures(0, 1),
        "next_response": NONE,
        "resolution": figures(open=1),
    }
    assert technical["first_response"].compliance == 0.0
    assert technical["next_response"].compliance is None  # never divided by zero

    assert list(sla.by_urgency) == ["Low", "High", "Unclassified"]
    assert sla.by_urgency["High"] == {
        "first_response": figures(1, 1, stopped=2, p50=3000, p90=4920),
        "next_response": figures(1, stopped=1, p50=300, p90=300),
        "resolution": figures(1, 1, stopped=1, p50=7200, p90=7200),
    }
    assert sla.by_urgency["Low"] == {
        "first_response": figures(1, stopped=1, p50=1800, p90=1800),
        "next_response": figures(1, 1, stopped=1, p50=900, p90=900),
        "resolution": figures(paused=1),
    }
    assert sla.by_urgency["Low"]["resolution"].compliance is None  # paused is not decided

    alice, bob, nobody = sla.by_agent
    assert (alice.user_id, alice.email, alice.name) == (ids["alice"], "alice@team.test", "Alice")
    assert alice.metrics == {
        "first_response": figures(1, 1, stopped=1, p50=600, p90=600),
        "next_response": figures(1, stopped=1, p50=300, p90=300),
        "resolution": figures(1, open=1, stopped=1, p50=7200, p90=7200),
    }
    assert bob.email == "bob@team.test"
    assert bob.metrics == {
        "first_response": figures(1, stopped=1, p50=1800, p90=1800),
        "next_response": figures(1, 1, stopped=1, p50=900, p90=900),
        "resolution": figures(paused=1),
    }
    assert (nobody.user_id, nobody.email, nobody.label()) == (None, None, "(unassigned)")
    assert nobody.metrics["first_response"] == figures(0, 1, stopped=1, p50=5400, p90=5400)


async def test_all_time_everywhere_and_another_workspace(desk: Desk) -> None:
    await seed_sla(desk)
    everything = (await service(desk).report("all")).sla
    # T5 (40 days old) and T6 (mailbox B) join: 50, 100, 600, 1800, 5400
    assert everything.metrics["first_response"] == figures(4, 2, stopped=5, p50=600, p90=3960)
    assert everything.metrics["first_response"].compliance == pytest.approx(4 / 6)
    assert list(everything.by_category) == ["Billing", "Technical", "Other", "Unclassified"]

    other = (await service(desk).report("7d", scope=team_mailbox_ids("T_OTHER", "T_HOME"))).sla
    assert other.metrics == {
        "first_response": figures(1, stopped=1, p50=50, p90=50),
        "next_response": NONE,
        "resolution": NONE,
    }
    assert list(other.by_category) == ["Other"] and [a.user_id for a in other.by_agent] == [None]


async def test_an_empty_period(desk: Desk) -> None:
    sla = (await service(desk).report("7d")).sla
    assert sla == SlaCompliance() and sla.clocks == 0
    assert all(f == NONE and f.compliance is None for f in sla.metrics.values())
    d = sla.as_dict()
    assert d["metrics"]["resolution"] == {
        "met": 0,
        "breached": 0,
        "compliance": None,
        "open": 0,
        "paused": 0,
        "stopped": 0,
        "p50_seconds": None,
        "p90_seconds": None,
    }
    assert d["by_category"] == {} and d["by_agent"] == [] and d["time"] == "business"


async def test_clocks_started_before_the_period_are_not_in_it(desk: Desk) -> None:
    ids = await seed_sla(desk)
    later = AnalyticsService(desk.sessions, clock=lambda: NOW + timedelta(days=35))
    sla = (await later.report("7d", scope=[ids["a"]])).sla
    assert sla.clocks == 0 and sla.by_agent == []


async def test_json_and_csv(desk: Desk) -> None:
    ids = await seed_sla(desk)
    a = await service(desk).report("30d", scope=[ids["a"]])
    d = a.as_dict()["sla"]
    assert d["metrics"]["next_response"]["compliance"] == 0.6667
    assert d["by_urgency"]["High"]["first_response"]["p90_seconds"] == 4920
    assert d["by_agent"][0]["email"] == "alice@team.test"
    assert d["by_agent"][2] == {
        "user_id": None,
        "email": None,
        "name": None,
        "metrics": d["by_agent"][2]["metrics"],
    }
    rows = list(csv.reader(io.StringIO(a.to_csv())))
    assert ["sla", "all", "first_response.compliance", "0.5"] in rows
    assert ["sla", "all", "first_response.p90_seconds", "4680.0"] in rows
    assert ["sla_category", "Billing", "next_response.met", "2"] in rows
    assert ["sla_category", "Technical", "next_response.compliance", ""] in rows
    assert ["sla_urgency", "High", "first_response.p50_seconds", "3000.0"] in rows
    assert ["sla_agent", "bob@team.test", "resolution.paused", "1"] in rows
    assert ["sla_agent", "(unassigned)", "first_response.breached", "1"] in rows
    assert ["summary", "tickets", "count", "4"] in rows  # the rest of the table is kept


async def test_one_statement_and_the_names(desk: Desk) -> None:
    """The figures come from one aggregate statement over the clocks, plus the users."""
    ids = await seed_sla(desk)
    statements: list[str] = []

    def log(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(desk.engine.sync_engine, "before_cursor_execute", log)
    try:
        async with desk.sessions() as session:
            await sla_compliance(session, since=None, now=NOW, scope=[ids["a"]])
    finally:
        event.remove(desk.engine.sync_engine, "before_cursor_execute", log)
    assert len(statements) == 2, statements
    assert "sla_clocks" in statements[0] and "GROUP BY" in statements[0].upper()
    assert "users" in statements[1]


# --- the two percentile methods ------------------------------------------------------------


def reference(values: list[int], percent: int) -> float:
    """percentile_cont, from its definition, in Python."""
    s = sorted(values)
    pos = percent / 100 * (len(s) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (pos - lo) * (s[hi] - s[lo])


def test_interpolate() -> None:
    assert interpolate(50, 0, None, None) is None
    assert interpolate(90, 1, 7, None) == 7
    assert interpolate(50, 4, 600, 1800) == 1200  # position 1.5
    assert interpolate(90, 5, 1800, 5400) == pytest.approx(3960)  # position 3.6


async def test_the_ranked_percentiles_equal_percentile_cont(desk: Desk) -> None:
    """Groups of 1 to 23 random durations (ties included): the ranked method gives what a
    Python percentile_cont gives and, on PostgreSQL, exactly what percentile_cont gives."""
    rnd = random.Random(12)
    sizes = {"Billing": 1, "Technical": 2, "Login / Access": 7, "Other": 10, "General Inquiry": 23}
    durations: dict[str, list[int]] = {}
    async with desk.sessions.begin() as s:
        box = Mailbox(name="A", address="a@desk.test", kind="maildir")
        s.add(box)
        await s.flush()
        for category, n in sizes.items():
            durations[category] = [rnd.choice([rnd.randrange(1, 90_000), 3600]) for _ in range(n)]
            for used in durations[category]:
                t = Ticket(
                    mailbox_id=box.id,
                    requester_email="c@cust.test",
                    received_at=NOW - timedelta(days=1),
                    last_message_at=NOW,
                    category=category,
                    urgency=rnd.choice(["Low", "High"]),
                    created_at=NOW,
                )
                s.add(t)
                await s.flush()
                s.add(
                    SlaClock(
                        ticket_id=t.id,
                        metric="first_response",
                        target_minutes=60,
                        started_at=NOW - timedelta(days=1),
                        resumed_at=NOW,
                        elapsed_seconds=used,
                        due_at=NOW,
                        stopped_at=NOW,
                        stop_reason="reply",
                        breached_at=NOW if used > 3600 else None,
                    )
                )
    async with desk.sessions() as session:
        ranked = await sla_compliance(session, since=None, now=NOW, portable=True)
        if is_postgres(session):
            native = await sla_compliance(session, since=None, now=NOW, portable=False)
            assert native.as_dict() == ranked.as_dict()
    everything = [v for vs in durations.values() for v in vs]
    groups = {**{k: v["first_response"] for k, v in ranked.by_category.items()}}
    groups["all"] = ranked.metrics["first_response"]
    for key, values in [*durations.items(), ("all", everything)]:
        f = groups[key]
        assert f.stopped == len(values), key
        assert f.met == sum(v <= 3600 for v in values), key
        assert f.p50_seconds == pytest.approx(reference(values, 50), abs=0.006), key
        assert f.p90_seconds == pytest.approx(reference(values, 90), abs=0.006), key


async def test_a_clock_a_policy_stopped_counts_only_if_it_had_breached(desk: Desk) -> None:
    async with desk.sessions.begin() as s:
        box = Mailbox(name="A", address="a@desk.test", kind="maildir")
        s.add(box)
        await s.flush()
        t = Ticket(
            mailbox_id=box.id,
            requester_email="c@cust.test",
            received_at=NOW - timedelta(hours=5),
            last_message_at=NOW,
            created_at=NOW,
        )
        s.add(t)
        await s.flush()
        for metric, breached in (("first_response", True), ("resolution", False)):
            s.add(
                SlaClock(
                    ticket_id=t.id,
                    metric=metric,
                    target_minutes=60,
                    started_at=NOW - timedelta(hours=5),
                    resumed_at=NOW - timedelta(hours=1),
                    elapsed_seconds=4000 if breached else 100,
                    due_at=NOW - timedelta(hours=4),
                    stopped_at=NOW - timedelta(hours=1),
                    stop_reason="policy",
                    breached_at=NOW - timedelta(hours=4) if breached else None,
                )
            )
    sla = (await service(desk).report("7d")).sla
    assert sla.metrics["first_response"] == figures(0, 1)  # its time is not a measured one
    assert sla.metrics["resolution"] == NONE and sla.clocks == 1
