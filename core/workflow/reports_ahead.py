"""Reports computed ahead: the all-time figures of ``/desk stats`` read every row of the
history (5.7 s at a million tickets), so they are kept as JSON (``report_snapshots``, one
row per period, trend unit and mailboxes) and served from there while younger than
``MAX_AGE``; the worker's ``reports`` job computes every kept one again each
``REFRESH_SECONDS``. A report served from a snapshot says when it was computed
(``Analytics.computed_at``: the JSON's ``computed_at``, "computed ahead" in Slack); a
missing or older one is computed for the request and kept; ``fresh`` computes it now.
Other periods are always computed live (30 days at a million tickets: under 0.35 s). The
figures come from ``core.reports.analytics`` (which only reads); keeping them is this
module's.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.reports.analytics import Analytics, AnalyticsService, Scope
from db.models import ReportSnapshot

PERIODS = ("all",)  # the periods served from a snapshot
MAX_AGE = timedelta(minutes=10)
KEY_CHARS = 1000  # a scope of so many mailboxes that its key is longer is computed live
REFRESH_SECONDS = 300.0


async def scope_ids(session: AsyncSession, scope: Scope) -> list[int] | None:
    """The mailbox ids a scope names (None: every mailbox)."""
    if scope is None:
        return None
    if isinstance(scope, Select):
        return sorted(int(i) for i in await session.scalars(scope))
    return sorted(int(i) for i in scope)


def key_of(period: str, trend: str, mailbox_ids: list[int] | None) -> str:
    scope = "*" if mailbox_ids is None else ",".join(map(str, mailbox_ids))
    return f"{period}|{trend}|{scope}"


def parse_key(key: str) -> tuple[str, str, list[int] | None]:
    """(period, trend, mailbox ids or None) of a key ``key_of`` made."""
    period, trend, scope = key.split("|", 2)
    return period, trend, None if scope == "*" else [int(i) for i in scope.split(",") if i]


async def load(session: AsyncSession, key: str) -> ReportSnapshot | None:
    return await session.get(ReportSnapshot, key)


async def keys(session: AsyncSession) -> list[str]:
    return list(await session.scalars(select(ReportSnapshot.key).order_by(ReportSnapshot.key)))


def is_fresh(snapshot: ReportSnapshot, now: datetime, max_age: timedelta) -> bool:
    return timedelta(0) <= now - snapshot.computed_at <= max_age


async def save(
    session: AsyncSession, key: str, body: dict[str, Any], computed_at: datetime, took_ms: int
) -> None:
    """Keep ``body`` under ``key`` (the newer of two concurrent writers' wins; an older
    computation never replaces a newer one); commits."""
    kept = await session.get(ReportSnapshot, key, with_for_update=True)
    if kept is None:
        session.add(ReportSnapshot(key=key, computed_at=computed_at, took_ms=took_ms, body=body))
    elif kept.computed_at <= computed_at:
        kept.computed_at, kept.took_ms, kept.body = computed_at, took_ms, body
    try:
        await session.commit()
    except IntegrityError:  # another process kept the same key meanwhile: theirs stands
        await session.rollback()


class ReportsAhead:
    """``AnalyticsService.report`` with all time kept (what the desk's surfaces call)."""

    def __init__(self, analytics: AnalyticsService, *, max_age: timedelta = MAX_AGE) -> None:
        self.analytics = analytics
        self.sessions = analytics.sessions
        self.max_age = max_age

    async def report(
        self, period: str = "30d", *, trend: str = "day", scope: Scope = None, fresh: bool = False
    ) -> Analytics:
        """The figures of ``period``: all time from its snapshot while it is young, unless
        ``fresh``; computing it for a request keeps it for the next."""
        if period not in PERIODS:
            return await self.analytics.report(period, trend=trend, scope=scope)
        now = self.analytics.clock()
        async with self.sessions() as session:
            key = key_of(period, trend, await scope_ids(session, scope))
            if len(key) > KEY_CHARS:
                return await self.analytics.report(period, trend=trend, scope=scope)
            kept = None if fresh else await load(session, key)
            if kept is not None and is_fresh(kept, now, self.max_age):
                return Analytics.from_dict(kept.body, computed_at=kept.computed_at)
        return await self._compute_and_keep(key)

    async def refresh(self) -> list[str]:
        """Compute every kept snapshot again (the worker's ``reports`` job); their keys."""
        async with self.sessions() as session:
            kept = await keys(session)
        for key in kept:
            await self._compute_and_keep(key)
        return kept

    async def _compute_and_keep(self, key: str) -> Analytics:
        period, trend, ids = parse_key(key)
        started = time.perf_counter()
        report = await self.analytics.report(period, trend=trend, scope=ids)
        took = round((time.perf_counter() - started) * 1000)
        async with self.sessions() as session:
            await save(session, key, report.as_dict(), report.until, took)
        return report
