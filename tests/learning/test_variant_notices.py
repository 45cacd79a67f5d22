"""The worker's ``learn`` job: a variant that does worse than its control is paused and
said in the triage channel (through the fake Slack, blocks valid); the calibration is
fitted when none is newer than a day. ``desk variants`` and ``desk ai calibration``."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

import pytest

from bot.variant_alerts import SlackVariantAlerts
from core.audit import Actor
from core.config import Settings
from server.wiring import build_desk
from server.worker import LEARN_SECONDS, Worker
from tests.learning.data import T0, many, put
from tests.learning.test_calibration import overconfident
from tests.support.blockkit import problems
from tests.support.cli import run
from tests.support.slack_driver import TRIAGE_CHANNEL, SlackHarness

CLI = Actor(name="cli", source="cli")


async def test_the_learn_job_pauses_and_tells_the_triage_channel(slack: SlackHarness) -> None:
    desk = slack.desk
    worker = Worker(desk, notifier=slack.runtime.notifier, control_seconds=60)
    assert isinstance(desk.variants.alerts, SlackVariantAlerts)
    await worker.tick()
    job = worker.scheduler.get_job("learn")
    assert job is not None and job.trigger.interval.total_seconds() == LEARN_SECONDS
    desk.variants.clock = lambda: T0 + timedelta(days=2)
    desk.calibration.clock = lambda: T0 + timedelta(days=2)
    await desk.variants.add(name="base", category="Billing", share=0, is_control=True, actor=CLI)
    await desk.variants.add(name="terse", category="Billing", share=40, actor=CLI)
    await put(desk, many(100, 10, variant="base"))  # 10%
    await put(desk, many(200, 40, variant="terse"))  # 20%
    await worker.learn()
    (posted,) = await slack.fake.wait_for(
        "chat.postMessage", where=lambda c: c.body.get("channel") == TRIAGE_CHANNEL
    )
    assert posted.body["text"].startswith(":pause_button: Prompt variant terse paused")
    text = posted.text_of_blocks()
    assert "rejected 40 of 200 (20.0%) against control base's 10 of 100 (10.0%)" in text
    assert "desk variants resume NAME" in text
    assert problems(posted.body["blocks"]) == []
    [terse] = [v for v in await desk.variants.all() if v.name == "terse"]
    assert terse.status == "paused"
    # 300 reviewed drafts: the first learn round fitted the calibration as well
    [status] = await desk.calibration.status()
    assert status.fitted_at == T0 + timedelta(days=2) and status.n == 300
    await worker.learn()  # nothing new: no second notice, no refit within the day
    await asyncio.sleep(0.05)
    assert len(slack.fake.calls_to("chat.postMessage")) == 1
    assert [s.fitted_at for s in await desk.calibration.status()] == [T0 + timedelta(days=2)]


def test_desk_variants_and_calibration(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "migrate")[0] == 0
    code, out, _ = run(capsys, "variants", "list")
    assert code == 0 and "no prompt variants" in out
    code, out, _ = run(
        capsys,
        *("variants", "add", "--name", "brief", "--category", "billing", "--share", "30"),
        *("--instructions", "Answer in three sentences.", "--json"),
    )
    added = json.loads(out)
    assert code == 0 and (added["name"], added["category"], added["share"]) == (
        "brief",
        "Billing",
        30,
    )
    assert added["status"] == "active" and added["instructions"] == "Answer in three sentences."
    code, out, _ = run(
        capsys, "variants", "add", "--name", "ctl", "--category", "all", "--share", "0", "--control"
    )
    assert code == 0 and "takes 0% of all" in out
    code, _, err = run(
        capsys, "variants", "add", "--name", "big", "--category", "Billing", "--share", "71"
    )
    assert code == 1 and "more than 100% (Billing: 101%)" in err
    code, out, _ = run(capsys, "variants", "pause", "brief", "--reason", "too curt", "--json")
    assert code == 0 and json.loads(out)["paused_reason"] == "too curt"
    code, out, _ = run(capsys, "variants", "list", "--json")
    listed = json.loads(out)
    assert [(v["name"], v["status"], v["is_control"]) for v in listed] == [
        ("brief", "paused", False),
        ("ctl", "active", True),
    ]
    code, out, _ = run(capsys, "variants", "list")
    assert "brief" in out and "paused  (too curt)" in out
    code, out, _ = run(capsys, "variants", "resume", "brief")
    assert code == 0 and "active again (30% of Billing)" in out
    code, _, err = run(capsys, "variants", "resume", "nope")
    assert code == 1 and "no prompt variant named 'nope'" in err

    code, out, _ = run(capsys, "ai", "calibration", "--json")
    assert code == 0 and json.loads(out) == {"fitted": [], "providers": []}

    async def seeded() -> None:
        desk = build_desk(Settings())
        try:
            await put(desk, overconfident(240))
        finally:
            await desk.close()

    asyncio.run(seeded())
    code, out, _ = run(capsys, "ai", "calibration")
    assert code == 0 and "240 reviewed  not fitted" in out
    code, out, _ = run(capsys, "ai", "calibration", "--fit", "--json")
    body = json.loads(out)
    assert code == 0 and body["fitted"] == ["offline"]
    [offline] = body["providers"]
    assert offline["fitted"] and offline["n"] == 240 and offline["min_drafts"] == 200
    assert offline["ece_after"] < offline["ece_before"]
    code, out, _ = run(capsys, "ai", "calibration")
    assert "calibration error" in out and "raw ->" in out
