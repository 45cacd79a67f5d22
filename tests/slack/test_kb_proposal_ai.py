"""A proposal the AI provider redrafts after it was posted: the worker's next sync updates
its Slack message (through Bolt's client against the fake Slack, blocks valid) with the
model's title and steps, scrubbed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bot.proposals import SlackProposals
from tests.knowledge.test_proposal_ai import ARTICLE_BODY, article, use_openai
from tests.slack.test_kb_proposals import _message_of, _proposals, _update
from tests.support.blockkit import problems
from tests.support.fake_openai import FakeOpenAI, Reply, completion_body
from tests.support.slack_driver import TRIAGE_CHANNEL, SlackHarness

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.fixture()
def api() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(api_key="k", responder=lambda _r: article()) as server:
        yield server


async def test_the_message_follows_the_model_draft(
    slack: SlackHarness, smtp_server, api: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    reset, export = await _proposals(slack, smtp_server)
    proposals = SlackProposals(slack.runtime.notifier)
    assert (await proposals.sync()).posted == [reset, export]
    await slack.settle()
    message = _message_of(slack, TRIAGE_CHANNEL, reset)
    assert "Password reset link expired" in message.text_of_blocks()

    use_openai(slack.desk, api, monkeypatch)
    body = ARTICLE_BODY + "\n4. Or mail mia.berg@team.test."
    api.enqueue(
        Reply(body=completion_body(json.dumps({"title": "Reset link expired", "body": body}))),
        Reply(status=503, body={"error": {"message": "down"}}),  # the export one keeps its own
    )
    report = await slack.desk.draft_proposals(clock=lambda: NOW)
    assert (report.drafted, report.failed) == ([reset], [export])

    assert (await proposals.sync()).updated == [reset]
    updated = await _update(slack, message, "Reset link expired")
    shown = updated.text_of_blocks()
    assert "Open the new link within 30 minutes" in shown and "[email address]" in shown
    assert "mia.berg" not in shown and problems(updated.blocks) == []
    assert (await proposals.sync()).updated == []  # rendered: nothing stale
