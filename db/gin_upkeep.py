"""GIN indexes' pending lists, moved into the index (PostgreSQL).

A GIN index with ``fastupdate`` (the default) takes new entries into a pending list that
every search of the index reads in full until the list reaches ``gin_pending_list_limit``
(4 MB) or a vacuum flushes it; autovacuum runs on inserts only after a fifth of the table
is new, so a desk that ingests steadily keeps megabytes pending. Measured at a million
tickets: after 5,000 mails the pending lists held 146 pages of the messages' search index
and 233 of the subject's trigram index, and a rare word took 68 ms instead of 20, an order
number 22 ms instead of 5 (``bench/search.py``). ``flush`` runs
``gin_clean_pending_list`` on every GIN index of the schema (the worker, every minute), so
what is pending stays what came in since. SQLite has none: a no-op there.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from db.session import is_postgres

_GIN_INDEXES = text(
    "SELECT c.oid::regclass::text FROM pg_class c JOIN pg_am am ON am.oid = c.relam"
    " JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE am.amname = 'gin' AND c.relkind = 'i' AND n.nspname = current_schema()"
    " ORDER BY 1"
)


async def flush(session: AsyncSession) -> dict[str, int]:
    """Each GIN index's pending pages moved into it: {index: pages}; the caller commits."""
    if not is_postgres(session):
        return {}
    out: dict[str, int] = {}
    for (name,) in (await session.execute(_GIN_INDEXES)).all():
        pages = await session.scalar(
            text("SELECT gin_clean_pending_list(CAST(:name AS regclass))"), {"name": name}
        )
        out[str(name)] = int(pages or 0)
    return out
