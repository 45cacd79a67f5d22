"""Socket Mode (``desk web --socket-mode``): the same app over Slack's WebSocket."""

from __future__ import annotations

import asyncio
import contextlib

from bot import ids
from bot.config import SlackConfig
from server.slack import run_socket_mode
from tests.core.flows import draft_row, drafted_ticket, smtp_mailbox
from tests.support.fake_slack import FakeSlack
from tests.support.slack_driver import ADMIN, TRIAGE_CHANNEL


async def test_commands_and_clicks_over_socket_mode(
    desk, fake_slack: FakeSlack, smtp_server
) -> None:  # type: ignore[no-untyped-def]
    config = SlackConfig(
        _env_file=None,  # type: ignore[call-arg]
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_APP_TOKEN="xapp-test",
        SLACK_API_URL=fake_slack.api_url,
        SLACK_TRIAGE_CHANNEL=TRIAGE_CHANNEL,
        DESK_ADMIN_SLACK_IDS=ADMIN,
        SLACK_POST_INTERVAL=0,
    )
    fake_slack.add_user(ADMIN, "admin@desk.test", "ada", admin=True)
    mailbox = await smtp_mailbox(desk, smtp_server.host, smtp_server.port)
    _ticket, draft_id = await drafted_ticket(desk, mailbox)
    task = asyncio.create_task(run_socket_mode(desk, config))
    try:
        for _ in range(500):
            if fake_slack.sockets:
                break
            await asyncio.sleep(0.01)
        assert fake_slack.sockets, "the app did not connect"
        command = {
            "command": "/desk",
            "text": "help",
            "user_id": ADMIN,
            "team_id": fake_slack.team_id,
            "channel_id": TRIAGE_CHANNEL,
            "response_url": fake_slack.response_url(),
            "trigger_id": "1.socket",
        }
        envelope = await fake_slack.socket_send("slash_commands", command)
        await fake_slack.wait_for(
            "socket_ack", where=lambda c: c.body.get("envelope_id") == envelope
        )
        (answer,) = await fake_slack.wait_for("response_url")
        assert "/desk search" in answer.text_of_blocks()

        from server.slack import slack_notifier

        notifier = slack_notifier(desk, config)
        assert notifier is not None
        await notifier.post_new_drafts([draft_id])
        (message,) = fake_slack.calls_to("chat.postMessage")
        click = {
            "type": "block_actions",
            "user": {"id": ADMIN, "team_id": fake_slack.team_id},
            "team": {"id": fake_slack.team_id},
            "trigger_id": "2.socket",
            "container": {
                "type": "message",
                "channel_id": TRIAGE_CHANNEL,
                "message_ts": message.reply["ts"],
            },
            "channel": {"id": TRIAGE_CHANNEL},
            "actions": [
                {
                    "action_id": ids.APPROVE,
                    "block_id": f"draft:{draft_id}",
                    "type": "button",
                    "value": f"{draft_id}:1",
                }
            ],
        }
        await fake_slack.socket_send("interactive", click)
        await fake_slack.wait_for("chat.update", where=lambda c: "Sent" in c.text_of_blocks())
        assert (await draft_row(desk, draft_id)).status == "sent"
        assert len(smtp_server.messages) == 1
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
