"""A shutdown (a deploy) lets a click finish its work after the ack, instead of cutting it off
between "sending..." and "Sent"."""

from __future__ import annotations

from bot import ids
from server.http.app import create_app
from tests.core.flows import draft_row, drafted_ticket, smtp_mailbox
from tests.support.slack_driver import ADMIN, SlackDriver, SlackHarness, SlackUser


async def test_shutdown_waits_for_an_approval_still_at_work(
    slack: SlackHarness, smtp_server
) -> None:
    mailbox = await smtp_mailbox(slack.desk, smtp_server.host, smtp_server.port)
    _ticket, draft_id = await drafted_ticket(slack.desk, mailbox)
    (message,) = await slack.post(draft_id)

    app = create_app(slack.desk)  # a second web process on the same desk, shut down below
    driver = SlackDriver(fake=slack.fake, app=app)
    slack.fake.delay("chat.update", 0.5)  # Slack is slow: the work outlasts the ack by far
    try:
        async with app.router.lifespan_context(app):
            acked = await driver.click(SlackUser(ADMIN, "ada"), message, ids.APPROVE)
            assert acked.status == 200
            assert (await draft_row(slack.desk, draft_id)).status != "sent"
        # the lifespan has ended: the handler ran to its end before it returned
        assert (await draft_row(slack.desk, draft_id)).status == "sent"
        assert len(smtp_server.messages) == 1
        assert any("Sent" in c.text_of_blocks() for c in slack.updates(draft_id))
    finally:
        await driver.close()
