"""Engines and session factories for SQLite (aiosqlite) and PostgreSQL (psycopg 3).

SQLite: one write transaction at a time per process
---------------------------------------------------
SQLite lets one connection write at a time; the others wait for its lock inside SQLite
(``busy_timeout``), each in its aiosqlite worker thread, holding that connection's mutex.
While a connection waits there, the event loop thread must not touch it: yet it does,
whenever the garbage collector frees a cursor of that connection (a cursor left in a
traceback after an ``IntegrityError``, say) -- the cursor's finaliser resets its statement,
which takes the connection's mutex. The loop then stops until the wait ends, and the
lock's holder -- another connection of the same process, whose COMMIT is a step of a task
on that loop -- cannot commit: the waiter gives up after ``busy_timeout`` with "database is
locked", and every request of the process has waited as long. (Seen in ``bench/slack_ack.py``
once the start-up heap was frozen and full collections became frequent: a 30 s stall in
one run out of three.)

So an async SQLite engine never lets two of its connections wait for each other inside
SQLite: before a transaction's first write reaches the driver (the statement at which
Python's sqlite3 opens the transaction, so the write lock is taken at once and a read never
has to upgrade), it takes this process's write slot for that database file, an
``asyncio.Lock`` waited for in the event loop, and gives it back once COMMIT or ROLLBACK
has run. Connections of other processes (the worker) are still waited for inside SQLite:
their holder does not need this process's loop. PostgreSQL is untouched.
"""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
import weakref
from typing import Any, cast

from sqlalchemy import CursorResult, Result, event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.util import await_only

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


BUSY_TIMEOUT = 30.0  # seconds a SQLite writer waits for another one before giving up


def _pragmas(busy_timeout: float) -> Any:
    def set_pragmas(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cur.close()

    return set_pragmas


def install_sqlite_pragmas(engine: Engine, *, busy_timeout: float = BUSY_TIMEOUT) -> None:
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _pragmas(busy_timeout))


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


# what Python's sqlite3 opens a transaction for: the statement that takes the write lock
_WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
_HOLDS = "desk_write_slot"  # key in the connection's info: the lock it holds


class WriteSlot:
    """This process's one write transaction at a time on one SQLite database file, for
    async engines (see the module docstring). ``waiting`` counts the writers queued."""

    # one lock per event loop and database file, shared by every engine on that file
    _locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = (
        weakref.WeakKeyDictionary()
    )

    def __init__(self, database: str, *, timeout: float) -> None:
        self.database = database
        self.timeout = timeout

    def lock(self) -> asyncio.Lock:
        per_loop = self._locks.setdefault(asyncio.get_running_loop(), {})
        return per_loop.setdefault(self.database, asyncio.Lock())

    @property
    def waiting(self) -> int:
        waiters = getattr(self.lock(), "_waiters", None) or ()
        return sum(1 for w in waiters if not w.done())

    async def _acquire(self, statement: str, parameters: Any) -> asyncio.Lock:
        lock = self.lock()
        try:
            await asyncio.wait_for(lock.acquire(), self.timeout)
        except TimeoutError:
            raise OperationalError(
                statement,
                parameters,
                sqlite3.OperationalError(
                    f"database is locked: another write transaction of this process held "
                    f"{self.database} for {self.timeout:g} s"
                ),
            ) from None
        return lock

    def install(self, engine: Engine) -> None:
        event.listen(engine, "before_cursor_execute", self._before_write)
        dialect = engine.dialect
        commit, rollback = dialect.do_commit, dialect.do_rollback

        def do_commit(dbapi_connection: Any) -> None:
            try:
                commit(dbapi_connection)
            finally:
                _release(_info(dbapi_connection))

        def do_rollback(dbapi_connection: Any) -> None:
            try:
                rollback(dbapi_connection)
            finally:
                _release(_info(dbapi_connection))

        # After the driver's COMMIT or ROLLBACK has run, not before: the next writer then
        # finds the file's lock free. The pool's reset-on-return rolls back through these.
        dialect.do_commit = do_commit  # type: ignore[method-assign]
        dialect.do_rollback = do_rollback  # type: ignore[method-assign]
        for name in ("checkin", "close", "invalidate", "detach"):  # a connection that leaves
            event.listen(engine, name, _release_record)

    def _before_write(
        self,
        conn: Connection,
        _cursor: Any,
        statement: str,
        parameters: Any,
        _context: Any,
        _executemany: bool,
    ) -> None:
        if _HOLDS in conn.info or not _WRITE.match(statement):
            return
        conn.info[_HOLDS] = await_only(self._acquire(statement, parameters))


def _info(connection: Any) -> dict[str, Any] | None:
    """The pool's per-connection dict (a bare proxy made for the first connect has none)."""
    try:
        return cast(dict[str, Any], connection.info)
    except (AttributeError, NotImplementedError):
        return None


def _release(info: dict[str, Any] | None) -> None:
    lock = info.pop(_HOLDS, None) if info is not None else None
    if lock is not None:
        lock.release()


def _release_record(_dbapi_connection: Any, record: Any, *_: Any) -> None:
    _release(_info(record))


def create_engine(url: str | URL, *, busy_timeout: float = BUSY_TIMEOUT, **kw: Any) -> AsyncEngine:
    u = async_url(url)
    create_private_sqlite(u)
    if u.get_backend_name() == "postgresql":
        kw.setdefault("pool_size", 10)
        kw.setdefault("max_overflow", 10)
        kw.setdefault("pool_pre_ping", True)
    engine = create_async_engine(u, **kw)
    install_sqlite_pragmas(engine.sync_engine, busy_timeout=busy_timeout)
    if u.get_backend_name() == "sqlite":
        WriteSlot(sqlite_file(u), timeout=busy_timeout).install(engine.sync_engine)
    return engine


def sqlite_file(url: str | URL) -> str:
    """The file a SQLite URL names, made absolute (the key of its write slot)."""
    database = make_url(url).database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        return database
    return os.path.realpath(database)


def create_session_factory(engine: AsyncEngine) -> SessionFactory:
    return async_sessionmaker(engine, expire_on_commit=False)


Bind = AsyncEngine | AsyncConnection | AsyncSession | Engine | Connection


def is_postgres(bind: Bind | None) -> bool:
    """Whether ``bind`` talks to PostgreSQL: an engine or a connection (async or not), or a
    session by its bind (a session without one is not). Every dialect check uses this."""
    if isinstance(bind, AsyncSession):
        bind = getattr(bind, "bind", None)  # unset on a session made without one
    return bind is not None and bind.dialect.name == "postgresql"
