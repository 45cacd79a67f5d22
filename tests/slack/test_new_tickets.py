"""New tickets in the triage channel: one message per batch, the on-call group mentioned
when High urgency tickets are in it."""

from __future__ import annotations

from sqlalchemy import update

from bot.blocks.settings import ONCALL_GROUP_KEY
from core.audit import Actor
from core.workflow.notifications import Notifier
from db.models import Ticket
from server.worker import notify_new_tickets
from tests.core.flows import drafted_ticket, smtp_mailbox
from tests.support.slack_driver import SlackHarness


async def test_one_message_per_batch_with_the_oncall_mention(slack: SlackHarness) -> None:
    mailbox = await smtp_mailbox(slack.desk)
    made = [await drafted_ticket(slack.desk, mailbox, subject=f"Question {i}") for i in range(3)]
    tickets = [t for t, _ in made]
    async with slack.desk.sessions.begin() as s:
        await s.execute(update(Ticket).where(Ticket.id.in_(tickets)).values(urgency="Low"))
        await s.execute(update(Ticket).where(Ticket.id == tickets[1]).values(urgency="High"))
    await slack.desk.store.set(ONCALL_GROUP_KEY, "S0ONCALL1", actor=Actor("test", "test"))
    notifier = slack.runtime.notifier
    assert isinstance(notifier, Notifier)

    assert await notify_new_tickets(slack.desk, notifier, tickets) == 3
    (message,) = await slack.fake.wait_for("chat.postMessage")
    assert message.body["channel"] == slack.channel
    assert message.body["text"] == "<!subteam^S0ONCALL1> 3 new tickets in support, 1 High urgency"
    text = message.text_of_blocks()
    assert all(f"#{t}" in text for t in tickets)
    assert text.index(f"#{tickets[1]}") < text.index(f"#{tickets[0]}")  # High first

    async with slack.desk.sessions.begin() as s:
        await s.execute(update(Ticket).where(Ticket.id == tickets[1]).values(urgency="Low"))
    await notify_new_tickets(slack.desk, notifier, tickets[:2])
    calls = await slack.fake.wait_for("chat.postMessage", count=2)
    assert "subteam" not in calls[1].body["text"]


async def test_a_mailbox_overdue_alert_reaches_the_triage_channel(slack: SlackHarness) -> None:
    from core.inbound.poller import PollResult
    from server.worker import alert_overdue

    result = PollResult(mailbox_id=1, mailbox="support", overdue=True)
    await alert_overdue(slack.runtime.notifier, result)
    (message,) = await slack.fake.wait_for("chat.postMessage")
    assert message.body["channel"] == slack.channel
    assert "support" in message.body["text"] and "has not fetched" in message.body["text"]
    await alert_overdue(slack.runtime.notifier, PollResult(mailbox_id=1, mailbox="support"))
    assert len([c for c in slack.fake.calls if c.method == "chat.postMessage"]) == 1
