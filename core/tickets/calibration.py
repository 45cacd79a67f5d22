"""Fitting, storing and serving the calibration of each provider's confidence.

``CalibrationService.fit`` reads every reviewed draft (a ``draft_outcomes`` row joined to
its draft's provider and raw confidence: ``drafts.raw_confidence``, else ``confidence``
for drafts from before calibration, which were raw), and for each provider with at least
``core.ai.calibration.MIN_DRAFTS`` of them fits the raw confidence against "approved
without a heavy edit" and stores the fit (``ai_calibrations``: n, points, ECE before and
after). ``refit_if_due`` fits when the newest fit is older than ``REFIT_EVERY`` (the
worker's ``learn`` job); ``desk ai calibration --fit`` fits on demand.

``CalibrationCache`` is what the triager reads (``core.ai.service.CalibrationSource``):
the newest fit per provider, read from the database at most once per ``ttl`` seconds
whatever the number of mails triaged.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from core.ai.calibration import MIN_DRAFTS, Calibration, fit
from db.base import utcnow
from db.models import AiCalibration, Draft, DraftOutcome
from db.session import SessionFactory

REFIT_EVERY = timedelta(days=1)
CACHE_SECONDS = 300.0


@dataclass(frozen=True, slots=True)
class ProviderCalibration:
    """A provider's reviewed drafts and its newest fit (None: not fitted yet)."""

    provider: str
    reviewed: int
    fitted_at: datetime | None = None
    n: int | None = None
    ece_before: float | None = None
    ece_after: float | None = None
    points: tuple[tuple[float, float], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of ``desk ai calibration --json``, one per provider."""
        return {
            "provider": self.provider,
            "reviewed": self.reviewed,
            "min_drafts": MIN_DRAFTS,
            "fitted": self.fitted_at is not None,
            "fitted_at": self.fitted_at.isoformat() if self.fitted_at else None,
            "n": self.n,
            "ece_before": None if self.ece_before is None else round(self.ece_before, 4),
            "ece_after": None if self.ece_after is None else round(self.ece_after, 4),
            "points": [list(p) for p in self.points],
        }


def _calibration(row: AiCalibration) -> Calibration:
    return Calibration(
        row.provider,
        tuple((float(x), float(y)) for x, y in row.points),
        n=row.n,
        ece_before=row.ece_before,
        ece_after=row.ece_after,
    )


class CalibrationService:
    def __init__(
        self, session_factory: SessionFactory, *, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.sessions = session_factory
        self.clock = clock

    async def reviewed(self) -> dict[str, tuple[list[float], list[bool]]]:
        """provider -> (raw confidences, approved without a heavy edit), reviewed drafts."""
        raw = func.coalesce(Draft.raw_confidence, Draft.confidence)
        async with self.sessions() as session:
            rows = await session.execute(
                select(Draft.provider, raw, DraftOutcome.decision, DraftOutcome.edit_class)
                .join(Draft, Draft.id == DraftOutcome.draft_id)
                .where(Draft.provider.is_not(None), raw.is_not(None))
                .order_by(DraftOutcome.id)
            )
            out: dict[str, tuple[list[float], list[bool]]] = {}
            for provider, confidence, decision, edit_class in rows:
                xs, ys = out.setdefault(str(provider), ([], []))
                xs.append(min(1.0, max(0.0, float(confidence))))
                ys.append(decision == "approved" and edit_class != "heavy")
            return out

    async def fit(self) -> list[Calibration]:
        """Fit and store every provider with enough reviewed drafts; the fits made."""
        now = self.clock()
        made = [
            c
            for provider, (xs, ys) in sorted((await self.reviewed()).items())
            if (c := fit(provider, xs, ys)) is not None
        ]
        if made:
            async with self.sessions.begin() as session:
                session.add_all(
                    AiCalibration(
                        provider=c.provider,
                        fitted_at=now,
                        n=c.n,
                        points=[list(p) for p in c.points],
                        ece_before=c.ece_before or 0.0,
                        ece_after=c.ece_after or 0.0,
                    )
                    for c in made
                )
        return made

    async def refit_if_due(self) -> list[Calibration]:
        """Fit when no fit is newer than ``REFIT_EVERY`` (the worker, daily)."""
        async with self.sessions() as session:
            last = await session.scalar(select(func.max(AiCalibration.fitted_at)))
        if last is not None and self.clock() - last < REFIT_EVERY:
            return []
        return await self.fit()

    async def current(self) -> dict[str, Calibration]:
        """The newest fit of each provider."""
        async with self.sessions() as session:
            newest = (
                select(AiCalibration.provider, func.max(AiCalibration.id).label("id"))
                .group_by(AiCalibration.provider)
                .subquery()
            )
            rows = await session.scalars(
                select(AiCalibration).join(newest, newest.c.id == AiCalibration.id)
            )
            return {r.provider: _calibration(r) for r in rows}

    async def status(self) -> list[ProviderCalibration]:
        """Per provider with reviewed drafts or a fit: the count and the newest fit."""
        counts = {p: len(xs) for p, (xs, _) in (await self.reviewed()).items()}
        fits = await self.current()
        out: list[ProviderCalibration] = []
        for provider in sorted({*counts, *fits}):
            c = fits.get(provider)
            out.append(
                ProviderCalibration(provider, counts.get(provider, 0))
                if c is None
                else ProviderCalibration(
                    provider,
                    counts.get(provider, 0),
                    fitted_at=await self._fitted_at(provider),
                    n=c.n,
                    ece_before=c.ece_before,
                    ece_after=c.ece_after,
                    points=c.points,
                )
            )
        return out

    async def _fitted_at(self, provider: str) -> datetime | None:
        async with self.sessions() as session:
            return await session.scalar(
                select(func.max(AiCalibration.fitted_at)).where(AiCalibration.provider == provider)
            )


class CalibrationCache:
    """The newest fits, read again once ``ttl`` seconds have passed (by ``clock``)."""

    def __init__(
        self,
        service: CalibrationService,
        *,
        ttl: float = CACHE_SECONDS,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.service = service
        self.ttl = ttl
        self.clock = clock
        self.reads = 0
        self._value: dict[str, Calibration] = {}
        self._read_at: datetime | None = None
        self._lock = asyncio.Lock()  # a batch's concurrent triages read once

    async def current(self) -> Mapping[str, Calibration]:
        async with self._lock:
            now = self.clock()
            if self._read_at is None or (now - self._read_at).total_seconds() >= self.ttl:
                self._value = await self.service.current()
                self._read_at = now
                self.reads += 1
            return self._value

    def forget(self) -> None:
        """Read again on the next call (after a fit)."""
        self._read_at = None
