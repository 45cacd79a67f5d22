"""The offline classifier's grouped cross-validation over the hand-written mails.

    .venv/bin/python bench/offline_cv.py [--weight 10] [--folds 5] [--json]
    .venv/bin/python bench/offline_cv.py --by-batch [--weight 10] [--generated-weight 0.3] [--c 16]

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


BATCH_GROUPS = {"1": "1-2", "2": "1-2"}  # batches 1 and 2 tell the same situations


def by_batch(weight: float, generated_weight: float, c: float) -> dict[str, object]:
    """``--by-batch``: each hand-written batch (1 and 2 together) scored by a model fitted
    on the generated rows and the other batches only: how the model does on a new author's
    mail, which is what chose ``HANDWRITTEN_WEIGHT``, ``GENERATED_WEIGHT`` and
    ``CLASSIFIER_C``. Accuracy only (no calibration): one fit per batch."""
    import numpy as np
    from scipy.sparse import hstack

    examples, hand = offline.load_examples(), offline.load_handwritten()
    group = [BATCH_GROUPS.get(r["group"].split("/")[1], r["group"].split("/")[1]) for r in hand]
    offline.CLASSIFIER_C = c
    out: dict[str, dict[str, object]] = {}
    for held in sorted(set(group)):
        train = [r for r, g in zip(hand, group, strict=True) if g != held]
        test = [r for r, g in zip(hand, group, strict=True) if g == held]
        rows = examples + train
        texts = [offline.classifier_input(e["subject"], e["text"]) for e in rows]
        weights = np.array([generated_weight] * len(examples) + [weight] * len(train))
        words, chars, cat, urg = offline._fit(rows, texts, offline.cue_matrix(texts), weights)
        seen = [offline.classifier_input(e["subject"], e["text"]) for e in test]
        x = hstack(
            [words.transform(seen), chars.transform(seen), offline.cue_matrix(seen)], format="csr"
        )
        right_c = [a == e["category"] for a, e in zip(cat.predict(x), test, strict=True)]
        right_u = [a == e["urgency"] for a, e in zip(urg.predict(x), test, strict=True)]
        where = {lang: [e["lang"] == lang for e in test] for lang in LANGUAGES}
        langs = {
            lang: tuple(
                round(float(np.mean(np.array(right)[np.array(mask)])), 3)
                for right in (right_c, right_u)
            )
            for lang, mask in where.items()
        }
        out[held] = {
            "n": len(test),
            "category_accuracy": round(float(np.mean(right_c)), 3),
            "urgency_accuracy": round(float(np.mean(right_u)), 3),
            "languages": langs,
        }
    mean = {
        k: round(float(np.mean([b[k] for b in out.values()])), 3)  # type: ignore[arg-type]
        for k in ("category_accuracy", "urgency_accuracy")
    }
    return {
        "weight": weight,
        "generated_weight": generated_weight,
        "c": c,
        "mean": mean,
        "batches": out,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--weight", type=float, default=offline.HANDWRITTEN_WEIGHT)
    parser.add_argument("--folds", type=int, default=offline.CV_FOLDS)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--by-batch", action="store_true", help="each batch scored by a model without it"
    )
    parser.add_argument("--generated-weight", type=float, default=offline.GENERATED_WEIGHT)
    parser.add_argument("--c", type=float, default=offline.CLASSIFIER_C)
    args = parser.parse_args()
    if args.by_batch:
        found = by_batch(args.weight, args.generated_weight, args.c)
        if args.json:
            print(json.dumps(found, indent=2))
            return 0
        print(
            f"weight {args.weight}, generated weight {args.generated_weight}, C {args.c}: mean"
            f" of the batches: category {found['mean']['category_accuracy']:.3f},"  # type: ignore[index]
            f" urgency {found['mean']['urgency_accuracy']:.3f}"  # type: ignore[index]
        )
        for name, part in found["batches"].items():  # type: ignore[attr-defined]
            per = "  ".join(f"{k} {c:.2f}/{u:.2f}" for k, (c, u) in part["languages"].items())
            print(
                f"  batch {name:4} n {part['n']:>4}  category {part['category_accuracy']:.3f}"
                f"  urgency {part['urgency_accuracy']:.3f}   {per}"
            )
        return 0
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
