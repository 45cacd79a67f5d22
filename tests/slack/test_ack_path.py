"""What a Slack request passes through before its ack, in order: the router finds the Slack
endpoint before any API route; Bolt finds the listeners of the frequent requests first,
each request matching exactly one listener (so their order changes nothing else); and Bolt
answers as soon as the listener acked, while its work goes on (an error in that work is
logged, one before the ack is Slack's 500).

How fast the acks are is measured in bench/slack_ack.py; these tests hold the order.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any
from urllib.parse import urlencode

from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot import ids
from bot.app import build_app
from bot.handlers.gate import after_ack
from tests.support.slack_driver import SIGNING_SECRET, SlackHarness, sign

FORM = {"content-type": ["application/x-www-form-urlencoded"]}
FREQUENT = 4  # /desk and the draft card's approve, edit and reject


def holds_api_routes(route: Any) -> bool:
    if str(getattr(route, "path", "")).startswith("/api/"):
        return True
    inner = getattr(route, "original_router", None)
    return inner is not None and any(holds_api_routes(r) for r in inner.routes)


def interactive(payload: dict[str, Any]) -> AsyncBoltRequest:
    body = urlencode({"payload": json.dumps(payload)})
    return AsyncBoltRequest(body=body, headers=FORM)


def click(action_id: str) -> AsyncBoltRequest:
    return interactive(
        {
            "type": "block_actions",
            "user": {"id": "U1", "team_id": "T1"},
            "team": {"id": "T1"},
            "trigger_id": "1.click",
            "container": {"type": "message", "channel_id": "C1", "message_ts": "1.1"},
            "channel": {"id": "C1"},
            "actions": [
                {"action_id": action_id, "block_id": "draft:1", "type": "button", "value": "1:1"}
            ],
        }
    )


def command(text: str) -> AsyncBoltRequest:
    form = {"command": "/desk", "text": text, "user_id": "U1", "team_id": "T1"}
    return AsyncBoltRequest(body=urlencode(form), headers=FORM)


def submission(callback_id: str) -> AsyncBoltRequest:
    return interactive(
        {
            "type": "view_submission",
            "user": {"id": "U1", "team_id": "T1"},
            "team": {"id": "T1"},
            "view": {"type": "modal", "callback_id": callback_id, "state": {"values": {}}},
        }
    )


async def matching(listeners: list[Any], request: AsyncBoltRequest) -> list[int]:
    """The positions of the listeners whose matchers take ``request``."""
    found = []
    for i, listener in enumerate(listeners):
        if await listener.async_matches(req=request, resp=BoltResponse(status=404)):
            found.append(i)
    return found


async def test_the_slack_endpoint_is_routed_before_the_api(slack: SlackHarness) -> None:
    routes = list(slack.app.routes)
    slack_at = next(i for i, r in enumerate(routes) if getattr(r, "path", "") == "/slack/events")
    api_at = [i for i, r in enumerate(routes) if holds_api_routes(r)]
    assert api_at, "no API routes found: the walk no longer sees them"
    assert slack_at < min(api_at)


async def test_frequent_requests_find_their_listener_first_and_only_it(
    slack: SlackHarness,
) -> None:
    bolt, _rt = build_app(slack.runtime.config, slack.runtime.services, runtime=slack.runtime)
    listeners = list(bolt._async_listeners)  # Bolt's registry, in the order it tries them
    frequent = {
        "/desk help": command("help"),
        "approve": click(ids.APPROVE),
        "edit": click(ids.EDIT),
        "reject": click(ids.REJECT),
    }
    found = {name: await matching(listeners, req) for name, req in frequent.items()}
    assert all(len(at) == 1 and at[0] < FREQUENT for at in found.values()), found

    others = {
        "assign": click(ids.ASSIGN),
        "retry": click(ids.RETRY),
        "search page": click(f"{ids.SEARCH_PAGE}_10"),
        "home filter": click(f"{ids.HOME_FILTER}_high"),
        "settings test": click(f"{ids.SETTINGS_TEST}_imap"),
        "edit submitted": submission(ids.EDIT_VIEW),
        "settings submitted": submission(ids.SETTINGS_VIEW),
    }
    for name, req in others.items():
        at = await matching(listeners, req)
        assert len(at) == 1 and at[0] >= FREQUENT, (name, at)


def probe_command(text: str) -> AsyncBoltRequest:
    """A signed ``/probe`` command without a trigger id (no delivery to record first)."""
    body = urlencode({"command": "/probe", "text": text, "user_id": "U1", "team_id": "T1"})
    headers = {"content-type": "application/x-www-form-urlencoded"}
    headers |= {k.lower(): v for k, v in sign(SIGNING_SECRET, body.encode()).items()}
    return AsyncBoltRequest(body=body, headers=headers)


async def test_bolt_answers_at_the_ack_while_the_work_goes_on(
    slack: SlackHarness, caplog: Any
) -> None:
    bolt, rt = build_app(slack.runtime.config, slack.runtime.services, runtime=slack.runtime)
    steps: list[object] = []
    release = asyncio.Event()

    async def probe(ack: Any, body: dict[str, Any], context: Any) -> None:
        if body["text"] == "early":
            raise RuntimeError("broken before the ack")
        await ack(f"acked {body['text']}")
        for i in range(50):  # each step is one turn of the event loop
            steps.append(i)
            await asyncio.sleep(0)
        await release.wait()
        if body["text"] == "late":
            raise RuntimeError("broken after the ack")
        steps.append("done")

    bolt.command("/probe")(after_ack(probe))
    answer = await bolt.async_dispatch(probe_command("ok"))
    assert (answer.status, answer.body) == (200, "acked ok")
    # answered within a turn or two of the ack: Bolt did not sit polling while the work ran
    assert len(steps) < 5, steps
    assert rt.in_flight, "the work is not registered for a shutdown to wait for"
    release.set()
    await rt.drain(10)
    assert steps[-1] == "done" and not rt.in_flight

    with caplog.at_level(logging.ERROR):
        late = await bolt.async_dispatch(probe_command("late"))
        await rt.drain(10)
        early = await bolt.async_dispatch(probe_command("early"))
    assert (late.status, late.body) == (200, "acked late")
    assert early.status == 500
    failures = [r for r in caplog.records if "slack handler failed" in r.getMessage()]
    errors = [str(r.exc_info[1]) for r in failures if r.exc_info]
    assert sorted(errors) == ["broken after the ack", "broken before the ack"]
