"""The articles a draft cites are stored with it (and marked last cited), and shown: in the
ticket views (`desk tickets/show --json`, the REST API) as ``[{"id", "title"}]``, and on the
Slack card as "Sources", a link when the article has a public page; on both databases."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.blocks.draft import draft_message, sources_line
from core.access.permissions import Principal
from core.ai.config import AISettings
from core.ai.service import build_triager
from core.knowledge.articles import KnowledgeBase
from core.mail.transport import FetchedMail
from core.tickets.draft_details import Citation, DraftCardReader
from core.tickets.listing import TicketQuery
from core.tickets.triage import TriageService
from db.models import Draft, KbArticle, Mailbox
from server.cli.tickets import render_ticket
from server.wiring import Desk
from tests.core.flows import smtp_mailbox
from tests.knowledge.conftest import published
from tests.slack.test_blockkit import _card
from tests.support.api import api_client, api_token, bearer
from tests.support.blockkit import problems
from tests.support.mail import make_mail

TRIAGED_AT = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)


async def _draft(desk: Desk, mailbox: Mailbox, uid: int, subject: str, body: str) -> Draft:
    """One mail in, triaged offline on a fixed clock: its stored draft."""
    item = desk.ingestor.parse_one(
        FetchedMail(uid=uid, raw=make_mail(subject=subject, body=body))  # type: ignore[arg-type]
    )
    await desk.ingestor.ingest_batch(mailbox, None, [item])
    service = TriageService(
        desk.sessions,
        provider=build_triager(AISettings(provider="offline")),
        clock=lambda: TRIAGED_AT,
    )
    report = await service.triage_queued()
    [draft_id] = report.drafted
    async with desk.sessions() as session:
        draft = await session.get(Draft, draft_id)
        assert draft is not None
        return draft


def _sources_text(blocks: list[dict]) -> list[str]:  # type: ignore[type-arg]
    return [
        e["text"]
        for b in blocks
        if b["type"] == "context"
        for e in b["elements"]
        if "Sources:" in e["text"]
    ]


async def test_a_cited_article_is_stored_and_shown_everywhere(
    desk: Desk, kb: KnowledgeBase, manager: Principal
) -> None:
    refund = await published(
        kb,
        manager,
        "Refund policy",
        "A double charge is refunded to the card within five days.",
        public_url="https://help.example.com/refunds",
    )
    other = await published(
        kb, manager, "Password reset", "Use the reset link on the sign-in page."
    )
    mailbox = await smtp_mailbox(desk)
    cited = await _draft(desk, mailbox, 1, "Charged twice", "Please refund the double charge.")
    plain = await _draft(desk, mailbox, 2, "Export", "Can I export my reports to a spreadsheet?")

    assert cited.citations == [refund.id] and plain.citations == []
    async with desk.sessions() as session:
        stamps = {a.id: a.last_cited_at for a in await session.scalars(select(KbArticle))}
    assert stamps == {refund.id: TRIAGED_AT, other.id: None}

    expected = {cited.ticket_id: [{"id": refund.id, "title": "Refund policy"}], plain.ticket_id: []}
    listed = {t["id"]: t for t in await desk.tickets.list(TicketQuery())}
    assert {tid: listed[tid]["citations"] for tid in expected} == expected
    assert {listed[tid]["prompt_variant"] for tid in expected} == {None}
    for tid, citations in expected.items():
        shown = await desk.tickets.get(tid)
        assert (shown["citations"], shown["prompt_variant"]) == (citations, None)
    assert f"Sources: #{refund.id} Refund policy" in render_ticket(
        await desk.tickets.get(cited.ticket_id)
    )
    assert "Sources:" not in render_ticket(await desk.tickets.get(plain.ticket_id))

    token = await api_token(desk, "rita@team.test", role="agent", scopes="read")
    async with api_client(desk) as c:
        page = await c.get("/api/v1/tickets", headers=bearer(token))
        assert page.status_code == 200, page.text
        items = {t["id"]: t for t in page.json()["items"]}
        assert {tid: items[tid]["citations"] for tid in expected} == expected
        for tid, citations in expected.items():
            one = await c.get(f"/api/v1/tickets/{tid}", headers=bearer(token))
            assert one.status_code == 200, one.text
            assert (one.json()["citations"], one.json()["prompt_variant"]) == (citations, None)

    cards = DraftCardReader(desk.sessions)
    card = await cards.get(cited.id)
    assert card.citations == [
        Citation(refund.id, "Refund policy", "https://help.example.com/refunds")
    ]
    blocks = draft_message(card).main.blocks
    assert not problems(blocks)
    assert _sources_text(blocks) == [
        ":books: Sources: <https://help.example.com/refunds|Refund policy>"
    ]
    plain_card = await cards.get(plain.id)
    assert plain_card.citations == [] and _sources_text(draft_message(plain_card).main.blocks) == []


async def test_an_article_deleted_since_is_left_out(
    desk: Desk, kb: KnowledgeBase, manager: Principal
) -> None:
    refund = await published(
        kb, manager, "Refund policy", "A double charge is refunded in five days."
    )
    mailbox = await smtp_mailbox(desk)
    draft = await _draft(desk, mailbox, 1, "Charged twice", "Please refund the double charge.")
    assert draft.citations == [refund.id]
    async with desk.sessions.begin() as session:
        article = await session.get(KbArticle, refund.id)
        await session.delete(article)
    assert (await desk.tickets.get(draft.ticket_id))["citations"] == []
    assert (await DraftCardReader(desk.sessions).get(draft.id)).citations == []


def test_the_card_names_an_article_without_a_public_page_by_its_id() -> None:
    card = _card(
        citations=[
            Citation(4, "Refunds <fast> & fair"),
            Citation(5, "Plans", "https://help.example.com/plans?a=1&b=2"),
            Citation(6, "Odd link", "javascript:alert(1)"),
        ]
    )
    [block] = sources_line(card)
    assert block["elements"][0]["text"] == (
        ":books: Sources: Refunds &lt;fast&gt; &amp; fair (`desk kb show 4`), "
        "<https://help.example.com/plans?a=1&amp;b=2|Plans>, Odd link (`desk kb show 6`)"
    )
    assert sources_line(_card()) == []
    many = _card(
        citations=[Citation(i, "T" * 200, "https://x.test/" + "p" * 480) for i in range(9)]
    )
    [block] = sources_line(many)
    text = block["elements"][0]["text"]
    assert len(text) <= 3000 and text.endswith(" more")
