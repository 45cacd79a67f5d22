"""The prefix-tree cue search finds exactly what ``core.ai.lexicon`` finds."""

from __future__ import annotations

import pytest

from core.ai import lexicon, lexicon_scan
from core.ai.offline import (
    CUE_WEIGHT,
    classifier_input,
    cue_matrix,
    load_examples,
    load_handwritten,
)

TRICKY = [
    "",
    "abo",
    "about the abo",
    "ABO!",
    "money   back please",
    "money\nback",
    "moneyback",
    "the invoice-number",
    "re-invoice",
    "Rechnungen und RÜCKERSTATTUNG",
    "İnvoice ſubscription",  # characters whose case folds are unusual
    "_invoice",
    "x" * 300,
]


def texts() -> list[str]:
    rows = load_examples() + load_handwritten()
    return [classifier_input(r["subject"], r["text"]) for r in rows] + TRICKY


def test_the_same_groups_as_the_lexicon_on_every_training_text() -> None:
    every = texts()
    assert [lexicon_scan.hits(t) for t in every] == [lexicon.hits(t) for t in every]
    # the texts are not trivially empty of cues: most groups occur somewhere
    assert len({g for t in every for g in lexicon_scan.hits(t)}) == len(lexicon.GROUPS)


@pytest.mark.parametrize(
    ("stems", "text", "found"),
    [
        (["abo_", "abonnement"], "abonnement", True),
        (["abo_", "abonnement"], "about", False),
        (["pay", "payment"], "pays", True),
        (["pay_", "payment"], "pays", False),
        (["pay_", "payment"], "payment", True),
        (["money back"], "money \t back", True),
        (["charge"], "recharge", False),
    ],
)
def test_a_tree_pattern_keeps_each_stems_rule(stems: list[str], text: str, found: bool) -> None:
    assert bool(lexicon_scan.tree_pattern(stems).search(text)) is found
    assert bool(lexicon._pattern(stems).search(text)) is found


def test_the_cue_matrix_is_the_offline_one() -> None:
    sample = texts()[::7]
    assert (lexicon_scan.cue_matrix(sample, CUE_WEIGHT) != cue_matrix(sample)).nnz == 0
