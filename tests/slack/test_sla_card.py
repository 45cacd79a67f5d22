"""The SLA in Slack, through signed requests and the fake Slack, on a fixed clock: the card
shows the nearest due time and turns amber at a warning and red at the breach when the
worker's sweep fires them; App Home lists the breached and at-risk tickets, nearest first,
and shows managers (not agents) the team's workload."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot import ids
from core.access.permissions import Principal
from core.audit import Actor
from core.tickets.listing import TicketQuery
from server.worker import Worker
from tests.core.flows import smtp_mailbox
from tests.sla.rig import Rig, berlin, build_rig, mail
from tests.support.cli import run
from tests.support.slack_driver import SlackHarness, find_action

MONDAY = berlin(2026, 12, 7, 9, 0)


def token(when: datetime) -> str:
    return f"<!date^{int(when.timestamp())}^{{date_short_pretty}} {{time}}|{when.astimezone(UTC):%Y-%m-%d %H:%M} UTC>"


@pytest.fixture()
async def rig(slack: SlackHarness, smtp_server: Any, tmp_path: Path) -> Rig:
    mailbox = await smtp_mailbox(slack.desk, smtp_server.host, smtp_server.port)
    r = await build_rig(slack.desk, mailbox, tmp_path, MONDAY)
    await r.calendars.add("berlin", tz="Europe/Berlin", hours="mon-fri 09:00-17:00")
    await r.policies.add(
        "standard", calendar="berlin", first_response="8h", resolution="3d", is_default=True
    )
    return r


async def _drafted(rig: Rig, at: datetime, subject: str = "Cannot log in") -> tuple[int, int]:
    rig.clock.set(at)
    raw, mid = mail(at, subject=subject)
    await rig.receive(raw)
    report = await rig.triage.triage_queued()
    (draft_id,) = report.drafted
    return await rig.ticket_of(mid), draft_id


def _context(message: Any) -> str:
    return "\n".join(
        e.get("text", "") for b in message.blocks if b["type"] == "context" for e in b["elements"]
    )


async def test_the_card_turns_amber_then_red_when_the_sweep_fires(
    slack: SlackHarness, rig: Rig
) -> None:
    _, draft_id = await _drafted(rig, MONDAY)
    (message,) = await slack.post(draft_id)
    due = berlin(2026, 12, 7, 17, 0)  # 8 business hours after Monday 9:00
    assert f":stopwatch: First response due {token(due)}" in _context(message)

    worker = Worker(slack.desk, notifier=slack.runtime.notifier, notice_sink=rig.sink)
    worker.sla_sweep = rig.sweep  # the same sweep on the test's clock
    rig.clock.set(berlin(2026, 12, 7, 14, 59))
    await worker.sweep()
    assert slack.updates(draft_id) == []  # nothing fired: the card is not touched

    rig.clock.set(berlin(2026, 12, 7, 15, 0))  # 75 % of 8 h
    await worker.sweep()
    amber = await slack.wait_update(draft_id, ":large_yellow_circle:")
    assert f":large_yellow_circle: First response due {token(due)} (75% used)" in _context(amber)
    find_action(amber.blocks, ids.APPROVE)  # still a card to act on

    rig.clock.set(berlin(2026, 12, 7, 17, 0))
    await worker.sweep()
    red = await slack.wait_update(draft_id, ":red_circle: First response breached")
    assert f":red_circle: First response breached: was due {token(due)}" in _context(red)
    assert len(slack.updates(draft_id)) == 2
    await worker.sweep()  # nothing new fires: no update
    assert len(slack.updates(draft_id)) == 2


async def test_waiting_on_customer_is_said_on_the_card(slack: SlackHarness, rig: Rig) -> None:
    ticket_id, draft_id = await _drafted(rig, MONDAY)
    (message,) = await slack.post(draft_id)
    await slack.driver.click(
        slack.admin, message, ids.MORE, option_value=ids.more_value("status", draft_id, "waiting")
    )
    card = await slack.wait_update(draft_id, "Resolution paused")
    assert (
        f":stopwatch: First response due {token(berlin(2026, 12, 7, 17, 0))}"
        " · Resolution paused: Waiting on customer"
    ) in _context(card)


def _between(text: str, start: str, end: str) -> str:
    assert start in text, f"no {start!r} in App Home"
    return text.split(start)[1].split(end)[0]


async def test_home_lists_breached_and_at_risk_nearest_first(
    slack: SlackHarness, rig: Rig, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 8 business hours each: first responses due Mon 17:00, Tue 11:00, Tue 12:00, Tue 14:00
    late, _ = await _drafted(rig, MONDAY, "late one")
    sooner, _ = await _drafted(rig, berlin(2026, 12, 7, 11, 0), "risky sooner")
    later, _ = await _drafted(rig, berlin(2026, 12, 7, 12, 0), "risky later")
    calm, _ = await _drafted(rig, berlin(2026, 12, 7, 14, 0), "calm one")
    rig.clock.set(berlin(2026, 12, 8, 10, 0))  # 75 % of sooner's and later's; calm's at 12:00
    report = await rig.sweep.run()
    assert (report.breaches, report.warnings) == (1, 2)

    # the database filters and orders: nearest due first (not by id, nor newest first)
    breached = await rig.desk.tickets.list(TicketQuery(sla="breached", sort="due"))
    at_risk = await rig.desk.tickets.list(TicketQuery(sla="at_risk", sort="due"))
    assert [v["id"] for v in breached] == [late]
    assert [v["id"] for v in at_risk] == [sooner, later]

    amy = slack.user("UAMY00001", "amy")
    await slack.member(amy, "agent")
    await slack.driver.event(amy, {"type": "app_home_opened", "tab": "home"})
    (home,) = await slack.fake.wait_for("views.publish")
    text = home.text_of_blocks()
    red = _between(text, "SLA breached", "At risk of breaching")
    assert "late one" in red and "risky" not in red and "calm one" not in red
    amber = _between(text, "At risk of breaching", "Assigned to you")
    assert amber.index("risky sooner") < amber.index("risky later")
    assert "calm one" not in amber and "late one" not in amber
    assert "Team workload" not in text  # an agent sees no one's load

    # `desk tickets --sort due`: the same statement; a ticket with no running clock comes
    # last either way (NULLs sort first on SQLite, last on PostgreSQL)
    await rig.statuses.set(late, "resolved", await rig.actor("lead@team.test"))
    for sort, order in (
        ("due", [sooner, later, calm, late]),
        ("-due", [calm, later, sooner, late]),
    ):
        code, out, err = run(capsys, "tickets", f"--sort={sort}", "--json")
        assert code == 0, err
        assert [t["id"] for t in json.loads(out)] == order, sort


async def test_managers_see_the_team_workload_on_app_home(slack: SlackHarness, rig: Rig) -> None:
    operator = Principal.operator_of(Actor.system())
    ann = await slack.desk.directory.add(operator, "ann@team.test", role="agent", name="Ann")
    ticket_id, _ = await _drafted(rig, MONDAY)
    await slack.desk.assignments.assign(ticket_id, ann.id, Actor.system())
    mia = slack.user("UMIA00001", "mia")
    await slack.member(mia, "manager")
    await slack.driver.event(mia, {"type": "app_home_opened", "tab": "home"})
    (home,) = await slack.fake.wait_for("views.publish")
    text = home.text_of_blocks()
    assert "Team workload" in text
    assert "*Ann* (ann@team.test)" in text and "open 1/15" in text
    assert "Nothing at risk of an SLA breach, nothing breached." in text
