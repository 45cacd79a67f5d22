"""The endpoint: signatures checked before anything, retried deliveries act once."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

from bot import ids
from tests.core.flows import draft_row, drafted_ticket, smtp_mailbox
from tests.support.slack_driver import SlackHarness, find_action


def _approve_payload(slack: SlackHarness, message, user) -> bytes:  # type: ignore[no-untyped-def]
    element, block_id = find_action(message.blocks, ids.APPROVE)
    payload = {
        "type": "block_actions",
        "user": user.payload(),
        "team": {"id": user.team_id},
        "trigger_id": "123.retry-me",
        "container": {
            "type": "message",
            "channel_id": slack.channel,
            "message_ts": message.reply["ts"],
        },
        "channel": {"id": slack.channel},
        "actions": [
            {
                "action_id": ids.APPROVE,
                "block_id": block_id,
                "type": "button",
                "value": element["value"],
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


FORM = "application/x-www-form-urlencoded"


async def test_forged_and_stale_signatures_get_401_and_do_nothing(
    slack: SlackHarness, smtp_server
) -> None:
    mailbox = await smtp_mailbox(slack.desk, smtp_server.host, smtp_server.port)
    _ticket, draft_id = await drafted_ticket(slack.desk, mailbox)
    (message,) = await slack.post(draft_id)
    calls_before = len(slack.fake.calls)
    body = _approve_payload(slack, message, slack.admin)

    forged = await slack.driver.send(body, FORM, secret="not-the-signing-secret")
    stale = await slack.driver.send(body, FORM, timestamp=int(time.time()) - 6 * 60)
    future = await slack.driver.send(body, FORM, timestamp=int(time.time()) + 6 * 60)
    unsigned = await slack.driver.http.post(
        "/slack/events", content=body, headers={"Content-Type": FORM}
    )
    tampered = await slack.driver.send(body, FORM, headers={"X-Slack-Signature": "v0=" + "0" * 64})
    assert [forged.status, stale.status, future.status, unsigned.status_code, tampered.status] == [
        401
    ] * 5

    await slack.settle()
    assert len(slack.fake.calls) == calls_before
    assert (await draft_row(slack.desk, draft_id)).status == "pending"
    assert smtp_server.messages == []

    ok = await slack.driver.send(body, FORM)  # the same body, properly signed, is accepted
    assert ok.status == 200
    await slack.wait_update(draft_id, "Sent")


async def test_a_retried_delivery_acts_once(slack: SlackHarness, smtp_server) -> None:
    mailbox = await smtp_mailbox(slack.desk, smtp_server.host, smtp_server.port)
    _ticket, draft_id = await drafted_ticket(slack.desk, mailbox)
    (message,) = await slack.post(draft_id)
    body = _approve_payload(slack, message, slack.admin)

    first = await slack.driver.send(body, FORM)
    again = await slack.driver.send(
        body, FORM, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    )
    third = await slack.driver.send(
        body, FORM, headers={"X-Slack-Retry-Num": "2", "X-Slack-Retry-Reason": "http_timeout"}
    )
    assert first.status == again.status == third.status == 200
    await slack.wait_update(draft_id, "Sent")
    await slack.settle()

    assert len(smtp_server.messages) == 1
    assert slack.fake.calls_to("chat.postEphemeral") == [], (
        "the retry must not act (and lose) again"
    )
    assert len(slack.updates(draft_id)) == 2  # "approved, sending…" and "sent", once each


async def test_a_retried_event_publishes_home_once(slack: SlackHarness) -> None:
    event = {"type": "app_home_opened", "tab": "home", "channel": "DADMIN"}
    first = await slack.driver.event(slack.admin, event, event_id="Ev0RETRY01")
    retry = await slack.driver.event(
        slack.admin, event, event_id="Ev0RETRY01", headers={"X-Slack-Retry-Num": "1"}
    )
    assert first.status == retry.status == 200
    await slack.fake.wait_for("views.publish")
    await slack.settle()
    assert len(slack.fake.calls_to("views.publish")) == 1


async def test_slack_off_leaves_the_engine_alone(desk, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import httpx

    from server.http.app import create_app

    for var in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    app = create_app(desk)
    assert getattr(app.state, "slack", None) is None
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as http:
        assert (await http.post("/slack/events", content=b"x")).status_code in (404, 405)
        assert (await http.get("/healthz")).status_code == 200
