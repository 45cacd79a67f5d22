"""Audit events: written in the caller's transaction, so a change and its record commit together.

An event names who acted (``Actor``: a person's name and user id, the surface, and for an
API request its request id and client address), what they did (``action``), on what
(``target``, like ``ticket:12``, ``user:3``, ``token:abc``, ``setting:ai.provider``), and
what changed (``changes``: field -> ``[before, after]``). No secret is ever written: values
under keys like ``password``, ``secret``, ``token`` or ``api_key`` become ``"***"``
(``redact``). Events are append-only: the database refuses to update or delete them.

The desk's own work (fetching and storing mail, triage, sending) is done by
``Actor.worker()``, whichever process runs it; ``Actor.system()`` is the configuration
(an admin named by ``DESK_ADMIN_IDS``, a setting written without a person).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, insert, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import utcnow
from db.bulk import one_of, table_of
from db.models import AuditEvent, Ticket
from db.session import is_postgres

REDACTED = "***"
# a key naming a secret: its last word (after _ . - or a space) is one of these
_SECRET_KEY = re.compile(
    r"(?:^|[_.\-\s])(?:passwords?|passwd|passphrase|secrets?|tokens?|credentials?|"
    r"(?:api|private|secret|access)[_.\-\s]?key)$",
    re.I,
)
_LIMITS = {"target": 200, "request_id": 100, "client_addr": 100, "actor": 320}


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts, and through which surface (slack, api, cli, worker, system); for an API
    request also its request id and the client's address."""

    name: str
    source: str
    user_id: int | None = None
    request_id: str | None = None
    client_addr: str | None = None

    @classmethod
    def system(cls) -> Actor:
        """The configuration acting (no person, no running job)."""
        return cls(name="system", source="system")

    @classmethod
    def worker(cls) -> Actor:
        """The desk's own work: fetching and storing mail, triage, sending."""
        return cls(name="worker", source="worker")


def is_secret_key(key: str) -> bool:
    """True for a key whose value is a secret: ``password``, ``smtp_password``,
    ``ai.api_key``, ``token``; not ``token_id`` or ``password_changed``."""
    return bool(_SECRET_KEY.search(key.strip()))


def redact(value: Any) -> Any:
    """``value`` with every secret replaced by ``"***"``, at any depth: what a
    secret-naming key holds (in a ``[before, after]`` pair, each side), except None and
    booleans, which say only whether there is one."""
    if isinstance(value, dict):
        return {str(k): _hide(v) if is_secret_key(str(k)) else redact(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    return value


def _hide(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, list | tuple):
        return [_hide(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _hide(v) for k, v in value.items()}
    return REDACTED


def _fit(name: str, value: str | None) -> str | None:
    """A value cut to its column (a client may send a request id of any length)."""
    if value is None:
        return None
    return value[: _LIMITS[name]]


def _event(
    actor: Actor,
    action: str,
    *,
    ticket_id: int | None,
    draft_id: int | None,
    target: str | None,
    changes: dict[str, Any] | None,
    at: datetime | None,
    data: dict[str, Any],
) -> dict[str, Any]:
    """One audit row's columns: ``target`` defaults to the ticket, secrets redacted."""
    if target is None and ticket_id is not None:
        target = f"ticket:{ticket_id}"
    return {
        "at": at or utcnow(),
        "actor": _fit("actor", actor.name),
        "actor_id": actor.user_id,
        "source": actor.source,
        "action": action,
        "target": _fit("target", target),
        "ticket_id": ticket_id,
        "draft_id": draft_id,
        "request_id": _fit("request_id", actor.request_id),
        "client_addr": _fit("client_addr", actor.client_addr),
        "changes": redact(changes or {}),
        "data": redact(data),
    }


def record(
    session: AsyncSession,
    actor: Actor,
    action: str,
    *,
    ticket_id: int | None = None,
    draft_id: int | None = None,
    target: str | None = None,
    changes: dict[str, Any] | None = None,
    at: datetime | None = None,
    **data: Any,
) -> None:
    """Add one event to ``session``'s transaction. ``target`` defaults to the ticket
    (``ticket:<id>``) when there is one; ``changes`` and ``data`` are redacted; ``at``
    (default: now) is the time of the change, from the caller's clock."""
    session.add(
        AuditEvent(
            **_event(
                actor,
                action,
                ticket_id=ticket_id,
                draft_id=draft_id,
                target=target,
                changes=changes,
                at=at,
                data=data,
            )
        )
    )


async def record_each(
    session: AsyncSession,
    actor: Actor,
    action: str,
    events: Sequence[tuple[int | None, int | None, dict[str, Any]]],
    *,
    at: datetime | None = None,
) -> None:
    """``record`` for many events of one action at once, each ``(ticket_id, draft_id,
    data)``: one multi-row INSERT (the driver's executemany), in order, none read back."""
    if not events:
        return
    when = at or utcnow()
    await session.execute(
        insert(AuditEvent),
        [
            _event(
                actor,
                action,
                ticket_id=ticket_id,
                draft_id=draft_id,
                target=None,
                changes=None,
                at=when,
                data=data,
            )
            for ticket_id, draft_id, data in events
        ],
    )


async def record_many(
    session: AsyncSession, actor: Actor, action: str, *, ticket_ids: list[int], **data: Any
) -> None:
    """The same event for many tickets (for batch paths like ingest), as one
    ``INSERT ... SELECT`` over the tickets: no row is built or sent from here. Each event's
    target is its ticket."""
    if not ticket_ids:
        return
    events, tickets = table_of(AuditEvent), table_of(Ticket)
    pg = is_postgres(session)
    # the row ``record`` would write, but for the ticket and its target: the SELECT's
    values = _event(
        actor, action, ticket_id=None, draft_id=None, target=None, changes=None, at=None, data=data
    )
    del values["ticket_id"], values["target"]
    columns = [literal(value, events.c[name].type) for name, value in values.items()]
    target = literal("ticket:", String) + cast(tickets.c.id, String)
    await session.execute(
        insert(events).from_select(
            [*values, "ticket_id", "target"],
            select(*columns, tickets.c.id, target)
            .where(one_of(tickets.c.id, sorted(set(ticket_ids)), pg=pg))
            .order_by(tickets.c.id),
        )
    )
