"""Analytics on fixed data with answers worked out by hand (tests/analytics/data.py)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from sqlalchemy import event

from core.access.teams import team_mailbox_ids
from core.errors import ValidationError
from core.reports.analytics import AnalyticsService
from server.wiring import Desk
from tests.analytics.data import NOW, seed

approx = pytest.approx


def service(desk: Desk) -> AnalyticsService:
    return AnalyticsService(desk.sessions, clock=lambda: NOW)


async def test_seven_days_of_one_mailbox(desk: Desk) -> None:
    ids = await seed(desk)
    a = await service(desk).report("7d", scope=[ids["a"]])
    assert a.tickets == 4
    assert (a.first_response.count, a.first_response.avg_seconds) == (3, approx(260, abs=0.01))
    assert a.first_response.median_seconds == approx(120, abs=0.01)
    assert a.resolution.count == 2  # the noise ticket resolved at once is left out
    assert a.resolution.avg_seconds == approx(5400, abs=0.01)
    assert a.resolution.median_seconds == approx(5400, abs=0.01)  # even count: mean of two
    assert a.by_category == {"Billing": 2, "Technical": 1, "Unclassified": 1}
    assert a.by_urgency == {"Low": 1, "Medium": 1, "High": 1, "Unclassified": 1}
    assert (a.drafts, a.approved, a.rejected, a.edited) == (5, 3, 1, 2)
    assert a.approval_rate == approx(0.75)
    assert a.edit_rate == approx(2 / 3)
    assert a.avg_edit_ratio == approx(0.375)
    assert (a.escalated, a.escalation_rate) == (1, approx(0.2))

    alice, bob = a.agents
    assert (alice.email, alice.approved, alice.rejected, alice.handled) == (
        "alice@team.test",
        2,
        1,
        3,
    )
    assert (alice.sent, alice.assigned) == (2, 2)
    assert alice.avg_response_seconds == approx(90, abs=0.01)
    assert alice.avg_decision_seconds == approx(30, abs=0.01)
    assert (bob.email, bob.approved, bob.rejected, bob.sent, bob.assigned) == (
        "bob@team.test",
        1,
        0,
        1,
        1,
    )
    assert bob.avg_response_seconds == approx(600, abs=0.01)

    assert [p.start for p in a.trend] == [date(2025, 3, d) for d in range(24, 32)]
    received = {p.start.day: p.received for p in a.trend if p.received}
    sent = {p.start.day: p.sent for p in a.trend if p.sent}
    assert received == {26: 1, 28: 1, 29: 1, 30: 1}
    assert sent == {26: 1, 28: 1, 29: 1}
    assert [(t.name, t.uses) for t in a.templates] == [("refund", 2)]


async def test_thirty_days_by_week_and_odd_median(desk: Desk) -> None:
    ids = await seed(desk)
    a = await service(desk).report("30d", trend="week", scope=[ids["a"]])
    assert a.tickets == 5
    assert a.first_response.avg_seconds == approx(270, abs=0.01)
    assert a.first_response.median_seconds == approx(210, abs=0.01)
    assert (a.drafts, a.approved, a.rejected) == (6, 4, 1)
    assert a.approval_rate == approx(0.8)
    bob = next(x for x in a.agents if x.email == "bob@team.test")
    assert (bob.approved, bob.sent) == (2, 2)
    assert bob.avg_decision_seconds == approx(95, abs=0.01)
    assert bob.avg_response_seconds == approx(450, abs=0.01)
    weeks = [(p.start, p.received, p.sent) for p in a.trend]
    assert weeks == [
        (date(2025, 2, 24), 0, 0),
        (date(2025, 3, 3), 0, 0),
        (date(2025, 3, 10), 0, 0),
        (date(2025, 3, 17), 1, 1),
        (date(2025, 3, 24), 4, 3),
        (date(2025, 3, 31), 0, 0),
    ]


async def test_all_time_everywhere_by_month(desk: Desk) -> None:
    await seed(desk)
    a = await service(desk).report("all", trend="month")
    assert a.since is None and a.tickets == 7
    assert a.first_response.count == 6
    assert a.first_response.avg_seconds == approx(355, abs=0.01)
    assert a.first_response.median_seconds == approx(210, abs=0.01)
    assert (a.drafts, a.approved, a.rejected) == (7, 4, 2)
    assert a.approval_rate == approx(4 / 6)
    assert [(p.start, p.received, p.sent) for p in a.trend] == [
        (date(2025, 2, 1), 1, 0),
        (date(2025, 3, 1), 6, 4),
    ]
    assert [(t.name, t.uses) for t in a.templates] == [("refund", 3), ("hello", 1)]


async def test_workspace_scope_is_a_subquery(desk: Desk) -> None:
    await seed(desk)
    a = await service(desk).report("7d", scope=team_mailbox_ids("T_OTHER", "T_HOME"))
    assert a.tickets == 1 and a.by_category == {"Other": 1}
    assert (a.drafts, a.rejected, a.approval_rate) == (1, 1, 0.0)
    assert a.first_response.median_seconds == approx(50, abs=0.01)
    assert [(x.email, x.rejected) for x in a.agents] == [("bob@team.test", 1)]
    assert [(t.name, t.uses) for t in a.templates] == [("hello", 1)]


async def test_empty_database(desk: Desk) -> None:
    a = await service(desk).report("7d")
    assert a.tickets == 0 and a.first_response.median_seconds is None
    assert a.approval_rate is None and a.edit_rate is None and a.escalation_rate is None
    assert a.agents == [] and len(a.trend) == 8 and all(p.received == 0 for p in a.trend)
    assert a.as_dict()["drafts"]["approval_rate"] is None


async def test_json_and_csv_shapes(desk: Desk) -> None:
    ids = await seed(desk)
    a = await service(desk).report("7d", scope=[ids["a"]])
    d = a.as_dict()
    assert d["drafts"]["approval_rate"] == 0.75 and d["agents"][0]["handled"] == 3
    assert d["trend"]["unit"] == "day" and len(d["trend"]["points"]) == 8
    rows = list(csv.reader(io.StringIO(a.to_csv())))
    assert rows[0] == ["section", "key", "metric", "value"]
    assert ["summary", "tickets", "count", "4"] in rows
    assert ["category", "Billing", "tickets", "2"] in rows
    assert ["agent", "alice@team.test", "handled", "3"] in rows
    assert ["drafts", "ai", "edit_rate", "0.6667"] in rows


async def test_bad_period_and_trend(desk: Desk) -> None:
    with pytest.raises(ValidationError, match="period"):
        await service(desk).report("90d")
    with pytest.raises(ValidationError, match="trend"):
        await service(desk).report("7d", trend="hour")


async def test_computed_in_the_database_not_in_python(desk: Desk) -> None:
    """No statement returns ticket rows: a few aggregate queries, whatever the volume."""
    ids = await seed(desk)
    statements: list[str] = []

    def log(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(desk.engine.sync_engine, "before_cursor_execute", log)
    try:
        await service(desk).report("30d", scope=[ids["a"]])
    finally:
        event.remove(desk.engine.sync_engine, "before_cursor_execute", log)
    selects = [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]
    # 14, the SLA figures' one (its users: none here) and the two per prompt variant (drafts,
    # decisions; on SQLite one median per variant with decisions: none here)
    assert len(selects) <= 17, selects
    for s in selects:
        body = s.upper()
        assert "COUNT(" in body or "AVG(" in body or "USERS" in body, s
