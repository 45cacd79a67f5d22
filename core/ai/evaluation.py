"""Scoring triage on a labelled CSV: accuracy, macro-F1, confusion, latency, tokens.

The metric functions are pure and small; ``evaluate`` runs a ``Triager`` over a dataset.
Label maps translate a dataset's labels into the desk's categories and urgencies:

    {"category": {"dataset label": "Billing" | ... | null}, "urgency": {"high": "High", ...}}

A row whose label is missing from the map or maps to null is skipped (and counted). Without
a map section, labels that already are desk values (case-insensitive) are used as they are.

Calibration: with the providers' confidences the report adds the expected calibration
error (``expected_calibration_error``: 10 equal-width bins of the category confidence
against whether the category was right) and how many correctly classified rows the
triager would still escalate for low confidence (``core.ai.service.low_confidence``),
overall and per language when the file has a language column.

The held-out split (``HELDOUT_PATH``, ``core/ai/data/heldout.csv``: hand-written mails in
en, de, es, fr, pt with columns ``HELDOUT_COLUMNS``) is never read by the training code;
``desk eval --heldout`` scores it.
"""

from __future__ import annotations

import csv
import json
import math
import sys
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from core.ai.calibration import ece
from core.ai.result import Category, TriageRequest, Urgency
from core.ai.service import Triager, low_confidence
from core.errors import ValidationError

ERROR_LABEL = "(error)"
HELDOUT_PATH = Path(__file__).with_name("data") / "heldout.csv"
# the columns of HELDOUT_PATH: text, subject, category, urgency, language
HELDOUT_COLUMNS = {
    "text_col": "text",
    "subject_col": "subject",
    "category_col": "category",
    "urgency_col": "urgency",
    "language_col": "lang",
}
CALIBRATION_BINS = 10
E = TypeVar("E", bound=StrEnum)


# --- label maps -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LabelMap:
    category: dict[str, Category | None]
    urgency: dict[str, Urgency | None]


def _parse_section(data: Any, enum: type[E], section: str) -> dict[str, E | None]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ValidationError(f"label map: {section!r} must be an object")
    allowed = {member.value.lower(): member for member in enum}
    out: dict[str, E | None] = {}
    for label, value in data.items():
        if value is None:
            out[str(label)] = None
            continue
        member = allowed.get(str(value).strip().lower())
        if member is None:
            raise ValidationError(
                f"label map: {section}[{label!r}] = {value!r} is not one of "
                + ", ".join(m.value for m in enum)
                + " or null"
            )
        out[str(label)] = member
    return out


def parse_label_map(data: Any) -> LabelMap:
    if not isinstance(data, dict):
        raise ValidationError("label map: top level must be an object")
    unknown = set(data) - {"category", "urgency"} - {k for k in data if str(k).startswith("_")}
    if unknown:
        raise ValidationError(f"label map: unknown key(s) {sorted(unknown)}")
    return LabelMap(
        category=_parse_section(data.get("category"), Category, "category"),
        urgency=_parse_section(data.get("urgency"), Urgency, "urgency"),
    )


def load_label_map(path: Path) -> LabelMap:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValidationError(f"cannot read label map {path}: {exc.strerror or exc}") from exc
    except json.JSONDecodeError as exc:
        raise ValidationError(f"label map {path} is not valid JSON: {exc}") from exc
    return parse_label_map(data)


_MISSING = object()


def map_label(raw: str, mapping: Mapping[str, E | None], enum: type[E]) -> E | None:
    """The desk value for a dataset label, or None when the row must be skipped."""
    label = raw.strip()
    if mapping:
        if label in mapping:
            return mapping[label]
        lowered = {k.strip().lower(): v for k, v in mapping.items()}
        value = lowered.get(label.lower(), _MISSING)
        return None if value is _MISSING else value  # type: ignore[return-value]
    for member in enum:
        if label.lower() in (member.value.lower(), member.name.lower()):
            return member
    return None


# --- dataset ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EvalRow:
    subject: str
    text: str
    category: Category | None
    urgency: Urgency | None
    language: str = ""  # from the language column, when the file has one


@dataclass(frozen=True, slots=True)
class Dataset:
    rows: list[EvalRow]
    skipped: int  # rows of the file left out: unmapped/null label or no text
    total: int  # data rows in the file


def evenly_spaced(items: Sequence[Any], limit: int | None) -> list[Any]:
    """``limit`` items spread evenly over ``items`` (deterministic); all when no limit."""
    if limit is None or limit >= len(items):
        return list(items)
    if limit <= 0:
        return []
    return [items[(i * len(items)) // limit] for i in range(limit)]


def read_dataset(
    path: Path,
    *,
    text_col: str,
    subject_col: str | None = None,
    category_col: str | None = None,
    urgency_col: str | None = None,
    label_map: LabelMap | None = None,
    limit: int | None = None,
    language_col: str | None = None,
) -> Dataset:
    label_map = label_map or LabelMap(category={}, urgency={})
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise ValidationError(f"cannot read {path}: {exc.strerror or exc}") from exc
    with handle:
        reader = csv.DictReader(handle)
        columns = reader.fieldnames or []
        for name in (text_col, subject_col, category_col, urgency_col, language_col):
            if name is not None and name not in columns:
                raise ValidationError(
                    f"column {name!r} not in {path.name}; columns: {', '.join(columns) or '(none)'}"
                )
        rows: list[EvalRow] = []
        skipped = total = 0
        for record in reader:
            total += 1
            text = (record.get(text_col) or "").strip()
            subject = (record.get(subject_col) or "").strip() if subject_col else ""
            category = urgency = None
            keep = bool(text or subject)
            if keep and category_col:
                category = map_label(record.get(category_col) or "", label_map.category, Category)
                keep = category is not None
            if keep and urgency_col:
                urgency = map_label(record.get(urgency_col) or "", label_map.urgency, Urgency)
                keep = urgency is not None
            if keep:
                language = (record.get(language_col) or "").strip() if language_col else ""
                rows.append(
                    EvalRow(
                        subject=subject,
                        text=text,
                        category=category,
                        urgency=urgency,
                        language=language,
                    )
                )
            else:
                skipped += 1
    return Dataset(rows=evenly_spaced(rows, limit), skipped=skipped, total=total)


# --- metrics ----------------------------------------------------------------------------


def accuracy(y_true: Sequence[str], y_pred: Sequence[str]) -> float:
    if len(y_true) != len(y_pred):
        raise ValueError("y_true and y_pred differ in length")
    if not y_true:
        return 0.0
    return sum(t == p for t, p in zip(y_true, y_pred, strict=True)) / len(y_true)


def macro_f1(
    y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str] | None = None
) -> float:
    """Unweighted mean of per-label F1 over ``labels`` (default: every label seen in either).

    A label with no true and no predicted instances has F1 0 (as scikit-learn's default).
    """
    if len(y_true) != len(y_pred):
        raise ValueError("y_true and y_pred differ in length")
    labels = sorted(set(y_true) | set(y_pred)) if labels is None else list(labels)
    if not labels:
        return 0.0
    pairs = Counter(zip(y_true, y_pred, strict=True))
    true_count, pred_count = Counter(y_true), Counter(y_pred)
    scores = []
    for label in labels:
        tp = pairs[(label, label)]
        denominator = true_count[label] + pred_count[label]
        scores.append(0.0 if denominator == 0 else 2 * tp / denominator)
    return sum(scores) / len(scores)


def confusion(y_true: Sequence[str], y_pred: Sequence[str]) -> dict[str, dict[str, int]]:
    """``{true label: {predicted label: count}}`` over every label seen, zeros included."""
    labels = sorted(set(y_true) | set(y_pred))
    pairs = Counter(zip(y_true, y_pred, strict=True))
    return {t: {p: pairs[(t, p)] for p in labels} for t in labels}


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation between closest ranks."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def expected_calibration_error(
    confidences: Sequence[float], correct: Sequence[bool], bins: int = CALIBRATION_BINS
) -> float:
    """Sum over ``bins`` equal-width confidence bins of (share of rows in the bin) x
    |accuracy in the bin - mean confidence in the bin|; 0.0 for no rows. A confidence of
    exactly 1.0 falls in the last bin. The same measure as the desk's calibration of
    reviewed drafts (``core.ai.calibration.ece``), here of "the category was right"."""
    return ece(confidences, correct, bins=bins)


@dataclass(frozen=True, slots=True)
class Calibration:
    """How far the category confidence is from being right, and what it escalates."""

    ece: float  # expected calibration error, CALIBRATION_BINS bins
    mean_confidence: float
    correct: int  # rows whose category was right
    escalated_correct: int  # of those, escalated for low confidence

    @property
    def escalated_correct_share(self) -> float:
        return self.escalated_correct / self.correct if self.correct else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "ece": round(self.ece, 4),
            "bins": CALIBRATION_BINS,
            "mean_confidence": round(self.mean_confidence, 4),
            "correct": self.correct,
            "escalated_correct": self.escalated_correct,
            "escalated_correct_share": round(self.escalated_correct_share, 4),
        }


def calibration(
    confidences: Sequence[float], correct: Sequence[bool], escalated: Sequence[bool]
) -> Calibration:
    right = [e for e, c in zip(escalated, correct, strict=True) if c]
    return Calibration(
        ece=expected_calibration_error(confidences, correct),
        mean_confidence=sum(confidences) / len(confidences) if confidences else 0.0,
        correct=len(right),
        escalated_correct=sum(right),
    )


@dataclass(frozen=True, slots=True)
class LanguageReport:
    """One language's share of a report: accuracies and calibration."""

    n: int
    category_accuracy: float | None
    urgency_accuracy: float | None
    calibration: Calibration | None

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "category_accuracy": _rounded(self.category_accuracy),
            "urgency_accuracy": _rounded(self.urgency_accuracy),
            "calibration": self.calibration.to_json() if self.calibration else None,
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


@dataclass(frozen=True, slots=True)
class LabelScores:
    accuracy: float
    macro_f1: float
    confusion: dict[str, dict[str, int]]

    def to_json(self) -> dict[str, Any]:
        return {
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "confusion": self.confusion,
        }


def score(y_true: Sequence[str], y_pred: Sequence[str]) -> LabelScores:
    return LabelScores(
        accuracy(y_true, y_pred), macro_f1(y_true, y_pred), confusion(y_true, y_pred)
    )


@dataclass(frozen=True, slots=True)
class EvalReport:
    n: int
    skipped: int
    category: LabelScores | None
    urgency: LabelScores | None
    latency_p50_ms: float
    latency_p95_ms: float
    tokens: int
    errors: int = 0
    calibration: Calibration | None = None  # when the provider's confidences are known
    languages: dict[str, LanguageReport] | None = None  # when the rows have a language

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "skipped": self.skipped,
            "category": self.category.to_json() if self.category else None,
            "urgency": self.urgency.to_json() if self.urgency else None,
            "latency_ms": {
                "p50": round(self.latency_p50_ms, 2),
                "p95": round(self.latency_p95_ms, 2),
            },
            "tokens": self.tokens,
            "calibration": self.calibration.to_json() if self.calibration else None,
            "languages": {k: v.to_json() for k, v in self.languages.items()}
            if self.languages is not None
            else None,
        }


def build_report(
    rows: Sequence[EvalRow],
    predictions: Sequence[tuple[str, str] | None],
    *,
    skipped: int,
    latencies_ms: Sequence[float],
    tokens: int,
    confidences: Sequence[float] | None = None,
    escalated: Sequence[bool] | None = None,
) -> EvalReport:
    """Score ``predictions`` ((category, urgency) per row; None = the triage failed).

    ``confidences`` (the category confidence per row, 0 for a failed one) and ``escalated``
    (escalated for low confidence) add the calibration, overall and per language."""
    has_category = any(r.category is not None for r in rows)
    has_urgency = any(r.urgency is not None for r in rows)
    cat_true = [r.category.value if r.category else "" for r in rows]
    urg_true = [r.urgency.value if r.urgency else "" for r in rows]
    cat_pred = [p[0] if p else ERROR_LABEL for p in predictions]
    urg_pred = [p[1] if p else ERROR_LABEL for p in predictions]
    return EvalReport(
        n=len(rows),
        skipped=skipped,
        category=score(cat_true, cat_pred) if has_category else None,
        urgency=score(urg_true, urg_pred) if has_urgency else None,
        latency_p50_ms=percentile(latencies_ms, 50),
        latency_p95_ms=percentile(latencies_ms, 95),
        tokens=tokens,
        errors=sum(1 for p in predictions if p is None),
        calibration=_calibration(rows, cat_pred, confidences, escalated, has_category),
        languages=_languages(rows, predictions, confidences, escalated)
        if any(r.language for r in rows)
        else None,
    )


def _calibration(
    rows: Sequence[EvalRow],
    cat_pred: Sequence[str],
    confidences: Sequence[float] | None,
    escalated: Sequence[bool] | None,
    has_category: bool,
) -> Calibration | None:
    if confidences is None or not has_category:
        return None
    correct = [
        r.category is not None and r.category.value == p
        for r, p in zip(rows, cat_pred, strict=True)
    ]
    return calibration(confidences, correct, escalated or [False] * len(rows))


def _languages(
    rows: Sequence[EvalRow],
    predictions: Sequence[tuple[str, str] | None],
    confidences: Sequence[float] | None,
    escalated: Sequence[bool] | None,
) -> dict[str, LanguageReport]:
    out: dict[str, LanguageReport] = {}
    for language in sorted({r.language or "?" for r in rows}):
        idx = [i for i, r in enumerate(rows) if (r.language or "?") == language]
        sub = [rows[i] for i in idx]
        preds = [predictions[i] for i in idx]
        cat_pred = [p[0] if p else ERROR_LABEL for p in preds]
        urg_pred = [p[1] if p else ERROR_LABEL for p in preds]
        has_category = any(r.category is not None for r in sub)
        has_urgency = any(r.urgency is not None for r in sub)
        out[language] = LanguageReport(
            n=len(sub),
            category_accuracy=accuracy(
                [r.category.value if r.category else "" for r in sub], cat_pred
            )
            if has_category
            else None,
            urgency_accuracy=accuracy([r.urgency.value if r.urgency else "" for r in sub], urg_pred)
            if has_urgency
            else None,
            calibration=_calibration(
                sub,
                cat_pred,
                [confidences[i] for i in idx] if confidences is not None else None,
                [escalated[i] for i in idx] if escalated is not None else None,
                has_category,
            ),
        )
    return out


async def evaluate(
    dataset: Dataset,
    triager: Triager,
    *,
    concurrency: int = 8,
    on_progress: Callable[[int, int], None] | None = None,
) -> EvalReport:
    requests = [
        TriageRequest(subject=row.subject, text=row.text, sender_email="eval@desk.invalid")
        for row in dataset.rows
    ]
    total = len(requests)
    await triager.warm_up()  # model training is not triage latency
    items = await triager.triage_many(
        requests,
        concurrency=concurrency,
        on_done=(lambda done: on_progress(done, total)) if on_progress else None,
    )
    predictions: list[tuple[str, str] | None] = []
    confidences: list[float] = []
    escalated: list[bool] = []
    tokens = 0
    for item in items:
        if item.triaged is None:
            predictions.append(None)
            confidences.append(0.0)
            escalated.append(False)
            continue
        result, meta = item.triaged.result, item.triaged.meta
        predictions.append((result.category.value, result.urgency.value))
        confidences.append(result.confidence)
        escalated.append(low_confidence(result, triager.settings) is not None)
        tokens += meta.tokens_in + meta.tokens_out
    return build_report(
        dataset.rows,
        predictions,
        skipped=dataset.skipped,
        latencies_ms=[item.seconds * 1000 for item in items],
        tokens=tokens,
        confidences=confidences,
        escalated=escalated,
    )


def format_report(report: EvalReport) -> str:
    """The human-readable report ``desk eval`` prints."""
    lines = [f"rows scored: {report.n}   skipped: {report.skipped}   failed: {report.errors}"]
    for title, scores in (("category", report.category), ("urgency", report.urgency)):
        if scores is None:
            lines.append(f"{title}: not labelled")
            continue
        lines.append(f"{title}: accuracy {scores.accuracy:.3f}   macro-F1 {scores.macro_f1:.3f}")
        labels = list(scores.confusion)
        width = max([len(label) for label in labels] + [10])
        lines.append(
            "  " + "true \\ predicted".ljust(width) + "".join(f"{lab[:12]:>14}" for lab in labels)
        )
        for true_label in labels:
            row = scores.confusion[true_label]
            lines.append("  " + true_label.ljust(width) + "".join(f"{row[p]:>14}" for p in labels))
    if report.calibration is not None:
        lines.append(_calibration_line("calibration", report.calibration))
    if report.languages:
        lines.append("per language:")
        for language, part in report.languages.items():
            cells = [f"n {part.n:>4}"]
            if part.category_accuracy is not None:
                cells.append(f"category {part.category_accuracy:.3f}")
            if part.urgency_accuracy is not None:
                cells.append(f"urgency {part.urgency_accuracy:.3f}")
            if part.calibration is not None:
                cells.append(_calibration_line("", part.calibration).strip())
            lines.append(f"  {language:<4}" + "   ".join(cells))
    lines.append(f"latency ms: p50 {report.latency_p50_ms:.1f}   p95 {report.latency_p95_ms:.1f}")
    lines.append(f"tokens: {report.tokens}")
    return "\n".join(lines)


def _calibration_line(title: str, cal: Calibration) -> str:
    head = f"{title}: " if title else ""
    return (
        f"{head}ECE {cal.ece:.3f}   mean confidence {cal.mean_confidence:.3f}   "
        f"correct but escalated {cal.escalated_correct}/{cal.correct} "
        f"({100 * cal.escalated_correct_share:.1f}%)"
    )
