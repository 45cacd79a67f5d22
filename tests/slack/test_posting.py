"""Posting: per-channel spacing, 429 with Retry-After, timeouts, follow-ups in the thread."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import update

from bot import ids
from bot.posting import PostingQueue
from core.mail.transport import FetchedMail
from db.base import utcnow
from db.models import Mailbox, SlackPost
from server.worker import run_cycle
from tests.core.flows import agent, draft_row, drafted_ticket, smtp_mailbox
from tests.support.fake_slack import Call, FakeSlack, Reply, rate_limited
from tests.support.mail import make_mail, message_id_of
from tests.support.slack_driver import TRIAGE_CHANNEL as CHANNEL
from tests.support.slack_driver import SlackHarness


async def test_the_queue_spaces_messages_per_channel_not_across(fake_slack: FakeSlack) -> None:
    client = AsyncWebClient(token="xoxb-t", base_url=fake_slack.api_url)
    queue = PostingQueue(client, interval=0.2)
    await asyncio.gather(
        *(queue.post(channel="CA", text=f"a{i}") for i in range(4)),
        *(queue.post(channel="CB", text=f"b{i}") for i in range(4)),
    )
    times = {}
    for channel in ("CA", "CB"):
        calls = fake_slack.calls_to(
            "chat.postMessage", lambda c, ch=channel: c.body["channel"] == ch
        )
        assert [c.body["text"][1] for c in calls] == ["0", "1", "2", "3"]  # in order
        gaps = [b.at - a.at for a, b in zip(calls, calls[1:], strict=False)]
        assert min(gaps) >= 0.19, gaps
        times[channel] = [c.at for c in calls]
    # the two channels did not wait for each other: the n-th message of each went out
    # together (spaced across channels they would be >= 0.19 s apart; a busy machine
    # delays both alike, so this holds where a wall-time bound did not)
    apart = [abs(a - b) for a, b in zip(times["CA"], times["CB"], strict=True)]
    assert max(apart) < 0.15, apart


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


def _draft_posts(fake: FakeSlack, draft_id: int) -> list[Call]:
    """chat.postMessage calls that carried ``draft_id``'s card."""
    return fake.calls_to(
        "chat.postMessage",
        lambda c: any(b.get("block_id") == f"draft:{draft_id}" for b in c.blocks),
    )


async def _timed_out_post(slack: SlackHarness, draft_id: int, answer: Reply) -> None:
    """Post ``draft_id`` while Slack answers only after the client's timeout (2 s)."""
    slack.fake.script("chat.postMessage", answer)
    report = await slack.runtime.notifier.post_new_drafts([draft_id])
    assert report.posted == [] and "no answer from Slack" in report.errors[0]
    assert await slack.runtime.services.posts.get(draft_id) is None
    late = _draft_posts(slack.fake, draft_id)
    await slack.fake.wait_for("chat.postMessage", where=lambda c: c in late)  # Slack is done


async def test_a_post_that_timed_out_but_arrived_is_found_not_posted_twice(
    slack: SlackHarness, smtp_server
) -> None:
    mailbox = await smtp_mailbox(slack.desk, smtp_server.host, smtp_server.port)
    _ticket, draft_id = await drafted_ticket(slack.desk, mailbox)
    await _timed_out_post(slack, draft_id, Reply(delay=2.5))  # Slack posts it, late
    (arrived,) = slack.fake.messages[CHANNEL]
    assert arrived["metadata"]["event_payload"] == {"draft_id": draft_id}
    # meanwhile someone edits the draft (the REST API): the card must not stay behind
    await slack.desk.drafts.edit(
        draft_id, await agent(slack.desk, "ann@team.test"), body="Edited while Slack was slow."
    )

    again = await slack.runtime.notifier.sync()
    assert again.posted == [draft_id] and not again.errors
    assert len(_draft_posts(slack.fake, draft_id)) == 1  # one card in the channel
    (look,) = slack.fake.calls_to("conversations.history")
    assert look.body["include_all_metadata"] and look.body["channel"] == CHANNEL
    post = await slack.runtime.services.posts.get(draft_id)
    assert post is not None and post.ts == arrived["ts"] and post.permalink
    (update,) = slack.fake.calls_to("chat.update", lambda c: c.body.get("ts") == arrived["ts"])
    assert "Edited while Slack was slow." in update.text_of_blocks()
    assert (await slack.runtime.notifier.sync()).posted == []  # and it stays found


async def test_a_post_that_timed_out_and_never_arrived_is_posted_on_the_next_sync(
    slack: SlackHarness, smtp_server
) -> None:
    mailbox = await smtp_mailbox(slack.desk, smtp_server.host, smtp_server.port)
    _ticket, draft_id = await drafted_ticket(slack.desk, mailbox)
    await _timed_out_post(
        slack, draft_id, Reply(500, {"ok": False, "error": "internal_error"}, delay=2.5)
    )
    assert not slack.fake.messages.get(CHANNEL)

    again = await slack.runtime.notifier.sync()
    assert again.posted == [draft_id]
    assert len(slack.fake.calls_to("conversations.history")) == 1  # looked first
    first, second = _draft_posts(slack.fake, draft_id)
    assert (await slack.runtime.services.posts.get(draft_id)).ts == second.reply["ts"]


async def test_without_access_to_the_history_a_timed_out_draft_is_posted_again(
    slack: SlackHarness, smtp_server
) -> None:
    """An app installed before the history scopes: a second card beats a missing one."""
    mailbox = await smtp_mailbox(slack.desk, smtp_server.host, smtp_server.port)
    _ticket, draft_id = await drafted_ticket(slack.desk, mailbox)
    await _timed_out_post(slack, draft_id, Reply(delay=2.5))
    slack.fake.script("conversations.history", Reply(body={"ok": False, "error": "missing_scope"}))
    again = await slack.runtime.notifier.sync()
    assert again.posted == [draft_id] and len(_draft_posts(slack.fake, draft_id)) == 2


async def test_a_history_look_up_that_times_out_posts_nothing(
    slack: SlackHarness, smtp_server
) -> None:
    mailbox = await smtp_mailbox(slack.desk, smtp_server.host, smtp_server.port)
    _ticket, draft_id = await drafted_ticket(slack.desk, mailbox)
    await _timed_out_post(slack, draft_id, Reply(delay=2.5))
    slack.fake.script("conversations.history", Reply(delay=2.5))
    report = await slack.runtime.notifier.sync()
    assert report.posted == [] and report.errors
    assert len(_draft_posts(slack.fake, draft_id)) == 1
    third = await slack.runtime.notifier.sync()  # Slack answers again: found, not posted
    assert third.posted == [draft_id] and len(_draft_posts(slack.fake, draft_id)) == 1


async def test_a_follow_up_that_timed_out_is_looked_for_in_the_ticket_thread(
    slack: SlackHarness, smtp_server
) -> None:
    mailbox = await smtp_mailbox(slack.desk, smtp_server.host, smtp_server.port)
    raw = make_mail(subject="Locked out", body="I cannot log in.")
    first = await _ingest_and_draft(slack, mailbox, raw, uid=910001)
    (root,) = await slack.post(first)
    follow = make_mail(
        subject="Re: Locked out", body="Still locked out!", in_reply_to=message_id_of(raw)
    )
    second = await _ingest_and_draft(slack, mailbox, follow, uid=910002)
    await _timed_out_post(slack, second, Reply(delay=2.5))
    again = await slack.runtime.notifier.sync()
    assert again.posted == [second] and len(_draft_posts(slack.fake, second)) == 1
    (look,) = slack.fake.calls_to("conversations.replies")
    assert look.body["ts"] == root.reply["ts"]
    post = await slack.runtime.services.posts.get(second)
    assert post is not None and post.thread_ts == root.reply["ts"]


async def _ingest_and_draft(slack: SlackHarness, mailbox: Mailbox, raw: bytes, *, uid: int) -> int:
    item = slack.desk.ingestor.parse_one(FetchedMail(uid=uid, raw=raw))
    await slack.desk.ingestor.ingest_batch(mailbox, None, [item])
    (draft_id,) = (await (await slack.desk.triage_service()).triage_queued()).drafted
    return draft_id


async def test_a_claim_left_by_a_dead_process_is_taken_over(
    slack: SlackHarness, smtp_server
) -> None:
    mailbox = await smtp_mailbox(slack.desk, smtp_server.host, smtp_server.port)
    _ticket, draft_id = await drafted_ticket(slack.desk, mailbox)
    posts = slack.runtime.services.posts
    assert await posts.claim(draft_id, channel=CHANNEL, team_id=None) is not None
    assert (await slack.runtime.notifier.sync()).posted == []  # claimed: someone is posting
    async with slack.desk.sessions.begin() as s:  # ... who died ten minutes ago
        await s.execute(update(SlackPost).values(claimed_at=utcnow() - timedelta(minutes=10)))
    again = await slack.runtime.notifier.sync()
    assert again.posted == [draft_id] and len(_draft_posts(slack.fake, draft_id)) == 1
    assert slack.fake.calls_to("conversations.history")  # looked before posting


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
