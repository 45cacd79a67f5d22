"""Read-only SQL over the plain database driver (``sqlite3``, psycopg), without SQLAlchemy.

For the CLI's quick reads (``desk tickets``): SQLAlchemy and the ORM take most of a second
to import here, longer than the whole command should. Statements are the text the core
builds for its session too (``core.tickets.listing``), with ``:name`` parameters; rows come
back as dicts of the driver's values. Writes are refused (SQLite opens the file read-only;
PostgreSQL runs in a read-only transaction). Same URLs as ``db.session``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

_PARAM = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


class ReadFailed(Exception):
    """The driver refused (no such table, cannot connect...): ``orig`` is its error."""

    connection_invalidated = False

    def __init__(self, orig: BaseException) -> None:
        super().__init__(str(orig))
        self.orig = orig


class LiteReader:
    """One read-only connection; ``rows(sql, params)`` runs a statement."""

    def __init__(self, connection: Any, *, paramstyle: str, errors: type[BaseException]) -> None:
        self._connection = connection
        self._pyformat = paramstyle == "pyformat"
        self._errors = errors

    @property
    def postgres(self) -> bool:
        """Whether the connection is PostgreSQL's (statements differ where search does)."""
        return self._pyformat

    def rows(self, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self._pyformat:  # psycopg: %(name)s, and a literal % doubled
            sql = _PARAM.sub(r"%(\1)s", sql.replace("%", "%%"))
        cursor = self._connection.cursor()
        try:
            cursor.execute(sql, params)
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        except self._errors as exc:
            raise ReadFailed(exc) from exc
        finally:
            cursor.close()


class NoDatabase(ReadFailed):
    """The SQLite file does not exist (a read creates none)."""

    def __init__(self, path: str) -> None:
        super().__init__(FileNotFoundError(path))
        self.path = path


def _sqlite_path(url: str) -> str:
    path = unquote(urlsplit(url).path)
    return path[1:] if path.startswith("/") else path  # sqlite:///desk.db -> desk.db


@contextmanager
def reading(url: str) -> Iterator[LiteReader]:
    """A read-only connection to the database at ``url`` (sqlite:// or postgresql://)."""
    backend = url.split(":", 1)[0].split("+", 1)[0].lower()
    if backend == "sqlite":
        import sqlite3

        path = _sqlite_path(url)
        if path in ("", ":memory:"):
            raise ValueError("an in-memory SQLite database has no tickets to read")
        if not Path(path).exists():
            raise NoDatabase(path)
        # mode=ro: nothing is created or written
        try:
            connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        except sqlite3.Error as exc:
            raise ReadFailed(exc) from exc
        try:
            yield LiteReader(connection, paramstyle="named", errors=sqlite3.Error)
        finally:
            connection.close()
    elif backend in ("postgresql", "postgres"):
        import psycopg

        conninfo = re.sub(r"^[^:]+://", "postgresql://", url, count=1)
        try:
            server = psycopg.connect(conninfo)
        except psycopg.Error as exc:
            raise ReadFailed(exc) from exc
        try:
            server.read_only = True
            # every statement planned for its parameters: a search's plan depends on its
            # words (core.tickets.listing.Statement.custom_plan); a reader's statements are few
            server.execute("SET plan_cache_mode = force_custom_plan")
            yield LiteReader(server, paramstyle="pyformat", errors=psycopg.Error)
        finally:
            server.close()
    else:
        raise ValueError(f"unsupported database: {backend} (use sqlite or postgresql)")
