"""Roles and tenants are checked against the database, whatever the payload says."""

from __future__ import annotations

import json

from sqlalchemy import update

from bot import ids
from db.models import Mailbox
from tests.core.flows import draft_row, drafted_ticket, smtp_mailbox
from tests.support.slack_driver import SlackHarness, SlackUser


async def _assign(slack: SlackHarness, ticket_id: int, member) -> None:  # type: ignore[no-untyped-def]
    await slack.desk.assignments.assign(ticket_id, member.user_id, member.actor)


async def test_an_agent_cannot_approve_another_agents_ticket(
    slack: SlackHarness, smtp_server
) -> None:
    mailbox = await smtp_mailbox(slack.desk, smtp_server.host, smtp_server.port)
    ticket_id, draft_id = await drafted_ticket(slack.desk, mailbox)
    amy, tom = slack.user("UAMY00001", "amy"), slack.user("UTOM00001", "tom")
    await slack.member(amy, "agent")
    tom_m = await slack.member(tom, "agent")
    await _assign(slack, ticket_id, tom_m)
    (message,) = await slack.post(draft_id)

    for action in (ids.APPROVE, ids.EDIT, ids.REJECT):
        await slack.driver.click(amy, message, action)
    denied = await slack.fake.wait_for("chat.postEphemeral")
    assert denied[0].body["user"] == "UAMY00001"
    assert "assigned to tom@desk.test" in denied[0].body["text"]
    notices = await slack.fake.wait_for("views.update", count=2)
    assert all("assigned to tom@desk.test" in c.text_of_blocks() for c in notices)
    await slack.settle()
    assert (await draft_row(slack.desk, draft_id)).status == "pending"
    assert smtp_server.messages == []

    manager = slack.user("UMGR00001", "meg")
    await slack.member(manager, "manager")
    await slack.driver.click(manager, message, ids.APPROVE)  # managers approve any ticket
    await slack.wait_update(draft_id, "Sent")
    assert len(smtp_server.messages) == 1


async def test_an_agent_approves_an_unassigned_ticket_and_may_take_it(
    slack: SlackHarness, smtp_server
) -> None:
    mailbox = await smtp_mailbox(slack.desk, smtp_server.host, smtp_server.port)
    _ticket, draft_id = await drafted_ticket(slack.desk, mailbox)
    amy, tom = slack.user("UAMY00001", "amy"), slack.user("UTOM00001", "tom")
    await slack.member(amy, "agent")
    await slack.member(tom, "agent")
    (message,) = await slack.post(draft_id)

    await slack.driver.click(amy, message, ids.ASSIGN, selected_user=tom.id)  # not hers to give
    denied = await slack.fake.wait_for("chat.postEphemeral")
    assert "only take unassigned tickets for themselves" in denied[0].body["text"]
    await slack.driver.click(amy, message, ids.ASSIGN, selected_user=amy.id)
    owned = await slack.wait_update(draft_id, "Owner: <@UAMY00001>")
    assert owned.blocks
    await slack.driver.click(amy, message, ids.APPROVE)
    await slack.wait_update(draft_id, "Sent")


async def test_a_ticket_of_another_team_is_refused(slack: SlackHarness, smtp_server) -> None:
    ours = await smtp_mailbox(slack.desk, smtp_server.host, smtp_server.port)
    theirs = await smtp_mailbox(slack.desk, smtp_server.host, smtp_server.port, name="other-team")
    async with slack.desk.sessions.begin() as s:
        await s.execute(
            update(Mailbox).where(Mailbox.id == theirs.id).values(slack_team_id="T0OTHER01")
        )
    _t1, our_draft = await drafted_ticket(slack.desk, ours, subject="ours")
    _t2, their_draft = await drafted_ticket(slack.desk, theirs, subject="theirs")
    (message,) = await slack.post(our_draft)

    # an admin of our workspace sends a payload naming the other team's draft
    element = {
        "action_id": ids.APPROVE,
        "type": "button",
        "value": ids.DraftRef(their_draft).value(),
    }
    await slack.driver.action(
        slack.admin, element, block_id=f"draft:{their_draft}", message_ts=message.reply["ts"]
    )
    refused = await slack.fake.wait_for("chat.postEphemeral")
    assert "belongs to another Slack workspace" in refused[0].body["text"]

    # someone from the other organisation, in our shared channel, clicks our draft
    outsider = SlackUser("UOUT00001", "olga", team_id="T0OTHER01")
    slack.fake.add_user(outsider.id, "olga@other.test", "olga", team_id="T0OTHER01", admin=True)
    await slack.driver.click(outsider, message, ids.APPROVE)
    refused = await slack.fake.wait_for("chat.postEphemeral", count=2)
    assert "belongs to another Slack workspace" in refused[1].body["text"]

    await slack.settle()
    assert (await draft_row(slack.desk, their_draft)).status == "pending"
    assert (await draft_row(slack.desk, our_draft)).status == "pending"
    assert smtp_server.messages == []
    # and the other team's ticket does not show in our searches
    await slack.driver.command(slack.admin, "search")
    (answer,) = await slack.fake.wait_for("response_url")
    assert "ours" in answer.text_of_blocks() and "theirs" not in answer.text_of_blocks()


async def test_only_admins_open_settings(slack: SlackHarness) -> None:
    amy = slack.user("UAMY00001", "amy")
    await slack.driver.command(amy, "settings")
    (loading,) = await slack.fake.wait_for("views.open")
    (answer,) = await slack.fake.wait_for("views.update")
    assert "needs the role admin" in answer.text_of_blocks()
    assert answer.body["view_id"] == loading.reply["view"]["id"]
    assert json.dumps(answer.view).count("input") == 0
