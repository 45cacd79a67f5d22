"""App Home per person, and the assignment DM."""

from __future__ import annotations

from bot import ids
from tests.core.flows import drafted_ticket, smtp_mailbox
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
