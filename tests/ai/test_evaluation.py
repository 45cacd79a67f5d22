"""Evaluation math and dataset reading on tiny fixed data with known answers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import f1_score

from core.ai.evaluation import (
    EvalRow,
    LabelMap,
    accuracy,
    build_report,
    confusion,
    evenly_spaced,
    expected_calibration_error,
    load_label_map,
    macro_f1,
    map_label,
    parse_label_map,
    percentile,
    read_dataset,
)
from core.ai.result import Category, Urgency
from core.errors import ValidationError

Y_TRUE = ["A", "A", "B", "B", "C"]
Y_PRED = ["A", "B", "B", "B", "A"]


def test_accuracy() -> None:
    assert accuracy(Y_TRUE, Y_PRED) == pytest.approx(0.6)
    assert accuracy([], []) == 0.0
    with pytest.raises(ValueError):
        accuracy(["A"], [])


def test_macro_f1_known_answer() -> None:
    # A: 2*1/(2+2)=0.5, B: 2*2/(2+3)=0.8, C: 0 -> mean 0.4333
    assert macro_f1(Y_TRUE, Y_PRED) == pytest.approx((0.5 + 0.8 + 0.0) / 3)
    assert macro_f1(Y_TRUE, Y_PRED) == pytest.approx(f1_score(Y_TRUE, Y_PRED, average="macro"))
    assert macro_f1(["A", "B"], ["A", "B"]) == 1.0
    # a predicted label that never occurs counts as a class with F1 0 (scikit-learn's default)
    assert macro_f1(["A", "A"], ["A", "X"]) == pytest.approx((2 / 3 + 0) / 2)


def test_confusion_known_answer() -> None:
    assert confusion(Y_TRUE, Y_PRED) == {
        "A": {"A": 1, "B": 1, "C": 0},
        "B": {"A": 0, "B": 2, "C": 0},
        "C": {"A": 1, "B": 0, "C": 0},
    }


@pytest.mark.parametrize(("q", "expected"), [(0, 10.0), (50, 25.0), (95, 38.5), (100, 40.0)])
def test_percentile_interpolates(q: float, expected: float) -> None:
    values = [40.0, 10.0, 30.0, 20.0]
    assert percentile(values, q) == pytest.approx(expected)
    assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)))


def test_percentile_of_nothing() -> None:
    assert percentile([], 50) == 0.0


def test_evenly_spaced() -> None:
    assert evenly_spaced(list(range(10)), 3) == [0, 3, 6]
    assert evenly_spaced(list(range(4)), 10) == [0, 1, 2, 3]
    assert evenly_spaced(list(range(4)), None) == [0, 1, 2, 3]


def test_label_map_parsing() -> None:
    parsed = parse_label_map(
        {
            "_comment": "x",
            "category": {"billing_q": "billing", "spam": None},
            "urgency": {"p1": "High"},
        }
    )
    assert parsed.category == {"billing_q": Category.billing, "spam": None}
    assert parsed.urgency == {"p1": Urgency.high}
    with pytest.raises(ValidationError, match="is not one of"):
        parse_label_map({"category": {"x": "Bogus"}})
    with pytest.raises(ValidationError, match="unknown key"):
        parse_label_map({"categories": {}})


def test_label_lookup() -> None:
    mapping = {"Tech": Category.technical, "spam": None}
    assert map_label("Tech", mapping, Category) == Category.technical
    assert map_label(" tech ", mapping, Category) == Category.technical
    assert map_label("spam", mapping, Category) is None
    assert map_label("unknown", mapping, Category) is None
    # without a map, desk values (or their names) are taken as they are
    assert map_label("Login / Access", {}, Category) == Category.login
    assert map_label("BILLING", {}, Category) == Category.billing
    assert map_label("high", {}, Urgency) == Urgency.high
    assert map_label("p1", {}, Urgency) is None


CSV = """text,subject,cat,prio
Charged twice,Billing q,billing_q,high
App crash,Crash,tech,low
,,tech,low
Hello,Hi,unknown_label,low
Spam offer,Spam,spam,low
Where is my order,Order,general,urgent
Cannot log in,Login,LOGIN,medium
"""
MAP = LabelMap(
    category={
        "billing_q": Category.billing,
        "tech": Category.technical,
        "general": Category.general,
        "login": Category.login,
        "spam": None,
    },
    urgency={"high": Urgency.high, "medium": Urgency.medium, "low": Urgency.low},
)


def test_read_dataset_skips_and_counts(tmp_path: Path) -> None:
    path = tmp_path / "tickets.csv"
    path.write_text(CSV, encoding="utf-8")
    data = read_dataset(
        path,
        text_col="text",
        subject_col="subject",
        category_col="cat",
        urgency_col="prio",
        label_map=MAP,
    )
    assert data.total == 7
    assert data.skipped == 4  # no text, unmapped label, null label, unmapped urgency
    assert data.rows == [
        EvalRow("Billing q", "Charged twice", Category.billing, Urgency.high),
        EvalRow("Crash", "App crash", Category.technical, Urgency.low),
        EvalRow("Login", "Cannot log in", Category.login, Urgency.medium),
    ]
    limited = read_dataset(path, text_col="text", category_col="cat", label_map=MAP, limit=2)
    assert [r.text for r in limited.rows] == ["Charged twice", "Where is my order"]


def test_read_dataset_names_missing_columns(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(CSV, encoding="utf-8")
    with pytest.raises(
        ValidationError, match="column 'body' not in t.csv; columns: text, subject, cat, prio"
    ):
        read_dataset(path, text_col="body")


def test_load_label_map_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{nope", encoding="utf-8")
    with pytest.raises(ValidationError, match="not valid JSON"):
        load_label_map(bad)
    with pytest.raises(ValidationError, match="cannot read"):
        load_label_map(tmp_path / "missing.json")


def test_report_json_shape() -> None:
    rows = [
        EvalRow("", "a", Category.billing, Urgency.high),
        EvalRow("", "b", Category.technical, Urgency.low),
        EvalRow("", "c", Category.technical, Urgency.low),
        EvalRow("", "d", Category.other, Urgency.low),
    ]
    predictions = [("Billing", "High"), ("Technical", "Low"), ("Billing", "Low"), None]
    report = build_report(
        rows, predictions, skipped=2, latencies_ms=[1.0, 2.0, 3.0, 4.0], tokens=99
    )
    data = report.to_json()
    # the original keys first, in order; calibration and languages were added later
    assert list(data)[:6] == ["n", "skipped", "category", "urgency", "latency_ms", "tokens"]
    assert data["calibration"] is None and data["languages"] is None  # no confidences given
    assert data["n"] == 4 and data["skipped"] == 2 and data["tokens"] == 99
    assert data["category"]["accuracy"] == 0.5
    assert set(data["category"]) == {"accuracy", "macro_f1", "confusion"}
    assert data["category"]["confusion"]["Other"]["(error)"] == 1
    assert data["urgency"]["accuracy"] == 0.75
    assert data["latency_ms"] == {"p50": 2.5, "p95": 3.85}
    assert report.errors == 1


def test_report_without_urgency_labels() -> None:
    rows = [EvalRow("", "a", Category.billing, None)]
    data = build_report(
        rows, [("Billing", "High")], skipped=0, latencies_ms=[1.0], tokens=0
    ).to_json()
    assert data["urgency"] is None
    assert data["category"]["macro_f1"] == 1.0


def test_shipped_label_maps_are_valid() -> None:
    root = Path(__file__).resolve().parents[2] / "eval" / "labelmaps"
    bitext = load_label_map(root / "bitext.json")
    tobi = load_label_map(root / "tobibueck.json")
    assert len(bitext.category) == 27 + 11 and bitext.urgency == {}
    assert tobi.urgency == {"low": Urgency.low, "medium": Urgency.medium, "high": Urgency.high}
    assert len(tobi.category) == 10


def test_expected_calibration_error_known_answer() -> None:
    # bin 9 (0.9-1.0): two rows, mean confidence 0.95, accuracy 0.5 -> |0.5-0.95| * 2/4
    # bin 6 (0.6-0.7): two rows, mean confidence 0.6, accuracy 1.0 -> |1.0-0.6| * 2/4
    ece = expected_calibration_error([0.9, 1.0, 0.6, 0.6], [True, False, True, True])
    assert ece == pytest.approx(0.5 * 0.45 + 0.5 * 0.4)
    assert expected_calibration_error([], []) == 0.0
    assert expected_calibration_error([0.75, 0.75], [True, False]) == pytest.approx(0.25)


def test_report_with_confidences_has_calibration_and_languages() -> None:
    rows = [
        EvalRow("", "a", Category.billing, Urgency.high, language="en"),
        EvalRow("", "b", Category.technical, Urgency.low, language="en"),
        EvalRow("", "c", Category.technical, Urgency.low, language="de"),
        EvalRow("", "d", Category.other, Urgency.low, language="de"),
    ]
    predictions = [("Billing", "High"), ("Technical", "Low"), ("Billing", "Low"), None]
    data = build_report(
        rows,
        predictions,
        skipped=0,
        latencies_ms=[1.0] * 4,
        tokens=0,
        confidences=[0.9, 0.5, 0.8, 0.0],
        escalated=[False, True, False, False],
    ).to_json()
    calibration = data["calibration"]
    assert calibration["correct"] == 2 and calibration["escalated_correct"] == 1
    assert calibration["escalated_correct_share"] == 0.5
    assert calibration["ece"] == pytest.approx((0.1 + 0.5 + 0.8 + 0.0) / 4, abs=1e-4)
    assert set(data["languages"]) == {"de", "en"}
    assert data["languages"]["en"]["category_accuracy"] == 1.0
    assert data["languages"]["de"]["category_accuracy"] == 0.0
    assert data["languages"]["de"]["calibration"]["correct"] == 0


def test_read_dataset_keeps_the_language_column(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("text,category,lang\nhello,Billing,en\nhallo,Technical,de\n", encoding="utf-8")
    dataset = read_dataset(path, text_col="text", category_col="category", language_col="lang")
    assert [r.language for r in dataset.rows] == ["en", "de"]
    with pytest.raises(ValidationError, match="'language'"):
        read_dataset(path, text_col="text", language_col="language")
