"""The audit log, read: who did what, when, from where, newest first.

``AuditLog(sessions).page(AuditFilter(...), limit=, offset=)`` gives JSON-ready dicts and
``count(filter)`` how many match, for ``desk audit`` and ``GET /api/v1/audit``. The filters:

- ``actor``: a desk user's id (digits) or the name an event carries (an email, compared
  in lower case; ``worker``, ``system``, ``cli``);
- ``ticket``: the ticket's id;
- ``action``: one action (``draft.approved``), or a prefix when it ends with ``.`` or ``*``
  (``draft.`` and ``draft.*`` match every draft action, ``token*`` ``token_created`` and
  ``token_revoked``);
- ``since`` (inclusive) and ``until`` (exclusive): aware datetimes, or ISO 8601 text
  (``parse_when``); a time without a zone is UTC, a bare date its midnight (UTC).

Bad filters are a ``ValidationError`` naming the field. Reads only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select

from core.errors import ValidationError
from db.models import AuditEvent
from db.session import SessionFactory

MAX_LIMIT = 500
MAX_ID = 2**31 - 1  # ids are INTEGER columns
MAX_OFFSET = 10**9
MAX_TEXT = 320  # the longest actor name a column holds
# the shapes of ISO 8601 taken (fromisoformat alone takes more: "20261201", "2026W01")
_ISO = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})?)?\Z"
)


@dataclass(frozen=True, slots=True)
class AuditFilter:
    actor: str | None = None
    ticket: int | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def parse_when(text: str, *, field: str = "since") -> datetime:
    """An ISO 8601 date or date-time as an aware UTC datetime (no zone: UTC; a bare date:
    its midnight); anything else is a ValidationError in one line."""
    value = text.strip()
    try:
        if not _ISO.match(value):
            raise ValueError(value)
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        when = _aware(datetime.fromisoformat(value))
    except (ValueError, OverflowError):
        raise ValidationError(
            f"{field}: {text[:40]!r} is not an ISO 8601 date or time (like 2026-12-01 or "
            "2026-12-01T09:30:00Z)",
            field=field,
        ) from None
    return when


def _aware(when: datetime) -> datetime:
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _text(value: str, field: str) -> str:
    value = value.strip()
    if not value:
        raise ValidationError(f"{field}: empty", field=field)
    if len(value) > MAX_TEXT:
        raise ValidationError(f"{field}: longer than {MAX_TEXT} characters", field=field)
    if "\x00" in value or any(0xD800 <= ord(c) <= 0xDFFF for c in value):
        raise ValidationError(f"{field}: holds a NUL or a lone surrogate", field=field)
    return value


def _id(value: int, field: str) -> int:
    if isinstance(value, bool) or not 1 <= value <= MAX_ID:
        raise ValidationError(f"{field}: {value} is not an id (1 to {MAX_ID})", field=field)
    return value


def conditions(f: AuditFilter) -> list[ColumnElement[bool]]:
    """The WHERE clauses of ``f``, each checked (ValidationError naming the field)."""
    where: list[ColumnElement[bool]] = []
    if f.actor is not None:
        actor = _text(f.actor, "actor")
        if actor.isascii() and actor.isdigit():
            where.append(AuditEvent.actor_id == _id(int(actor), "actor"))
        else:
            where.append(AuditEvent.actor == (actor.lower() if "@" in actor else actor))
    if f.ticket is not None:
        where.append(AuditEvent.ticket_id == _id(f.ticket, "ticket"))
    if f.action is not None:
        action = _text(f.action, "action")
        if action.endswith("*"):
            prefix = action.rstrip("*")
            if prefix:
                where.append(func.substr(AuditEvent.action, 1, len(prefix)) == prefix)
        elif action.endswith("."):
            where.append(func.substr(AuditEvent.action, 1, len(action)) == action)
        else:
            where.append(AuditEvent.action == action)
    since = _aware(f.since) if f.since is not None else None
    until = _aware(f.until) if f.until is not None else None
    if since is not None and until is not None and until <= since:
        raise ValidationError("until must be later than since", field="until")
    if since is not None:
        where.append(AuditEvent.at >= since)
    if until is not None:
        where.append(AuditEvent.at < until)
    return where


def event_view(e: AuditEvent) -> dict[str, Any]:
    """One event as JSON-ready data (``surface`` is the stored ``source``)."""
    return {
        "id": e.id,
        "at": e.at.isoformat(),
        "actor": e.actor,
        "actor_id": e.actor_id,
        "surface": e.source,
        "action": e.action,
        "target": e.target,
        "ticket_id": e.ticket_id,
        "draft_id": e.draft_id,
        "request_id": e.request_id,
        "client_addr": e.client_addr,
        "changes": e.changes or {},
        "data": e.data or {},
    }


class AuditLog:
    def __init__(self, session_factory: SessionFactory) -> None:
        self.sessions = session_factory

    async def page(
        self, filters: AuditFilter | None = None, *, limit: int = 50, offset: int = 0
    ) -> list[dict[str, Any]]:
        """The events matching ``filters``, newest first; ``limit`` 1 to 500."""
        if isinstance(limit, bool) or not 1 <= limit <= MAX_LIMIT:
            raise ValidationError(f"limit: {limit} is not 1 to {MAX_LIMIT}", field="limit")
        if isinstance(offset, bool) or not 0 <= offset <= MAX_OFFSET:
            raise ValidationError(f"offset: {offset} is not 0 to {MAX_OFFSET}", field="offset")
        query = (
            select(AuditEvent)
            .where(*conditions(filters or AuditFilter()))
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .limit(limit)
            .offset(offset)
        )
        async with self.sessions() as session:
            events = (await session.scalars(query)).all()
        return [event_view(e) for e in events]

    async def count(self, filters: AuditFilter | None = None) -> int:
        query = select(func.count()).select_from(AuditEvent)
        query = query.where(*conditions(filters or AuditFilter()))
        async with self.sessions() as session:
            return int(await session.scalar(query) or 0)
