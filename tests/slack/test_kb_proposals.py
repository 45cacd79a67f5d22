"""Knowledge-base proposals in Slack through Bolt with signed requests: the worker posts each
open proposal once in the KB channel (the triage channel when none is set) with Publish /
Edit / Discard; Edit saves through the article modal and updates the message; Publish names
the clicking manager as the reviewer; Discard archives it; an agent is refused; and
`/desk kb proposals` lists them."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

from sqlalchemy import select

from bot import ids
from bot.blocks import knowledge as kb
from bot.blocks.proposals import markdown_mrkdwn, proposal_message
from bot.blocks.settings import KB_CHANNEL_KEY
from bot.proposals import SlackProposals
from core.access.permissions import principal_by_email
from core.audit import Actor
from core.knowledge.articles import ArticleView
from db.models import KbArticle
from server.worker import _sync_slack
from tests.core.flows import smtp_mailbox
from tests.knowledge.test_proposals import _answered, _people, _resolve
from tests.slack.test_settings import _open_settings
from tests.support.blockkit import problems
from tests.support.fake_slack import Call
from tests.support.slack_driver import TRIAGE_CHANNEL, SlackHarness

KB_CHANNEL = "C0KBPROP1"
TEST = Actor("test", "test")


async def _proposals(slack: SlackHarness, smtp_server) -> tuple[int, int]:
    desk = slack.desk
    mia, _boss = await _people(desk)
    mailbox = await smtp_mailbox(desk, smtp_server.host, smtp_server.port)
    reset = await _answered(desk, mailbox, mia, body="The password reset link has expired.")
    export = await _answered(
        desk,
        mailbox,
        mia,
        subject="Export reports to a spreadsheet",
        body="How do I export my monthly reports?",
        reply="Hello,\n\nOpen Reports, pick the month and click Export as CSV.\n\nBest, Mia",
    )
    for tid in (reset, export):
        await _resolve(desk, mia, tid)
    async with desk.sessions() as s:
        ids_ = list(
            await s.scalars(
                select(KbArticle.id).where(KbArticle.origin == "proposal").order_by(KbArticle.id)
            )
        )
    return ids_[0], ids_[1]


def _posted(slack: SlackHarness, channel: str) -> list[Call]:
    return slack.fake.calls_to(
        "chat.postMessage",
        lambda c: c.body.get("channel") == channel and "Proposed article" in c.text_of_blocks(),
    )


def _message_of(slack: SlackHarness, channel: str, article_id: int) -> Call:
    for call in _posted(slack, channel):
        if any(b.get("block_id") == f"kb_proposal:{article_id}" for b in call.blocks):
            return call
    raise AssertionError(f"no message for proposal {article_id}")


async def _update(slack: SlackHarness, message: Call, text: str) -> Call:
    ts = message.reply["ts"]
    calls = await slack.fake.wait_for(
        "chat.update", where=lambda c: c.body.get("ts") == ts and text in c.text_of_blocks()
    )
    return calls[-1]


async def test_publish_edit_discard_from_the_message(slack: SlackHarness, smtp_server) -> None:
    reset, export = await _proposals(slack, smtp_server)
    await slack.desk.store.set(KB_CHANNEL_KEY, KB_CHANNEL, actor=TEST)
    proposals = SlackProposals(slack.runtime.notifier)
    report = await proposals.sync()
    assert (report.posted, report.errors) == ([reset, export], [])
    assert (await proposals.sync()).posted == []  # posted once
    await slack.settle()
    assert len(_posted(slack, KB_CHANNEL)) == 2 and _posted(slack, TRIAGE_CHANNEL) == []
    message = _message_of(slack, KB_CHANNEL, reset)
    assert problems(message.blocks) == []
    shown = message.text_of_blocks()
    assert "Password reset link expired" in shown and "*Problem*" in shown
    assert "Publish" in shown and "Discard" in shown

    manager = slack.user("UMAN00001", "max", email="max@team.test")
    await slack.member(manager, "manager")
    agent = slack.user("UAGT00001", "al", email="al@team.test")
    await slack.member(agent, "agent")

    # an agent may not publish: told so, the article stays a draft
    await slack.driver.click(agent, message, ids.KB_PROPOSAL_PUBLISH)
    (refused,) = await slack.fake.wait_for(
        "chat.postEphemeral", where=lambda c: "needs the role" in c.body.get("text", "")
    )
    assert refused.body["user"] == "UAGT00001"
    assert (await slack.desk.knowledge.get(reset)).status == "draft"

    # Edit: the modal, filled in; saving updates the article and the message
    await slack.driver.click(manager, message, ids.KB_PROPOSAL_EDIT)
    (opened,) = await slack.fake.wait_for(
        "views.update", where=lambda c: c.view.get("callback_id") == ids.KB_VIEW
    )
    assert opened.view["private_metadata"] == f"{reset}:1"
    acked = await slack.driver.submit(
        manager,
        opened.reply["view"],
        {
            kb.TITLE_BLOCK: "Reset link expired: ask for a new one",
            kb.BODY_BLOCK: "## Steps\n\n1. Click **Forgot password** again.",
            kb.CATEGORY_BLOCK: "Login / Access",
            kb.LANGUAGE_BLOCK: "en",
        },
    )
    assert acked.json()["response_action"] == "update"
    edited = await _update(slack, message, "Reset link expired: ask for a new one")
    assert "version 2" in edited.text_of_blocks() and "*Forgot password*" in edited.text_of_blocks()
    article = await slack.desk.knowledge.get(reset)
    assert (article.version, article.status, article.category) == (2, "draft", "Login / Access")

    # Publish: the manager is the reviewer; the buttons go
    await slack.driver.click(manager, message, ids.KB_PROPOSAL_PUBLISH)
    published = await _update(slack, message, "Published by <@UMAN00001>")
    assert not [b for b in published.blocks if b["type"] == "actions"]
    article = await slack.desk.knowledge.get(reset)
    member = await slack.runtime.services.members.find(manager.team_id, manager.id)
    assert (article.status, article.reviewed_by_id) == ("published", member.user_id)

    # a second click on the stale message: told, and the message shows it as it is
    await slack.driver.click(manager, message, ids.KB_PROPOSAL_DISCARD)
    await slack.fake.wait_for(
        "chat.postEphemeral", where=lambda c: "published already" in c.body.get("text", "")
    )
    assert (await slack.desk.knowledge.get(reset)).status == "published"

    # Discard: archived, kept
    other = _message_of(slack, KB_CHANNEL, export)
    await slack.driver.click(manager, other, ids.KB_PROPOSAL_DISCARD)
    await _update(slack, other, "Discarded by <@UMAN00001>")
    assert (await slack.desk.knowledge.get(export)).status == "archived"
    assert {p.id: p.state for p in await slack.desk.proposals.list()} == {
        reset: "published",
        export: "discarded",
    }

    # /desk kb proposals lists them with their state
    await slack.driver.command(manager, "kb proposals")
    (listed,) = await slack.fake.wait_for("response_url")
    text = listed.text_of_blocks()
    assert f"#{reset}" in text and "published" in text and "discarded" in text


async def test_a_change_elsewhere_updates_the_message_on_the_next_sync(
    slack: SlackHarness, smtp_server
) -> None:
    reset, _export = await _proposals(slack, smtp_server)
    proposals = SlackProposals(slack.runtime.notifier)
    assert (await proposals.sync()).posted == [reset, _export]  # no KB channel: triage's
    message = _message_of(slack, TRIAGE_CHANNEL, reset)
    # a near-duplicate ticket joins: the message names both tickets
    mia = await principal_by_email(slack.desk.sessions, "mia.berg@team.test", "cli")
    mailbox = await smtp_mailbox(slack.desk, smtp_server.host, smtp_server.port, name="second")
    like = await _answered(
        slack.desk, mailbox, mia, body="My password reset link expired. What should I do?"
    )
    await _resolve(slack.desk, mia, like)
    assert (await slack.desk.knowledge.get(reset)).source_ticket_ids[-1] == like
    assert (await proposals.sync()).updated == [reset]
    joined = await _update(slack, message, f", #{like}")
    assert "From resolved tickets" in joined.text_of_blocks()

    boss = await principal_by_email(slack.desk.sessions, "max@team.test", "cli")
    await slack.desk.proposals.publish(boss, reset)  # from the CLI or the API, say
    report = await proposals.sync()
    assert report.updated == [reset]
    await _update(slack, message, "Published")
    assert (await proposals.sync()).updated == []


def test_the_message_blocks() -> None:
    assert markdown_mrkdwn("## Steps\n\n1. Click **Save** <now> & go") == (
        "*Steps*\n\n1. Click *Save* &lt;now&gt; &amp; go"
    )


def test_long_bodies_are_cut_with_a_pointer() -> None:
    at = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    article = ArticleView(
        7, "Long", "word " * 2000, None, "en", "draft", 1, None, 0, 0, None, None, at, at, [3]
    )
    _text, blocks = proposal_message(article)
    assert problems(blocks) == []
    assert "`desk kb show 7`" in blocks[1]["text"]["text"]
    assert "From resolved ticket #3" in blocks[2]["elements"][0]["text"]


async def test_settings_set_and_clear_the_kb_channel(slack: SlackHarness) -> None:
    store = slack.desk.store
    view = await _open_settings(slack)
    bad = await slack.driver.submit(slack.admin, view, {"kb_channel": "#kb"})
    assert "a channel id" in bad.json()["errors"]["kb_channel"]
    assert await store.get(KB_CHANNEL_KEY) is None
    await slack.driver.submit(slack.admin, view, {"kb_channel": KB_CHANNEL})
    await slack.fake.wait_for("views.update", where=lambda c: "Saved:" in c.text_of_blocks())
    assert await store.get(KB_CHANNEL_KEY) == KB_CHANNEL
    again = await _open_settings(slack)
    field = next(b for b in again["blocks"] if b.get("block_id") == "kb_channel")
    assert field["element"]["initial_value"] == KB_CHANNEL


async def test_the_worker_cycle_posts_proposals(slack: SlackHarness, smtp_server) -> None:
    reset, export = await _proposals(slack, smtp_server)
    summary: dict[str, object] = {}
    await _sync_slack(slack.runtime.notifier, summary)
    assert summary["kb_proposals"] == {"posted": 2, "updated": 0, "errors": 0}
    await slack.settle()
    assert {reset, export} == {
        int(b["block_id"].split(":")[1])
        for c in _posted(slack, TRIAGE_CHANNEL)
        for b in c.blocks
        if b.get("block_id", "").startswith("kb_proposal:")
    }


async def test_the_proposal_buttons_ack_before_their_work(slack: SlackHarness, smtp_server) -> None:
    """As tests/slack/test_ack.py: Slack answers nothing until every click is acknowledged."""
    reset, export = await _proposals(slack, smtp_server)
    await SlackProposals(slack.runtime.notifier).sync()
    await slack.member(slack.admin, "admin")
    first, second = (_message_of(slack, TRIAGE_CHANNEL, a) for a in (reset, export))
    start = time.monotonic()
    slack.fake.hold()
    try:
        acks = [
            await slack.driver.click(slack.admin, first, ids.KB_PROPOSAL_EDIT),
            await slack.driver.click(slack.admin, first, ids.KB_PROPOSAL_PUBLISH),
            await slack.driver.click(slack.admin, second, ids.KB_PROPOSAL_DISCARD),
        ]
        assert [a.status for a in acks] == [200, 200, 200]
        # views.open (Edit), then chat.update for each decision: all asked, none answered
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            held = sorted(c.method for c in slack.fake.calls if c.at >= start)
            if held == ["chat.update", "chat.update", "views.open"]:
                break
            await asyncio.sleep(0.01)
        assert held == ["chat.update", "chat.update", "views.open"]
        assert not [c.method for c in slack.fake.calls if c.at >= start and c.done_at]
    finally:
        slack.fake.release()
    await _update(slack, first, "Published by <@")
    await _update(slack, second, "Discarded by <@")
    await slack.fake.wait_for(
        "views.update", where=lambda c: c.view.get("callback_id") == ids.KB_VIEW
    )
