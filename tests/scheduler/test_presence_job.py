"""The worker's ``presence`` job: there only when Slack is configured, every five minutes;
a round that fails is logged and reported in the heartbeat, and the worker goes on."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from core.workflow.presence import PRESENCE_KEY
from db.models import AgentProfile, User
from server.wiring import Desk
from server.worker import PRESENCE_SECONDS, Worker
from tests.support.fake_slack import FakeSlack


class Broken:
    async def presence(self, slack_user_id: str) -> str | None:
        raise RuntimeError("the reader broke")


async def test_the_presence_job_follows_slack_and_survives_its_failures(
    desk: Desk, fake_slack: FakeSlack
) -> None:
    without = Worker(desk, control_seconds=60)
    await without.tick()
    assert without.presence is None and without.scheduler.get_job("presence") is None

    client = AsyncWebClient(token="xoxb-test-token", base_url=fake_slack.api_url)
    stand_in: Any = SimpleNamespace(client=client)  # the Slack notifier's client is all it uses
    worker = Worker(desk, control_seconds=60, notifier=stand_in, worker_id="w-presence")
    await worker.tick()
    job = worker.scheduler.get_job("presence")
    assert job is not None and job.trigger.interval.total_seconds() == PRESENCE_SECONDS

    await desk.store.set(PRESENCE_KEY, "on")
    assert worker.presence is not None
    worker.presence.reader = Broken()
    async with desk.sessions.begin() as s:
        user = User(email="amy@desk.test", name="amy", role="agent", slack_user_id="UAMY")
        s.add(user)
        await s.flush()
        s.add(AgentProfile(user_id=user.id, skills=[], languages=[], capacity=15))
    await worker.follow_presence()  # raises nothing
    status = await worker.control.status()
    (mine,) = [w for w in status.workers if w.worker_id == "w-presence"]
    assert mine.last_error == "presence: the reader broke"
