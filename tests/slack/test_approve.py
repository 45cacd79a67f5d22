"""Approve from Slack: compare-and-set in the engine, the message follows, one mail goes out."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot import ids
from core.mail.transport import FetchedMail
from db.models import AuditEvent
from tests.core.flows import draft_row, drafted_ticket, smtp_mailbox
from tests.support.mail import make_dsn
from tests.support.slack_driver import SlackHarness


async def test_approve_sends_the_reply_and_updates_the_message(
    slack: SlackHarness, smtp_server
) -> None:
    mailbox = await smtp_mailbox(slack.desk, smtp_server.host, smtp_server.port)
    _ticket, draft_id = await drafted_ticket(slack.desk, mailbox, subject="Refund please")
    (message,) = await slack.post(draft_id)
    assert message.body["channel"] == slack.channel
    assert "Refund please" in message.text_of_blocks()

    bob = slack.user("UBOB00001", "bob")
    acked = await slack.driver.click(bob, message, ids.APPROVE)
    assert acked.status == 200

    sent = await slack.wait_update(draft_id, "Sent")
    assert not [b for b in sent.blocks if b["type"] == "actions"], "buttons must be gone"
    assert "<@UBOB00001>" in sent.text_of_blocks()
    texts = [c.text_of_blocks() for c in slack.updates(draft_id)]
    assert any("Approved by <@UBOB00001>" in t and "sending" in t for t in texts), texts
    assert len(smtp_server.messages) == 1
    assert (await draft_row(slack.desk, draft_id)).status == "sent"
    notice = await slack.fake.wait_for(
        "chat.postMessage", where=lambda c: c.body.get("thread_ts") == message.reply["ts"]
    )
    assert "Reply sent to alice@example.com" in notice[0].text_of_blocks()
    async with slack.desk.sessions() as s:
        sources = set(
            await s.scalars(select(AuditEvent.source).where(AuditEvent.action == "draft.approved"))
        )
    assert sources == {"slack"}


async def test_two_concurrent_approvals_send_one_mail(slack: SlackHarness, smtp_server) -> None:
    mailbox = await smtp_mailbox(slack.desk, smtp_server.host, smtp_server.port)
    _ticket, draft_id = await drafted_ticket(slack.desk, mailbox)
    (message,) = await slack.post(draft_id)
    ann, ben = slack.user("UANN00001", "ann"), slack.user("UBEN00001", "ben")
    await slack.member(ann, "manager")
    await slack.member(ben, "manager")

    first, second = await asyncio.gather(
        slack.driver.click(ann, message, ids.APPROVE), slack.driver.click(ben, message, ids.APPROVE)
    )
    assert first.status == second.status == 200
    (loser,) = await slack.fake.wait_for("chat.postEphemeral")
    await slack.wait_update(draft_id, "Sent")
    await slack.settle()

    assert len(smtp_server.messages) == 1
    winner = (await draft_row(slack.desk, draft_id)).approved_by_id
    ann_m = await slack.runtime.services.members.find(ann.team_id, ann.id)
    winner_slack, loser_slack = (
        ("UANN00001", "UBEN00001") if winner == ann_m.user_id else ("UBEN00001", "UANN00001")
    )
    assert loser.body["user"] == loser_slack
    assert (
        "Already approved by" in loser.body["text"] and f"<@{winner_slack}>" in loser.body["text"]
    )
    assert len(slack.fake.calls_to("chat.postEphemeral")) == 1


async def test_send_failure_shows_retry_and_retry_sends(
    slack: SlackHarness, smtp_flaky_server
) -> None:
    server = smtp_flaky_server(["550 5.1.1 no such user"])
    mailbox = await smtp_mailbox(slack.desk, server.host, server.port)
    _ticket, draft_id = await drafted_ticket(slack.desk, mailbox)
    (message,) = await slack.post(draft_id)
    await slack.driver.click(slack.admin, message, ids.APPROVE)
    failed = await slack.wait_update(draft_id, "Sending failed")
    assert "no such user" in failed.text_of_blocks()
    retry = next(
        el
        for b in failed.blocks
        for el in b.get("elements", [])
        if el.get("action_id") == ids.RETRY
    )
    assert retry["text"]["text"] == "Retry sending"

    await slack.driver.click(slack.admin, failed, ids.RETRY)
    await slack.wait_update(draft_id, "Sent")
    assert len(server.messages) == 1


async def test_a_bounced_address_is_cleared_from_the_card_and_the_reply_sent(
    slack: SlackHarness, smtp_server
) -> None:
    mailbox = await smtp_mailbox(slack.desk, smtp_server.host, smtp_server.port)
    ticket_id, draft_id = await drafted_ticket(slack.desk, mailbox, sender="pat@cust.test")
    (message,) = await slack.post(draft_id)
    # pat's mail server says the address is gone: mail to it is refused from now on
    bounce = slack.desk.ingestor.parse_one(FetchedMail(uid=990001, raw=make_dsn("pat@cust.test")))
    await slack.desk.ingestor.ingest_batch(mailbox, None, [bounce])
    await slack.driver.click(slack.admin, message, ids.APPROVE)
    failed = await slack.wait_update(draft_id, "Sending failed")
    assert "marked undeliverable" in failed.text_of_blocks()
    buttons = {
        el["action_id"]: el
        for b in failed.blocks
        for el in b.get("elements", [])
        if "action_id" in el
    }
    assert ids.RETRY not in buttons  # a plain retry would only fail again
    assert "pat@cust.test" in buttons[ids.CLEAR_BOUNCE]["confirm"]["text"]["text"]

    # an agent may not clear it on a ticket assigned to someone else
    tom, ann = slack.user("UTOM00001", "tom"), slack.user("UANN00001", "ann")
    await slack.member(ann, "agent")
    tom_m = await slack.member(tom, "agent")
    await slack.desk.assignments.assign(ticket_id, tom_m.user_id, tom_m.actor)
    await slack.driver.click(ann, failed, ids.CLEAR_BOUNCE)
    denied = await slack.fake.wait_for("chat.postEphemeral")
    assert "assigned to tom" in denied[0].body["text"]
    assert len(await slack.desk.recipients.undeliverable()) == 1

    await slack.driver.click(tom, failed, ids.CLEAR_BOUNCE)
    await slack.wait_update(draft_id, "Sent")
    assert len(smtp_server.messages) == 1
    assert await slack.desk.recipients.undeliverable() == []
    async with slack.desk.sessions() as s:
        cleared_by = await s.scalar(
            select(AuditEvent.actor).where(AuditEvent.action == "recipient.cleared")
        )
    assert cleared_by and "tom" in cleared_by
