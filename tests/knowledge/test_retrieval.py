"""core.knowledge.retrieval: a mail finds the published articles about it, not the ones
that only share a common word, on both databases."""

from __future__ import annotations

from core.access.permissions import Principal
from core.knowledge.articles import ArticleSpec, KnowledgeBase
from core.knowledge.query_text import MAX_TERMS
from core.knowledge.retrieval import mail_terms, query_from_mail, sources_for
from server.wiring import Desk
from tests.knowledge.conftest import published


def test_a_mail_becomes_its_distinctive_words() -> None:
    terms = mail_terms(
        "Refund for INV-2291", "Hello, please refund the double charge to jane@example.com. Thanks"
    )
    assert terms == ["refund", "inv-2291", "double", "charge", "jane@example.com"]
    assert query_from_mail("Hi", "a b c") == ""
    assert len(mail_terms("", " ".join(f"word{i}" for i in range(100)))) == MAX_TERMS


async def test_a_matching_mail_finds_the_article_and_an_unrelated_one_does_not(
    desk: Desk, kb: KnowledgeBase, manager: Principal
) -> None:
    refund = await published(
        kb,
        manager,
        "Refund policy",
        "A double charge is refunded to the card within five days.",
        public_url="https://help.example.com/refunds",
    )
    await published(kb, manager, "Password reset", "Use the reset link on the sign-in page.")
    await kb.create(manager, ArticleSpec("Refund draft", "Refunds of a double charge, unchecked."))
    async with desk.sessions() as session:
        found = await sources_for(
            session, "Charged twice", "Please refund the double charge on my card, thanks!"
        )
        unrelated = await sources_for(
            session, "Export question", "Can I export my data to a spreadsheet, please?"
        )
        one_word = await sources_for(session, "Card", "Which card brands do you take?")
    assert [s.id for s in found] == [refund.id]
    assert found[0].public_url == "https://help.example.com/refunds"
    assert unrelated == []
    assert one_word == []  # "card" alone is not what the refund article is about


async def test_an_invoice_number_alone_is_enough(
    desk: Desk, kb: KnowledgeBase, manager: Principal
) -> None:
    known = await published(kb, manager, "Known issue INV-2291", "Fixed on 3 March.")
    async with desk.sessions() as session:
        found = await sources_for(session, "Question", "What about inv-2291?")
    assert [s.id for s in found] == [known.id]
