"""Shared plumbing for CLI commands: build the desk, run a coroutine, report errors."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy.exc import DBAPIError

from core.config import Settings
from core.errors import DeskError, ValidationError
from server.wiring import Desk, build_desk


def read_input(path: Path | None, default: str | None = None) -> str | None:
    """The text of ``path`` (standard input for ``-``), or ``default`` without a path.
    An unreadable file is a ValidationError, so ``run_with_desk`` reports it (exit 1)."""
    if path is None:
        return default
    try:
        return sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(f"cannot read {path}: {exc}", field="file") from exc


def fail(message: str) -> int:
    print(f"desk: {message}", file=sys.stderr)
    return 1


def run_with_desk(work: Callable[[Desk], Awaitable[int]]) -> int:
    """Build the desk from the environment, run ``work``, turn DeskErrors into exit 1."""

    async def go() -> int:
        desk = build_desk(Settings())
        try:
            return await work(desk)
        finally:
            await desk.close()

    try:
        return asyncio.run(go())
    except DeskError as exc:
        return fail(str(exc))
    except DBAPIError as exc:
        return fail(f"database error: {exc.orig} (is the database migrated? run `desk migrate`)")
    except KeyboardInterrupt:
        return fail("interrupted")


def print_json(value: Any) -> None:
    json.dump(value, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")
