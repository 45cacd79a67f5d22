"""The SLA sweep on fixed clocks: each warning level once, breach alerts to the assignee and
the managers, escalation, concurrent sweeps, a failing sink."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select

from core.access.permissions import Principal
from core.audit import Actor
from core.workflow.notices import Notice, RecordingSink
from core.workflow.sla_sweep import SlaSweep
from db.models import AuditEvent, Ticket
from server.wiring import Desk
from server.worker import Worker
from tests.core.flows import smtp_mailbox
from tests.sla.rig import Rig, berlin, build_rig, mail

MONDAY = berlin(2026, 12, 7, 9, 0)


@pytest.fixture()
async def rig(desk: Desk, smtp_server: Any, tmp_path: Path) -> Rig:
    mailbox = await smtp_mailbox(desk, smtp_server.host, smtp_server.port)
    r = await build_rig(desk, mailbox, tmp_path, MONDAY)
    await r.calendars.add("berlin", tz="Europe/Berlin", hours="mon-fri 09:00-17:00")
    return r


async def _users(desk: Desk) -> tuple[int, int]:
    operator = Principal.operator_of(Actor.system())
    ann = await desk.directory.add(operator, "ann@team.test", role="agent")
    mia = await desk.directory.add(operator, "mia@team.test", role="manager")
    return ann.id, mia.id


async def _ticket(rig: Rig, ann: int) -> int:
    raw, mid = mail(MONDAY)
    await rig.receive(raw)
    tid = await rig.ticket_of(mid)
    await rig.desk.assignments.assign(tid, ann, Actor.system())
    return tid


def kinds(notices: Sequence[Notice]) -> list[tuple[str, int, bool]]:
    return [(n.kind, n.user_id, n.urgent) for n in notices]


async def test_each_warning_fires_once_then_the_breach_escalates(rig: Rig) -> None:
    ann, mia = await _users(rig.desk)
    await rig.policies.add(
        "standard",
        calendar="berlin",
        first_response="8h",
        is_default=True,
        escalate_raise_urgency=True,
        escalate_to="mia@team.test",
    )
    tid = await _ticket(rig, ann)

    rig.clock.set(berlin(2026, 12, 7, 14, 59))
    assert (await rig.sweep.run()).warnings == 0 and rig.sink.notices == []
    rig.clock.set(berlin(2026, 12, 7, 15, 0))  # 75 % of 8 h
    report = await rig.sweep.run()
    assert (report.clocks, report.warnings) == (1, 1)
    assert kinds(rig.sink.notices) == [("sla_warning", ann, False)]
    warning = rig.sink.notices[0]
    assert warning.key == f"sla_warning:ticket:{tid}:first_response:75:user:{ann}"
    assert warning.data["level"] == 75 and warning.ticket_id == tid
    assert (await rig.sweep.run()).clocks == 0  # nothing new: not sent again
    assert len(rig.sink.notices) == 1

    rig.clock.set(berlin(2026, 12, 7, 16, 12))  # 90 %
    await rig.sweep.run()
    assert [n.data.get("level") for n in rig.sink.notices] == [75, 90]

    rig.clock.set(berlin(2026, 12, 7, 17, 0))  # due
    report = await rig.sweep.run()
    assert (report.breaches, report.escalations) == (1, 1)
    breach = rig.sink.notices[2:]
    assert kinds(breach) == [("sla_breach", ann, True), ("sla_breach", mia, True)]
    clock = (await rig.clocks(tid))["first_response"]
    assert clock.breached_at == berlin(2026, 12, 7, 17, 0) and clock.next_alert_at is None
    async with rig.desk.sessions() as s:
        ticket = await s.get(Ticket, tid)
        assert ticket is not None
        assert ticket.assigned_to_id == mia
        escalated = await s.scalar(select(AuditEvent).where(AuditEvent.action == "sla.escalated"))
    assert escalated is not None and escalated.changes["assigned_to_id"] == [ann, mia]
    assert escalated.changes["urgency"][1] in ("Medium", "High")

    rig.clock.set(berlin(2026, 12, 8, 12, 0))
    assert (await rig.sweep.run()).clocks == 0
    assert len(rig.sink.notices) == 4


async def test_a_late_sweep_sends_the_breach_not_the_warnings_it_missed(rig: Rig) -> None:
    ann, mia = await _users(rig.desk)
    await rig.policies.add("standard", calendar="berlin", first_response="2h", is_default=True)
    tid = await _ticket(rig, ann)
    rig.clock.set(berlin(2026, 12, 8, 9, 0))
    report = await rig.sweep.run()
    assert (report.warnings, report.breaches, report.escalations) == (0, 1, 0)
    assert kinds(rig.sink.notices) == [("sla_breach", ann, True), ("sla_breach", mia, True)]
    assert (await rig.clocks(tid))["first_response"].warned == [75, 90, 100]


async def test_a_reply_sent_before_the_warning_silences_it(rig: Rig) -> None:
    ann, _ = await _users(rig.desk)
    await rig.policies.add("standard", calendar="berlin", first_response="8h", is_default=True)
    tid = await _ticket(rig, ann)
    await rig.triage.triage_queued()
    rig.clock.set(berlin(2026, 12, 7, 12, 0))
    await rig.send_reply(tid)
    rig.clock.set(berlin(2026, 12, 9, 12, 0))
    assert (await rig.sweep.run()).clocks == 0 and rig.sink.notices == []


async def test_two_sweeps_at_once_send_each_notice_once(rig: Rig) -> None:
    ann, _ = await _users(rig.desk)
    await rig.policies.add("standard", calendar="berlin", first_response="8h", is_default=True)
    tids = [await _ticket(rig, ann) for _ in range(5)]
    rig.clock.set(berlin(2026, 12, 7, 15, 30))
    other = SlaSweep(rig.desk.sessions, rig.sink, rig.clock)
    reports = await asyncio.gather(rig.sweep.run(), other.run())
    assert sum(r.warnings for r in reports) == 5
    keys = [n.key for n in rig.sink.notices]
    assert len(keys) == 5 and len(set(keys)) == 5
    assert {n.ticket_id for n in rig.sink.notices} == set(tids)


async def test_a_sweep_writes_each_clock_once_and_on_postgresql_in_one_batch(rig: Rig) -> None:
    """Each clock fired is written by the sweep's compare-and-set only (the loaded clock is
    not flushed a second time at commit); on PostgreSQL, where the sweep holds the clocks
    ``FOR UPDATE``, all of them in one executemany."""
    ann, _ = await _users(rig.desk)
    await rig.policies.add("standard", calendar="berlin", first_response="8h", is_default=True)
    tids = [await _ticket(rig, ann) for _ in range(4)]
    writes: list[int] = []  # rows bound per UPDATE of sla_clocks

    def count(_conn, _cursor, statement, parameters, _context, many) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("UPDATE SLA_CLOCKS"):
            writes.append(len(parameters) if many else 1)

    rig.clock.set(berlin(2026, 12, 7, 15, 30))  # 75 % of 8 h for every ticket
    engine = rig.desk.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        report = await rig.sweep.run()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert (report.clocks, report.warnings, report.lost) == (4, 4, 0)
    assert sum(writes) == 4
    assert writes == ([4] if rig.desk.engine.dialect.name == "postgresql" else [1, 1, 1, 1])
    assert {n.ticket_id for n in rig.sink.notices} == set(tids)
    for tid in tids:
        assert (await rig.clocks(tid))["first_response"].warned == [75]


class FailingOnce(RecordingSink):
    def __init__(self) -> None:
        super().__init__()
        self.failed = False

    async def send(self, notices: Sequence[Notice]) -> None:
        if not self.failed:
            self.failed = True
            raise RuntimeError("Slack is down")
        await super().send(notices)


async def test_notices_the_sink_failed_to_take_are_sent_by_the_next_sweep(rig: Rig) -> None:
    ann, mia = await _users(rig.desk)
    await rig.policies.add(
        "standard",
        calendar="berlin",
        first_response="1h",
        is_default=True,
        escalate_raise_urgency=True,
    )
    tid = await _ticket(rig, ann)
    sink = FailingOnce()
    sweep = SlaSweep(rig.desk.sessions, sink, rig.clock)
    rig.clock.set(berlin(2026, 12, 7, 10, 5))
    first = await sweep.run()
    assert first.breaches == 1 and first.notices == 0 and sink.notices == []
    second = await sweep.run()
    assert (second.breaches, second.escalations) == (1, 0)  # escalated once only
    assert kinds(sink.notices) == [("sla_breach", ann, True), ("sla_breach", mia, True)]
    async with rig.desk.sessions() as s:
        events = list(await s.scalars(select(AuditEvent.action).where(AuditEvent.ticket_id == tid)))
    assert events.count("sla.escalated") == 1


async def test_the_worker_runs_the_sweep_as_a_job(rig: Rig) -> None:
    ann, _ = await _users(rig.desk)
    await rig.policies.add("standard", calendar="berlin", first_response="1h", is_default=True)
    await _ticket(rig, ann)
    await rig.desk.scheduler.start(await rig.actor("lead@team.test"), interval_seconds=60)
    rig.clock.set(berlin(2026, 12, 7, 10, 30))
    worker = Worker(rig.desk, default_interval=60, notice_sink=rig.sink, control_seconds=0.2)
    worker.sla_sweep = rig.sweep  # the same sweep on the test's clock
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    try:
        deadline = time.monotonic() + 30
        while not rig.sink.notices and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        assert worker.scheduler.get_job("sla") is not None
        assert kinds(rig.sink.notices)[0] == ("sla_breach", ann, True)
    finally:
        stop.set()
        await task
