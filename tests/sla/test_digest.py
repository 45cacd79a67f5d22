"""The daily digest counts the SLA clocks: a ticket past a warning level is at risk, one
past its due time breached; a stopped clock counts for neither."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from db.models import SlaClock
from tests.notifications.conftest import Notify, notify  # noqa: F401  (the fixture)
from tests.notifications.test_sweep import NINE_BERLIN, ticket_for


def _clock(ticket_id: int, *, warned: list[int], breached: bool, stopped: bool = False) -> SlaClock:
    start = NINE_BERLIN - timedelta(days=1)
    return SlaClock(
        ticket_id=ticket_id,
        metric="first_response",
        cycle=0,
        policy_version=1,
        target_minutes=60,
        started_at=start,
        resumed_at=start,
        elapsed_seconds=0,
        due_at=start + timedelta(hours=1),
        next_alert_at=None if breached else start + timedelta(minutes=45),
        paused_seconds=0,
        breached_at=start + timedelta(hours=1) if breached else None,
        stopped_at=start + timedelta(hours=2) if stopped else None,
        warned=warned,
    )


async def test_the_digest_counts_at_risk_and_breached(notify: Notify) -> None:  # noqa: F811
    dora = await notify.person("dora", slack_id="UDORA0001", tz="Europe/Berlin")
    await notify.only(dora, "digest")
    early = datetime(2026, 12, 3, 4, 0, tzinfo=UTC)
    risky, _ = await ticket_for(notify, dora, at=early, subject="Invoice wrong")
    late, _ = await ticket_for(notify, dora, at=early, subject="Cannot log in")
    fine, _ = await ticket_for(notify, dora, at=early, subject="Dark mode")
    done, _ = await ticket_for(notify, dora, at=early, subject="Refund")
    async with notify.desk.sessions.begin() as s:
        s.add_all(
            [
                _clock(risky, warned=[75], breached=False),
                _clock(late, warned=[75, 90, 100], breached=True),
                _clock(fine, warned=[], breached=False),
                _clock(done, warned=[75, 90, 100], breached=True, stopped=True),
            ]
        )
    notify.clock.at(NINE_BERLIN)
    await notify.sweep.run()
    (digest,) = notify.dms("UDORA0001")
    shown = digest.text_of_blocks()
    assert "Open tickets: 4" in shown
    assert "At risk of an SLA breach: 1" in shown and "Breached an SLA target: 1" in shown
    (sent,) = await notify.records(user_id=dora, kind="digest")
    assert (sent.data["at_risk"], sent.data["breached"]) == (1, 1)
