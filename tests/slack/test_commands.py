"""/desk: help, search (filters, paging, helpful errors), stats with a chart, fetch."""

from __future__ import annotations

import json

from bot import ids
from tests.core.flows import drafted_ticket, smtp_mailbox
from tests.support.slack_driver import SlackHarness


async def _answer(slack: SlackHarness, user, text: str):  # type: ignore[no-untyped-def]
    before = len(slack.fake.calls_to("response_url"))
    acked = await slack.driver.command(user, text)
    assert acked.status == 200 and not acked.response.content  # an empty ack, then the answer
    calls = await slack.fake.wait_for("response_url", count=before + 1)
    return calls[before]


async def test_help_and_unknown_subcommands(slack: SlackHarness) -> None:
    for text in ("", "help"):
        answer = await _answer(slack, slack.admin, text)
        assert (
            "/desk search" in answer.text_of_blocks()
            and answer.body["response_type"] == "ephemeral"
        )
    answer = await _answer(slack, slack.admin, "serch refunds")
    assert "Unknown subcommand `serch`" in answer.text_of_blocks()
    assert "/desk search" in answer.text_of_blocks()


async def test_search_filters_paging_and_bad_filters(slack: SlackHarness, smtp_server) -> None:
    mailbox = await smtp_mailbox(slack.desk, smtp_server.host, smtp_server.port)
    drafts = []
    for i in range(12):
        drafts.append(
            (
                await drafted_ticket(
                    slack.desk, mailbox, subject=f"Invoice question {i}", sender=f"c{i}@example.com"
                )
            )[1]
        )
    await drafted_ticket(
        slack.desk, mailbox, subject="Something else entirely", body="Dark mode, please."
    )
    await slack.post(*drafts[-2:])  # the newest, on the first page

    answer = await _answer(slack, slack.admin, "search invoice status:pending")
    text = answer.text_of_blocks()
    assert "1–10 of 12 tickets" in text
    assert "https://fake-desk.slack.com/archives/" in text  # links to the messages
    assert "Something else" not in text
    (nxt,) = [e for b in answer.blocks if b["type"] == "actions" for e in b["elements"]]
    assert json.loads(nxt["value"]) == {"q": "invoice status:pending", "o": 10}

    await slack.driver.action(slack.admin, nxt, block_id="search_pages")
    (page2,) = await slack.fake.wait_for(
        "response_url", where=lambda c: c.body.get("replace_original") is True
    )
    assert "11–12 of 12 tickets" in page2.text_of_blocks()

    answer = await _answer(slack, slack.admin, "search from:c3@example.com")
    assert (
        "1–1 of 1 ticket" in answer.text_of_blocks()
        and "Invoice question 3" in answer.text_of_blocks()
    )

    for bad, hint in (
        ("search urgency:extreme", "use one of Low, Medium, High"),
        ("search colour:red", "unknown filter `colour:`"),
        ('search "unclosed', "close your quotes"),
        ("search status:", "needs a value"),
        ("stats 9y", "cannot read `9y`; use `/desk stats [7d|30d|all]"),
    ):
        answer = await _answer(slack, slack.admin, bad)
        assert hint in answer.text_of_blocks(), (bad, answer.text_of_blocks())


async def test_stats_for_managers_with_a_chart(slack: SlackHarness, smtp_server) -> None:
    mailbox = await smtp_mailbox(slack.desk, smtp_server.host, smtp_server.port)
    _t, first = await drafted_ticket(slack.desk, mailbox)
    await drafted_ticket(slack.desk, mailbox, subject="second")
    (message,) = await slack.post(first)
    await slack.driver.click(slack.admin, message, ids.APPROVE)
    await slack.wait_update(first, "Sent")

    agent = slack.user("UAMY00001", "amy")
    denied = await _answer(slack, agent, "stats")
    assert "needs the role admin or manager" in denied.text_of_blocks()

    answer = await _answer(slack, slack.admin, "stats all")
    text = answer.text_of_blocks()
    assert "*Tickets*\n2" in text and "*First response*" in text
    assert "*AI drafts approved*\n100% (1 of 1 decided)" in text
    upload = await slack.fake.wait_for("files.completeUploadExternal")
    assert upload[0].body["channel_id"] == "DADMIN001"
    assert json.loads(upload[0].body["files"])[0]["title"] == "Desk stats (all)"
    (png,) = slack.fake.files.values()
    assert png > 5_000


async def test_fetch_now_posts_what_came_in(slack: SlackHarness) -> None:
    from server.cli.processes import ensure_embedded, seed_demo

    await ensure_embedded(slack.desk, seed=False)
    seed_demo(slack.desk)
    done = []
    before = len(slack.fake.calls_to("response_url"))
    await slack.driver.command(slack.admin, "fetch")
    done = await slack.fake.wait_for("response_url", count=before + 2, timeout=30)
    assert "Fetching" in done[before].body["text"]
    assert "'posted':" in done[before + 1].body["text"]
    posted = slack.fake.calls_to(
        "chat.postMessage",
        lambda c: c.body["channel"] == slack.channel and "thread_ts" not in c.body,
    )
    assert len(posted) >= 3
