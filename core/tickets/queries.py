"""Reading tickets: search, filter, sort, counts, and one ticket with its conversation.

The ticket view carries every field of the seed's Ticket, derived from the latest draft
where it belongs to the draft (draft_response, approval_status, approved_by, ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from core.access.teams import team_mailbox_ids
from core.errors import NotFound, ValidationError
from core.vocabulary import (
    APPROVAL_STATUSES,
    CATEGORIES,
    STATUSES,
    URGENCIES,
    canonical,
    category_of,
    urgency_of,
)
from db.models import Attachment, Draft, Message, Ticket, User
from db.session import SessionFactory

SORTS = ("date", "-date", "urgency", "-urgency", "status", "-status")


@dataclass(frozen=True, slots=True)
class TicketQuery:
    status: str | None = None  # a ticket status or a draft (approval) status
    category: str | None = None
    urgency: str | None = None
    q: str | None = None  # words to find in sender, subject and message text
    sender: str | None = None
    assigned_to_id: int | None = None
    unassigned: bool = False  # only tickets nobody owns
    escalated: bool | None = None  # True: flagged for escalation only; False: not flagged
    sort: str = "-date"
    limit: int = 50
    offset: int = 0

    def validated(self) -> TicketQuery:
        if self.status and self.status not in STATUSES + APPROVAL_STATUSES:
            raise ValidationError(
                f"unknown status {self.status!r}; use one of {', '.join(STATUSES + APPROVAL_STATUSES)}",
                field="status",
            )
        if self.category:
            category_of(self.category)
        if self.urgency:
            urgency_of(self.urgency)
        if self.sort not in SORTS:
            raise ValidationError(
                f"unknown sort {self.sort!r}; use one of {', '.join(SORTS)}", field="sort"
            )
        if not 1 <= self.limit <= 1000 or self.offset < 0:
            raise ValidationError("limit must be 1..1000 and offset >= 0", field="limit")
        return self


def _latest_draft_subquery() -> Any:
    ranked = (
        select(Draft.ticket_id, func.max(Draft.id).label("draft_id"))
        .where(Draft.status != "superseded")
        .group_by(Draft.ticket_id)
        .subquery()
    )
    return ranked


class TicketReader:
    def __init__(self, session_factory: SessionFactory) -> None:
        self.sessions = session_factory

    def _select(self, query: TicketQuery) -> Select[Any]:
        latest = _latest_draft_subquery()
        d = aliased(Draft)
        stmt = (
            select(Ticket, d)
            .outerjoin(latest, latest.c.ticket_id == Ticket.id)
            .outerjoin(d, d.id == latest.c.draft_id)
        )
        conds = []
        if query.status in STATUSES:
            conds.append(Ticket.status == query.status)
        elif query.status:
            conds.append(d.status == query.status)
        if query.category:
            conds.append(Ticket.category == canonical(query.category, CATEGORIES))
        if query.urgency:
            conds.append(Ticket.urgency == canonical(query.urgency, URGENCIES))
        if query.sender:
            conds.append(func.lower(Ticket.requester_email) == query.sender.strip().lower())
        if query.assigned_to_id is not None:
            conds.append(Ticket.assigned_to_id == query.assigned_to_id)
        if query.unassigned:
            conds.append(Ticket.assigned_to_id.is_(None))
        if query.escalated is not None:
            conds.append(Ticket.escalation_required.is_(query.escalated))
        for word in (query.q or "").split()[:10]:
            pattern = f"%{_escape_like(word.lower())}%"
            in_messages = (
                select(Message.id)
                .where(
                    Message.ticket_id == Ticket.id,
                    func.lower(Message.body_text).like(pattern, escape="\\"),
                )
                .exists()
            )
            conds.append(
                or_(
                    func.lower(Ticket.subject).like(pattern, escape="\\"),
                    func.lower(Ticket.requester_email).like(pattern, escape="\\"),
                    func.lower(Ticket.requester_name).like(pattern, escape="\\"),
                    in_messages,
                )
            )
        if conds:
            stmt = stmt.where(and_(*conds))
        urgency_rank = case({"High": 3, "Medium": 2, "Low": 1}, value=Ticket.urgency, else_=0)
        status_rank = case({"open": 1, "answered": 2, "resolved": 3}, value=Ticket.status, else_=4)
        key = {"date": Ticket.received_at, "urgency": urgency_rank, "status": status_rank}[
            query.sort.lstrip("-")
        ]
        order = key.desc() if query.sort.startswith("-") else key.asc()
        return stmt.order_by(order, Ticket.id.desc())

    async def list(self, query: TicketQuery) -> list[dict[str, Any]]:
        query = query.validated()
        async with self.sessions() as session:
            rows = (
                await session.execute(self._select(query).limit(query.limit).offset(query.offset))
            ).all()
            users = await _user_emails(session, {u for t, d in rows for u in _user_ids(t, d)})
            return [ticket_view(t, d, users) for t, d in rows]

    async def count(self, query: TicketQuery) -> int:
        query = query.validated()
        async with self.sessions() as session:
            sub = self._select(query).order_by(None).subquery()
            return int(await session.scalar(select(func.count()).select_from(sub)) or 0)

    async def counts_by_status(self) -> dict[str, int]:
        """Ticket statuses and the approval status of each ticket's latest draft."""
        async with self.sessions() as session:
            out: dict[str, int] = {s: 0 for s in STATUSES}
            out.update({f"draft_{s}": 0 for s in APPROVAL_STATUSES if s != "superseded"})
            for status, n in await session.execute(
                select(Ticket.status, func.count()).group_by(Ticket.status)
            ):
                out[status] = n
            latest = _latest_draft_subquery()
            rows = await session.execute(
                select(Draft.status, func.count())
                .join(latest, latest.c.draft_id == Draft.id)
                .group_by(Draft.status)
            )
            for status, n in rows:
                out[f"draft_{status}"] = n
            out["total"] = sum(out[s] for s in STATUSES)
            return out

    async def current_draft_id(self, ticket_id: int) -> int:
        """The ticket's current draft (the latest not superseded): what approve, reject and
        edit act on when a person names a ticket. NotFound when there is none."""
        async with self.sessions() as session:
            if await session.get(Ticket, ticket_id) is None:
                raise NotFound(f"ticket {ticket_id} not found", ticket_id=ticket_id)
            draft_id = await session.scalar(
                select(func.max(Draft.id)).where(
                    Draft.ticket_id == ticket_id, Draft.status != "superseded"
                )
            )
        if draft_id is None:
            raise NotFound(f"ticket {ticket_id} has no draft", ticket_id=ticket_id)
        return int(draft_id)

    async def get(self, ticket_id: int) -> dict[str, Any]:
        async with self.sessions() as session:
            ticket = await session.get(Ticket, ticket_id)
            if ticket is None:
                raise NotFound(f"ticket {ticket_id} not found", ticket_id=ticket_id)
            drafts = list(
                await session.scalars(
                    select(Draft).where(Draft.ticket_id == ticket_id).order_by(Draft.id)
                )
            )
            latest = next((d for d in reversed(drafts) if d.status != "superseded"), None)
            messages = list(
                await session.scalars(
                    select(Message)
                    .where(Message.ticket_id == ticket_id)
                    .order_by(Message.date, Message.id)
                )
            )
            atts = list(
                await session.scalars(
                    select(Attachment).where(
                        Attachment.message_id.in_([m.id for m in messages] or [0])
                    )
                )
            )
            ids = set(_user_ids(ticket, latest)) | {
                u for d in drafts for u in (d.approved_by_id, d.rejected_by_id) if u
            }
            users = await _user_emails(session, ids)
            view = ticket_view(ticket, latest, users)
            view["messages"] = [
                message_view(m, [a for a in atts if a.message_id == m.id]) for m in messages
            ]
            view["drafts"] = [draft_view(d, users) for d in drafts]
            return view


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _user_ids(ticket: Ticket, draft: Draft | None) -> list[int]:
    ids = [ticket.assigned_to_id] if ticket.assigned_to_id else []
    if draft is not None and draft.approved_by_id:
        ids.append(draft.approved_by_id)
    return ids


async def _user_emails(session: AsyncSession, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {
        uid: email
        for uid, email in await session.execute(select(User.id, User.email).where(User.id.in_(ids)))
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def ticket_view(ticket: Ticket, draft: Draft | None, users: dict[int, str]) -> dict[str, Any]:
    """The seed's ticket fields plus the desk's own."""
    return {
        "id": ticket.id,
        "sender_email": ticket.requester_email,
        "sender_name": ticket.requester_name,
        "subject": ticket.subject,
        "received_at": _iso(ticket.received_at),
        "status": ticket.status,
        "category": ticket.category,
        "urgency": ticket.urgency,
        "summary": ticket.summary,
        "fix_steps": draft.fix_steps if draft else [],
        "draft_response": draft.body if draft else None,
        "draft_id": draft.id if draft else None,
        "draft_version": draft.version if draft else None,
        "approval_status": draft.status if draft else None,
        "approved_by": users.get(draft.approved_by_id) if draft and draft.approved_by_id else None,
        "approved_at": _iso(draft.approved_at) if draft else None,
        "sent_at": _iso(draft.sent_at) if draft else None,
        "confidence": draft.confidence if draft else None,
        "thread_id": ticket.thread_id,
        "message_id": ticket.message_id,
        "assigned_to": ticket.assigned_to_id,
        "assigned_to_email": users.get(ticket.assigned_to_id) if ticket.assigned_to_id else None,
        "ai_processed": ticket.ai_processed,
        "escalation_required": ticket.escalation_required,
        "escalation_reason": draft.escalation_reason if draft else None,
        "last_message_at": _iso(ticket.last_message_at),
        "first_response_at": _iso(ticket.first_response_at),
    }


def message_view(m: Message, attachments: list[Attachment]) -> dict[str, Any]:
    return {
        "id": m.id,
        "direction": m.direction,
        "kind": m.kind,
        "is_incoming": m.direction == "in",
        "message_id": m.message_id,
        "in_reply_to": m.in_reply_to,
        "from": m.from_email,
        "from_name": m.from_name,
        "to": m.to_addrs,
        "subject": m.subject,
        "date": _iso(m.date),
        "text": m.body_text,
        "reply_text": m.reply_text,
        "notes": m.notes,
        "defects": m.defects,
        "attachments": [
            {
                "filename": a.filename,
                "content_type": a.content_type,
                "size": a.size,
                "sha256": a.sha256,
                "stored": a.stored,
                "note": a.note,
            }
            for a in attachments
        ],
    }


def draft_view(d: Draft, users: dict[int, str]) -> dict[str, Any]:
    return {
        "id": d.id,
        "status": d.status,
        "version": d.version,
        "body": d.body,
        "category": d.category,
        "urgency": d.urgency,
        "confidence": d.confidence,
        "escalation_required": d.escalation_required,
        "escalation_reason": d.escalation_reason,
        "provider": d.provider,
        "model": d.model,
        "created_at": _iso(d.created_at),
        "approved_by": users.get(d.approved_by_id) if d.approved_by_id else None,
        "approved_at": _iso(d.approved_at),
        "rejected_by": users.get(d.rejected_by_id) if d.rejected_by_id else None,
        "rejected_at": _iso(d.rejected_at),
        "rejection_reason": d.rejection_reason,
        "sent_at": _iso(d.sent_at),
        "failure_reason": d.failure_reason,
        "send_attempts": d.send_attempts,
        "outgoing_message_id": d.outgoing_message_id,
    }


@dataclass(frozen=True, slots=True)
class TeamQuery(TicketQuery):
    team_id: str = ""
    home_team: str | None = None


class TeamTicketReader(TicketReader):
    """``TicketReader`` limited to the tickets of ``TeamQuery.team_id``."""

    def _select(self, query: TicketQuery) -> Select[Any]:
        stmt = super()._select(query)
        if isinstance(query, TeamQuery):
            stmt = stmt.where(
                Ticket.mailbox_id.in_(team_mailbox_ids(query.team_id, query.home_team))
            )
        return stmt
