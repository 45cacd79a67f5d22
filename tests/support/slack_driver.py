"""Drives the desk's Slack endpoint the way Slack does: signed requests to POST /slack/events.

``sign`` makes Slack's v0 signature (HMAC-SHA256 of ``v0:{timestamp}:{body}`` with the
signing secret). ``SlackDriver`` builds real payload shapes (block_actions, view_submission,
slash commands, Events API callbacks), signs them and posts them through the FastAPI app
with httpx's ASGITransport (or to any base URL, e.g. a uvicorn on loopback), timing each
acknowledgement.

Fixture ``slack``: a desk with Slack configured against ``fake_slack``; its ``driver``,
``fake``, ``runtime`` and helpers to post drafts and find their messages. At teardown it
waits for the handlers still working after their ack.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import update

from db.models import User
from server.http.app import create_app
from server.wiring import Desk
from tests.support.desk import configure_slack
from tests.support.fake_slack import TEAM_ID, Call, FakeSlack

SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
TRIAGE_CHANNEL = "CTRIAGE01"
ADMIN = "UADMIN001"


def sign(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    ts = int(time.time()) if timestamp is None else timestamp
    base = f"v0:{ts}:".encode() + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": f"v0={digest}"}


@dataclass(frozen=True, slots=True)
class SlackUser:
    id: str
    name: str
    team_id: str = TEAM_ID

    def payload(self) -> dict[str, Any]:
        return {"id": self.id, "username": self.name, "name": self.name, "team_id": self.team_id}


@dataclass
class Acked:
    response: httpx.Response
    seconds: float

    @property
    def status(self) -> int:
        return self.response.status_code

    def json(self) -> Any:
        return self.response.json() if self.response.content else None


def state_for(view: dict[str, Any], values: dict[str, Any] | None = None) -> dict[str, Any]:
    """``view.state.values`` as Slack would send it: initial values, then ``values``
    (block id -> typed text, option value or user id) on top."""
    values = values or {}
    state: dict[str, Any] = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input":
            continue
        el = block["element"]
        bid, aid, kind = block["block_id"], el["action_id"], el["type"]
        given = values.get(bid)
        entry: dict[str, Any] = {"type": kind}
        if kind in ("plain_text_input", "number_input"):
            entry["value"] = given if bid in values else el.get("initial_value")
        elif kind in ("static_select", "radio_buttons"):
            if bid in values:
                option = next((o for o in el["options"] if o["value"] == given), None)
                entry["selected_option"] = option
            else:
                entry["selected_option"] = el.get("initial_option")
        elif kind == "checkboxes":  # a list of values; one the view does not offer is sent
            # as given (what a forged payload would do)
            if bid in values:
                offered = {o["value"]: o for o in el["options"]}
                entry["selected_options"] = [
                    offered.get(v, {"text": {"type": "plain_text", "text": v}, "value": v})
                    for v in given
                ]
            else:
                entry["selected_options"] = el.get("initial_options") or []
        elif kind == "timepicker":
            entry["selected_time"] = given if bid in values else el.get("initial_time")
        elif kind == "users_select":
            entry["selected_user"] = given if bid in values else el.get("initial_user")
        elif kind == "conversations_select":
            entry["selected_conversation"] = (
                given if bid in values else el.get("initial_conversation")
            )
        state[bid] = {aid: entry}
    return state


def find_action(blocks: list[dict[str, Any]], action_id: str) -> tuple[dict[str, Any], str]:
    for block in blocks:
        for el in block.get("elements") or []:
            if el.get("action_id") == action_id:
                return el, block.get("block_id", "")
    raise AssertionError(f"no element {action_id!r} in the message")


class SlackDriver:
    def __init__(
        self,
        *,
        fake: FakeSlack,
        app: Any = None,
        base_url: str = "http://desk.test",
        secret: str = SIGNING_SECRET,
    ) -> None:
        transport = httpx.ASGITransport(app=app) if app is not None else None
        self.http = httpx.AsyncClient(transport=transport, base_url=base_url, timeout=30.0)
        self.fake = fake
        self.secret = secret
        self.acks: list[tuple[str, float]] = []

    async def close(self) -> None:
        await self.http.aclose()

    async def send(
        self,
        body: bytes,
        content_type: str,
        *,
        label: str = "",
        timestamp: int | None = None,
        secret: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Acked:
        all_headers = {"Content-Type": content_type, **sign(secret or self.secret, body, timestamp)}
        all_headers.update(headers or {})
        start = time.perf_counter()
        response = await self.http.post("/slack/events", content=body, headers=all_headers)
        elapsed = time.perf_counter() - start
        self.acks.append((label, elapsed))
        return Acked(response, elapsed)

    async def interactive(self, payload: dict[str, Any], **kw: Any) -> Acked:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return await self.send(
            body, "application/x-www-form-urlencoded", label=payload["type"], **kw
        )

    def _base(self, user: SlackUser, kind: str) -> dict[str, Any]:
        return {
            "type": kind,
            "user": user.payload(),
            "api_app_id": "AFAKE0001",
            "token": "legacy-verification-token",
            "team": {"id": user.team_id, "domain": "fake-desk"},
            "trigger_id": f"{uuid.uuid4().int % 10**12}.{uuid.uuid4().hex[:20]}",
            "is_enterprise_install": False,
        }

    async def action(
        self,
        user: SlackUser,
        element: dict[str, Any],
        *,
        block_id: str = "",
        channel: str | None = TRIAGE_CHANNEL,
        message_ts: str | None = None,
        view: dict[str, Any] | None = None,
        selected_user: str | None = None,
        option_value: str | None = None,
        trigger_id: str | None = None,
        **kw: Any,
    ) -> Acked:
        """A block_actions delivery for one element of a message or a view."""
        payload = self._base(user, "block_actions")
        if trigger_id:
            payload["trigger_id"] = trigger_id
        act: dict[str, Any] = {
            "action_id": element["action_id"],
            "block_id": block_id,
            "type": element["type"],
            "action_ts": f"{time.time():.6f}",
        }
        if "value" in element:
            act["value"] = element["value"]
        if selected_user is not None:
            act["selected_user"] = selected_user
        if option_value is not None:
            option = next(o for o in element["options"] if o["value"] == option_value)
            act["selected_option"] = option
        payload["actions"] = [act]
        if view is not None:
            payload["container"] = {"type": "view", "view_id": view["id"]}
            payload["view"] = view
        else:
            payload["container"] = {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": channel,
                "is_ephemeral": False,
            }
            payload["channel"] = {"id": channel, "name": "triage"}
            payload["message"] = {"ts": message_ts, "type": "message"}
            payload["response_url"] = self.fake.response_url()
        return await self.interactive(payload, **kw)

    async def click(self, user: SlackUser, message: Call, action_id: str, **kw: Any) -> Acked:
        """Click ``action_id`` in a message the app posted (or updated)."""
        element, block_id = find_action(message.blocks, action_id)
        channel = message.reply.get("channel") or message.body.get("channel")
        ts = message.reply.get("ts") or message.body.get("ts")
        return await self.action(
            user, element, block_id=block_id, channel=channel, message_ts=ts, **kw
        )

    async def submit(
        self, user: SlackUser, view: dict[str, Any], values: dict[str, Any] | None = None, **kw: Any
    ) -> Acked:
        """A view_submission of ``view`` (as the app last sent it) with ``values`` typed in."""
        payload = self._base(user, "view_submission")
        view = dict(view)
        view["state"] = {"values": state_for(view, values)}
        payload["view"] = view
        payload["response_urls"] = []
        return await self.interactive(payload, **kw)

    def with_state(self, view: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
        return {**view, "state": {"values": state_for(view, values)}}

    async def command(
        self, user: SlackUser, text: str, *, channel: str = TRIAGE_CHANNEL, **kw: Any
    ) -> Acked:
        form = {
            "token": "legacy-verification-token",
            "team_id": user.team_id,
            "team_domain": "fake-desk",
            "channel_id": channel,
            "channel_name": "triage",
            "user_id": user.id,
            "user_name": user.name,
            "command": "/desk",
            "text": text,
            "api_app_id": "AFAKE0001",
            "is_enterprise_install": "false",
            "response_url": self.fake.response_url(),
            "trigger_id": f"{uuid.uuid4().int % 10**12}.{uuid.uuid4().hex[:20]}",
        }
        body = urlencode(form).encode()
        return await self.send(
            body, "application/x-www-form-urlencoded", label=f"/desk {text.split(' ')[0]}", **kw
        )

    async def event(
        self, user: SlackUser, event: dict[str, Any], *, event_id: str | None = None, **kw: Any
    ) -> Acked:
        body = {
            "token": "legacy-verification-token",
            "team_id": user.team_id,
            "api_app_id": "AFAKE0001",
            "event": {"user": user.id, **event},
            "type": "event_callback",
            "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": user.team_id, "user_id": "UBOTFAKE1", "is_bot": True}],
        }
        raw = json.dumps(body).encode()
        return await self.send(raw, "application/json", label=f"event {event.get('type')}", **kw)


@dataclass
class SlackHarness:
    desk: Desk
    fake: FakeSlack
    driver: SlackDriver
    app: Any
    channel: str = TRIAGE_CHANNEL
    admin: SlackUser = field(default_factory=lambda: SlackUser(ADMIN, "ada"))

    @property
    def runtime(self) -> Any:
        return self.app.state.slack

    def user(
        self,
        user_id: str,
        name: str,
        *,
        email: str | None = None,
        team_id: str = TEAM_ID,
        admin: bool = False,
    ) -> SlackUser:
        """A Slack user the fake knows (``users.info``); linked to a desk user on first use."""
        self.fake.add_user(
            user_id, email or f"{name}@desk.test", name, team_id=team_id, admin=admin
        )
        return SlackUser(user_id, name, team_id)

    async def member(self, user: SlackUser, role: str = "agent") -> Any:
        """Link ``user`` to a desk user now and give it ``role`` (test setup)."""
        from core.access.members import SlackProfile

        info = self.fake.users[user.id]
        members = self.runtime.services.members
        m = await members.link(
            user.team_id, user.id, SlackProfile(info["profile"].get("email"), user.name)
        )
        async with self.desk.sessions.begin() as s:
            await s.execute(update(User).where(User.id == m.user_id).values(role=role))
        return await members.find(user.team_id, user.id)

    async def post(self, *draft_ids: int) -> list[Call]:
        """Post drafts to the triage channel as the worker does; their messages."""
        report = await self.runtime.notifier.post_new_drafts(list(draft_ids))
        assert not report.errors, report.errors
        return [self.message(d) for d in draft_ids]

    def message(self, draft_id: int) -> Call:
        """The message posted for ``draft_id`` (the first call Slack accepted)."""
        for call in self.fake.calls_to("chat.postMessage", lambda c: bool(c.reply.get("ok"))):
            if any(b.get("block_id") == f"draft:{draft_id}" for b in call.blocks):
                return call
        raise AssertionError(f"no message for draft {draft_id}")

    def updates(self, draft_id: int) -> list[Call]:
        ts = self.message(draft_id).reply["ts"]
        return self.fake.calls_to("chat.update", lambda c: c.body.get("ts") == ts)

    async def wait_update(self, draft_id: int, text: str, *, timeout: float = 10.0) -> Call:
        ts = self.message(draft_id).reply["ts"]
        calls = await self.fake.wait_for(
            "chat.update",
            timeout=timeout,
            where=lambda c: c.body.get("ts") == ts and text in c.text_of_blocks(),
        )
        return calls[-1]

    async def settle(self, timeout: float = 15.0) -> None:
        """Wait for handler tasks still running after their ack."""
        await self.runtime.drain(timeout)


@pytest.fixture
async def slack(
    desk: Desk, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[SlackHarness]:
    env = {
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake_slack.api_url,
        "SLACK_TRIAGE_CHANNEL": TRIAGE_CHANNEL,
        "DESK_ADMIN_SLACK_IDS": ADMIN,
        "SLACK_POST_INTERVAL": "0.02",
        "SLACK_TIMEOUT": "2",
    }
    for key, val in env.items():
        monkeypatch.setenv(key, val)
    monkeypatch.delenv("SLACK_APP_TOKEN", raising=False)
    configure_slack(desk, env)  # the desk reads its settings once, when it is built
    app = create_app(desk)
    assert getattr(app.state, "slack", None) is not None, "Slack was not mounted"
    driver = SlackDriver(fake=fake_slack, app=app)
    harness = SlackHarness(desk=desk, fake=fake_slack, driver=driver, app=app)
    fake_slack.add_user(ADMIN, "admin@desk.test", "ada", admin=True)
    try:
        async with app.router.lifespan_context(app):  # start-up, as uvicorn runs it
            yield harness
            await harness.settle()
    finally:
        await driver.close()
