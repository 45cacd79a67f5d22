"""People from Slack: a deactivated user's clicks and commands are refused with a clear
message, and nothing they clicked happens.
"""

from __future__ import annotations

from sqlalchemy import update

from bot import ids
from db.models import User
from tests.core.flows import draft_row, drafted_ticket, smtp_mailbox
from tests.support.slack_driver import SlackHarness

REFUSED = "your desk account is deactivated: ask an admin"


async def _deactivate(slack: SlackHarness, user_id: int) -> None:
    async with slack.desk.sessions.begin() as s:
        await s.execute(update(User).where(User.id == user_id).values(is_active=False))


async def test_a_deactivated_users_clicks_and_commands_are_refused(
    slack: SlackHarness, smtp_server
) -> None:
    mailbox = await smtp_mailbox(slack.desk, smtp_server.host, smtp_server.port)
    _ticket, draft_id = await drafted_ticket(slack.desk, mailbox)
    (message,) = await slack.post(draft_id)
    gus = slack.user("UGUS00001", "gus")
    gus_m = await slack.member(gus, "manager")
    await _deactivate(slack, gus_m.user_id)

    await slack.driver.click(gus, message, ids.APPROVE)
    await slack.driver.click(gus, message, ids.ASSIGN, selected_user=gus.id)
    told = await slack.fake.wait_for("chat.postEphemeral", count=2)
    assert [(c.body["user"], REFUSED in c.body["text"]) for c in told] == [(gus.id, True)] * 2

    await slack.driver.click(gus, message, ids.EDIT)
    (edit,) = await slack.fake.wait_for("views.update")
    assert REFUSED in edit.text_of_blocks()
    await slack.driver.click(gus, message, ids.REJECT)
    (reject,) = await slack.fake.wait_for(
        "views.update", where=lambda c: "Reject draft" in str(c.view.get("title"))
    )
    assert REFUSED in reject.text_of_blocks()

    await slack.driver.command(gus, "search refund")
    (answer,) = await slack.fake.wait_for("response_url")
    assert REFUSED in answer.body["text"]

    await slack.driver.event(gus, {"type": "app_home_opened", "tab": "home"})
    await slack.settle()
    assert slack.fake.calls_to("views.publish") == []  # their queue is not shown either
    draft = await draft_row(slack.desk, draft_id)
    assert (draft.status, draft.approved_by_id) == ("pending", None)
    async with slack.desk.sessions() as s:
        row = await s.get(User, gus_m.user_id)
        assert row is not None and not row.is_active  # a new link does not revive them
    assert smtp_server.messages == []


async def test_nobody_can_assign_a_ticket_to_a_deactivated_user(
    slack: SlackHarness, smtp_server
) -> None:
    mailbox = await smtp_mailbox(slack.desk, smtp_server.host, smtp_server.port)
    _ticket, draft_id = await drafted_ticket(slack.desk, mailbox)
    (message,) = await slack.post(draft_id)
    hal = slack.user("UHAL00001", "hal")
    hal_m = await slack.member(hal, "agent")
    await _deactivate(slack, hal_m.user_id)

    await slack.driver.click(slack.admin, message, ids.ASSIGN, selected_user=hal.id)
    (told,) = await slack.fake.wait_for("chat.postEphemeral")
    assert told.body["user"] == slack.admin.id
    assert "the desk account of hal@desk.test is deactivated" in told.body["text"]
    assert (await draft_row(slack.desk, draft_id)).status == "pending"
