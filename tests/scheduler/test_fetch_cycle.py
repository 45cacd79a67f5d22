"""``desk fetch`` and ``/desk fetch`` go through the poller like the worker: a mailbox that
another cycle is polling (its lock is held) is skipped, and so is one backing off after
errors; a fetch a person asks for does not wait for the interval.

The lock is held by a second cycle in the same process (on SQLite the lock is
process-local, core/locks.py); for the CLI, that cycle runs in a thread of its own with
its own event loop and engine, as a worker next to the command would."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from core.inbound.fetch import FetchResult
from core.inbound.ingest import IngestReport
from core.inbound.poller import LOCK_NAME, PollResult
from core.locks import LockManager
from core.workflow.notifications import Notifier, RecordingNotifier
from db.base import utcnow
from db.models import Mailbox, Ticket
from db.session import create_engine
from server.worker import alert_overdue
from tests.support.cli import run
from tests.support.slack_driver import SlackHarness


@contextmanager
def polled_elsewhere(database_url: str) -> Iterator[None]:
    """Hold every mailbox's poll lock from another thread (another cycle at work)."""
    held, release, failed = threading.Event(), threading.Event(), []

    async def hold() -> None:
        engine = create_engine(database_url)
        try:
            async with engine.connect() as conn:
                ids = list(await conn.scalars(select(Mailbox.id)))
            assert ids, "no mailbox to lock"
            locks = LockManager(engine)
            async with locks.try_lock(LOCK_NAME, ids[0]) as got:
                assert got and len(ids) == 1
                held.set()
                await asyncio.to_thread(release.wait, 30)
        finally:
            await engine.dispose()

    def main() -> None:
        try:
            asyncio.run(hold())
        except BaseException as exc:  # reported by the test, not lost in the thread
            failed.append(exc)
            held.set()

    thread = threading.Thread(target=main)
    thread.start()
    assert held.wait(30)
    try:
        assert not failed, failed
        yield
    finally:
        release.set()
        thread.join(30)


async def _set_backing_off(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                update(Mailbox).values(
                    consecutive_failures=3,
                    last_fetch_at=utcnow() - timedelta(seconds=5),  # back-off: 8 intervals
                    last_error="connection refused",
                )
            )
    finally:
        await engine.dispose()


async def _tickets(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            return int(await conn.scalar(select(func.count()).select_from(Ticket)) or 0)
    finally:
        await engine.dispose()


def test_desk_fetch_skips_a_mailbox_being_polled_and_one_backing_off(
    cli_env: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "migrate")[0] == 0
    assert run(capsys, "demo")[0] == 0

    with polled_elsewhere(database_url):
        code, out, err = run(capsys, "fetch", "--json")
    assert code == 0, err
    [box] = json.loads(out)["mailboxes"]
    assert box["skipped"] == "locked" and box["stored"] == 0 and box["error"] is None
    assert asyncio.run(_tickets(database_url)) == 0
    code, out, _ = run(capsys, "fetch")
    assert code == 0 and "skipped" not in out
    stored = asyncio.run(_tickets(database_url))
    assert stored > 0

    asyncio.run(_set_backing_off(database_url))
    code, out, err = run(capsys, "fetch", "--json")
    assert code == 0, err
    [box] = json.loads(out)["mailboxes"]
    assert box["skipped"] == "backing off" and box["stored"] == 0
    code, out, _ = run(capsys, "fetch")
    assert ": skipped (backing off)" in out

    # right after a good fetch (not due for the worker), a person's fetch still runs
    async def recovered() -> None:
        engine = create_engine(database_url)
        try:
            async with engine.begin() as conn:
                await conn.execute(update(Mailbox).values(consecutive_failures=0))
        finally:
            await engine.dispose()

    asyncio.run(recovered())
    code, out, _ = run(capsys, "fetch", "--json")
    [box] = json.loads(out)["mailboxes"]
    assert code == 0 and box["skipped"] is None and box["fetched"] == 0


async def test_slash_desk_fetch_skips_a_locked_mailbox_and_one_backing_off(
    slack: SlackHarness,
) -> None:
    from server.cli.processes import ensure_embedded, seed_demo

    await ensure_embedded(slack.desk, seed=False)
    seed_demo(slack.desk)
    [mailbox] = await slack.desk.mailboxes.all()
    answers = len(slack.fake.calls_to("response_url"))

    async def fetch() -> str:
        nonlocal answers
        await slack.driver.command(slack.admin, "fetch")
        done = await slack.fake.wait_for("response_url", count=answers + 2, timeout=30)
        answers += 2
        return str(done[-1].body["text"])

    async with LockManager(slack.desk.engine).try_lock(LOCK_NAME, mailbox.id) as got:
        assert got  # a worker's poll of this mailbox is under way
        text = await fetch()
    assert "skipped: locked" in text
    async with slack.desk.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Ticket)) == 0

    async with slack.desk.sessions.begin() as s:
        await s.execute(
            update(Mailbox).values(
                consecutive_failures=2, last_fetch_at=utcnow() - timedelta(seconds=5)
            )
        )
    assert "skipped: backing off" in await fetch()
    async with slack.desk.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Ticket)) == 0

    async with slack.desk.sessions.begin() as s:
        await s.execute(update(Mailbox).values(consecutive_failures=0))
    text = await fetch()
    assert "skipped" not in text
    async with slack.desk.sessions() as s:
        assert (await s.scalar(select(func.count()).select_from(Ticket)) or 0) > 0


async def test_an_overdue_mailbox_is_told_through_the_notifier_port() -> None:
    """``mailbox_alert`` is part of the ``Notifier`` protocol the worker calls."""
    recorder = RecordingNotifier()
    assert isinstance(recorder, Notifier)
    failed = FetchResult("support", IngestReport(), "connection refused")
    await alert_overdue(recorder, PollResult(1, "support", polled=True, fetch=failed, overdue=True))
    await alert_overdue(recorder, PollResult(1, "support", polled=True, fetch=failed))
    await alert_overdue(None, PollResult(1, "support", polled=True, fetch=failed, overdue=True))
    assert recorder.alerts == [("support", "connection refused")]
