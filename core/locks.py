"""Named try-locks across worker processes: PostgreSQL advisory locks.

    async with locks.try_lock("mailbox", mailbox.id) as got:
        if got:
            ...  # no other worker holds ("mailbox", mailbox.id) until the block ends

PostgreSQL: ``pg_try_advisory_lock(namespace, key)``, session-level, on a connection of its
own that is held for the block (outside any transaction, so it pins no snapshot); a worker
that dies loses its connection and PostgreSQL releases the lock. The namespace is a stable
31-bit hash of the name, the key the object's id.

SQLite: a lock per process (``asyncio.Lock``). SQLite is the embedded single-process
default; two processes on one SQLite file are not coordinated by this lock, only by the
unique constraints that make ingest idempotent (a duplicate fetch stores nothing twice).
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from db.session import is_postgres

log = logging.getLogger(__name__)

_local: dict[tuple[str, str, int], asyncio.Lock] = {}


def namespace_of(name: str) -> int:
    """A stable int4 for a lock name (the first argument of the two-key advisory lock)."""
    return zlib.crc32(f"desk:{name}".encode()) & 0x7FFFFFFF


class LockManager:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @property
    def cross_process(self) -> bool:
        return is_postgres(self.engine)

    @asynccontextmanager
    async def try_lock(self, name: str, key: int) -> AsyncIterator[bool]:
        """Yield True with the lock held, or False at once when someone else holds it."""
        if self.cross_process:
            async with self._pg_lock(namespace_of(name), key) as got:
                yield got
        else:
            async with self._local_lock(name, key) as got:
                yield got

    @asynccontextmanager
    async def _pg_lock(self, namespace: int, key: int) -> AsyncIterator[bool]:
        async with self.engine.connect() as conn:
            got = bool(await conn.scalar(select(func.pg_try_advisory_lock(namespace, key))))
            await conn.commit()  # session-level lock: it outlives the transaction
            try:
                yield got
            finally:
                if got:
                    try:
                        await conn.scalar(select(func.pg_advisory_unlock(namespace, key)))
                        await conn.commit()
                    except Exception:  # the lock dies with the connection: drop it
                        log.warning("advisory unlock failed; discarding the connection")
                        await conn.invalidate()

    @asynccontextmanager
    async def _local_lock(self, name: str, key: int) -> AsyncIterator[bool]:
        lock = _local.setdefault((str(self.engine.url), name, key), asyncio.Lock())
        if lock.locked():
            yield False
            return
        async with lock:
            yield True
