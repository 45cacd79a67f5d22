"""bot.runtime: who is asking (Bolt's context, the clicker's own team first) and the app's
authorization (one auth.test for the process, through Bolt's documented authorize option)."""

from __future__ import annotations

import pytest
from slack_bolt.context.async_context import AsyncBoltContext

from bot.runtime import who
from core.errors import ValidationError
from tests.support.fake_slack import TEAM_ID
from tests.support.slack_driver import SlackHarness


def _context(team_id: str | None, user_id: str | None) -> AsyncBoltContext:
    context = AsyncBoltContext()
    if team_id:
        context["team_id"] = team_id
    if user_id:
        context["user_id"] = user_id
    return context


def test_who_takes_bolts_ids_and_the_clickers_own_team_first() -> None:
    # a command or an event: what Bolt's context says
    assert who(_context("T0HOME001", "U0AMY0001"), {"user_id": "U0AMY0001"}) == (
        "T0HOME001",
        "U0AMY0001",
    )
    # a click in a shared channel by someone of another organisation: Bolt's team is the
    # workspace the click came through, the payload's user.team_id is theirs
    shared = {"user": {"id": "U0OUT0001", "team_id": "T0OTHER01"}, "team": {"id": "T0HOME001"}}
    assert who(_context("T0HOME001", "U0OUT0001"), shared) == ("T0OTHER01", "U0OUT0001")
    with pytest.raises(ValidationError):
        who(_context("T0HOME001", None), {})


async def test_auth_test_is_asked_once_for_every_request(slack: SlackHarness) -> None:
    for _ in range(3):
        await slack.driver.command(slack.admin, "help")
    await slack.fake.wait_for("response_url", count=3)
    assert len(slack.fake.calls_to("auth.test")) == 1
    result = await slack.runtime.authorize()
    assert result.team_id == TEAM_ID and result.bot_token == "xoxb-test-token"
    assert len(slack.fake.calls_to("auth.test")) == 1
