"""The triager offers the knowledge base's best published articles as numbered sources and
its result cites only what it was offered: offline and through the OpenAI client (a
loopback server), on both databases."""

from __future__ import annotations

import json
from typing import Any

from core.access.permissions import Principal
from core.ai.config import AISettings
from core.ai.result import Triaged, TriageRequest
from core.ai.service import build_triager
from core.knowledge.articles import ArticleSpec, KnowledgeBase
from core.tickets.triage import TriageService
from server.wiring import Desk
from tests.core.flows import smtp_mailbox
from tests.knowledge.conftest import published
from tests.support.fake_openai import FakeOpenAI, Reply, completion_body, triage_content
from tests.support.mail import make_mail


class Recording:
    """A provider that remembers each request and the triager's answer to it."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.name = getattr(inner, "name", "recording")
        self.seen: list[tuple[TriageRequest, Triaged]] = []
        self.mailbox: Any = None

    async def triage(self, request: TriageRequest) -> Triaged:
        triaged = await self.inner.triage(request)  # type: ignore[attr-defined]
        self.seen.append((request, triaged))
        return triaged


async def _triage(desk: Desk, provider: Recording, subject: str, body: str) -> None:
    from core.mail.transport import FetchedMail

    if not provider.seen:  # one mailbox for every mail of a test
        provider.mailbox = await smtp_mailbox(desk)
    mailbox = provider.mailbox
    uid = len(provider.seen) + 1
    item = desk.ingestor.parse_one(
        FetchedMail(uid=uid, raw=make_mail(subject=subject, body=body))  # type: ignore[arg-type]
    )
    await desk.ingestor.ingest_batch(mailbox, None, [item])
    report = await TriageService(desk.sessions, provider=provider).triage_queued()  # type: ignore[arg-type]
    assert len(report.drafted) == 1, report


async def test_offline_cites_the_matching_article_only(
    desk: Desk, kb: KnowledgeBase, manager: Principal
) -> None:
    refund = await published(
        kb, manager, "Refund policy", "A double charge is refunded to the card within five days."
    )
    provider = Recording(build_triager(AISettings(provider="offline")))
    await _triage(desk, provider, "Charged twice", "Please refund the double charge on my card.")
    request, triaged = provider.seen[0]
    assert [s.id for s in request.sources] == [refund.id]
    assert triaged.result.citations == [refund.id]


async def test_an_unrelated_mail_is_offered_nothing(
    desk: Desk, kb: KnowledgeBase, manager: Principal
) -> None:
    await published(kb, manager, "Refund policy", "A double charge is refunded within five days.")
    provider = Recording(build_triager(AISettings(provider="offline")))
    await _triage(desk, provider, "Export", "Can I export my reports to a spreadsheet?")
    request, triaged = provider.seen[0]
    assert request.sources == [] and triaged.result.citations == []


async def test_a_how_to_question_the_knowledge_base_cannot_answer_escalates(
    desk: Desk, kb: KnowledgeBase, manager: Principal
) -> None:
    question = "How do I export my reports to a spreadsheet?"
    # a draft article is no knowledge base yet: the rule stays silent
    await kb.create(manager, ArticleSpec("Refund policy", "Refunds take five days."))
    provider = Recording(build_triager(AISettings(provider="offline")))
    await _triage(desk, provider, "Export", question)
    request, triaged = provider.seen[0]
    assert not request.knowledge_base
    assert "no_source_for_how_to" not in triaged.result.flags.escalation_rules

    await published(kb, manager, "Refund policy", "A double charge is refunded within five days.")
    await _triage(desk, provider, "Export", question)
    request, triaged = provider.seen[1]
    assert request.knowledge_base and request.sources == []
    assert "no_source_for_how_to" in triaged.result.flags.escalation_rules
    flags = triaged.result.flags
    assert flags.escalation_required
    assert "how-to question with no knowledge-base article" in (flags.escalation_reason or "")


async def test_the_model_sees_numbered_sources_and_ids_not_offered_are_dropped(
    desk: Desk, kb: KnowledgeBase, manager: Principal
) -> None:
    refund = await published(
        kb,
        manager,
        "Refund policy",
        "A double charge is refunded to the card within five days.",
        public_url="https://help.example.com/refunds",
    )
    with FakeOpenAI(api_key="k") as api:
        api.enqueue(Reply(body=completion_body(triage_content(citations=[999, refund.id, 999]))))
        ai = AISettings(provider="openai", api_key="k", base_url=api.base_url, max_retries=0)
        provider = Recording(build_triager(ai))
        await _triage(
            desk, provider, "Charged twice", "Please refund the double charge on my card."
        )
        [sent] = api.chat_requests
    user = sent.message("user")
    assert f"[{refund.id}] Refund policy" in user and "https://help.example.com/refunds" in user
    assert "citations" in json.dumps(sent.body["response_format"])
    _, triaged = provider.seen[0]
    assert triaged.meta.provider != "offline"
    assert triaged.result.citations == [refund.id]
