"""Two writers of one process: the second waits for the first's COMMIT in the event loop.

SQLite lets one connection write at a time. A second connection used to wait for the lock
inside SQLite, in its aiosqlite thread, holding that connection's mutex; the event loop
then stopped whenever it touched that connection (the garbage collector freeing one of its
cursors), so the first writer -- a task on that very loop -- could never reach its COMMIT,
and the second gave up after ``busy_timeout`` with "database is locked" (``db/session.py``
tells the whole story). These tests replay that by the order of events: the first writer
keeps its transaction open until the second is waiting; then the loop frees a cursor of
the second's connection, as the collector did; only then may the first commit. A short
``busy_timeout`` makes the old behaviour fail at once instead of after 30 s.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.deliveries import DeliveryLog
from db.models import SlackDelivery
from db.session import SessionFactory, WriteSlot, create_engine, create_session_factory, sqlite_file

SHORT_BUSY = 0.5  # seconds: the old behaviour fails after this, not after 30 s
AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture()
async def short_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url, busy_timeout=SHORT_BUSY)
    yield engine
    await engine.dispose()


def dispatched(engine: AsyncEngine) -> list[str]:
    """The write statements in the order they reach the driver (past the write slot: this
    listener is added after the engine's own)."""
    seen: list[str] = []

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def record(_conn, _cursor, statement: str, params, _ctx, _many) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("INSERT"):
            seen.append(str(params["key"] if isinstance(params, dict) else params[0]))

    return seen


async def until(condition: Callable[[], bool], what: str) -> None:
    """Yield to the loop (and the driver's threads) until ``condition`` holds."""
    for _ in range(5000):
        if condition():
            return
        await asyncio.sleep(0.001)
    raise AssertionError(f"never happened: {what}")


def slot_for(engine: AsyncEngine) -> WriteSlot | None:
    url = engine.url
    if url.get_backend_name() != "sqlite":
        return None
    return WriteSlot(sqlite_file(url), timeout=SHORT_BUSY)


async def hold_write(
    sessions: SessionFactory, key: str, *, holding: asyncio.Event, release: asyncio.Event
) -> None:
    """A write transaction kept open (its row written, its lock taken) until ``release``."""
    async with sessions.begin() as session:
        session.add(SlackDelivery(key=key, received_at=AT))
        await session.flush()
        holding.set()
        await release.wait()


async def test_second_writer_waits_for_the_first_commit(short_engine: AsyncEngine) -> None:
    sessions = create_session_factory(short_engine)
    order = dispatched(short_engine)
    holding, release = asyncio.Event(), asyncio.Event()
    first = asyncio.create_task(hold_write(sessions, "trigger:a", holding=holding, release=release))
    await holding.wait()

    second = asyncio.create_task(DeliveryLog(sessions, clock=lambda: AT).first("trigger:b"))
    slot = slot_for(short_engine)
    if slot is not None:  # SQLite: the second writer waits in the loop, not in the driver
        await until(lambda: slot.waiting == 1, "the second writer waits for the write slot")
        assert order == ["trigger:a"]
    else:  # PostgreSQL: rows of their own, no wait at all
        assert await second is True
    release.set()
    await first
    assert await second is True
    assert order == ["trigger:a", "trigger:b"]
    async with sessions() as session:
        keys = set(await session.scalars(select(SlackDelivery.key)))
    assert keys == {"trigger:a", "trigger:b"}


async def test_loop_freeing_a_waiting_connection_cursor_does_not_stall_the_first_writer(
    short_engine: AsyncEngine,
) -> None:
    """The bench's 30 s stall, by order of events (SQLite: PostgreSQL has no such lock)."""
    if short_engine.url.get_backend_name() != "sqlite":
        pytest.skip("a SQLite file lock")
    sessions = create_session_factory(short_engine)
    order = dispatched(short_engine)
    holding, release = asyncio.Event(), asyncio.Event()
    first = asyncio.create_task(hold_write(sessions, "trigger:a", holding=holding, release=release))
    await holding.wait()

    leftovers: list[object] = []
    second_result: list[bool] = []

    async def second_writer() -> None:
        async with sessions() as session:
            raw = await (await session.connection()).get_raw_connection()
            driver = raw.driver_connection
            assert driver is not None
            # a cursor with its statement still open, like one a traceback keeps alive
            cursor = await driver.execute("SELECT 1 UNION ALL SELECT 2")
            await cursor.fetchone()
            leftovers.append(cursor)
            del cursor
            session.add(SlackDelivery(key="trigger:b", received_at=AT))
            await session.commit()
            second_result.append(True)

    second = asyncio.create_task(second_writer())
    slot = slot_for(short_engine)
    assert slot is not None
    # waiting: for the write slot now; inside SQLite, holding its mutex, before the fix
    await until(lambda: slot.waiting == 1 or "trigger:b" in order, "the second writer waits")
    await asyncio.sleep(SHORT_BUSY / 5)  # let a driver thread that got the write get into it
    leftovers.clear()  # the loop frees the waiting connection's cursor (the collector did)
    release.set()  # ...and only then may the first writer commit
    await first
    await second
    assert second_result == [True]
    assert order == ["trigger:a", "trigger:b"]


async def test_a_writer_that_waits_too_long_gets_a_clear_error(short_engine: AsyncEngine) -> None:
    """A write transaction held past the timeout: the other writer is refused, in words,
    and nothing of the first is lost."""
    if short_engine.url.get_backend_name() != "sqlite":
        pytest.skip("a SQLite file lock")
    sessions = create_session_factory(short_engine)
    holding, release = asyncio.Event(), asyncio.Event()
    first = asyncio.create_task(hold_write(sessions, "trigger:a", holding=holding, release=release))
    await holding.wait()
    with pytest.raises(OperationalError, match="another write transaction of this process"):
        await DeliveryLog(sessions, clock=lambda: AT).first("trigger:b")
    release.set()
    await first
    async with sessions() as session:
        assert list(await session.scalars(select(SlackDelivery.key))) == ["trigger:a"]
    assert await DeliveryLog(sessions, clock=lambda: AT).first("trigger:b") is True
