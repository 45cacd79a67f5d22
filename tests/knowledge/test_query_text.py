"""core.knowledge.query_text: a person's search text, parsed like websearch_to_tsquery and
written so neither database sees an operator nobody typed."""

from __future__ import annotations

import pytest

from core.errors import ValidationError
from core.knowledge.query_text import MAX_QUERY_CHARS, MAX_TERMS, parse


@pytest.mark.parametrize(
    ("typed", "fts5", "websearch"),
    [
        ("refund", '("refund")', '"refund"'),
        ("refund policy", '("refund") AND ("policy")', '"refund" "policy"'),
        ('"double charge" now', '("double charge") AND ("now")', '"double charge" "now"'),
        ("card or paypal", '("card" OR "paypal")', '"card" or "paypal"'),
        ("refund -paypal", '(("refund")) NOT ("paypal")', '"refund" -"paypal"'),
        ('refund -"pay pal"', '(("refund")) NOT ("pay pal")', '"refund" -"pay pal"'),
        ("INV-2291", '("INV-2291")', '"INV-2291"'),
        ("jane@example.com", '("jane@example.com")', '"jane@example.com"'),
        # FTS5's own syntax is plain text here
        ("AND OR NEAR", '("AND" OR "NEAR")', '"AND" or "NEAR"'),
        ("NEAR(a b)", '("NEAR(a") AND ("b)")', '"NEAR(a" "b)"'),
        ("title:refund", '("title:refund")', '"title:refund"'),
        ("refun*", '("refun*")', '"refun*"'),
        ('"unbalanced phrase', '("unbalanced phrase")', '"unbalanced phrase"'),
        ('a"b', '("a") AND ("b")', '"a" "b"'),
    ],
)
def test_each_term_is_a_quoted_phrase(typed: str, fts5: str, websearch: str) -> None:
    query = parse(typed)
    assert (query.fts5(), query.websearch()) == (fts5, websearch)


@pytest.mark.parametrize("typed", ["", "   ", "*", '"', '""', "- -- ***", "or", "-refund", "()"])
def test_nothing_required_finds_nothing(typed: str) -> None:
    assert parse(typed).empty


def test_bad_text_is_refused_naming_why() -> None:
    with pytest.raises(ValidationError, match="NUL"):
        parse("refund\x00")
    with pytest.raises(ValidationError, match="Unicode"):
        parse("refund \udc80")
    with pytest.raises(ValidationError, match=f"at most {MAX_QUERY_CHARS} characters"):
        parse("a" * (MAX_QUERY_CHARS + 1))
    with pytest.raises(ValidationError, match=f"at most {MAX_TERMS} terms"):
        parse(" ".join(f"w{i}" for i in range(MAX_TERMS + 1)))
