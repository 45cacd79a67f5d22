"""``/desk settings``: auto-fetch on/off and interval, the on-call group, and following
Slack presence."""

from __future__ import annotations

from bot.blocks.settings import ONCALL_GROUP_KEY
from core.workflow.presence import PRESENCE_KEY, following
from tests.slack.test_settings import _open_settings
from tests.support.slack_driver import SlackHarness


async def test_settings_stop_start_auto_fetch_and_set_the_oncall_group(
    slack: SlackHarness,
) -> None:
    scheduler = slack.runtime.services.scheduler
    view = await _open_settings(slack)
    values = {"auto_fetch": "off", "oncall_group": "S0ONCALL1"}
    await slack.driver.submit(slack.admin, view, values)
    (done,) = await slack.fake.wait_for(
        "views.update", where=lambda c: "Saved:" in c.text_of_blocks()
    )
    assert "auto-fetch off" in done.text_of_blocks()
    assert not (await scheduler.config()).enabled
    assert await slack.desk.store.get(ONCALL_GROUP_KEY) == "S0ONCALL1"

    again = await _open_settings(slack)
    select = next(b for b in again["blocks"] if b.get("block_id") == "auto_fetch")
    assert select["element"]["initial_option"]["value"] == "off"
    await slack.driver.submit(slack.admin, again, {"auto_fetch": "on", "fetch_interval": "300"})
    await slack.fake.wait_for(
        "views.update", where=lambda c: "auto-fetch on, every 300 s" in c.text_of_blocks()
    )
    config = await scheduler.config()
    assert config.enabled and config.interval_seconds == 300

    bad = await _open_settings(slack)
    acked = await slack.driver.submit(slack.admin, bad, {"fetch_interval": "soon"})
    assert acked.json()["errors"] == {"fetch_interval": "a number of seconds"}


async def test_settings_turn_following_slack_presence_on_and_off(slack: SlackHarness) -> None:
    store = slack.desk.store
    view = await _open_settings(slack)
    select = next(b for b in view["blocks"] if b.get("block_id") == "slack_presence")
    assert select["element"]["initial_option"]["value"] == "off"  # off by default
    assert not await following(store)

    await slack.driver.submit(slack.admin, view, {"slack_presence": "on"})
    (done,) = await slack.fake.wait_for(
        "views.update", where=lambda c: "Saved:" in c.text_of_blocks()
    )
    assert PRESENCE_KEY in done.text_of_blocks()
    assert await following(store)

    again = await _open_settings(slack)
    select = next(b for b in again["blocks"] if b.get("block_id") == "slack_presence")
    assert select["element"]["initial_option"]["value"] == "on"
    await slack.driver.submit(slack.admin, again, {"slack_presence": "off"})
    await slack.fake.wait_for(
        "views.update", count=2, where=lambda c: "Saved:" in c.text_of_blocks()
    )
    assert await store.get(PRESENCE_KEY) == "off" and not await following(store)
