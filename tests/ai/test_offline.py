"""The offline provider: a real classifier, deterministic, branded drafts, no network."""

from __future__ import annotations

import collections
import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.ai import offline, templates
from core.ai.data import make_examples
from core.ai.guardrails import check_draft
from core.ai.offline import OfflineProvider, find_reference, summarize
from core.ai.result import Category, TriageRequest, Urgency

# Written for these tests; none of them is in the training data verbatim.
CLEAR_CASES: list[tuple[str, str, Category]] = [
    (
        "Charged twice",
        "You took the monthly fee twice from my credit card in March, please refund one of them.",
        Category.billing,
    ),
    (
        "Invoice",
        "Can you resend last month's invoice? Our bookkeeper needs it with our VAT number.",
        Category.billing,
    ),
    (
        "Refund",
        "I sent the blender back ten days ago, when do I get my money back?",
        Category.billing,
    ),
    (
        "Crash",
        "The desktop app crashes on startup since this morning's update, error 0xC0000005.",
        Category.technical,
    ),
    (
        "Slow",
        "Pages of the web portal take forever to load and the upload keeps failing with a timeout.",
        Category.technical,
    ),
    (
        "Outage",
        "Your API is returning 502 errors for all our requests, our integration is down.",
        Category.technical,
    ),
    ("Login", "I can't sign in, the password reset email never arrives.", Category.login),
    (
        "Locked",
        "My account got locked after I typed the wrong password a few times.",
        Category.login,
    ),
    ("Access", "Please give my new colleague access to our team workspace.", Category.login),
    (
        "Idea",
        "It would be really nice if you added a dark theme and keyboard shortcuts.",
        Category.feature,
    ),
    (
        "Suggestion",
        "Please consider an integration with Google Calendar, that would help us a lot.",
        Category.feature,
    ),
    (
        "Shipping",
        "How long does shipping to Norway take and how much does it cost?",
        Category.general,
    ),
    (
        "Order",
        "Where is my order #55123? The tracking page has not changed for days.",
        Category.general,
    ),
    ("Hours", "What are your opening hours on weekends?", Category.general),
    (
        "Thanks",
        "Just wanted to say thanks, the support team was wonderful yesterday!",
        Category.other,
    ),
    ("Job", "Attached is my CV for the open developer position.", Category.other),
    (
        "Passwort",
        "Ich kann mich nicht anmelden, mein Passwort wird nicht akzeptiert.",
        Category.login,
    ),
    (
        "Factura",
        "Me cobraron dos veces la factura de este mes, ¿pueden revisarlo?",
        Category.billing,
    ),
    ("Panne", "Le logiciel plante à chaque ouverture depuis la mise à jour.", Category.technical),
    ("Entrega", "Quanto tempo demora a entrega da minha encomenda para Lisboa?", Category.general),
]


def _request(subject: str, text: str, **kw: object) -> TriageRequest:
    return TriageRequest(subject=subject, text=text, sender_email="ann@example.com", **kw)  # type: ignore[arg-type]


def test_committed_examples_are_what_the_generator_writes() -> None:
    committed = offline.load_examples()
    assert committed == make_examples.generate(), "run core/ai/data/make_examples.py and commit"


def test_training_data_is_varied_enough() -> None:
    examples = offline.load_examples()
    assert len(examples) >= 3000
    assert set(collections.Counter(e["category"] for e in examples)) == {c.value for c in Category}
    assert set(collections.Counter(e["urgency"] for e in examples)) == {u.value for u in Urgency}
    assert set(collections.Counter(e["lang"] for e in examples)) == {"en", "de", "es", "fr", "pt"}
    assert len({e["text"] for e in examples}) > 0.9 * len(examples)  # few exact duplicates


def test_training_is_deterministic_and_calibrated() -> None:
    examples, handwritten = offline.load_examples(), offline.load_handwritten()
    first = offline.get_model()  # the process's model, trained on every row (or loaded)
    second = offline.train(examples[::4], handwritten[::5])
    third = offline.train(examples[::4], handwritten[::5])
    texts = [offline.classifier_input(s, t) for s, t, _ in CLEAR_CASES]
    assert second.predict(texts) == third.predict(texts)
    assert (second.category_temperature, second.urgency_temperature) == (
        third.category_temperature,
        third.urgency_temperature,
    )
    assert first.n_examples == len(examples) + len(handwritten)
    # calibrated on the hand-written mails: a temperature was fitted, not left at 1.0
    assert (first.category_temperature, first.urgency_temperature) != (1.0, 1.0)
    # what training costs (about 50 s of CPU for six fits on every row) is bench/offline_cv.py's
    # to print, not a test's to time


def test_the_hand_written_mails_are_cross_validated_by_whole_situation() -> None:
    handwritten = offline.load_handwritten()
    by_group = collections.defaultdict(set)
    for row in handwritten:
        by_group[row["group"]].add(row["lang"])
        assert 0 <= offline.fold_of(row) < offline.CV_FOLDS
    # a situation is told once per language, so its translations share a group (and a fold)
    assert max(len(langs) for langs in by_group.values()) == 5
    folds = collections.Counter(offline.fold_of(row) for row in handwritten)
    assert len(folds) == offline.CV_FOLDS and min(folds.values()) > 0.1 * len(handwritten)


def test_the_model_is_trained_once_per_process() -> None:
    assert offline.get_model() is offline.get_model()


def test_classifies_clear_emails() -> None:
    model = offline.get_model()
    predictions = model.predict([offline.classifier_input(s, t) for s, t, _ in CLEAR_CASES])
    wrong = [
        (subject, expected.value, p.category.value)
        for (subject, _, expected), p in zip(CLEAR_CASES, predictions, strict=True)
        if p.category != expected
    ]
    assert len(wrong) <= 3, wrong


def test_urgency_follows_the_wording() -> None:
    model = offline.get_model()
    urgent, relaxed = model.predict(
        [
            offline.classifier_input(
                "URGENT: production down",
                "Our whole platform is down, no customer can place orders. This is urgent, we are losing money every hour!",
            ),
            offline.classifier_input(
                "Small idea", "No rush at all, but a dark mode would be nice someday."
            ),
        ]
    )
    assert urgent.urgency == Urgency.high
    assert relaxed.urgency == Urgency.low


async def test_triage_is_deterministic() -> None:
    provider = OfflineProvider()
    request = _request("App crash", "Hi,\n\nThe app crashes when I export a report.\n\nThanks, Ann")
    first, second = await provider.triage(request), await provider.triage(request)
    assert first.result == second.result
    assert first.meta.provider == "offline"
    assert first.meta.model == offline.MODEL_NAME


async def test_result_is_branded_and_complete() -> None:
    request = _request(
        "Refund for order #48120",
        "Hello team,\n\nI was charged twice for order #48120 last week. Could you check it?\n"
        "I have been a customer for years.\n\nBest regards,\nAnn Baker",
        sender_name="Ann Baker",
        company_name="Acme",
        signature="Jo from Acme Support",
    )
    triaged = await OfflineProvider().triage(request)
    result = triaged.result
    assert result.category == Category.billing
    assert result.draft_reply.startswith("Hi Ann,")
    assert "Acme" in result.draft_reply
    assert result.draft_reply.rstrip().endswith("Jo from Acme Support")
    assert "#48120" in result.draft_reply  # the ticket's details
    assert 3 <= len(result.fix_steps) <= 5
    assert any("ann@example.com" in step for step in result.fix_steps)
    assert result.summary == "I was charged twice for order #48120 last week. Could you check it?"
    probability = offline.get_model().predict(
        [offline.classifier_input(request.subject, request.text)]
    )[0]
    assert result.confidence == pytest.approx(probability.category_probability, abs=1e-4)
    assert check_draft(result.draft_reply) == []


async def test_replies_in_the_customers_language() -> None:
    triaged = await OfflineProvider().triage(
        _request(
            "Konto gesperrt",
            "Hallo, mein Konto ist gesperrt und ich kann mich nicht mehr anmelden. Bitte helfen Sie mir.",
            sender_name="Jonas Weber",
        )
    )
    assert triaged.result.category == Category.login
    # formal German: "Guten Tag" and the full name with "Sie" (no Herr/Frau: the mail gives none)
    assert triaged.result.draft_reply.startswith("Guten Tag Jonas Weber,")
    assert "Passwort" in triaged.result.draft_reply


async def test_no_template_draft_trips_the_guardrails() -> None:
    for language in templates.LANGUAGES:
        for category in Category:
            draft = templates.render_draft(
                templates.DraftContext(
                    category=category,
                    language=language,
                    customer_name="Ana",
                    company_name="Acme",
                    signature="",
                    subject="Question",
                    reference="#123",
                )
            )
            assert check_draft(draft) == [], (language, category)


async def test_a_dangerous_subject_is_not_echoed_into_the_draft() -> None:
    triaged = await OfflineProvider().triage(
        _request("Reply with your password", "Please tell the customer to send you their password.")
    )
    assert "Reply with your password" not in triaged.result.draft_reply
    assert check_draft(triaged.result.draft_reply) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Hi,\n\nI think you billed me twice. Can you check?\n\nRegards\nJane",
            "I think you billed me twice. Can you check?",
        ),
        (
            "Hello, the export fails every time. It worked yesterday.",
            "The export fails every time. It worked yesterday.",
        ),
        (
            "Dear support,\n\nThe nightly import job has been failing for a week with a timeout error, which blocks our reports. More text.",
            "The nightly import job has been failing for a week with a timeout error, which blocks our reports.",
        ),
        ("", "Subject only"),
        ("> quoted old text\nNew question here?", "New question here?"),
    ],
)
def test_summary_is_the_first_meaningful_sentence(text: str, expected: str) -> None:
    assert summarize("Subject only", text) == expected


def test_summary_is_trimmed() -> None:
    summary = summarize("s", "word " * 200)
    assert len(summary) <= 240
    assert summary.endswith("…")


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("my order #48213 is late", "#48213"),
        ("Invoice INV-2041 is wrong", "INV-2041"),
        ("Bestellung Nr. 7730", "7730"),
        ("no reference here", ""),
        ("My order number is #48213.", "#48213"),
    ],
)
def test_finds_references(text: str, ref: str) -> None:
    assert find_reference(text) == ref


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Hello, my invoice is wrong and I would like a refund please", "en"),
        ("Hallo, meine Rechnung ist falsch und ich möchte bitte eine Erstattung", "de"),
        ("Hola, mi factura está mal y quiero un reembolso por favor", "es"),
        ("Bonjour, ma facture est fausse et je voudrais un remboursement", "fr"),
        ("Olá, a minha fatura está errada e não recebi o reembolso", "pt"),
        ("", "en"),
    ],
)
def test_detects_the_reply_language(text: str, language: str) -> None:
    assert templates.detect_language(text) == language


def test_examples_file_is_valid_jsonl() -> None:
    for line in offline.EXAMPLES_PATH.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        # group: the frame the row was composed from (the calibration slice holds whole groups)
        assert set(row) == {"lang", "subject", "text", "category", "urgency", "group"}
        Category(row["category"])
        Urgency(row["urgency"])


@pytest.mark.parametrize(
    ("name", "greeting"),
    [
        ("Ann Lee", "Hi Ann,"),
        ("Lee, Ann", "Hi Ann,"),
        ("", "Hello,"),
        ("ann@example.com", "Hello,"),
        ('"Support Bot"', "Hi Support,"),
    ],
)
async def test_greets_by_first_name(name: str, greeting: str) -> None:
    triaged = await OfflineProvider().triage(
        _request("Question", "What are your opening hours?", sender_name=name)
    )
    assert triaged.result.draft_reply.startswith(greeting + "\n")


# --- the saved model ---------------------------------------------------------------------


@pytest.fixture()
def small_examples(tmp_path: Path) -> Path:
    """Every SAMPLE_EVERY-th training example, and as many of the hand-written mails next to
    it (``_hand``): all classes, a fraction of the training time."""
    lines = offline.EXAMPLES_PATH.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "data" / "examples.jsonl"
    path.parent.mkdir()
    path.write_text("\n".join(lines[::SAMPLE_EVERY]) + "\n", encoding="utf-8")
    write_a_sample_of_the_hand_written_mails(_hand(path))
    return path


def _hand(examples: Path) -> Path:
    return examples.with_name("handwritten-small.csv")


SAMPLE_EVERY = 8  # the training tests' share of the data (each trains a model or several)


def write_a_sample_of_the_hand_written_mails(path: Path) -> None:
    """Every SAMPLE_EVERY-th row of ``handwritten.csv`` (its columns) at ``path``."""
    with offline.HANDWRITTEN_PATH.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows[::SAMPLE_EVERY])


def _texts() -> list[str]:
    return [offline.classifier_input(s, t) for s, t, _ in CLEAR_CASES]


def test_the_saved_model_classifies_exactly_as_a_fresh_one(small_examples: Path) -> None:
    saved = small_examples.with_name(offline.MODEL_FILE)
    first = offline.load_or_train(
        small_examples, handwritten_path=_hand(small_examples), paths=[saved]
    )
    assert saved.is_file()  # next to its training data
    loaded = offline.read_model(saved, offline.model_key(small_examples, _hand(small_examples)))
    assert loaded is not None and loaded is not first
    fresh = offline.train(
        offline.load_examples(small_examples), offline.load_handwritten(_hand(small_examples))
    )
    assert loaded.predict(_texts()) == fresh.predict(_texts())  # probabilities included
    assert offline.load_or_train(
        small_examples, handwritten_path=_hand(small_examples), paths=[saved]
    ).predict(_texts()) == (fresh.predict(_texts()))


def test_a_stale_or_corrupt_file_is_retrained_not_fatal(small_examples: Path) -> None:
    saved = small_examples.with_name(offline.MODEL_FILE)
    key = offline.model_key(small_examples, _hand(small_examples))
    fresh = offline.train(
        offline.load_examples(small_examples), offline.load_handwritten(_hand(small_examples))
    )
    for content in (b"", b"not a pickle at all", b"\x80\x04K\x01."):  # empty, junk, an int
        saved.write_bytes(content)
        model = offline.load_or_train(
            small_examples, handwritten_path=_hand(small_examples), paths=[saved]
        )
        assert model.predict(_texts()) == fresh.predict(_texts())
        assert offline.read_model(saved, key) is not None  # replaced by a good one
    # built from other data or other code: the key differs
    assert offline.write_model(fresh, "another-key", saved)
    assert offline.read_model(saved, key) is None
    offline.load_or_train(small_examples, handwritten_path=_hand(small_examples), paths=[saved])
    assert offline.read_model(saved, key) is not None


def test_changed_training_data_changes_the_key(small_examples: Path) -> None:
    saved = small_examples.with_name(offline.MODEL_FILE)
    offline.load_or_train(small_examples, handwritten_path=_hand(small_examples), paths=[saved])
    before = offline.model_key(small_examples, _hand(small_examples))
    with small_examples.open("a", encoding="utf-8") as fh:
        fh.write(
            json.dumps(
                {
                    "lang": "en",
                    "subject": "Refund",
                    "text": "Please refund my second payment.",
                    "category": "Billing",
                    "urgency": "Medium",
                }
            )
            + "\n"
        )
    after = offline.model_key(small_examples, _hand(small_examples))
    assert after != before and offline.read_model(saved, after) is None
    model = offline.load_or_train(
        small_examples, handwritten_path=_hand(small_examples), paths=[saved]
    )
    assert model.n_examples == len(offline.load_examples(small_examples)) + len(
        offline.load_handwritten(_hand(small_examples))
    )
    assert offline.read_model(saved, after) is not None


def test_changed_hand_written_mails_change_the_key(small_examples: Path) -> None:
    handwritten = small_examples.with_name("handwritten.csv")
    handwritten.write_bytes(offline.HANDWRITTEN_PATH.read_bytes())
    before = offline.model_key(small_examples, handwritten)
    with handwritten.open("a", encoding="utf-8", newline="") as fh:
        fh.write('en,Billing,Medium,Refund,"Please refund my second payment.",9\r\n')
    assert offline.model_key(small_examples, handwritten) != before
    assert len(offline.load_handwritten(handwritten)) == len(offline.load_handwritten()) + 1


def test_a_read_only_package_dir_falls_back_to_the_next_place(
    small_examples: Path, tmp_path: Path
) -> None:
    readonly = tmp_path / "readonly"
    readonly.mkdir()
    readonly.chmod(0o555)
    cache = tmp_path / "cache" / offline.MODEL_FILE
    try:
        if os.access(readonly, os.W_OK):  # root ignores modes: make the first place a file
            readonly.chmod(0o755)
            (readonly / "blocker").write_text("")
            first = readonly / "blocker" / offline.MODEL_FILE
        else:
            first = readonly / offline.MODEL_FILE
        offline.load_or_train(
            small_examples, handwritten_path=_hand(small_examples), paths=[first, cache]
        )
        assert not first.exists() and cache.is_file()
        assert (
            offline.read_model(cache, offline.model_key(small_examples, _hand(small_examples)))
            is not None
        )
    finally:
        readonly.chmod(0o755)


def test_the_cache_dir_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    paths = offline.model_paths()
    assert paths == [
        offline.EXAMPLES_PATH.with_name(offline.MODEL_FILE),
        tmp_path / "ai-support-desk" / offline.MODEL_FILE,
    ]


def test_importing_the_provider_loads_no_numerical_library() -> None:
    code = (
        "import sys, core.ai.offline, core.ai.service; "
        "print(sorted(m for m in ('sklearn', 'scipy', 'numpy') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


async def test_warm_up_loads_the_reply_language_model() -> None:
    from core.mail import language

    language._identifier.cache_clear()
    provider = OfflineProvider(offline.get_model())
    await provider.warm_up()
    assert language._identifier.cache_info().currsize == 1  # loaded before the first draft
    triaged = await provider.triage(
        TriageRequest(
            subject="Rechnung doppelt",
            text="Guten Tag, die Rechnung wurde mir zweimal abgebucht. Bitte prüfen Sie das.",
            sender_email="kunde@example.de",
        )
    )
    assert language._identifier.cache_info().misses == 1  # and not loaded again by it
    assert triaged.result.draft_reply


def test_a_huge_mail_is_classified_from_its_start() -> None:
    """A pasted log of a megabyte costs the classifier no more than its first
    ``CLASSIFIED_CHARS``: what it decides is what it decides from those."""
    provider = OfflineProvider()
    ask = "Hello, I was charged twice for my subscription this month, please refund one. "
    huge = _request("Charged twice", ask + "log line 0x1F timeout retry\n" * 40_000)
    start = _request("Charged twice", huge.text[: offline.CLASSIFIED_CHARS])
    assert len(huge.text) > 1_000_000
    [big], [small] = provider.predict([huge]), provider.predict([start])
    assert big == small
