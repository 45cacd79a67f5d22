"""core.knowledge.search on both databases: ranking, language configurations, exact tokens,
hostile queries, the status filter, and the index following every change."""

from __future__ import annotations

import pytest

from core.access.permissions import Principal
from core.errors import ValidationError
from core.knowledge.articles import ArticleSpec, KnowledgeBase
from db.session import is_postgres
from server.wiring import Desk
from tests.knowledge.conftest import published


def ids(hits: list) -> list[int]:  # type: ignore[type-arg]
    return [h.id for h in hits]


async def test_a_title_hit_ranks_above_a_body_hit(kb: KnowledgeBase, manager: Principal) -> None:
    body_hit = await published(
        kb, manager, "Shipping times", "Parcels take three days. A refund is possible."
    )
    title_hit = await published(
        kb, manager, "Refund policy", "Money goes back to the card within five days."
    )
    await published(kb, manager, "Password reset", "Use the link in the sign-in page.")
    hits = await kb.search("refund", 5)
    assert ids(hits) == [title_hit.id, body_hit.id]
    assert hits[0].score > hits[1].score > 0
    assert hits[1].snippet and "**refund**" in hits[1].snippet.lower()
    assert set(hits[0].as_dict()) == {"id", "title", "score", "snippet"}
    assert ids(await kb.search("refund", 1)) == [title_hit.id]


async def test_each_article_is_searched_in_its_language(
    desk: Desk, kb: KnowledgeBase, manager: Principal
) -> None:
    de = await published(
        kb,
        manager,
        "Doppelte Rechnungen",
        "Wenn Sie zwei Rechnungen erhalten haben, erstatten wir den Betrag.",
        language="de",
    )
    en = await published(
        kb, manager, "Invoices", "We refund invoices that were charged twice.", language="en"
    )
    assert ids(await kb.search("Rechnungen", 5)) == [de.id]
    assert ids(await kb.search("Rechnungen", 5, language="de")) == [de.id]
    assert await kb.search("Rechnungen", 5, language="en") == []
    if is_postgres(desk.engine):
        # stemming: German for the German article, English for the English one
        assert ids(await kb.search("Rechnung", 5)) == [de.id]
        assert ids(await kb.search("erstatte", 5, language="de")) == [de.id]
        assert ids(await kb.search("refunded invoice", 5)) == [en.id]


async def test_exact_tokens_are_found_as_typed(kb: KnowledgeBase, manager: Principal) -> None:
    inv = await published(kb, manager, "Invoice INV-2291", "The double charge of March.")
    mail = await published(kb, manager, "Contact", "Write to billing-help@example.com for refunds.")
    await published(kb, manager, "Invoice INV-3300", "Another invoice, 2291 euros.")
    assert ids(await kb.search("INV-2291", 5)) == [inv.id]
    assert ids(await kb.search("inv-2291", 5)) == [inv.id]
    assert ids(await kb.search("billing-help@example.com", 5)) == [mail.id]
    assert await kb.search("INV-2292", 5) == []


async def test_phrases_exclusion_and_or(kb: KnowledgeBase, manager: Principal) -> None:
    card = await published(kb, manager, "Card refunds", "We refund a double charge on a card.")
    paypal = await published(kb, manager, "PayPal refunds", "A charge that was double on PayPal.")
    assert sorted(ids(await kb.search("double charge", 5))) == sorted([card.id, paypal.id])
    assert ids(await kb.search('"double charge"', 5)) == [card.id]
    assert ids(await kb.search("refunds -paypal", 5)) == [card.id]
    assert sorted(ids(await kb.search("card or paypal", 5))) == sorted([card.id, paypal.id])
    assert await kb.search("-paypal", 5) == []  # nothing required: nothing found


@pytest.mark.parametrize(
    "typed",
    [
        '"',
        '"refund',
        "refund\"'",
        "AND OR NEAR",
        "NEAR(refund policy)",
        "*",
        "refund*",
        "title:refund",
        "^refund",
        "(refund",
        "refund)",
        "'; DROP TABLE kb_articles; --",
        "!!! ??? ...",
        "\\",
        "- -",
        "🙂",
    ],
)
async def test_hostile_queries_answer_and_never_fail(
    typed: str, kb: KnowledgeBase, manager: Principal
) -> None:
    article = await published(kb, manager, "Refund policy", "Refund within five days.")
    hits = await kb.search(typed, 5)
    assert ids(hits) in ([], [article.id])
    assert await kb.get(article.id)  # the table is still there


async def test_bad_input_is_refused(kb: KnowledgeBase) -> None:
    with pytest.raises(ValidationError, match="NUL"):
        await kb.search("refund\x00", 5)
    with pytest.raises(ValidationError, match="1 to 100"):
        await kb.search("refund", 0)
    with pytest.raises(ValidationError, match="1 to 100"):
        await kb.search("refund", 101)
    with pytest.raises(ValidationError, match="unknown status"):
        await kb.search("refund", 5, status="gone")
    with pytest.raises(ValidationError, match="unknown category"):
        await kb.search("refund", 5, category="Gardening")
    with pytest.raises(ValidationError, match="ISO 639"):
        await kb.search("refund", 5, language="english")


async def test_only_published_articles_unless_asked(kb: KnowledgeBase, manager: Principal) -> None:
    live = await published(kb, manager, "Refund policy", "Five days.")
    draft = await kb.create(manager, ArticleSpec("Refund draft", "Not reviewed yet."))
    gone = await published(kb, manager, "Old refund rules", "Thirty days.")
    await kb.archive(manager, gone.id)
    assert ids(await kb.search("refund", 5)) == [live.id]
    assert ids(await kb.search("refund", 5, status="draft")) == [draft.id]
    assert ids(await kb.search("refund", 5, status="archived")) == [gone.id]
    assert sorted(ids(await kb.search("refund", 5, status=None))) == sorted(
        [live.id, draft.id, gone.id]
    )


async def test_the_index_follows_edits(kb: KnowledgeBase, manager: Principal) -> None:
    article = await published(kb, manager, "Refund policy", "Five days.")
    await kb.edit(manager, article.id, title="Returns policy", body="Within a fortnight.")
    assert await kb.search("refund", 5) == []
    assert ids(await kb.search("fortnight", 5)) == [article.id]
    assert ids(await kb.search("returns", 5)) == [article.id]


async def test_category_filter(kb: KnowledgeBase, manager: Principal) -> None:
    billing = await published(kb, manager, "Refund policy", "Five days.", category="billing")
    await published(kb, manager, "Refund of a login", "Odd.", category="Login / Access")
    assert ids(await kb.search("refund", 5, category="Billing")) == [billing.id]


async def test_the_search_can_use_its_index(desk: Desk) -> None:
    """PostgreSQL: the configurations' arms are GIN index scans, no table is read whole
    (with sequential scans off: a small table would be); SQLite: FTS5 answers MATCH."""
    from sqlalchemy import text

    from core.knowledge.text_search import statement
    from db.fulltext import KB_ARTICLES

    postgres = is_postgres(desk.engine)
    sql = statement(KB_ARTICLES, postgres=postgres)
    async with desk.sessions() as session:
        if postgres:
            await session.execute(text("SET LOCAL enable_seqscan = off"))
            rows = await session.execute(text(f"EXPLAIN {sql}"), {"q": '"refunds"', "k": 5})
            plan = "\n".join(r[0] for r in rows)
            assert "Bitmap Index Scan on ix_kb_articles_search_vector" in plan, plan
            assert "Seq Scan" not in plan, plan
        else:
            rows = await session.execute(
                text(f"EXPLAIN QUERY PLAN {sql}"), {"q": '"refunds"', "k": 5}
            )
            plan = "\n".join(str(r[-1]) for r in rows)
            assert "VIRTUAL TABLE INDEX" in plan and "kb_articles_fts" in plan, plan
