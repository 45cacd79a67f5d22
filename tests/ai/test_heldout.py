"""The held-out split (core/ai/data/heldout.csv): hand-written mails the offline model never
trained on, and the offline provider's targets on them (issue 13's acceptance test).

The run is real: ``desk eval --heldout --json`` with the offline provider and the default
thresholds, the model the process loads (or trains) from its training data: examples.jsonl
(generated) and handwritten.csv (the earlier hand-written batches, now training and
calibration data). The tests that need held-out rows skip while heldout.csv holds none.
"""

from __future__ import annotations

import ast
import contextlib
import csv
import inspect
import io
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from core.ai import evaluation, lexicon, offline
from core.ai.data import make_examples
from core.ai.result import Category, Urgency
from tests.ai.test_cli import ENV_VARS, run
from tests.ai.test_offline import write_a_sample_of_the_hand_written_mails

LANGUAGES = ("en", "de", "es", "fr", "pt")
SHINGLE = 6  # words: a held-out sentence sharing a run this long with the training data leaks


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_VARS:  # the default thresholds, whatever the shell has set
        monkeypatch.delenv(name, raising=False)


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _rows() -> list[dict[str, str]]:
    return _read(evaluation.HELDOUT_PATH)


needs_rows = pytest.mark.skipif(
    not _rows(), reason="heldout.csv holds no mails yet (the next hand-written batch goes there)"
)


def _shingles(text: str) -> set[tuple[str, ...]]:
    """Every run of SHINGLE words inside one line or sentence of ``text``, lowercased."""
    out: set[tuple[str, ...]] = set()
    for segment in re.split(r"[\n.!?¿¡]+", text):
        words = re.findall(r"\w+", segment.lower())
        out |= {tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}
    return out


def _covers_everything(rows: list[dict[str, str]]) -> None:
    per_language = Counter(r["lang"] for r in rows)
    assert set(per_language) == set(LANGUAGES)
    assert min(per_language.values()) >= 40
    for language in LANGUAGES:
        mine = [r for r in rows if r["lang"] == language]
        assert {r["category"] for r in mine} == {c.value for c in Category}, language
        assert {r["urgency"] for r in mine} == {u.value for u in Urgency}, language
    assert len({r["text"] for r in rows}) == len(rows)


@needs_rows
def test_the_split_covers_every_language_category_and_urgency() -> None:
    _covers_everything(_rows())


def test_the_hand_written_training_mails_cover_every_language_category_and_urgency() -> None:
    rows = _read(offline.HANDWRITTEN_PATH)
    _covers_everything(rows)
    assert offline.load_handwritten() and len(offline.load_handwritten()) == len(rows)


def test_heldout_and_handwritten_have_the_same_columns() -> None:
    with evaluation.HELDOUT_PATH.open(encoding="utf-8", newline="") as fh:
        heldout = next(csv.reader(fh))
    with offline.HANDWRITTEN_PATH.open(encoding="utf-8", newline="") as fh:
        handwritten = next(csv.reader(fh))
    assert heldout == handwritten
    assert set(evaluation.HELDOUT_COLUMNS.values()) <= set(heldout)


def test_no_held_out_sentence_is_in_the_training_data() -> None:
    trained: set[tuple[str, ...]] = set()
    for example in offline.load_examples() + offline.load_handwritten():
        trained |= _shingles(example["subject"]) | _shingles(example["text"])
    leaks = {
        r["subject"]: sorted(
            " ".join(s) for s in (_shingles(r["subject"]) | _shingles(r["text"])) & trained
        )
        for r in _rows()
    }
    assert {subject: runs for subject, runs in leaks.items() if runs} == {}


def _code_without_docstrings(module: object) -> str:
    tree = ast.parse(inspect.getsource(module))  # type: ignore[arg-type]
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        value = first.value if isinstance(first, ast.Expr) else None
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            body.pop(0)  # type: ignore[union-attr]  # docstrings may name the split; code may not
    return ast.unparse(tree).lower()


def test_the_training_code_never_names_the_held_out_split() -> None:
    for module in (offline, make_examples, lexicon):
        code = _code_without_docstrings(module)
        assert "heldout" not in code and "held_out" not in code, module.__name__


def test_training_opens_no_file_but_its_training_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = offline.EXAMPLES_PATH.read_text(encoding="utf-8").splitlines()[::10]
    examples = tmp_path / "examples.jsonl"
    examples.write_text("\n".join(lines) + "\n", encoding="utf-8")
    handwritten = tmp_path / "handwritten.csv"  # a sample: the files, not the model
    write_a_sample_of_the_hand_written_mails(handwritten)
    opened: list[Path] = []
    real_open, real_read_bytes = Path.open, Path.read_bytes

    def spy_open(self: Path, *args: Any, **kwargs: Any) -> Any:
        opened.append(self.resolve())
        return real_open(self, *args, **kwargs)

    def spy_read_bytes(self: Path) -> bytes:
        opened.append(self.resolve())
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "open", spy_open)
    monkeypatch.setattr(Path, "read_bytes", spy_read_bytes)
    make_examples.generate()
    offline.load_or_train(
        examples, handwritten_path=handwritten, paths=[tmp_path / offline.MODEL_FILE]
    )
    assert examples.resolve() in opened and handwritten.resolve() in opened
    assert evaluation.HELDOUT_PATH.resolve() not in opened
    assert offline.HANDWRITTEN_PATH.resolve() not in opened  # the copy given, not the default


@pytest.fixture(scope="module")
def report() -> dict[str, object]:
    """One real run for the module (capsys is per test, so stdout is captured here)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = run("eval", "--heldout", "--json", "--provider", "offline")
    assert code == 0
    data: dict[str, object] = json.loads(out.getvalue())
    return data


def _scores(report: dict[str, object]) -> tuple[dict[str, tuple[float, float]], dict[str, Any]]:
    assert report["n"] == len(_rows()) and report["skipped"] == 0
    languages = report["languages"]
    assert isinstance(languages, dict) and set(languages) == set(LANGUAGES)
    calibration = report["calibration"]
    assert isinstance(calibration, dict)
    return {
        lang: (part["category_accuracy"], part["urgency_accuracy"])
        for lang, part in languages.items()
    }, calibration


@needs_rows
def test_the_model_holds_its_measured_level_on_the_held_out_split(
    report: dict[str, object],
) -> None:
    """A floor a little below what the model scores on the blind batch today (batch 8:
    category 0.84-0.94 per language, 0.870 in all; urgency 0.82-0.94, 0.899; ECE 0.030;
    4.2% of right answers escalated): a change that makes the offline provider worse on
    unseen mail fails here. (The model trained without batches 3 and 9 scored category
    0.860 and urgency 0.872 on it; with batch 3 and without batch 9, 0.874 and 0.879.)"""
    scores, calibration = _scores(report)
    assert all(cat >= 0.78 and urg >= 0.75 for cat, urg in scores.values()), scores
    assert report["category"]["accuracy"] >= 0.84, report["category"]  # type: ignore[index]
    assert report["urgency"]["accuracy"] >= 0.85, report["urgency"]  # type: ignore[index]
    assert calibration["ece"] < 0.10, calibration
    assert calibration["escalated_correct_share"] < 0.20, calibration


@needs_rows
@pytest.mark.xfail(
    strict=True,
    reason="issue 13's category target is not met on the blind batch in Spanish and French: "
    "0.840 and 0.837 (target 0.85 in each language; 0.86-0.94 in the others); urgency "
    "(0.82-0.94), ECE and escalations are",
)
def test_targets_on_the_held_out_split(report: dict[str, object]) -> None:
    """Category >= 0.85 and urgency >= 0.70 in every language; ECE < 0.10 overall; fewer
    than 20% of the correctly classified mails escalated for low confidence. Strict: the
    day the model meets them this passes, the xfail fails, and the mark must go."""
    scores, calibration = _scores(report)
    assert all(cat >= 0.85 and urg >= 0.70 for cat, urg in scores.values()), scores
    assert calibration["ece"] < 0.10, calibration
    assert calibration["escalated_correct_share"] < 0.20, calibration


@needs_rows
def test_the_text_report_has_the_per_language_lines(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("eval", "--heldout", "--provider", "offline", "--limit", "25") == 0
    out = capsys.readouterr().out
    assert "calibration: ECE" in out and "correct but escalated" in out
    assert "per language:" in out and re.search(r"^  de +n +\d+ +category", out, re.M)


def test_heldout_and_a_file_are_exclusive(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("eval", str(Path("x.csv")), "--heldout") == 2
    assert "not both" in capsys.readouterr().err
    assert run("eval") == 2
