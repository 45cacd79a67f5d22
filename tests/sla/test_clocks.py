"""SLA clocks moved by the real events on fixed clocks: mail stored by the ingest, triage, a
person's correction, a sent reply (a pending draft is none), waiting on the customer,
resolve and reopen, and a policy changed mid-clock."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select

from core.errors import ValidationError
from core.tickets.listing import TicketQuery
from db.models import AuditEvent, SlaClock, Ticket
from server.wiring import Desk
from tests.core.flows import smtp_mailbox
from tests.sla.rig import Rig, berlin, build_rig, mail
from tests.support.cli import run

FRIDAY = berlin(2026, 12, 4, 16, 30)
MONDAY = berlin(2026, 12, 7, 9, 0)


@pytest.fixture()
async def rig(desk: Desk, smtp_server: Any, tmp_path: Path) -> Rig:
    mailbox = await smtp_mailbox(desk, smtp_server.host, smtp_server.port)
    r = await build_rig(desk, mailbox, tmp_path, FRIDAY)
    await r.calendars.add("berlin", tz="Europe/Berlin", hours="mon-fri 09:00-17:00")
    await r.policies.add(
        "standard",
        calendar="berlin",
        first_response="8h",
        next_response="4h",
        resolution="3d",
        is_default=True,
    )
    await r.policies.add(
        "high",
        calendar="berlin",
        urgency="High",
        first_response="4h",
        next_response="2h",
        resolution="2d",
    )
    return r


async def triaged_low(rig: Rig, ticket_id: int) -> None:
    """Triage, then a person sets the urgency Low: the ticket is on the standard policy,
    whatever the offline model said."""
    await rig.triage.triage_queued()
    await rig.classification.classify(ticket_id, await rig.actor(), urgency="Low")


async def test_high_ticket_on_friday_afternoon_is_due_monday_and_only_a_sent_reply_meets_it(
    rig: Rig,
) -> None:
    raw, mid = mail(FRIDAY)
    await rig.receive(raw)
    tid = await rig.ticket_of(mid)
    clocks = await rig.clocks(tid)
    assert set(clocks) == {"first_response", "resolution"}
    # not triaged yet: the default policy, 8 business hours -> Monday 16:30
    assert clocks["first_response"].due_at == berlin(2026, 12, 7, 16, 30)

    await rig.triage.triage_queued()
    await rig.classification.classify(tid, await rig.actor(), urgency="High")
    clocks = await rig.clocks(tid)
    first = clocks["first_response"]
    assert first.due_at == berlin(2026, 12, 7, 12, 30)
    assert first.policy_version == 1 and first.started_at == FRIDAY
    assert first.stopped_at is None  # a pending AI draft is not an answer
    # resolution: 2 days of 24 business hours: 0.5 h Friday, 40 h next week, 7.5 h Monday
    assert clocks["resolution"].due_at == berlin(2026, 12, 14, 16, 30)

    rig.clock.set(berlin(2026, 12, 7, 10, 0))
    await rig.send_reply(tid)
    first = (await rig.clocks(tid))["first_response"]
    assert first.stopped_at == berlin(2026, 12, 7, 10, 0)
    assert first.stop_reason == "reply" and first.breached_at is None
    assert first.elapsed_seconds == 90 * 60  # 30 min on Friday, 60 on Monday
    assert first.next_alert_at is None
    assert (await rig.clocks(tid))["resolution"].stopped_at is None


async def test_each_customer_message_waiting_for_an_answer_opens_one_cycle(rig: Rig) -> None:
    rig.clock.set(MONDAY)
    raw, mid = mail(MONDAY)
    await rig.receive(raw)
    tid = await rig.ticket_of(mid)
    await triaged_low(rig, tid)
    # a follow-up before any reply: the first response covers it
    rig.clock.set(berlin(2026, 12, 7, 9, 30))
    await rig.receive(mail(rig.clock.now, in_reply_to=mid)[0])
    assert set(await rig.clocks(tid)) == {"first_response", "resolution"}

    rig.clock.set(berlin(2026, 12, 7, 10, 0))
    sent = await rig.send_reply(tid)
    rig.clock.set(berlin(2026, 12, 7, 11, 0))
    raw, second = mail(rig.clock.now, in_reply_to=sent)
    await rig.receive(raw)
    rig.clock.set(berlin(2026, 12, 7, 11, 30))
    await rig.receive(mail(rig.clock.now, in_reply_to=second)[0])
    clocks = await rig.clocks(tid)
    assert set(clocks) == {"first_response", "resolution", "next_response.1"}
    cycle = clocks["next_response.1"]
    assert cycle.started_at == berlin(2026, 12, 7, 11, 0)
    assert cycle.due_at == berlin(2026, 12, 7, 15, 0)  # standard: 4 h

    await rig.triage.triage_queued()  # a new pending draft answers nothing yet
    assert (await rig.clocks(tid))["next_response.1"].stopped_at is None
    rig.clock.set(berlin(2026, 12, 7, 12, 0))
    sent = await rig.send_reply(tid)
    cycle = (await rig.clocks(tid))["next_response.1"]
    assert cycle.stopped_at == berlin(2026, 12, 7, 12, 0) and cycle.stop_reason == "reply"

    rig.clock.set(berlin(2026, 12, 7, 16, 0))
    await rig.receive(mail(rig.clock.now, in_reply_to=sent)[0])
    cycle2 = (await rig.clocks(tid))["next_response.2"]
    # 1 h left on Monday, 3 h on Tuesday
    assert cycle2.due_at == berlin(2026, 12, 8, 12, 0)


async def test_waiting_pauses_resolution_until_the_customer_writes(rig: Rig) -> None:
    rig.clock.set(MONDAY)
    raw, mid = mail(MONDAY)
    await rig.receive(raw)
    tid = await rig.ticket_of(mid)
    await triaged_low(rig, tid)
    rig.clock.set(berlin(2026, 12, 7, 13, 0))
    sent = await rig.send_reply(tid)
    change = await rig.statuses.set(tid, "waiting", await rig.actor())
    assert (change.before, change.after) == ("answered", "waiting")
    resolution = (await rig.clocks(tid))["resolution"]
    assert resolution.paused_at == berlin(2026, 12, 7, 13, 0)
    assert resolution.elapsed_seconds == 4 * 3600 and resolution.next_alert_at is None

    # a sweep while paused fires nothing, however late
    rig.clock.set(berlin(2026, 12, 31, 12, 0))
    assert (await rig.sweep.run()).clocks == 0

    rig.clock.set(berlin(2026, 12, 10, 10, 0))  # Thursday: the customer answers
    await rig.receive(mail(rig.clock.now, in_reply_to=sent)[0])
    async with rig.desk.sessions() as s:
        assert (await s.get(Ticket, tid)).status == "open"  # type: ignore[union-attr]
    resolution = (await rig.clocks(tid))["resolution"]
    assert resolution.paused_at is None
    assert resolution.paused_seconds == (69 * 3600)  # Monday 13:00 to Thursday 10:00
    cal = await rig.calendars.get("berlin")
    assert resolution.due_at == cal.add(berlin(2026, 12, 10, 10, 0), 68 * 60)
    assert "next_response.1" in await rig.clocks(tid)


async def test_resolved_stops_every_clock_and_a_reopen_resumes_resolution(rig: Rig) -> None:
    rig.clock.set(MONDAY)
    raw, mid = mail(MONDAY)
    await rig.receive(raw)
    tid = await rig.ticket_of(mid)
    await triaged_low(rig, tid)
    rig.clock.set(berlin(2026, 12, 8, 9, 0))  # Tuesday: 8 business hours used
    await rig.statuses.set(tid, "resolved", await rig.actor())
    clocks = await rig.clocks(tid)
    assert all(c.stopped_at == berlin(2026, 12, 8, 9, 0) for c in clocks.values())
    assert {c.stop_reason for c in clocks.values()} == {"resolved"}
    # the first response was at its due time when the ticket was resolved
    assert clocks["first_response"].breached_at == berlin(2026, 12, 7, 17, 0)
    assert clocks["resolution"].elapsed_seconds == 8 * 3600

    rig.clock.set(berlin(2026, 12, 9, 9, 0))  # Wednesday: reopened by a person
    await rig.statuses.set(tid, "open", await rig.actor())
    resolution = (await rig.clocks(tid))["resolution"]
    assert resolution.stopped_at is None and resolution.started_at == MONDAY
    cal = await rig.calendars.get("berlin")
    assert resolution.due_at == cal.add(berlin(2026, 12, 9, 9, 0), 64 * 60)
    async with rig.desk.sessions() as s:
        actions = list(
            await s.scalars(select(AuditEvent.action).where(AuditEvent.ticket_id == tid))
        )
    assert actions.count("ticket.status") == 2

    # a customer's mail on a resolved ticket reopens it the same way
    rig.clock.set(berlin(2026, 12, 9, 10, 0))
    await rig.statuses.set(tid, "resolved", await rig.actor())
    rig.clock.set(berlin(2026, 12, 9, 11, 0))
    await rig.receive(mail(rig.clock.now, in_reply_to=mid)[0])
    resolution = (await rig.clocks(tid))["resolution"]
    assert resolution.stopped_at is None and resolution.elapsed_seconds == 9 * 3600
    assert resolution.due_at == cal.add(berlin(2026, 12, 9, 11, 0), 63 * 60)


async def test_a_policy_change_mid_clock_keeps_the_business_time_used(rig: Rig) -> None:
    rig.clock.set(MONDAY)
    raw, mid = mail(MONDAY)
    await rig.receive(raw)
    tid = await rig.ticket_of(mid)
    assert (await rig.clocks(tid))["first_response"].due_at == berlin(2026, 12, 7, 17, 0)

    rig.clock.set(berlin(2026, 12, 7, 10, 30))
    await rig.policies.change("standard", first_response="4h")
    first = (await rig.clocks(tid))["first_response"]
    assert first.policy_version == 2
    assert first.due_at == berlin(2026, 12, 7, 13, 0)  # 1.5 h used, 2.5 h left

    # another calendar: the 2 h used on the old one are kept, the rest counts on the new
    await rig.calendars.add("late", tz="Europe/Berlin", hours="mon-fri 12:00-20:00")
    rig.clock.set(berlin(2026, 12, 7, 11, 0))
    await rig.policies.change("standard", calendar="late")
    first = (await rig.clocks(tid))["first_response"]
    assert first.policy_version == 3 and first.elapsed_seconds == 2 * 3600
    assert first.due_at == berlin(2026, 12, 7, 14, 0)

    with pytest.raises(ValidationError, match="at least one target"):
        await rig.policies.change("standard", first_response="", next_response="", resolution="")
    assert (await rig.clocks(tid))["first_response"].policy_version == 3


async def test_a_batch_of_new_tickets_costs_two_statements(rig: Rig, desk: Desk) -> None:
    rig.clock.set(MONDAY)
    statements: list[str] = []

    def count(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        if "sla_" in sql:
            statements.append(sql)

    event.listen(desk.engine.sync_engine, "before_cursor_execute", count)
    try:
        await rig.receive(*(mail(MONDAY, subject=f"Case {i}")[0] for i in range(40)))
    finally:
        event.remove(desk.engine.sync_engine, "before_cursor_execute", count)
    # the policies, then one insert of the 80 clocks (on PostgreSQL a COPY, which is no
    # cursor execute)
    assert [q.split()[0] for q in statements] in (["SELECT", "INSERT"], ["SELECT"]), statements
    async with desk.sessions() as s:
        clocks = list(await s.scalars(select(SlaClock)))
    assert len(clocks) == 80
    assert {c.due_at for c in clocks if c.metric == "first_response"} == {
        berlin(2026, 12, 7, 17, 0)
    }


async def test_ticket_lists_carry_each_metrics_due_and_breach(
    rig: Rig, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rig.clock.set(MONDAY)
    raw, mid = mail(MONDAY)
    await rig.receive(raw)
    tid = await rig.ticket_of(mid)
    await triaged_low(rig, tid)
    rig.clock.set(berlin(2026, 12, 7, 17, 30))  # past the first response's due time
    await rig.sweep.run()
    await rig.send_reply(tid)
    rig.clock.set(berlin(2026, 12, 8, 9, 0))
    await rig.statuses.set(tid, "waiting", await rig.actor())
    [view] = await rig.desk.tickets.list(TicketQuery())
    assert view["sla"] == {
        "first_response": {"due": "2026-12-07T16:00:00+00:00", "breached": True, "state": "met"},
        "resolution": {"due": "2026-12-17T16:00:00+00:00", "breached": False, "state": "paused"},
    }
    code, out, err = run(capsys, "tickets", "--json")
    assert code == 0, err
    assert json.loads(out)[0]["sla"] == view["sla"]
    assert (await rig.desk.tickets.get(tid))["sla"] == view["sla"]
