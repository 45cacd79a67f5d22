"""SLA breaches in the breach channel through the fake Slack: one message per sweep, the
on-call group mentioned, nothing without a channel, a Slack error logged; and the
``/desk settings`` field that sets and clears the channel."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.blocks.breach import breach_message
from bot.blocks.settings import BREACH_CHANNEL_KEY, ONCALL_GROUP_KEY
from bot.breach_alerts import SlackBreachAlerts
from core.access.permissions import Principal
from core.audit import Actor
from core.workflow.sla_sweep import Breach
from server.worker import Worker
from tests.core.flows import smtp_mailbox
from tests.sla.rig import Rig, berlin, build_rig, mail
from tests.slack.test_settings import _open_settings
from tests.support.blockkit import problems
from tests.support.fake_slack import Reply
from tests.support.slack_driver import SlackHarness

MONDAY = berlin(2026, 12, 7, 9, 0)
BREACH_CHANNEL = "C0BREACH1"
TEST = Actor("test", "test")


async def _rig(slack: SlackHarness, tmp_path: Path) -> tuple[Rig, int]:
    desk = slack.desk
    rig = await build_rig(desk, await smtp_mailbox(desk), tmp_path, MONDAY)
    await rig.calendars.add("berlin", tz="Europe/Berlin", hours="mon-fri 09:00-17:00")
    operator = Principal.operator_of(Actor.system())
    ann = await desk.directory.add(operator, "ann@team.test", role="agent")
    await desk.directory.add(operator, "mia@team.test", role="manager")
    await rig.policies.add(
        "standard",
        calendar="berlin",
        first_response="8h",
        is_default=True,
        escalate_raise_urgency=True,
        escalate_to="mia@team.test",
    )
    raw, mid = mail(MONDAY, subject="Where is my order")
    await rig.receive(raw)
    tid = await rig.ticket_of(mid)
    await desk.assignments.assign(tid, ann.id, Actor.system())
    rig.sweep.alerts = SlackBreachAlerts(slack.runtime.notifier)
    return rig, tid


def _posts(slack: SlackHarness) -> list:  # type: ignore[type-arg]
    return slack.fake.calls_to(
        "chat.postMessage", lambda c: c.body.get("channel") == BREACH_CHANNEL
    )


async def test_a_breach_is_posted_once_mentioning_the_oncall_group(
    slack: SlackHarness, tmp_path: Path
) -> None:
    rig, tid = await _rig(slack, tmp_path)
    await slack.desk.store.set(BREACH_CHANNEL_KEY, BREACH_CHANNEL, actor=TEST)
    await slack.desk.store.set(ONCALL_GROUP_KEY, "S0ONCALL1", actor=TEST)

    rig.clock.set(berlin(2026, 12, 7, 17, 0))
    report = await rig.sweep.run()
    assert (report.breaches, report.breach_alerts) == (1, 1)
    (posted,) = await slack.fake.wait_for(
        "chat.postMessage", where=lambda c: c.body.get("channel") == BREACH_CHANNEL
    )
    assert posted.body["text"] == "<!subteam^S0ONCALL1> 1 SLA breach"
    text = posted.text_of_blocks()
    assert f"#{tid}" in text and "Where is my order" in text
    due = int(berlin(2026, 12, 7, 17, 0).timestamp())
    assert f"<!date^{due}^" in text and "first response was due" in text
    assert "mia@team.test" in text and "reassigned from ann@team.test" in text
    assert "urgency raised from" in text and "policy standard" in text
    assert problems(posted.body["blocks"]) == []

    rig.clock.set(berlin(2026, 12, 8, 12, 0))
    await rig.sweep.run()
    await slack.settle()
    assert len(_posts(slack)) == 1  # two sweeps, one post


async def test_no_breach_channel_posts_nothing(slack: SlackHarness, tmp_path: Path) -> None:
    rig, _tid = await _rig(slack, tmp_path)
    rig.clock.set(berlin(2026, 12, 7, 17, 0))
    report = await rig.sweep.run()
    assert report.breaches == 1 and report.notices == 2  # the DMs all the same
    await slack.settle()
    assert not any(
        "SLA breach" in c.body.get("text", "") for c in slack.fake.calls_to("chat.postMessage")
    )


async def test_a_slack_error_is_logged_and_the_report_stays_right(
    slack: SlackHarness, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    rig, _tid = await _rig(slack, tmp_path)
    await slack.desk.store.set(BREACH_CHANNEL_KEY, BREACH_CHANNEL, actor=TEST)
    slack.fake.script("chat.postMessage", Reply(200, {"ok": False, "error": "not_in_channel"}))
    rig.clock.set(berlin(2026, 12, 7, 17, 0))
    report = await rig.sweep.run()
    assert (report.breaches, report.escalations, report.notices) == (1, 1, 2)
    assert "SLA breach alert in C0BREACH1 failed (not retried)" in caplog.text
    assert "not_in_channel" in caplog.text


def test_the_message_without_a_group_lists_and_counts_within_limits() -> None:
    due = datetime(2026, 12, 7, 16, 0, tzinfo=UTC)
    items = [
        Breach(n, "S" * 300, "next_response", 1, due, None, "High", "p" * 200) for n in range(1, 26)
    ]
    text, blocks = breach_message(items, links={1: "https://slack.test/p1"})
    assert text == "25 SLA breaches" and "subteam" not in str(blocks)
    body = blocks[1]["text"]["text"]
    assert "<https://slack.test/p1|#1>" in body and "*#2*" in body
    assert "unassigned" in body and "next response was due" in body
    assert body.endswith(" more") and len(body) <= 3000
    assert "escalated" not in body
    assert problems(blocks) == []


def test_the_message_says_when_no_manager_could_take_the_breach() -> None:
    due = datetime(2026, 12, 7, 16, 0, tzinfo=UTC)
    kept = Breach(
        1,
        "S",
        "first_response",
        0,
        due,
        "ann@team.test",
        "High",
        "p",
        note="no manager available: the owner keeps the ticket",
    )
    moved = Breach(
        2,
        "S",
        "first_response",
        0,
        due,
        "mia@team.test",
        "High",
        "p",
        reassigned=True,
        reassigned_from="ann@team.test",
        note="reassigned to the least-loaded manager mia@team.test (load 1)",
    )
    _, blocks = breach_message([kept, moved])
    first, second = blocks[1]["text"]["text"].split("\n:red_circle:")
    assert "escalated: no manager available: the owner keeps the ticket" in first
    assert "escalated: reassigned from ann@team.test" in second and "least-loaded" not in second


async def test_settings_set_and_clear_the_breach_channel(slack: SlackHarness) -> None:
    store = slack.desk.store
    view = await _open_settings(slack)
    bad = await slack.driver.submit(slack.admin, view, {"breach_channel": "#breaches"})
    assert "a channel id" in bad.json()["errors"]["breach_channel"]
    assert await store.get(BREACH_CHANNEL_KEY) is None

    await slack.driver.submit(slack.admin, view, {"breach_channel": BREACH_CHANNEL})
    (done,) = await slack.fake.wait_for(
        "views.update", where=lambda c: "Saved:" in c.text_of_blocks()
    )
    assert BREACH_CHANNEL_KEY in done.text_of_blocks()
    assert await store.get(BREACH_CHANNEL_KEY) == BREACH_CHANNEL

    again = await _open_settings(slack)
    field = next(b for b in again["blocks"] if b.get("block_id") == "breach_channel")
    assert field["element"]["initial_value"] == BREACH_CHANNEL
    await slack.driver.submit(slack.admin, again, {"breach_channel": ""})
    await slack.fake.wait_for(
        "views.update", count=2, where=lambda c: "Saved:" in c.text_of_blocks()
    )
    assert not await store.get(BREACH_CHANNEL_KEY)


async def test_the_worker_posts_its_sweeps_breaches_in_the_channel(
    slack: SlackHarness, tmp_path: Path
) -> None:
    rig, tid = await _rig(slack, tmp_path)
    await slack.desk.store.set(BREACH_CHANNEL_KEY, BREACH_CHANNEL, actor=TEST)
    worker = Worker(slack.desk, notifier=slack.runtime.notifier, notice_sink=rig.sink)
    assert isinstance(worker.sla_sweep.alerts, SlackBreachAlerts)
    worker.sla_sweep.clock = rig.clock  # the worker's own sweep, on the test's clock
    rig.clock.set(berlin(2026, 12, 7, 17, 0))
    await worker.sweep()
    (posted,) = await slack.fake.wait_for(
        "chat.postMessage", where=lambda c: c.body.get("channel") == BREACH_CHANNEL
    )
    assert posted.body["text"] == "1 SLA breach" and f"#{tid}" in posted.text_of_blocks()
