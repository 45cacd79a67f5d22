"""What a Slack request passes through before its ack, in order: the router finds the Slack
endpoint before any API route, and Bolt finds the listeners of the frequent requests first,
each request matching exactly one listener (so their order changes nothing else).

How fast the acks are is measured in bench/slack_ack.py; these tests hold the order.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot import ids
from bot.app import build_app
from tests.support.slack_driver import SlackHarness

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
