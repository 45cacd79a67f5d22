"""Proposals redrafted by the AI provider (``core.knowledge.ai_drafts``), through the real
services on both databases and the real OpenAI client against the loopback server: what
the server receives holds none of the mail's personal data (redaction on or off), what the
model answers is scrubbed before it is stored, an outage, a timeout or bad JSON keeps the
extractive draft, a person's edit (before the job, or while the model writes) is never
overwritten, and the offline provider sends nothing."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from core.access.permissions import Principal
from core.ai.article_prompt import ModelArticle
from core.ai.config import AISettings
from core.ai.openai_provider import OpenAIProvider
from core.audit import Actor
from core.knowledge.ai_drafts import MAX_ATTEMPTS, ProposalDrafter
from core.knowledge.articles import KnowledgeBase
from core.locks import LockManager
from db.models import AuditEvent, KbArticle, Mailbox
from server.wiring import Desk
from server.worker import KB_DRAFT_SECONDS, Worker
from tests.core.flows import smtp_mailbox
from tests.knowledge.test_proposals import (
    PII_MAIL,
    PII_VALUES,
    _answered,
    _people,
    _proposals,
    _resolve,
)
from tests.support.fake_openai import FakeOpenAI, Reply, completion_body

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
ARTICLE_BODY = """## Problem

The password reset link has expired by the time it is opened.

## Steps

1. Open the sign-in page and click "Forgot password".
2. Enter the email address of your account.
3. Open the new link within 30 minutes and choose a new password."""


def article(title: str = "Reset link expired", body: str = ARTICLE_BODY) -> Reply:
    return Reply(body=completion_body(json.dumps({"title": title, "body": body})))


@pytest.fixture()
def api() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(api_key="k", responder=lambda _r: article()) as server:
        yield server


def use_openai(
    desk: Desk, api: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, **extra: Any
) -> AISettings:
    """The desk's AI provider is OpenAI at the loopback server from now on (the tickets
    were triaged offline before)."""
    ai = AISettings(
        provider="openai",
        api_key="k",
        base_url=api.base_url,
        model="gpt-5",
        timeout_seconds=extra.pop("timeout_seconds", 3.0),
        max_retries=0,
        **extra,
    )

    async def settings() -> AISettings:
        return ai

    monkeypatch.setattr(desk, "ai_settings", settings)
    return ai


@dataclass
class Resolved:
    proposal: KbArticle
    mia: Principal  # the agent who approved the reply
    boss: Principal  # a manager
    mailbox: Mailbox


async def _resolved(desk: Desk, smtp_server: Any, *, body: str = PII_MAIL) -> Resolved:
    mia, boss = await _people(desk)
    mailbox = await smtp_mailbox(desk, smtp_server.host, smtp_server.port)
    tid = await _answered(desk, mailbox, mia, body=body)
    await _resolve(desk, mia, tid)
    [proposal] = await _proposals(desk)
    assert (proposal.ai_draft_of, proposal.version) == (1, 1)  # marked, extractive
    return Resolved(proposal, mia, boss, mailbox)


async def _article(desk: Desk, article_id: int) -> KbArticle:
    async with desk.sessions() as s:
        found = await s.get(KbArticle, article_id)
    assert found is not None
    return found


async def _audited(desk: Desk, action: str) -> list[AuditEvent]:
    async with desk.sessions() as s:
        return list(await s.scalars(select(AuditEvent).where(AuditEvent.action == action)))


@pytest.mark.parametrize("redact", [True, False])
async def test_the_model_redrafts_the_proposal_from_a_scrubbed_conversation(
    desk: Desk, smtp_server: Any, api: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, redact: bool
) -> None:
    proposal = (await _resolved(desk, smtp_server)).proposal
    if not redact:  # scrubbing comes first: nothing personal is sent even then
        await desk.mailboxes.set_ai_redact("support", False, actor=Actor.worker())
    use_openai(desk, api, monkeypatch)
    api.enqueue(
        article(
            title="Reset link expired for Anna Schmidt",
            body=ARTICLE_BODY + "\n4. Still stuck? Write to anna.schmidt@example.com or call "
            "+49 30 1234567; Mia Berg at Hauptstraße 5, 10115 Berlin helps too.",
        )
    )

    report = await desk.draft_proposals(clock=lambda: NOW)
    assert (report.drafted, report.failed, report.skipped) == ([proposal.id], [], [])

    [sent] = api.chat_requests
    wire = json.dumps(sent.body, ensure_ascii=False)
    leaked = [v for v in PII_VALUES if v.lower() in wire.lower()]
    assert leaked == [], sent.user_content
    assert sent.body["response_format"]["json_schema"]["name"] == "ArticleOutput"
    assert sent.body["response_format"]["json_schema"]["strict"] is True
    assert "reset link" in sent.user_content and "Forgot password" in sent.user_content
    assert "[name]" in sent.user_content and "[IBAN]" in sent.user_content
    assert "knowledge base" in sent.system_content and "English" in sent.system_content

    stored = await _article(desk, proposal.id)
    assert (stored.version, stored.ai_draft_of, stored.status) == (2, None, "draft")
    assert stored.updated_at == NOW
    assert stored.title == "Reset link expired for [name]"
    assert stored.body.startswith("## Problem\n\nThe password reset link has expired")
    text = f"{stored.title}\n{stored.body}"
    assert [v for v in PII_VALUES if v.lower() in text.lower()] == [], text
    assert "[email address]" in text and "[phone number]" in text and "[address]" in text
    [event] = await _audited(desk, "kb.proposal_drafted")
    assert event.target == f"kb:{proposal.id}"
    assert event.data["provider"] == "openai" and event.data["model"] == "gpt-5-loopback"
    assert event.data["version"] == 2

    # drafted once: the next run has nothing to do and asks nothing
    again = await desk.draft_proposals(clock=lambda: NOW)
    assert again.as_dict() == {"drafted": 0, "failed": 0, "skipped": 0}
    assert len(api.chat_requests) == 1


@pytest.mark.parametrize(
    "reply",
    [
        Reply(status=503, body={"error": {"message": "overloaded"}}),
        Reply(body=completion_body("{not json")),
        Reply(body=completion_body(json.dumps({"title": "", "body": "x"}))),
        Reply(body=completion_body(None, refusal="I can't help with that.")),
        Reply(delay=1.5),  # longer than the client's timeout
    ],
    ids=["down", "bad-json", "empty-title", "refusal", "timeout"],
)
async def test_a_failing_model_keeps_the_extractive_draft(
    desk: Desk,
    smtp_server: Any,
    api: FakeOpenAI,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    reply: Reply,
) -> None:
    proposal = (await _resolved(desk, smtp_server)).proposal
    use_openai(desk, api, monkeypatch, timeout_seconds=0.5)
    api.enqueue(*[reply] * MAX_ATTEMPTS)
    with caplog.at_level(logging.WARNING, logger="core.knowledge.ai_drafts"):
        for attempt in range(1, MAX_ATTEMPTS + 1):
            report = await desk.draft_proposals(clock=lambda: NOW)
            assert report.failed == [proposal.id]
            stored = await _article(desk, proposal.id)
            assert (stored.title, stored.body, stored.version) == (
                proposal.title,
                proposal.body,
                1,
            )
            assert stored.ai_draft_attempts == attempt
    assert stored.ai_draft_of is None  # tried MAX_ATTEMPTS times: the extractive draft is final
    assert f"the AI draft of proposal {proposal.id} failed (attempt 1/{MAX_ATTEMPTS})" in (
        caplog.text
    )
    assert "the extractive draft stays" in caplog.text
    assert (await desk.draft_proposals(clock=lambda: NOW)).as_dict()["failed"] == 0
    assert len(api.chat_requests) == MAX_ATTEMPTS
    assert await _audited(desk, "kb.proposal_drafted") == []
    assert [p.id for p in await desk.proposals.list(state="open")] == [proposal.id]


async def test_a_model_that_recovers_drafts_on_the_next_run(
    desk: Desk, smtp_server: Any, api: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    proposal = (await _resolved(desk, smtp_server)).proposal
    use_openai(desk, api, monkeypatch)
    api.enqueue(Reply(status=500, body={"error": {"message": "boom"}}))
    assert (await desk.draft_proposals(clock=lambda: NOW)).failed == [proposal.id]
    assert (await desk.draft_proposals(clock=lambda: NOW)).drafted == [proposal.id]
    assert (await _article(desk, proposal.id)).title == "Reset link expired"


async def test_one_worker_drafts_at_a_time(
    desk: Desk, smtp_server: Any, api: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    proposal = (await _resolved(desk, smtp_server)).proposal
    use_openai(desk, api, monkeypatch)
    async with LockManager(desk.engine).try_lock("kb-drafts", 0) as got:  # another worker's run
        assert got
        assert (await desk.draft_proposals(clock=lambda: NOW)).as_dict()["drafted"] == 0
    assert api.chat_requests == []
    assert (await desk.draft_proposals(clock=lambda: NOW)).drafted == [proposal.id]


async def test_a_person_edit_before_the_job_is_never_overwritten(
    desk: Desk, smtp_server: Any, api: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolved = await _resolved(desk, smtp_server)
    proposal, boss = resolved.proposal, resolved.boss
    await desk.knowledge.edit(boss, proposal.id, body="## Steps\n\n1. What the manager wrote.")
    use_openai(desk, api, monkeypatch)

    report = await desk.draft_proposals(clock=lambda: NOW)
    assert report.skipped == [proposal.id] and report.drafted == []
    assert api.chat_requests == []  # nothing asked for an article a person took over
    stored = await _article(desk, proposal.id)
    assert (stored.body, stored.version, stored.ai_draft_of) == (
        "## Steps\n\n1. What the manager wrote.",
        2,
        None,
    )


async def test_a_person_edit_while_the_model_writes_wins(
    desk: Desk, smtp_server: Any, api: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolved = await _resolved(desk, smtp_server)
    proposal, boss = resolved.proposal, resolved.boss
    ai = use_openai(desk, api, monkeypatch)
    provider = OpenAIProvider(ai)
    kb = KnowledgeBase(desk.sessions, clock=lambda: NOW)

    class EditedMeanwhile:
        """The real provider; a manager saves an edit while its request is out."""

        name = "openai"

        async def draft_article(self, **request: Any) -> ModelArticle:
            written = await provider.draft_article(**request)
            await kb.edit(boss, proposal.id, title="What the manager called it")
            return written

    try:
        drafter = ProposalDrafter(desk.sessions, writer=EditedMeanwhile(), clock=lambda: NOW)
        report = await drafter.run()
    finally:
        await provider.aclose()
    assert report.skipped == [proposal.id] and report.drafted == []
    assert len(api.chat_requests) == 1
    stored = await _article(desk, proposal.id)
    assert (stored.title, stored.body, stored.version) == (
        "What the manager called it",
        proposal.body,
        2,
    )
    assert stored.ai_draft_of is None
    assert await _audited(desk, "kb.proposal_drafted") == []


async def test_a_decided_proposal_is_not_redrafted(
    desk: Desk, smtp_server: Any, api: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolved = await _resolved(desk, smtp_server)
    proposal, boss = resolved.proposal, resolved.boss
    await desk.proposals.discard(boss, proposal.id)
    use_openai(desk, api, monkeypatch)
    assert (await desk.draft_proposals(clock=lambda: NOW)).skipped == [proposal.id]
    assert api.chat_requests == []
    assert (await _article(desk, proposal.id)).status == "archived"


async def test_the_offline_provider_sends_nothing_and_keeps_the_extractive_draft(
    desk: Desk, smtp_server: Any, api: FakeOpenAI
) -> None:
    proposal = (await _resolved(desk, smtp_server)).proposal
    assert (await desk.ai_settings()).provider == "offline"
    report = await desk.draft_proposals(clock=lambda: NOW)
    assert report.skipped == [proposal.id]
    assert api.requests == []
    stored = await _article(desk, proposal.id)
    assert (stored.title, stored.body, stored.version, stored.ai_draft_of) == (
        proposal.title,
        proposal.body,
        1,
        None,
    )


async def test_the_worker_job_drafts_and_a_near_duplicate_is_not_redrafted(
    desk: Desk, smtp_server: Any, api: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolved = await _resolved(desk, smtp_server, body="The reset link expired.")
    proposal, mia = resolved.proposal, resolved.mia
    use_openai(desk, api, monkeypatch)
    worker = Worker(desk, control_seconds=60)
    await worker.tick()
    job = worker.scheduler.get_job("kb-drafts")
    assert job is not None and job.trigger.interval.total_seconds() == KB_DRAFT_SECONDS
    await worker.draft_proposals()
    assert (await _article(desk, proposal.id)).version == 2
    # the same question again, resolved while the model's draft is there: it joins it
    second = await _answered(
        desk,
        resolved.mailbox,
        mia,
        subject="Re: password reset link expired",
        body="Hello, the password reset link has expired. What can I do?",
    )
    await _resolve(desk, mia, second)
    stored = await _article(desk, proposal.id)
    assert stored.source_ticket_ids[-1] == second and stored.ai_draft_of is None
    await Worker(desk).draft_proposals()
    assert len(_article_requests(api)) == 1  # the second ticket's triage asked the model too


def _article_requests(api: FakeOpenAI) -> list[Any]:
    return [
        r
        for r in api.chat_requests
        if r.body["response_format"]["json_schema"]["name"] == "ArticleOutput"
    ]
