"""Notification preferences from App Home: the button opens the modal with the person's
own preferences, a submission saves them, a half-set quiet hours is an error on its field
and saves nothing."""

from __future__ import annotations

from typing import Any

from bot import ids
from tests.support.blockkit import view_problems
from tests.support.slack_driver import SlackHarness, SlackUser, find_action


async def _open(slack: SlackHarness, user: SlackUser) -> dict[str, Any]:
    await slack.driver.event(user, {"type": "app_home_opened", "tab": "home"})
    (home,) = await slack.fake.wait_for("views.publish")
    element, block_id = _find(home.view["blocks"], ids.NOTIFY_PREFS)
    acked = await slack.driver.action(
        user,
        element,
        block_id=block_id,
        channel=None,
        view={**home.view, "id": home.reply.get("view", {}).get("id", "VHOME")},
        trigger_id="trig-1",
    )
    assert acked.status == 200
    (opened,) = await slack.fake.wait_for("views.open")
    view_id = opened.reply["view"]["id"]
    (filled,) = await slack.fake.wait_for(
        "views.update",
        where=lambda c: (
            c.body.get("view_id") == view_id and c.view.get("callback_id") == ids.NOTIFY_VIEW
        ),
    )
    assert view_problems(filled.view) == []
    return {**filled.view, "id": view_id}


def _find(blocks: list[dict[str, Any]], action_id: str) -> tuple[dict[str, Any], str]:
    for block in blocks:
        accessory = block.get("accessory") or {}
        if accessory.get("action_id") == action_id:
            return accessory, block.get("block_id", "")
    return find_action(blocks, action_id)


async def test_preferences_are_set_from_app_home(slack: SlackHarness) -> None:
    amy = slack.user("UAMY00001", "amy")
    member = await slack.member(amy)
    view = await _open(slack, amy)
    initial = {
        b["block_id"]: b["element"].get("initial_option", {}).get("value")
        for b in view["blocks"]
        if b.get("type") == "input"
    }
    assert initial["pref_assigned"] == "slack" and initial["pref_digest"] == "slack"

    acked = await slack.driver.submit(
        amy,
        view,
        {
            "pref_assigned": "email",
            "pref_digest": "none",
            "quiet_start": "22:30",
            "quiet_end": "06:45",
            "business_days": ["mon", "wed"],
            "draft_minutes": "90",
        },
    )
    assert acked.status == 200 and acked.json()["response_action"] == "update"
    await slack.fake.wait_for("views.update", where=lambda c: "Saved" in c.text_of_blocks())
    prefs = await slack.desk.preferences.get(member.user_id)
    assert prefs.channel("assigned") == "email" and prefs.channel("digest") == "none"
    assert (prefs.quiet_start, prefs.quiet_end) == ("22:30", "06:45")
    assert prefs.business_days == ("mon", "wed") and prefs.draft_waiting_minutes == 90

    again = await slack.driver.submit(amy, view, {"quiet_start": "23:00", "quiet_end": None})
    assert again.json() == {
        "response_action": "errors",
        "errors": {"quiet_end": "set both times, or neither"},
    }
    kept = await slack.desk.preferences.get(member.user_id)
    assert kept == prefs


async def test_a_forged_day_is_an_error_on_its_field(slack: SlackHarness) -> None:
    amy = slack.user("UAMY00001", "amy")
    member = await slack.member(amy)
    view = await _open(slack, amy)
    acked = await slack.driver.submit(amy, view, {"business_days": ["mon", "funday"]})
    assert acked.json()["response_action"] == "errors"
    assert "unknown day 'fun'" in acked.json()["errors"]["business_days"]
    assert (await slack.desk.preferences.get(member.user_id)).business_days == (
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
    )
