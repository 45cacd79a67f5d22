"""Engines and session factories for SQLite (aiosqlite) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

import os
from typing import Any, cast

from sqlalchemy import CursorResult, Result, event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

SessionFactory = async_sessionmaker[AsyncSession]


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE changed (``AsyncSession.execute`` is typed as
    returning a plain ``Result``; for those statements it is a ``CursorResult``)."""
    return cast(CursorResult[Any], result).rowcount or 0


def async_url(url: str | URL) -> URL:
    """The async-driver form of a database URL: sqlite -> aiosqlite, postgresql -> psycopg."""
    u = make_url(url)
    backend = u.get_backend_name()
    if backend == "sqlite":
        return u.set(drivername="sqlite+aiosqlite")
    if backend == "postgresql":
        return u.set(drivername="postgresql+psycopg")
    raise ValueError(f"unsupported database: {backend} (use sqlite or postgresql)")


def sync_url(url: str | URL) -> URL:
    """The blocking-driver form (Alembic runs migrations with it)."""
    u = make_url(url)
    backend = u.get_backend_name()
    if backend == "sqlite":
        return u.set(drivername="sqlite")
    if backend == "postgresql":
        return u.set(drivername="postgresql+psycopg")
    raise ValueError(f"unsupported database: {backend} (use sqlite or postgresql)")


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def install_sqlite_pragmas(engine: Engine) -> None:
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)


def create_private_sqlite(url: str | URL) -> None:
    """Make a SQLite database file that does not exist yet as an empty file readable by
    this user only (0600), before SQLite makes it 0644: SQLite gives its ``-wal`` and
    ``-shm`` files the database file's mode, so they are private too. Anything but a new
    file-backed SQLite database (PostgreSQL, ``:memory:``, an existing file, a missing
    directory, which SQLite then reports) is left alone."""
    u = make_url(url)
    path = u.database
    if u.get_backend_name() != "sqlite" or not path or path == ":memory:":
        return
    if path.startswith("file:") or u.query.get("uri"):
        return  # a URI filename: SQLite's own syntax, not a plain path
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except (FileExistsError, FileNotFoundError, NotADirectoryError):
        return
    os.fchmod(fd, 0o600)
    os.close(fd)


def create_engine(url: str | URL, **kw: Any) -> AsyncEngine:
    u = async_url(url)
    create_private_sqlite(u)
    if u.get_backend_name() == "postgresql":
        kw.setdefault("pool_size", 10)
        kw.setdefault("max_overflow", 10)
        kw.setdefault("pool_pre_ping", True)
    engine = create_async_engine(u, **kw)
    install_sqlite_pragmas(engine.sync_engine)
    return engine


def create_session_factory(engine: AsyncEngine) -> SessionFactory:
    return async_sessionmaker(engine, expire_on_commit=False)


Bind = AsyncEngine | AsyncConnection | AsyncSession | Engine | Connection


def is_postgres(bind: Bind | None) -> bool:
    """Whether ``bind`` talks to PostgreSQL: an engine or a connection (async or not), or a
    session by its bind (a session without one is not). Every dialect check uses this."""
    if isinstance(bind, AsyncSession):
        bind = getattr(bind, "bind", None)  # unset on a session made without one
    return bind is not None and bind.dialect.name == "postgresql"
