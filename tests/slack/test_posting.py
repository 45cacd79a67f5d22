"""Posting: per-channel spacing, 429 with Retry-After, timeouts, follow-ups in the thread."""

from __future__ import annotations

import asyncio
import time

from slack_sdk.web.async_client import AsyncWebClient

from bot import ids
from bot.posting import PostingQueue
from server.worker import run_cycle
from tests.core.flows import draft_row, drafted_ticket, smtp_mailbox
from tests.support.fake_slack import FakeSlack, rate_limited
from tests.support.mail import make_mail, message_id_of
from tests.support.slack_driver import SlackHarness


async def test_the_queue_spaces_messages_per_channel_not_across(fake_slack: FakeSlack) -> None:
    client = AsyncWebClient(token="xoxb-t", base_url=fake_slack.api_url)
    queue = PostingQueue(client, interval=0.2)
    start = time.monotonic()
    await asyncio.gather(
        *(queue.post(channel="CA", text=f"a{i}") for i in range(4)),
        *(queue.post(channel="CB", text=f"b{i}") for i in range(4)),
    )
    elapsed = time.monotonic() - start
    for channel in ("CA", "CB"):
        calls = fake_slack.calls_to(
            "chat.postMessage", lambda c, ch=channel: c.body["channel"] == ch
        )
        assert [c.body["text"][1] for c in calls] == ["0", "1", "2", "3"]  # in order
        gaps = [b.at - a.at for a, b in zip(calls, calls[1:], strict=False)]
        assert min(gaps) >= 0.19, gaps
    assert elapsed < 0.2 * 3 + 0.4  # the two channels did not wait for each other


async def test_a_429_is_waited_out_and_the_draft_posted_once(
    slack: SlackHarness, smtp_server
) -> None:
    mailbox = await smtp_mailbox(slack.desk, smtp_server.host, smtp_server.port)
    _ticket, draft_id = await drafted_ticket(slack.desk, mailbox)
    slack.fake.script("chat.postMessage", rate_limited(retry_after=1))
    start = time.monotonic()
    (message,) = await slack.post(draft_id)
    calls = slack.fake.calls_to("chat.postMessage")
    assert [c.status for c in calls[:2]] == [429, 200]
    assert calls[1].at - calls[0].at >= 1.0  # Retry-After honoured
    assert time.monotonic() - start >= 1.0
    assert message is calls[1]
    assert (await slack.runtime.services.posts.get(draft_id)).ts == message.reply["ts"]


async def test_a_timeout_leaves_the_draft_for_the_next_sync(
    slack: SlackHarness, smtp_server
) -> None:
    mailbox = await smtp_mailbox(slack.desk, smtp_server.host, smtp_server.port)
    _ticket, draft_id = await drafted_ticket(slack.desk, mailbox)
    slack.fake.delay("chat.postMessage", 2.5)  # longer than SLACK_TIMEOUT (2 s)
    report = await slack.runtime.notifier.post_new_drafts([draft_id])
    assert report.posted == [] and report.errors
    assert await slack.runtime.services.posts.get(draft_id) is None

    slack.fake.delay("chat.postMessage", 0)
    again = await slack.runtime.notifier.sync()
    assert again.posted == [draft_id]


async def test_the_worker_posts_new_drafts_and_updates_sent_ones(
    slack: SlackHarness, smtp_server
) -> None:
    mailbox = await smtp_mailbox(slack.desk, smtp_server.host, smtp_server.port)
    _ticket, draft_id = await drafted_ticket(slack.desk, mailbox)
    notifier = slack.runtime.notifier
    summary = await run_cycle(slack.desk, notifier=notifier)
    assert summary["slack"]["posted"] == 1
    message = slack.message(draft_id)
    assert (await run_cycle(slack.desk, notifier=notifier))["slack"]["posted"] == 0  # once

    # approved elsewhere (the REST API), sent by the worker: the Slack message follows
    admin = await slack.member(slack.admin, "admin")
    await slack.desk.drafts.approve(draft_id, admin.actor)
    await run_cycle(slack.desk, notifier=notifier)
    assert (await draft_row(slack.desk, draft_id)).status == "sent"
    sent = await slack.wait_update(draft_id, "Sent")
    assert not [b for b in sent.blocks if b["type"] == "actions"]
    await slack.fake.wait_for(
        "chat.postMessage", where=lambda c: c.body.get("thread_ts") == message.reply["ts"]
    )


async def test_the_worker_runs_without_slack(desk, smtp_server) -> None:  # type: ignore[no-untyped-def]
    mailbox = await smtp_mailbox(desk, smtp_server.host, smtp_server.port)
    await drafted_ticket(desk, mailbox)
    summary = await run_cycle(desk)
    assert "slack" not in summary


async def test_a_follow_up_goes_into_the_thread_and_supersedes(
    slack: SlackHarness, smtp_server
) -> None:
    mailbox = await smtp_mailbox(slack.desk, smtp_server.host, smtp_server.port)
    raw = make_mail(subject="Locked out", body="I cannot log in.")
    from core.mail.transport import FetchedMail

    item = slack.desk.ingestor.parse_one(FetchedMail(uid=900001, raw=raw))
    await slack.desk.ingestor.ingest_batch(mailbox, None, [item])
    first = (await (await slack.desk.triage_service()).triage_queued()).drafted[0]
    (root,) = await slack.post(first)

    follow = make_mail(
        subject="Re: Locked out",
        body="Still locked out, please hurry!",
        in_reply_to=message_id_of(raw),
    )
    item = slack.desk.ingestor.parse_one(FetchedMail(uid=900002, raw=follow))
    await slack.desk.ingestor.ingest_batch(mailbox, None, [item])
    second = (await (await slack.desk.triage_service()).triage_queued()).drafted[0]
    (reply,) = await slack.post(second)

    assert reply.body["thread_ts"] == root.reply["ts"]
    assert "Still locked out" in reply.text_of_blocks()
    superseded = await slack.wait_update(first, "Superseded")
    assert not [b for b in superseded.blocks if b["type"] == "actions"]

    await slack.driver.click(slack.admin, reply, ids.APPROVE)
    await slack.fake.wait_for(
        "chat.update",
        where=lambda c: c.body.get("ts") == reply.reply["ts"] and "Sent" in c.text_of_blocks(),
    )
    notice = await slack.fake.wait_for(
        "chat.postMessage", where=lambda c: "Reply sent" in c.text_of_blocks()
    )
    assert notice[0].body["thread_ts"] == root.reply["ts"]
    assert len(smtp_server.messages) == 1
