"""The keyword cues the offline classifier sees next to its TF-IDF features."""

from __future__ import annotations

import pytest

from core.ai import lexicon


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Our whole team cannot log in, the server is down", {"urg:blocked", "urg:outage"}),
        ("Mir wurde doppelt abgebucht, bitte Rückerstattung", {"cat:billing", "urg:money"}),
        ("No rush, just a question about delivery", {"urg:calm", "cat:general"}),
        ("Creemos que han hackeado nuestra cuenta", {"urg:security", "cat:login"}),
        ("Ce serait génial d'avoir un mode sombre", {"cat:feature"}),
        ("O site está fora do ar, precisamos de ajuda hoje", {"urg:outage", "urg:deadline"}),
        ("Where can I change the language of the menus?", {"cat:howto"}),
        ("Wie kann ich eine Kollegin einladen?", {"cat:howto"}),
        ("¿Es posible exportar los datos?", {"cat:howto"}),
        ("Est-il possible de partager un tableau ?", {"cat:howto"}),
        ("Como posso mudar o idioma?", {"cat:howto"}),
        ("I wish the list could be sorted by date", {"cat:feature"}),
        ("Pourriez-vous ajouter un export PDF ?", {"cat:feature"}),
    ],
)
def test_finds_the_cues_in_each_language(text: str, expected: set[str]) -> None:
    assert expected <= set(lexicon.hits(text))


@pytest.mark.parametrize(
    ("text", "group"),
    [
        ("a question about the product", "cat:billing"),  # "abo" is German "Abo", a word
        ("please contact me", "cat:login"),  # "conta" is Portuguese "conta", a word
        ("sem pressa", "cat:other"),  # "press" (the press) is not in "pressa"
        ("o programa demora", "cat:general"),  # "demo" is not in "demora"
    ],
)
def test_whole_word_stems_do_not_match_inside_other_words(text: str, group: str) -> None:
    assert group not in lexicon.hits(text)


def test_a_stem_matches_the_start_of_a_word_only() -> None:
    assert "cat:billing" in lexicon.hits("Die Rechnungen stimmen nicht")
    assert "cat:billing" not in lexicon.hits("Berechnungsfehler")  # not at a word start


def test_the_vector_has_one_value_per_group_in_order() -> None:
    vector = lexicon.vector("URGENT: invoice wrong, no rush")
    assert len(vector) == len(lexicon.GROUPS)
    assert {g for g, v in zip(lexicon.GROUPS, vector, strict=True) if v} == set(
        lexicon.hits("URGENT: invoice wrong, no rush")
    )
    assert set(vector) <= {0.0, 1.0}


def test_every_group_has_all_five_languages() -> None:
    for table in (lexicon.CATEGORY_CUES, lexicon.URGENCY_CUES):
        for name, by_language in table.items():
            assert set(by_language) == {"en", "de", "es", "fr", "pt"}, name
            assert all(stems.strip() for stems in by_language.values()), name
