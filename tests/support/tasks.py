"""Every test runs on one event loop (session scope), so a task a test leaves running would
run on into the next tests: writing into their data, or holding a transaction that makes the
next test's TRUNCATE wait for ever (the loop is blocked by that wait, the task can never
finish). Each test therefore waits for the tasks it started, and fails if they do not end.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

GRACE_SECONDS = 10.0


@pytest.fixture(autouse=True)
async def no_task_outlives_its_test(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    before = asyncio.all_tasks()
    yield
    await asyncio.sleep(0)
    current = asyncio.current_task()
    started = [t for t in asyncio.all_tasks() - before if t is not current and not t.done()]
    if not started:
        return
    _done, late = await asyncio.wait(started, timeout=GRACE_SECONDS)
    if late:
        for task in late:
            task.cancel()
        await asyncio.wait(late, timeout=5)
        names = "; ".join(repr(t.get_coro())[:200] for t in late)
        pytest.fail(f"{request.node.nodeid} left tasks running: {names}")
