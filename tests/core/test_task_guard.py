"""The suite's guard against tasks that outlive their test (tests/support/tasks.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

INNER = """
import asyncio
import tests.support.tasks as guard

guard.GRACE_SECONDS = 0.2
pytest_plugins = ["tests.support.tasks"]
"""


def test_a_task_left_running_fails_its_test(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parents[2]))
    pytester.makeconftest(INNER)
    pytester.makepyfile(
        """
        import asyncio

        async def test_leaves_a_task():
            asyncio.get_running_loop().create_task(asyncio.sleep(3600))

        async def test_waits_for_its_task():
            asyncio.get_running_loop().create_task(asyncio.sleep(0.05))
        """
    )
    result = pytester.runpytest_subprocess(
        "-p", "asyncio", "-o", "asyncio_mode=auto", "-p", "no:cacheprovider"
    )
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*test_leaves_a_task left tasks running*sleep*"])
