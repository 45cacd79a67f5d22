"""Bulk actions from App Home and from ``/desk bulk``: a confirmation, then each ticket by
compare-and-set, with the skipped ones reported."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from bot import ids
from bot.blocks.bulk import BUTTON_ACTIONS, CONFIRM_VIEW, SELECT_ACTION, SELECT_BLOCK
from db.models import Ticket
from tests.core.flows import draft_row, drafted_ticket, smtp_mailbox
from tests.support.fake_slack import Call
from tests.support.slack_driver import SlackHarness, find_action


def ticked(home: dict[str, Any], ticket_ids: list[int]) -> dict[str, Any]:
    """The home view as Slack sends it back with ``ticket_ids`` ticked."""
    values: dict[str, Any] = {}
    for block in home["blocks"]:
        if not str(block.get("block_id", "")).startswith(f"{SELECT_BLOCK}:"):
            continue
        options = block["elements"][0]["options"]
        picked = [o for o in options if int(o["value"]) in ticket_ids]
        values[block["block_id"]] = {
            SELECT_ACTION: {"type": "checkboxes", "selected_options": picked}
        }
    return {**home, "state": {"values": values}}


async def _confirmation(slack: SlackHarness, count: int = 1) -> Call:
    calls = await slack.fake.wait_for(
        "views.update", count=count, where=lambda c: c.view.get("callback_id") == CONFIRM_VIEW
    )
    return calls[-1]


async def test_bulk_approve_from_app_home(slack: SlackHarness, smtp_server) -> None:
    mailbox = await smtp_mailbox(slack.desk, smtp_server.host, smtp_server.port)
    made = [await drafted_ticket(slack.desk, mailbox, subject=f"bulk {i}") for i in range(3)]
    drafts = [d for _, d in made]
    messages = await slack.post(*drafts)

    await slack.driver.event(slack.admin, {"type": "app_home_opened", "tab": "home"})
    (home,) = await slack.fake.wait_for("views.publish")
    view = home.reply["view"]
    assert "This desk, last 7 days" in home.text_of_blocks()
    assert "Auto-fetch" in home.text_of_blocks()
    assert len(view["blocks"]) <= 100
    button, block_id = find_action(view["blocks"], BUTTON_ACTIONS["approve"])

    await slack.driver.action(
        slack.admin, button, block_id=block_id, view=ticked(view, [t for t, _ in made])
    )
    confirm = await _confirmation(slack)
    assert "Approve 3 tickets?" in confirm.text_of_blocks()
    assert all(f"#{t}" in confirm.text_of_blocks() for t, _ in made)

    # someone rejects the third draft meanwhile: the bulk run skips it
    bob = slack.user("UBOB00001", "bob")
    await slack.member(bob, "manager")
    await slack.driver.click(bob, messages[2], ids.REJECT)
    (reject,) = await slack.fake.wait_for("views.open", where=lambda c: "reject" in str(c.view))
    await slack.driver.submit(bob, reject.reply["view"], {"reason": "spam"})
    await slack.wait_update(drafts[2], "Rejected")

    await slack.driver.submit(slack.admin, confirm.reply["view"])
    (summary,) = await slack.fake.wait_for(
        "chat.postMessage", where=lambda c: c.body["channel"] == slack.admin.id
    )
    assert summary.body["text"].startswith("approved 2; skipped 1: 1 already decided")
    assert "2 tickets approved* by <@UADMIN001>" in summary.text_of_blocks()
    for draft_id in drafts[:2]:
        assert (await draft_row(slack.desk, draft_id)).status in ("approved", "sending", "sent")
        await slack.wait_update(draft_id, "Approved by <@UADMIN001>")
    assert (await draft_row(slack.desk, drafts[2])).status == "rejected"


async def test_bulk_command_reject_with_filters(slack: SlackHarness, smtp_server) -> None:
    mailbox = await smtp_mailbox(slack.desk, smtp_server.host, smtp_server.port)
    drafts = [(await drafted_ticket(slack.desk, mailbox, subject=f"x {i}"))[1] for i in range(2)]
    await slack.post(*drafts)

    await slack.driver.command(slack.admin, 'bulk reject status:pending reason:"duplicates"')
    confirm = await _confirmation(slack)
    assert "Reject 2 tickets?" in confirm.text_of_blocks()
    await slack.driver.submit(slack.admin, confirm.reply["view"])
    (summary,) = await slack.fake.wait_for("chat.postEphemeral")
    assert summary.body["channel"] == slack.channel and summary.body["text"] == "rejected 2"
    for draft_id in drafts:
        assert (await draft_row(slack.desk, draft_id)).status == "rejected"

    await slack.driver.command(slack.admin, "bulk approve")
    (notice,) = await slack.fake.wait_for(
        "views.update", where=lambda c: "name the tickets" in c.text_of_blocks()
    )
    assert notice.view["title"]["text"] == "Bulk action"


async def test_a_long_selection_is_confirmed_by_its_filters(
    slack: SlackHarness, smtp_server
) -> None:
    mailbox = await smtp_mailbox(slack.desk, smtp_server.host, smtp_server.port)
    for i in range(2):
        await drafted_ticket(slack.desk, mailbox, subject=f"y {i}")
    amy = slack.user("UAMY00001", "amy")
    await slack.member(amy, "agent")

    await slack.driver.command(slack.admin, f"bulk assign <@{amy.id}> status:pending")
    confirm = await _confirmation(slack)
    # as when too many tickets for Slack's metadata: the filters are kept, and run again
    view = {
        **confirm.reply["view"],
        "private_metadata": json.dumps(
            {"a": "assign", "e": 0, "f": "status:pending", "c": slack.channel}
        ),
    }
    await slack.driver.submit(slack.admin, view)
    (summary,) = await slack.fake.wait_for("chat.postEphemeral")
    assert summary.body["text"] == "assigned 2"
    async with slack.desk.sessions() as s:
        owners = {t.assigned_to_id for t in await s.scalars(select(Ticket))}
    assert owners == {(await slack.member(amy, "agent")).user_id}


async def test_agents_get_no_bulk_assign_and_ticks_are_needed(
    slack: SlackHarness, smtp_server
) -> None:
    mailbox = await smtp_mailbox(slack.desk, smtp_server.host, smtp_server.port)
    await drafted_ticket(slack.desk, mailbox)
    amy = slack.user("UAMY00001", "amy")
    await slack.member(amy, "agent")
    await slack.driver.event(amy, {"type": "app_home_opened", "tab": "home"})
    (home,) = await slack.fake.wait_for("views.publish")
    actions = {e.get("action_id") for b in home.blocks for e in b.get("elements", [])}
    assert {BUTTON_ACTIONS["approve"], SELECT_ACTION} <= actions
    assert BUTTON_ACTIONS["assign"] not in actions

    button, block_id = find_action(home.blocks, BUTTON_ACTIONS["approve"])
    await slack.driver.action(amy, button, block_id=block_id, view=ticked(home.reply["view"], []))
    await slack.fake.wait_for(
        "views.update", where=lambda c: "tick at least one ticket" in c.text_of_blocks()
    )
