"""The offline classifier's grouped cross-validation over the hand-written mails.

    .venv/bin/python bench/offline_cv.py [--weight 3.0] [--folds 5] [--json]

Each hand-written row of core/ai/data/handwritten.csv is scored by a model fitted on every
generated row and the other folds' hand-written rows (``core.ai.offline.out_of_fold``; a
situation's translations share a fold). Printed: category and urgency accuracy per
language, and, with each fold's temperatures fitted on the other folds' scores (so no row
calibrates itself), the expected calibration error of the category confidence and the
share of correctly classified rows escalated for low confidence at the default thresholds.
``--weight 0`` gives the hand-written rows no weight: the generator alone. The held-out
split (heldout.csv) is not read.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.ai import offline  # noqa: E402
from core.ai.config import AISettings  # noqa: E402
from core.ai.evaluation import expected_calibration_error  # noqa: E402

LANGUAGES = ("en", "de", "es", "fr", "pt")


def figures(weight: float, folds: int) -> dict[str, object]:
    import numpy as np

    started = time.process_time()
    oof = offline.out_of_fold(
        offline.load_examples(), offline.load_handwritten(), folds=folds, weight=weight
    )
    cpu = time.process_time() - started
    fold = [offline.fold_of(r, folds) for r in oof.rows]
    confidences: list[float] = []
    cat_right: list[bool] = []
    urg_right: list[bool] = []
    high: list[bool] = []
    misses: Counter[str] = Counter()
    batch_right: Counter[str] = Counter()
    batch_urgency: Counter[str] = Counter()
    batch_n: Counter[str] = Counter()
    for k in sorted(set(fold)):
        mine = [i for i, f in enumerate(fold) if f == k]
        others = [i for i, f in enumerate(fold) if f != k]
        sub = offline.OutOfFold(
            rows=[oof.rows[i] for i in others],
            category_classes=oof.category_classes,
            category_scores=oof.category_scores[others],
            urgency_classes=oof.urgency_classes,
            urgency_scores=oof.urgency_scores[others],
        )
        t_cat, t_urg = offline._temperatures(sub)
        cat_p = offline._softmax(oof.category_scores[mine] / t_cat)
        urg_p = offline._softmax(oof.urgency_scores[mine] / t_urg)
        for j, i in enumerate(mine):
            row = oof.rows[i]
            ci, ui = int(np.argmax(cat_p[j])), int(np.argmax(urg_p[j]))
            confidences.append(float(cat_p[j][ci]))
            cat_right.append(oof.category_classes[ci] == row["category"])
            urg_right.append(oof.urgency_classes[ui] == row["urgency"])
            high.append(oof.urgency_classes[ui] == "High")
            batch = row["group"].split("/")[1]  # "hand/<batch>/<k>" (offline.load_handwritten)
            batch_n[batch] += 1
            batch_right[batch] += cat_right[-1]
            batch_urgency[batch] += urg_right[-1]
            for key, classes, index in (
                ("category", oof.category_classes, ci),
                ("urgency", oof.urgency_classes, ui),
            ):
                if classes[index] != row[key]:
                    misses[f"{row[key]} -> {classes[index]}"] += 1
    rows = [oof.rows[i] for k in sorted(set(fold)) for i, f in enumerate(fold) if f == k]
    settings = AISettings()
    low, high_threshold = settings.confidence_threshold, settings.high_urgency_confidence_threshold
    escalated = [
        c < low or (h and c < high_threshold) for c, h in zip(confidences, high, strict=True)
    ]
    right = sum(cat_right)
    per_language = {}
    for lang in LANGUAGES:
        idx = [i for i, r in enumerate(rows) if r["lang"] == lang]
        per_language[lang] = {
            "n": len(idx),
            "category_accuracy": round(sum(cat_right[i] for i in idx) / max(1, len(idx)), 3),
            "urgency_accuracy": round(sum(urg_right[i] for i in idx) / max(1, len(idx)), 3),
        }
    return {
        "n": len(rows),
        "weight": weight,
        "folds": folds,
        "category_accuracy": round(right / len(rows), 3),
        "urgency_accuracy": round(sum(urg_right) / len(rows), 3),
        "languages": per_language,
        "ece": round(expected_calibration_error(confidences, cat_right), 3),
        "mean_confidence": round(sum(confidences) / len(confidences), 3),
        "escalated_correct_share": round(
            sum(e for e, r in zip(escalated, cat_right, strict=True) if r) / max(1, right), 3
        ),
        "confusions": dict(misses.most_common(8)),
        "batches": {
            b: {
                "n": batch_n[b],
                "category_accuracy": round(batch_right[b] / batch_n[b], 3),
                "urgency_accuracy": round(batch_urgency[b] / batch_n[b], 3),
            }
            for b in sorted(batch_n)
        },
        "cv_cpu_seconds": round(cpu, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--weight", type=float, default=offline.HANDWRITTEN_WEIGHT)
    parser.add_argument("--folds", type=int, default=offline.CV_FOLDS)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    data = figures(args.weight, args.folds)
    if args.json:
        print(json.dumps(data, indent=2))
        return 0
    print(
        f"{data['n']} hand-written mails, {data['folds']} grouped folds, weight {data['weight']}:"
        f" category {data['category_accuracy']:.3f}, urgency {data['urgency_accuracy']:.3f},"
        f" ECE {data['ece']:.3f} (mean confidence {data['mean_confidence']:.3f}),"
        f" correct but escalated {data['escalated_correct_share']:.1%}"
    )
    languages = data["languages"]
    assert isinstance(languages, dict)
    for lang, part in languages.items():
        print(
            f"  {lang}  n {part['n']:>3}  category {part['category_accuracy']:.3f}"
            f"  urgency {part['urgency_accuracy']:.3f}"
        )
    batches = data["batches"]
    assert isinstance(batches, dict)
    for batch, part in batches.items():
        print(
            f"  batch {batch}  n {part['n']:>3}  category {part['category_accuracy']:.3f}"
            f"  urgency {part['urgency_accuracy']:.3f}"
        )
    print("most frequent mistakes: " + ", ".join(f"{k} {v}" for k, v in data["confusions"].items()))  # type: ignore[attr-defined]
    print(f"cross-validation CPU: {data['cv_cpu_seconds']} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
