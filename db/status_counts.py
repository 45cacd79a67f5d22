"""The status counts the database keeps (0023's triggers write signed deltas into
``status_counts``): read as a sum over a few rows, folded by ``compact``. Kinds:
``ticket`` (tickets by status), ``draft`` (tickets by their latest draft not superseded),
``drafts`` (drafts by status) and ``escalated`` (drafts flagged for escalation, by status).

``compact`` takes the rows it folds with ``DELETE ... RETURNING`` (PostgreSQL and SQLite
3.35+) and writes one row per key in the same transaction: a delta a concurrent
transaction writes meanwhile is either among the deleted rows or left for the next run,
never lost nor counted twice; keys that sum to nothing are dropped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Draft, StatusCount, Ticket


async def totals(
    session: AsyncSession, kind: str, mailbox_ids: Select[Any] | Sequence[int] | None = None
) -> dict[str, int]:
    """``kind``'s count per status over every mailbox, or over ``mailbox_ids`` (a list or a
    select of ids); statuses whose count is 0 left out."""
    query = select(StatusCount.status, func.sum(StatusCount.n)).where(StatusCount.kind == kind)
    if mailbox_ids is not None:
        query = query.where(StatusCount.mailbox_id.in_(mailbox_ids))
    rows = await session.execute(query.group_by(StatusCount.status))
    return {status: int(n) for status, n in rows if n}


async def compact(session: AsyncSession) -> tuple[int, int]:
    """Fold the deltas into one row per (kind, mailbox, status); the caller commits.
    Returns (rows folded, rows written)."""
    gone = await session.execute(
        delete(StatusCount).returning(
            StatusCount.kind, StatusCount.mailbox_id, StatusCount.status, StatusCount.n
        )
    )
    sums: defaultdict[tuple[str, int, str], int] = defaultdict(int)
    folded = 0
    for kind, mailbox_id, status, n in gone:
        sums[(kind, mailbox_id, status)] += n
        folded += 1
    return folded, await _write(session, sums)


async def _write(session: AsyncSession, counts: dict[tuple[str, int, str], int]) -> int:
    """One row per (kind, mailbox, status) of ``counts``, zeros left out; how many."""
    rows = [
        {"kind": k, "mailbox_id": m, "status": s, "n": n}
        for (k, m, s), n in sorted(counts.items())
        if n
    ]
    if rows:
        await session.execute(insert(StatusCount), rows)
    return len(rows)


async def recount(session: AsyncSession) -> dict[tuple[str, int, str], int]:
    """The same counts from the rows themselves, per (kind, mailbox, status): a pass over
    every ticket and its latest draft. What the kept counts must equal (the tests), and
    what ``rebuild`` writes."""
    out: dict[tuple[str, int, str], int] = {}
    for box, status, n in await session.execute(
        select(Ticket.mailbox_id, Ticket.status, func.count()).group_by(
            Ticket.mailbox_id, Ticket.status
        )
    ):
        out[("ticket", box, status)] = n
    latest = (
        select(func.max(Draft.id).label("id"))
        .where(Draft.status != "superseded")
        .group_by(Draft.ticket_id)
        .subquery()
    )
    for box, status, n in await session.execute(
        select(Ticket.mailbox_id, Draft.status, func.count())
        .join(latest, latest.c.id == Draft.id)
        .join(Ticket, Ticket.id == Draft.ticket_id)
        .group_by(Ticket.mailbox_id, Draft.status)
    ):
        out[("draft", box, status)] = n
    for box, status, escalated, n in await session.execute(
        select(Ticket.mailbox_id, Draft.status, Draft.escalation_required, func.count())
        .join(Ticket, Ticket.id == Draft.ticket_id)
        .group_by(Ticket.mailbox_id, Draft.status, Draft.escalation_required)
    ):
        out[("drafts", box, status)] = out.get(("drafts", box, status), 0) + n
        if escalated:
            out[("escalated", box, status)] = n
    return out


async def kept(session: AsyncSession) -> dict[tuple[str, int, str], int]:
    """The kept counts per (kind, mailbox, status), zeros left out."""
    rows = await session.execute(
        select(
            StatusCount.kind, StatusCount.mailbox_id, StatusCount.status, func.sum(StatusCount.n)
        ).group_by(StatusCount.kind, StatusCount.mailbox_id, StatusCount.status)
    )
    return {(k, m, s): int(n) for k, m, s, n in rows if n}


async def rebuild(session: AsyncSession) -> None:
    """Replace the kept counts by a recount (after a bulk load that bypassed the triggers,
    as ``bench/search.py``'s COPY does); the caller commits."""
    await session.execute(delete(StatusCount))
    await _write(session, await recount(session))
