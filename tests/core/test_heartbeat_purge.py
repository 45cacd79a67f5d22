"""Heartbeat rows of workers gone for a day are purged: every restart leaves one behind."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from core.control.scheduler import STALE_AFTER, SchedulerControl
from db.base import utcnow
from db.models import WorkerStatus
from server.wiring import Desk
from server.worker import Worker

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # any instant: the clock is passed in


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def _workers(desk: Desk) -> list[str]:
    async with desk.sessions() as s:
        return list(
            await s.scalars(select(WorkerStatus.worker_id).order_by(WorkerStatus.worker_id))
        )


async def test_forget_stale_drops_only_heartbeats_older_than_a_day(desk: Desk) -> None:
    clock = Clock(T0)
    control = SchedulerControl(desk.sessions, store=desk.store, clock=clock)
    await control.heartbeat("old", state="stopped")
    clock.now = T0 + timedelta(hours=2)
    await control.heartbeat("restarted", state="running")
    clock.now = T0 + STALE_AFTER  # "old" is exactly a day silent: kept
    assert await control.forget_stale() == 0
    assert await _workers(desk) == ["old", "restarted"]

    clock.now = T0 + STALE_AFTER + timedelta(seconds=1)
    assert await control.forget_stale() == 1
    assert await _workers(desk) == ["restarted"]
    assert [w.worker_id for w in (await control.status()).workers] == ["restarted"]

    clock.now = T0 + timedelta(days=30)
    assert await control.forget_stale(older_than=timedelta(days=60)) == 0
    assert await control.forget_stale() == 1
    assert await _workers(desk) == []


async def test_a_heartbeat_keeps_a_worker_from_being_forgotten(desk: Desk) -> None:
    clock = Clock(T0)
    control = SchedulerControl(desk.sessions, store=desk.store, clock=clock)
    await control.heartbeat("w1", state="running")
    clock.now = T0 + STALE_AFTER - timedelta(minutes=1)
    await control.heartbeat("w1", state="running")
    clock.now = T0 + STALE_AFTER + timedelta(hours=1)
    assert await control.forget_stale() == 0
    assert await _workers(desk) == ["w1"]


async def test_the_worker_tick_purges_stale_heartbeats(desk: Desk) -> None:
    async with desk.sessions.begin() as s:  # a worker that stopped two days before now
        gone = utcnow() - 2 * STALE_AFTER
        s.add(WorkerStatus(worker_id="gone", started_at=gone, heartbeat_at=gone, last_summary={}))
    worker = Worker(desk, worker_id="live")
    await worker.tick()
    assert await _workers(desk) == ["live"]
