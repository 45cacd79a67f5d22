"""App Home per person, the assignment DM, and the person's availability button."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot import ids
from db.models import AgentProfile, AuditEvent
from tests.core.flows import drafted_ticket, smtp_mailbox
from tests.support.fake_slack import Call
from tests.support.slack_driver import SlackHarness


async def test_home_shows_counts_my_tickets_and_the_oldest_pending(
    slack: SlackHarness, smtp_server
) -> None:
    mailbox = await smtp_mailbox(slack.desk, smtp_server.host, smtp_server.port)
    drafts = [(await drafted_ticket(slack.desk, mailbox, subject=f"case {i}"))[1] for i in range(3)]
    messages = await slack.post(*drafts)
    amy = slack.user("UAMY00001", "amy")
    await slack.member(amy, "agent")

    # a manager assigns a ticket to amy: she gets a DM linking to the message
    await slack.driver.click(slack.admin, messages[1], ids.ASSIGN, selected_user=amy.id)
    await slack.wait_update(drafts[1], "Owner: <@UAMY00001>")
    (dm,) = await slack.fake.wait_for(
        "chat.postMessage", where=lambda c: c.body["channel"] == amy.id
    )
    assert "<@UADMIN001> assigned you ticket #2" in dm.body["text"]
    assert messages[1].reply["ts"].replace(".", "") in dm.body["text"]  # the permalink

    await slack.driver.click(slack.admin, messages[0], ids.APPROVE)
    await slack.wait_update(drafts[0], "Sent")

    await slack.driver.event(amy, {"type": "app_home_opened", "tab": "home"})
    (home,) = await slack.fake.wait_for("views.publish")
    assert home.body["user_id"] == amy.id
    text = home.text_of_blocks()
    assert "*Pending drafts*\n2" in text and "*Sent today*\n1" in text
    mine = text.split("Assigned to you")[1].split("Oldest pending")[0]
    assert "case 1" in mine and "case 2" not in mine
    oldest = text.split("Oldest pending drafts")[1]
    assert oldest.index("case 1") < oldest.index("case 2")

    high = next(
        e
        for b in home.blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["value"] == "unassigned"
    )
    await slack.driver.action(amy, high, block_id="home_filters", channel=None)
    filtered = await slack.fake.wait_for("views.publish", count=2)
    listed = filtered[1].text_of_blocks().split("*Unassigned*")[1]
    assert "case 2" in listed and "case 1" not in listed


def _switch(home: Call) -> tuple[dict[str, Any], str]:
    """The availability button (a section's accessory) and its block id."""
    (block,) = [b for b in home.blocks if b.get("block_id") == "availability"]
    assert block["accessory"]["action_id"] == ids.AVAILABILITY
    return block["accessory"], block["block_id"]


async def test_an_agent_switches_availability_from_app_home(slack: SlackHarness) -> None:
    """One button, the same core call as ``/desk away``: audited, ``away_since`` stamped,
    App Home published again with the other button."""
    amy = slack.user("UAMY00001", "amy")
    member = await slack.member(amy, "agent")

    await slack.driver.event(amy, {"type": "app_home_opened", "tab": "home"})
    (home,) = await slack.fake.wait_for("views.publish")
    assert "*Not taking tickets*" in home.text_of_blocks()
    button, block_id = _switch(home)
    assert button["value"] == "available"

    acked = await slack.driver.action(amy, button, block_id=block_id, channel=None)
    assert acked.status == 200
    published = await slack.fake.wait_for("views.publish", count=2)
    assert "*Available*: new tickets come to you (up to 15 open" in published[1].text_of_blocks()
    button, block_id = _switch(published[1])
    assert button["value"] == "away"

    await slack.driver.action(amy, button, block_id=block_id, channel=None)
    published = await slack.fake.wait_for("views.publish", count=3)
    assert "*Away* since <!date^" in published[2].text_of_blocks()
    assert "(set by you)" in published[2].text_of_blocks()
    async with slack.desk.sessions() as s:
        profile = await s.get(AgentProfile, member.user_id)
        events = list(
            await s.scalars(
                select(AuditEvent).where(
                    AuditEvent.action == "user.profile",
                    AuditEvent.target == f"user:{member.user_id}",
                )
            )
        )
    assert profile is not None and not profile.available and profile.away_since is not None
    assert [e.changes.get("available") for e in events] == [None, [True, False]]
    assert {e.source for e in events} == {"slack"}

    forged = {**button, "value": "nonsense"}  # a value the view never offered: ignored
    await slack.driver.action(amy, forged, block_id=block_id, channel=None)
    await slack.settle()
    assert len(slack.fake.calls_to("views.publish")) == 3
