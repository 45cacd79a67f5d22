"""The sweep's breach alerts (``BreachAlerts``, the breach channel's port) on fixed clocks:
told once per breach, after the commit, with what the escalation did; a failing port is
logged and leaves the sweep's report and DMs as they were."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from core.access.permissions import Principal
from core.audit import Actor
from core.workflow.notices import Notice
from core.workflow.sla_sweep import Breach, RecordingBreachAlerts
from server.wiring import Desk
from tests.core.flows import smtp_mailbox
from tests.sla.rig import Rig, berlin, build_rig, mail

MONDAY = berlin(2026, 12, 7, 9, 0)


@pytest.fixture()
async def rig(desk: Desk, smtp_server: Any, tmp_path: Path) -> Rig:
    mailbox = await smtp_mailbox(desk, smtp_server.host, smtp_server.port)
    r = await build_rig(desk, mailbox, tmp_path, MONDAY)
    await r.calendars.add("berlin", tz="Europe/Berlin", hours="mon-fri 09:00-17:00")
    return r


async def _ticket(rig: Rig, *, escalate: bool = True) -> tuple[int, int, int]:
    operator = Principal.operator_of(Actor.system())
    ann = await rig.desk.directory.add(operator, "ann@team.test", role="agent")
    mia = await rig.desk.directory.add(operator, "mia@team.test", role="manager")
    await rig.policies.add(
        "standard",
        calendar="berlin",
        first_response="8h",
        is_default=True,
        escalate_raise_urgency=escalate,
        escalate_to="mia@team.test" if escalate else None,
    )
    raw, mid = mail(MONDAY)
    await rig.receive(raw)
    tid = await rig.ticket_of(mid)
    await rig.desk.assignments.assign(tid, ann.id, Actor.system())
    return tid, ann.id, mia.id


async def test_a_breach_is_told_once_with_what_the_escalation_did(rig: Rig) -> None:
    alerts = RecordingBreachAlerts()
    rig.sweep.alerts = alerts
    tid, _ann, _mia = await _ticket(rig)

    rig.clock.set(berlin(2026, 12, 7, 15, 0))  # a warning: not a breach
    await rig.sweep.run()
    assert alerts.calls == 0

    rig.clock.set(berlin(2026, 12, 7, 17, 0))
    report = await rig.sweep.run()
    assert (report.breaches, report.escalations, report.breach_alerts) == (1, 1, 1)
    (breach,) = alerts.items
    assert breach.ticket_id == tid and breach.metric == "first_response"
    assert breach.due_at == berlin(2026, 12, 7, 17, 0) and breach.policy == "standard"
    assert breach.assignee == "mia@team.test"  # as the escalation left it
    assert breach.reassigned and breach.reassigned_from == "ann@team.test"
    assert breach.raised and (breach.raised_from, breach.urgency) == (None, "Medium")

    rig.clock.set(berlin(2026, 12, 8, 12, 0))
    again = await rig.sweep.run()
    assert again.breach_alerts == 0 and alerts.calls == 1  # posted once


async def test_without_escalation_the_breach_says_nothing_was_done(rig: Rig) -> None:
    alerts = RecordingBreachAlerts()
    rig.sweep.alerts = alerts
    await _ticket(rig, escalate=False)
    rig.clock.set(berlin(2026, 12, 7, 17, 0))
    await rig.sweep.run()
    (breach,) = alerts.items
    assert breach.assignee == "ann@team.test"
    assert (breach.raised, breach.reassigned_from, breach.reassigned) == (False, None, False)


class BrokenAlerts:
    async def breached(self, items: Sequence[Breach]) -> None:
        raise RuntimeError("the channel is gone")


async def test_failing_alerts_are_logged_and_the_sweep_goes_on(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    rig.sweep.alerts = BrokenAlerts()
    await _ticket(rig)
    rig.clock.set(berlin(2026, 12, 7, 17, 0))
    report = await rig.sweep.run()
    assert (report.breaches, report.escalations, report.notices) == (1, 1, 2)
    assert report.breach_alerts == 0
    assert [n.kind for n in rig.sink.notices] == ["sla_breach", "sla_breach"]
    assert "1 SLA breach(es) not posted (not retried)" in caplog.text
    assert (await rig.sweep.run()).clocks == 0  # not retried


class FailingOnce:
    def __init__(self) -> None:
        self.failed = False
        self.notices: list[Notice] = []

    async def send(self, notices: Sequence[Notice]) -> None:
        if not self.failed:
            self.failed = True
            raise RuntimeError("slack is down")
        self.notices.extend(notices)


async def test_a_breach_dm_retried_is_not_posted_to_the_channel_again(rig: Rig) -> None:
    alerts = RecordingBreachAlerts()
    rig.sweep.alerts = alerts
    sink = FailingOnce()
    rig.sweep.sink = sink
    await _ticket(rig)
    rig.clock.set(berlin(2026, 12, 7, 17, 0))
    first = await rig.sweep.run()
    assert (first.notices, first.breach_alerts) == (0, 1)
    retried = await rig.sweep.run()
    # the breach fires again for its DMs (now to mia, who has the ticket), not the channel
    assert (retried.breaches, retried.breach_alerts) == (1, 0) and retried.notices == 1
    assert alerts.calls == 1 and len(alerts.items) == 1
