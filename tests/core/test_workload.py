"""The workload read: open and waiting per agent, and at risk / breached from the SLA
clocks of their tickets not resolved."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.reports.workload import Workload
from db.models import SlaClock
from db.session import SessionFactory
from tests.core.test_assignment import make_agent, make_mailbox, make_tickets

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def _clock(ticket_id: int, metric: str, **kw: object) -> SlaClock:
    return SlaClock(
        ticket_id=ticket_id,
        metric=metric,
        target_minutes=60,
        started_at=T0,
        resumed_at=T0,
        due_at=T0 + timedelta(hours=1),
        **kw,
    )


async def test_at_risk_and_breached_come_from_running_clocks(
    session_factory: SessionFactory,
) -> None:
    sf = session_factory
    box = await make_mailbox(sf)
    ann = await make_agent(sf, "ann@team.test", capacity=5)
    bob = await make_agent(sf, "bob@team.test", available=False, away_since=T0)
    calm, risky, late, both, stopped = await make_tickets(sf, box, 5, owner=ann)
    [done] = await make_tickets(sf, box, owner=ann, status="resolved")
    [waiting] = await make_tickets(sf, box, owner=bob, status="waiting")
    async with sf.begin() as s:
        s.add_all(
            [
                _clock(calm, "first_response"),
                _clock(risky, "first_response", warned=[75]),
                _clock(late, "resolution", warned=[75, 90, 100], breached_at=T0),
                _clock(both, "first_response", warned=[75]),  # at risk on one clock,
                _clock(both, "resolution", breached_at=T0),  # breached on another: breached
                _clock(stopped, "first_response", breached_at=T0, stopped_at=T0),  # met late
                _clock(done, "resolution", breached_at=T0),  # resolved: not counted
                _clock(waiting, "resolution", warned=[75], paused_at=T0),
            ]
        )

    rows = {a.email: a for a in await Workload(sf).agents()}

    a, b = rows["ann@team.test"], rows["bob@team.test"]
    assert (a.open, a.waiting, a.at_risk, a.breached, a.capacity, a.available) == (
        5,
        0,
        1,
        2,
        5,
        True,
    )
    assert (b.open, b.waiting, b.at_risk, b.breached, b.available) == (0, 1, 1, 0, False)
    assert b.away_since == T0
