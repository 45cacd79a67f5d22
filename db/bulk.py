"""Bulk inserts for batch paths (ingest): COPY on PostgreSQL, executemany elsewhere.

COPY is psycopg's bulk-load path; it skips per-statement work on the server, which is where
PostgreSQL spent the ingest's time with executemany. Column defaults are applied here, as
SQLAlchemy would for an INSERT.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import JSON, Table, insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import Base


def table_of(model: type[Base]) -> Table:
    """A mapped class's Table (``__table__`` is typed as the wider ``FromClause``)."""
    table = model.__table__
    assert isinstance(table, Table), model
    return table


def _defaults(table: Table, given: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for col in table.columns:
        if col.name in given or col.default is None or col.primary_key:
            continue
        default = col.default
        if getattr(default, "is_scalar", False):
            out[col.name] = default.arg  # type: ignore[attr-defined]
        elif getattr(default, "is_callable", False):
            out[col.name] = default.arg(None)  # type: ignore[attr-defined]
    return out


async def bulk_insert(session: AsyncSession, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table`` in the session's transaction."""
    if not rows:
        return
    conn = await session.connection()
    if conn.dialect.name != "postgresql":
        await session.execute(insert(table), rows)
        return
    keys = list(rows[0])
    extra = _defaults(table, set(keys))
    names = keys + list(extra)
    json_cols = {i for i, n in enumerate(names) if isinstance(table.c[n].type, JSON)}
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection
    columns = ", ".join(f'"{n}"' for n in names)
    tail = list(extra.values())
    async with (
        driver.cursor() as cur,  # type: ignore[union-attr]
        cur.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy,
    ):
        for row in rows:
            values = [row[k] for k in keys] + tail
            for i in json_cols:
                values[i] = json.dumps(values[i])
            await copy.write_row(values)
