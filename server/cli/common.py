"""Shared plumbing for CLI commands: build the desk, run a coroutine, report errors, print.

Imports only the standard library at its top: ``desk --help`` loads it, and the engine,
the database drivers and the settings load in ``run_with_desk`` when a command runs.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from db.lite import LiteReader
    from server.wiring import Desk

USAGE = 2
MAX_ID = 2**31 - 1  # ids are INTEGER columns: nothing above this exists on any database

# C0 and C1 controls but newline and tab, DEL, and the bidirectional overrides that can
# make a terminal show text in another order than it is stored in
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CONTROL_OR_BREAK = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal(text: str | None, *, lines: bool = False) -> str:
    """``text`` safe to print to a terminal: every control character shown as ``\\xNN``
    (an ``ESC[2J`` in a customer's subject must not clear the agent's screen). With
    ``lines`` (a body), newlines and tabs are kept; otherwise they are escaped too, so a
    table row stays one line. ``--json`` output is never passed through this."""
    if not text:
        return text or ""
    return (_CONTROL if lines else _CONTROL_OR_BREAK).sub(_escape, text)


def record_id(value: str) -> int:
    """An argparse type for ticket, draft and template ids: a malformed or impossible id is
    bad usage (exit 2) with one line saying so, never a database error."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not an id (a whole number)") from None
    if not 1 <= number <= MAX_ID:
        raise argparse.ArgumentTypeError(f"{value} is not an id (ids run from 1 to {MAX_ID})")
    return number


def whole_number(low: int = 0) -> Callable[[str], int]:
    """An argparse type for counts and versions: ``low`` to ``MAX_ID``, else bad usage."""

    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
        if not low <= number <= MAX_ID:
            raise argparse.ArgumentTypeError(f"{value} is out of range ({low} to {MAX_ID})")
        return number

    parse.__name__ = "whole number"  # what argparse names in its own messages
    return parse


def read_input(path: Path | None, default: str | None = None) -> str | None:
    """The text of ``path`` (standard input for ``-``), or ``default`` without a path.
    An unreadable file is a ValidationError, so ``run_with_desk`` reports it (exit 1)."""
    from core.errors import ValidationError

    if path is None:
        return default
    try:
        return sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(f"cannot read {path}: {exc}", field="file") from exc


def fail(message: str) -> int:
    print(f"desk: {message}", file=sys.stderr)
    return 1


def usage(command: str, message: str) -> int:
    """Bad usage found after parsing (a value only the engine can judge): exit 2."""
    print(f"desk {command}: error: {message}", file=sys.stderr)
    return USAGE


def run_with_desk(work: Callable[[Desk], Awaitable[int]]) -> int:
    """Build the desk from the environment, run ``work``; a DeskError or a database error
    is one line on stderr and exit 1."""
    import asyncio

    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    from core.config import Settings
    from core.errors import DeskError
    from server.wiring import build_desk

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
        return fail(database_problem(exc))
    except SQLAlchemyError as exc:
        return fail(f"database error: {_one_line(exc)}")
    except OverflowError as exc:  # SQLite refuses an integer above 2^63 before any query
        return fail(f"a number is too large for the database ({exc})")


def run_reading(work: Callable[[LiteReader], int]) -> int:
    """Run a read-only ``work`` over the plain database driver (``db.lite``): for commands
    that only read and must start at once (``desk tickets``). Errors as ``run_with_desk``."""
    from core.config import Settings
    from core.errors import DeskError
    from db.lite import NoDatabase, ReadFailed, reading

    url = Settings().database.url  # every section checked (a bad one is reported by main)
    try:
        with reading(url) as reader:
            return work(reader)
    except DeskError as exc:
        return fail(str(exc))
    except NoDatabase as exc:
        return fail(f"no desk schema: there is no database at {exc.path}; run `desk migrate`")
    except ReadFailed as exc:
        return fail(database_problem(exc))
    except ValueError as exc:  # an unsupported or in-memory database URL
        return fail(str(exc))


def database_problem(exc: Any) -> str:
    """What went wrong with the database, in one line, with the hint that is true: "run
    `desk migrate`" only when the desk's tables are missing."""
    orig = getattr(exc, "orig", exc)
    text = _one_line(orig)
    if schema_missing(orig):
        return f"the database has no desk schema ({text}): run `desk migrate`"
    if exc.connection_invalidated or _unreachable(orig):
        return f"cannot reach the database: {text} (check DATABASE_URL)"
    return f"database error: {text}"


def schema_missing(orig: BaseException) -> bool:
    """True for "no such table" (SQLite) and undefined_table/undefined_column (PostgreSQL)."""
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if sqlstate in ("42P01", "42703"):
        return True
    message = str(orig).lower()
    return "no such table" in message or "no such column" in message


def _unreachable(orig: BaseException) -> bool:
    sqlstate = getattr(orig, "sqlstate", None) or ""
    message = str(orig).lower()
    return sqlstate.startswith("08") or any(
        words in message
        for words in ("connection refused", "could not connect", "unable to open database")
    )


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:300] + ("…" if len(text) > 300 else "")


def print_json(value: Any) -> None:
    json.dump(value, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")
