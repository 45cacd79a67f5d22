"""A gate only skips searches that would have found nothing (``core.ai.regex_gate``)."""

from __future__ import annotations

import csv
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.ai import adapt, escalation, facts, regex_gate
from core.ai.evaluation import HELDOUT_PATH
from core.ai.offline import load_examples, load_handwritten
from core.ai.regex_gate import Gate, Text, fold
from tests.support.services import corpora_dir

TRICKY = [
    "",
    "INVOICE INV-2291",
    "İnvoice İNV-2291 ſubscription",  # case folds beyond str.lower
    "Rechnung Nr. 4711 DOPPELT abgebucht",
    "charged\ntwice",
    "charged  \u00a0twice",
    "re-invoice",
    "xinvoice 12345",
    "_invoice 12345",
    "Order#A-1234",
    "error code: E1042, HTTP 413",
    "ERR_CONNECTION_RESET",
    "J'AI DÉJÀ PAYÉ",
    "I want to speak to a REAL HUMAN",
    "x" * 5000,
]


def gates() -> list[tuple[str, Gate]]:
    """Every gate the offline provider searches mail through."""
    found: list[tuple[str, Gate]] = []
    for module in (facts, escalation, adapt):
        found += [
            (f"{module.__name__}.{k}", v) for k, v in vars(module).items() if isinstance(v, Gate)
        ]
    found += [(f"tried.{k}", v) for k, v in facts._TRIED_PATTERNS.items()]
    found += [(f"legal.{k}", v) for k, v in escalation._LEGAL]
    return found


def _read(path: object, *columns: str) -> list[str]:
    with open(path, encoding="utf-8", newline="") as fh:  # type: ignore[call-overload]
        return ["\n".join(row.get(c) or "" for c in columns) for row in csv.DictReader(fh)]


def texts() -> list[str]:
    rows = load_examples() + load_handwritten()
    out = [f"{r['subject']}\n{r['text']}" for r in rows]
    out += _read(HELDOUT_PATH, "subject", "text")
    out += _read(
        corpora_dir("tickets", "tobibueck_helpdesk_600", "helpdesk_customer_tickets.csv"),
        "subject",
        "body",
    )
    return out + TRICKY


def _spans(matches: object) -> list[tuple[int, int]]:
    return [m.span() for m in matches]  # type: ignore[attr-defined]


def test_gated_searches_find_what_the_patterns_find_on_every_mail() -> None:
    every = texts()
    prepared = [Text(t) for t in every]
    skipped = 0
    for name, gate in gates():
        for raw, text in zip(every, prepared, strict=True):
            assert _spans(gate.finditer(text)) == _spans(gate.pattern.finditer(raw)), (name, raw)
            skipped += not gate.open_for(text)
    # and they do skip: most mails hold none of most patterns' words
    assert skipped > len(every) * len(gates()) / 2


def test_the_gates_skip_mail_without_the_words() -> None:
    gate = Gate(re.compile(r"\b(?:charged|billed)\s+twice\b", re.IGNORECASE))
    assert gate.open_for(Text("We were CHARGED twice")) is True
    assert gate.search("We were CHARGED twice") is not None
    assert gate.open_for(Text("we were discharged once")) is False
    assert gate.open_for(Text("billed once, charged once")) is False  # "twice" is missing too


def test_a_pattern_that_can_match_without_a_word_is_always_searched() -> None:
    for pattern in (r"\d{4}\s\d{2}", r"foo|\d+", r"(?:bar)?"):
        gate = Gate(re.compile(pattern))
        assert gate.checks is None
        assert gate.open_for(Text("")) is True


def test_anchors_follow_the_structure_of_the_pattern() -> None:
    (clause,) = regex_gate.clauses(re.compile(r"\b(?:tried|in)\s+(?:chrome|firefox)\b"))  # type: ignore[misc]
    best = clause[0]  # the browsers: "in" is in most mails
    assert {a.text for a in best} == {"chrome", "firefox"}
    assert regex_gate.clauses(re.compile(r"\bfoo(?=x)|\bbar")) is not None
    word = regex_gate.clauses(re.compile(r"(?<!\w)refund"))
    assert word is not None and next(iter(word[0][0])).word_start is True
    inner = regex_gate.clauses(re.compile(r"xrefund"))
    assert inner is not None and next(iter(inner[0][0])).word_start is False


def test_the_fold_is_one_character_for_one_as_ignorecase_compares() -> None:
    for raw in ("İSTANBUL", "ſtraße", "µ and μ", "KELVIN K", "ΣΑΣ"):
        assert len(fold(raw)) == len(raw)
    assert fold("ſ") == fold("s") and fold("İ") == "i" and fold("K") == fold("k")


WORDS = st.sampled_from(
    ["charged", "twice", "Invoice", "INV-2291", "reset", "password", "zweimal", "abgebucht",
     "déjà", "payé", "j'ai", "speak", "to", "a", "human", "lawyer", "refund", "€", "49,00",
     "İ", "ſ", "\n", " ", "-", "x", "already", "tried", "restarting", "Bestellung", "4711"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(WORDS, max_size=14).map(" ".join))
def test_no_gate_closes_on_a_text_its_pattern_matches(text: str) -> None:
    prepared = Text(text)
    for name, gate in gates():
        if gate.pattern.search(text) is not None:
            assert gate.open_for(prepared), (name, text)


@pytest.mark.parametrize("stem_text", ["Rechnung", "RECHNUNG", "rechnungen"])
def test_a_text_prepares_its_words_and_prefixes_once(stem_text: str) -> None:
    text = Text(f"Die {stem_text} fehlt")
    assert "rechnung" in text.prefixes and fold(stem_text) in text.words
    assert text.prefixes is text.prefixes
