"""``/desk stats`` with a breakdown and a trend: blocks, and a PNG chart in a DM thread."""

from __future__ import annotations

import json

from tests.core.flows import drafted_ticket, smtp_mailbox
from tests.support.slack_driver import SlackHarness


async def test_stats_by_category_with_a_weekly_trend(slack: SlackHarness, smtp_server) -> None:
    mailbox = await smtp_mailbox(slack.desk, smtp_server.host, smtp_server.port)
    for i in range(2):
        await drafted_ticket(slack.desk, mailbox, subject=f"Invoice {i}")

    await slack.driver.command(slack.admin, "stats by:category trend:week")
    (answer,) = await slack.fake.wait_for("response_url")
    text = answer.text_of_blocks()
    assert "Desk stats, last 30 days" in text and "*Tickets*\n2" in text
    assert "*By category*" in text and "*Per week*" in text
    assert "*SLA compliance*\nno SLA clocks started in this period" in text  # no policy here

    (done,) = await slack.fake.wait_for("files.completeUploadExternal")
    (posted,) = slack.fake.calls_to("chat.postMessage", lambda c: c.body["channel"] == "DADMIN001")
    assert done.body["channel_id"] == "DADMIN001"
    assert done.body["thread_ts"] == posted.reply["ts"]
    assert json.loads(done.body["files"])[0]["title"] == "Desk stats (30d)"
    (upload,) = slack.fake.calls_to("upload")
    assert upload.body["size"] > 5_000
    started = slack.fake.calls_to("files.getUploadURLExternal")
    assert started[0].body["filename"] == "desk-stats-30d-category-week.png"


async def test_stats_options_are_checked(slack: SlackHarness) -> None:
    await slack.driver.command(slack.admin, "stats by:colour")
    (answer,) = await slack.fake.wait_for("response_url")
    assert "cannot read `by:colour`" in answer.text_of_blocks()
