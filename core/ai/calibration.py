"""Calibrating a provider's confidence against what people did with its drafts.

A provider's ``confidence`` is its own guess; what the desk wants to know is how often a
draft that confident is approved without a heavy edit. ``fit`` takes (raw confidence,
approved-without-heavy-edit) pairs and fits an isotonic regression
(``sklearn.isotonic.IsotonicRegression``: monotone, so a higher raw value never maps
lower); the fit is kept as its breakpoints, ``Calibration.points``, and applied by linear
interpolation between them (flat past the ends), with no scikit-learn at triage time.

``ece`` is the expected calibration error: the drafts in ten equal-width bins of
confidence, and per bin the gap between the mean confidence and the share that was
approved without a heavy edit, weighted by the bin's size. ``fit`` reports it for the raw
values and for the calibrated ones, out of sample: each draft calibrated by a fit on the
other four fifths of the drafts (``FOLDS``, drawn by a seeded shuffle: the same drafts give
the same figure), so the figure is not flattered by the fit having seen the draft. The mapping kept is the fit on all of them.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

MIN_DRAFTS = 200  # reviewed drafts of a provider before its confidence is calibrated
BINS = 10
FOLDS = 5


@dataclass(frozen=True, slots=True)
class Calibration:
    """A monotone map of raw confidence to calibrated confidence: ``points`` ``(raw,
    calibrated)`` with ascending raw values."""

    provider: str
    points: tuple[tuple[float, float], ...]
    n: int = 0
    ece_before: float | None = None
    ece_after: float | None = None

    def apply(self, raw: float) -> float:
        if not self.points:
            return raw
        xs = [x for x, _ in self.points]
        if raw <= xs[0]:
            return self.points[0][1]
        if raw >= xs[-1]:
            return self.points[-1][1]
        i = bisect_right(xs, raw)
        (x0, y0), (x1, y1) = self.points[i - 1], self.points[i]
        if x1 == x0:
            return y1
        return y0 + (y1 - y0) * (raw - x0) / (x1 - x0)


def ece(confidences: Sequence[float], outcomes: Sequence[bool], *, bins: int = BINS) -> float:
    """The expected calibration error of ``confidences`` against ``outcomes`` (0 is perfect)."""
    if len(confidences) != len(outcomes):
        raise ValueError("one outcome per confidence")
    if not confidences:
        return 0.0
    sums: list[list[float]] = [[0.0, 0.0, 0.0] for _ in range(bins)]  # n, conf, hits
    for c, ok in zip(confidences, outcomes, strict=True):
        b = min(bins - 1, max(0, int(c * bins)))
        sums[b][0] += 1
        sums[b][1] += c
        sums[b][2] += 1.0 if ok else 0.0
    total = len(confidences)
    return sum(n / total * abs(conf / n - hits / n) for n, conf, hits in sums if n)


def fit(
    provider: str, confidences: Sequence[float], outcomes: Sequence[bool]
) -> Calibration | None:
    """The isotonic calibration of ``provider`` on these drafts; None below ``MIN_DRAFTS``."""
    if len(confidences) < MIN_DRAFTS:
        return None
    xs = list(confidences)
    ys = [1.0 if ok else 0.0 for ok in outcomes]
    after = [0.0] * len(xs)
    order = list(range(len(xs)))
    random.Random(len(xs)).shuffle(order)  # folds independent of the drafts' order
    fold_of = {i: position % FOLDS for position, i in enumerate(order)}
    for fold in range(FOLDS):  # each draft calibrated by a fit that did not see it
        train = [i for i in order if fold_of[i] != fold]
        held = Calibration(provider, _points([xs[i] for i in train], [ys[i] for i in train]))
        for i in order:
            if fold_of[i] == fold:
                after[i] = held.apply(xs[i])
    return Calibration(
        provider,
        _points(xs, ys),
        n=len(xs),
        ece_before=ece(xs, outcomes),
        ece_after=ece(after, outcomes),
    )


def _points(xs: Sequence[float], ys: Sequence[float]) -> tuple[tuple[float, float], ...]:
    from sklearn.isotonic import IsotonicRegression  # loaded by the first fit only

    model = IsotonicRegression(y_min=0.0, y_max=1.0, increasing=True, out_of_bounds="clip")
    model.fit(list(xs), list(ys))
    return tuple(
        (round(float(x), 6), round(float(y), 6))
        for x, y in zip(model.X_thresholds_, model.y_thresholds_, strict=True)
    )
