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
values and for the calibrated ones on the same drafts (in-sample: it says how far the raw
values were off, and that the mapping closes the gap).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

MIN_DRAFTS = 200  # reviewed drafts of a provider before its confidence is calibrated
BINS = 10


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
    from sklearn.isotonic import IsotonicRegression  # loaded by the first fit only

    model = IsotonicRegression(y_min=0.0, y_max=1.0, increasing=True, out_of_bounds="clip")
    ys = [1.0 if ok else 0.0 for ok in outcomes]
    model.fit(list(confidences), ys)
    points = tuple(
        (round(float(x), 6), round(float(y), 6))
        for x, y in zip(model.X_thresholds_, model.y_thresholds_, strict=True)
    )
    calibration = Calibration(provider, points, n=len(confidences))
    after = [calibration.apply(c) for c in confidences]
    return Calibration(
        provider,
        points,
        n=len(confidences),
        ece_before=ece(confidences, outcomes),
        ece_after=ece(after, outcomes),
    )
