"""The SLA escalation to the group ``managers``: on breach the ticket goes to the
least-loaded available manager or admin (ties: least recently assigned); none available:
the owner keeps it and the audit event and the breach say so. Fixed clocks, both DBs."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from core.access.permissions import Principal
from core.audit import Actor
from core.errors import ValidationError
from core.workflow.sla_sweep import RecordingBreachAlerts, SlaSweep
from db.models import AgentProfile, AuditEvent, SlaPolicy, Ticket, User
from server.wiring import Desk
from tests.core.flows import smtp_mailbox
from tests.core.test_assignment import make_tickets
from tests.sla.rig import Rig, berlin, build_rig, mail

MONDAY = berlin(2026, 12, 7, 9, 0)
DUE = berlin(2026, 12, 7, 11, 0)  # 2 h of business time later


@pytest.fixture()
async def rig(desk: Desk, smtp_server: Any, tmp_path: Path) -> Rig:
    mailbox = await smtp_mailbox(desk, smtp_server.host, smtp_server.port)
    r = await build_rig(desk, mailbox, tmp_path, MONDAY)
    await r.calendars.add("berlin", tz="Europe/Berlin", hours="mon-fri 09:00-17:00")
    return r


async def _user(
    rig: Rig,
    email: str,
    role: str,
    *,
    load: int = 0,
    available: bool | None = None,
    capacity: int = 15,
    last: datetime | None = None,
) -> int:
    """A desk user with ``load`` open tickets; ``available`` not None: with an agent
    profile (available or away)."""
    operator = Principal.operator_of(Actor.system())
    uid = (await rig.desk.directory.add(operator, email, role=role)).id
    if available is not None:
        async with rig.desk.sessions.begin() as s:
            s.add(
                AgentProfile(
                    user_id=uid,
                    skills=[],
                    languages=[],
                    capacity=capacity,
                    available=available,
                    last_assigned_at=last,
                )
            )
    if load:
        await make_tickets(rig.desk.sessions, rig.mailbox.id, load, owner=uid)
    return uid


async def _breach(rig: Rig, owner: int) -> tuple[int, RecordingBreachAlerts]:
    await rig.policies.add(
        "standard",
        calendar="berlin",
        first_response="2h",
        is_default=True,
        escalate_to="managers",
    )
    raw, mid = mail(MONDAY)
    await rig.receive(raw)
    tid = await rig.ticket_of(mid)
    await rig.desk.assignments.assign(tid, owner, Actor.system())
    alerts = RecordingBreachAlerts()
    rig.clock.set(DUE)
    sweep = SlaSweep(rig.desk.sessions, rig.sink, rig.clock, alerts=alerts)
    report = await sweep.run()
    assert report.breaches == 1
    return tid, alerts


async def _outcome(rig: Rig, tid: int) -> tuple[int | None, AuditEvent]:
    async with rig.desk.sessions() as s:
        ticket = await s.get(Ticket, tid)
        event = await s.scalar(select(AuditEvent).where(AuditEvent.action == "sla.escalated"))
    assert ticket is not None and event is not None
    return ticket.assigned_to_id, event


async def test_the_breach_goes_to_the_least_loaded_manager(rig: Rig) -> None:
    ann = await _user(rig, "ann@team.test", "agent")
    busy = await _user(rig, "bo@team.test", "manager", load=3)
    mia = await _user(rig, "mia@team.test", "manager", load=1, available=True)
    tid, alerts = await _breach(rig, ann)

    owner, event = await _outcome(rig, tid)
    assert owner == mia != busy
    assert event.changes["assigned_to_id"] == [ann, mia]
    assert event.data["reason"] == "reassigned to the least-loaded manager mia@team.test (load 1)"
    [breach] = alerts.items
    assert breach.reassigned and breach.assignee == "mia@team.test"
    assert breach.reassigned_from == "ann@team.test"
    async with rig.desk.sessions() as s:
        profile = await s.get(AgentProfile, mia)
    assert profile is not None and profile.last_assigned_at is not None  # ties rotate


async def test_away_and_full_managers_are_skipped_and_ties_go_least_recent(rig: Rig) -> None:
    ann = await _user(rig, "ann@team.test", "agent")
    await _user(rig, "away@team.test", "manager", available=False)
    await _user(rig, "full@team.test", "manager", load=1, available=True, capacity=1)
    await _user(rig, "recent@team.test", "admin", load=2, available=True, last=MONDAY)
    earlier = await _user(
        rig, "earlier@team.test", "manager", load=2, available=True, last=berlin(2026, 12, 4, 9)
    )
    tid, _ = await _breach(rig, ann)

    owner, event = await _outcome(rig, tid)
    assert owner == earlier
    assert "earlier@team.test (load 2)" in event.data["reason"]


async def test_no_manager_available_keeps_the_owner_and_says_so(rig: Rig) -> None:
    ann = await _user(rig, "ann@team.test", "agent")
    await _user(rig, "away@team.test", "manager", available=False)
    await _user(rig, "gone@team.test", "admin", available=True)
    async with rig.desk.sessions.begin() as s:
        gone = await s.scalar(select(User).where(User.email == "gone@team.test"))
        assert gone is not None
        gone.is_active = False
    tid, alerts = await _breach(rig, ann)

    owner, event = await _outcome(rig, tid)
    assert owner == ann
    assert event.changes == {}
    assert event.data["reason"] == "no manager available: the owner keeps the ticket"
    [breach] = alerts.items
    assert not breach.reassigned and breach.assignee == "ann@team.test"
    assert breach.note == "no manager available: the owner keeps the ticket"


async def test_the_policy_takes_the_group_exclusive_with_an_email(rig: Rig) -> None:
    await _user(rig, "mia@team.test", "manager")
    info = await rig.policies.add(
        "standard", calendar="berlin", first_response="2h", escalate_to="Managers"
    )
    assert info.as_json()["escalate"] == {
        "raise_urgency": False,
        "reassign_to": None,
        "group": "managers",
    }
    with pytest.raises(ValidationError) as both:
        await rig.policies.add(
            "other",
            calendar="berlin",
            first_response="2h",
            escalate_to="mia@team.test",
            escalate_to_group="managers",
        )
    assert both.value.data["field"] == "escalate_to_group"
    with pytest.raises(ValidationError) as unknown:
        await rig.policies.change("standard", escalate_to_group="agents")
    assert unknown.value.data["field"] == "escalate_to_group"

    changed = await rig.policies.change("standard", escalate_to="mia@team.test")
    assert changed.as_json()["escalate"]["reassign_to"] == "mia@team.test"
    assert changed.as_json()["escalate"]["group"] is None  # the email replaced the group
    back = await rig.policies.change("standard", escalate_to="managers")
    assert back.as_json()["escalate"]["reassign_to"] is None
    assert back.as_json()["escalate"]["group"] == "managers"
    async with rig.desk.sessions() as s:
        row = await s.scalar(select(SlaPolicy).where(SlaPolicy.name == "standard"))
    assert row is not None and (row.escalate_to_id, row.escalate_to_group) == (None, "managers")
    listed = [p.as_json() for p in await rig.policies.list()]
    assert listed[0]["escalate"]["group"] == "managers"
