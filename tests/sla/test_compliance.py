"""SLA compliance of clocks the real events moved (ingest, triage, a sent reply, the sweep,
waiting on the customer), on a fixed clock: the report reads them as the rules stored them,
in business time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.reports.analytics import AnalyticsService
from core.reports.sla_compliance import SlaFigures
from server.wiring import Desk
from tests.core.flows import smtp_mailbox
from tests.sla.rig import berlin, build_rig, mail

MONDAY = berlin(2026, 12, 7, 9, 0)


async def test_met_breached_and_paused_from_the_real_events(
    desk: Desk, smtp_server: Any, tmp_path: Path
) -> None:
    mailbox = await smtp_mailbox(desk, smtp_server.host, smtp_server.port)
    rig = await build_rig(desk, mailbox, tmp_path, MONDAY)
    await rig.calendars.add("berlin", tz="Europe/Berlin", hours="mon-fri 09:00-17:00")
    await rig.policies.add(
        "standard", calendar="berlin", first_response="8h", resolution="3d", is_default=True
    )
    raw, quick = mail(MONDAY, subject="Quick one")
    await rig.receive(raw)
    rig.clock.set(berlin(2026, 12, 7, 10, 0))
    raw, slow = mail(rig.clock.now, subject="Slow one")
    await rig.receive(raw)
    a, b = await rig.ticket_of(quick), await rig.ticket_of(slow)
    await rig.triage.triage_queued()

    await rig.send_reply(a)  # Monday 10:00: one business hour
    rig.clock.set(berlin(2026, 12, 7, 11, 0))
    await rig.statuses.set(a, "waiting", await rig.actor())  # resolution paused
    rig.clock.set(berlin(2026, 12, 8, 11, 0))  # Monday 10-17 and Tuesday 9-11: 9 h
    await rig.sweep.run()  # tells the breach of b's first response
    await rig.send_reply(b)

    report = await AnalyticsService(desk.sessions, clock=rig.clock).report("7d")
    sla = report.sla
    # 3600 and 32400 business seconds: the median halfway, p90 at 0.9 of the way
    assert sla.metrics["first_response"] == SlaFigures(
        met=1, breached=1, stopped=2, p50_seconds=18000, p90_seconds=29520
    )
    assert sla.metrics["first_response"].compliance == 0.5
    assert sla.metrics["resolution"] == SlaFigures(open=1, paused=1)  # neither decided
    assert sla.metrics["resolution"].compliance is None
    assert sla.metrics["next_response"] == SlaFigures()
    assert [x.user_id for x in sla.by_agent] == [None]  # nobody was assigned
