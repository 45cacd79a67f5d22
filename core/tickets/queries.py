"""Reading tickets: search, filter, sort, counts, and one ticket with its conversation.

The ticket view carries every field of the seed's Ticket, derived from the latest draft
where it belongs to the draft (draft_response, approval_status, approved_by, ...).
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import NotFound
from core.tickets import listing
from core.tickets.listing import TicketQuery, calibrated
from core.vocabulary import (
    APPROVAL_STATUSES,
    STATUSES,
)
from db import status_counts
from db.base import storable_id
from db.models import Attachment, AuditEvent, Draft, Message, Ticket, User
from db.session import SessionFactory, is_postgres


@dataclass(frozen=True, slots=True)
class Total:
    """A list's total: ``n`` tickets, or more than ``n`` when ``capped``."""

    n: int
    capped: bool = False

    def __str__(self) -> str:
        return f"{self.n:,}+" if self.capped else f"{self.n:,}"


class TicketReader:
    """Tickets as the seed's views. The list is one SQL statement (``core.tickets.listing``),
    the same the CLI's quick read runs without the ORM."""

    def __init__(self, session_factory: SessionFactory) -> None:
        self.sessions = session_factory

    def _workspace(self, query: TicketQuery) -> listing.Workspace | None:
        return None

    async def _rows(self, statement: listing.Statement) -> list[Any]:
        async with self.sessions() as session:
            if statement.custom_plan and is_postgres(session):
                await session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
            result = await session.execute(text(statement.sql), statement.params)
            return list(result.mappings().all())

    def _postgres(self) -> bool:
        """Whether the tickets are on PostgreSQL (a session opens no connection to tell)."""
        return is_postgres(self.sessions())

    async def list(self, query: TicketQuery) -> list[dict[str, Any]]:
        """One page; a search's views carry ``snippet`` (where its words matched)."""
        views, _ = await self._page(query)
        return views

    async def list_and_total(
        self, query: TicketQuery, cap: int = listing.COUNT_CAP
    ) -> tuple[builtins.list[dict[str, Any]], Total]:
        """One page and the list's total (as ``total``): a ranked search tells its total
        from the page's own rows (``listing.page_total``), anything else counts."""
        views, rows = await self._page(query)
        told = listing.page_total(rows, cap)
        return views, Total(*told) if told is not None else await self.total(query, cap)

    async def _page(
        self, query: TicketQuery
    ) -> tuple[builtins.list[dict[str, Any]], builtins.list[Any]]:
        query = query.validated()
        pg = self._postgres()
        rows = await self._rows(listing.page(query, workspace=self._workspace(query), postgres=pg))
        views = [listing.ticket_view(row) for row in rows]
        clocks = await self._rows(listing.sla_clocks([v["id"] for v in views])) if views else []
        listing.attach_sla(views, clocks)
        cited = listing.cited_articles(views)
        listing.attach_citations(views, await self._rows(cited) if cited.params else [])
        marks = listing.snippets([v["id"] for v in views], query, postgres=pg)
        listing.attach_snippets(views, await self._rows(marks) if marks is not None else [])
        return views, rows

    async def count(self, query: TicketQuery) -> int:
        """How many tickets ``query`` matches, all counted (``total`` stops at a cap)."""
        query = query.validated()
        statement = listing.count(
            query, workspace=self._workspace(query), postgres=self._postgres(), cap=None
        )
        return int((await self._rows(statement))[0]["n"])

    async def total(self, query: TicketQuery, cap: int = listing.COUNT_CAP) -> Total:
        """How many tickets ``query`` matches, counting no further than ``cap`` + 1: a
        list's total, never a second full scan of a search."""
        query = query.validated()
        statement = listing.count(
            query, workspace=self._workspace(query), postgres=self._postgres(), cap=cap
        )
        n = int((await self._rows(statement))[0]["n"])
        return Total(min(n, cap), capped=n > cap)

    async def counts_by_status(self) -> dict[str, int]:
        """Ticket statuses and the approval status of each ticket's latest draft (not
        superseded), from the counts the database keeps (``db.status_counts``): a sum over a
        few rows, however many tickets there are."""
        async with self.sessions() as session:
            out: dict[str, int] = {s: 0 for s in STATUSES}
            out.update({f"draft_{s}": 0 for s in APPROVAL_STATUSES if s != "superseded"})
            out.update(await status_counts.totals(session, "ticket"))
            for status, n in (await status_counts.totals(session, "draft")).items():
                out[f"draft_{status}"] = n
            out["total"] = sum(out[s] for s in STATUSES)
            return out

    async def current_draft_id(self, ticket_id: int) -> int:
        """The ticket's current draft (the latest not superseded): what approve, reject and
        edit act on when a person names a ticket. NotFound when there is none."""
        async with self.sessions() as session:
            if not storable_id(ticket_id) or await session.get(Ticket, ticket_id) is None:
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
            ticket = await session.get(Ticket, ticket_id) if storable_id(ticket_id) else None
            if ticket is None:
                raise NotFound(f"ticket {ticket_id} not found", ticket_id=ticket_id)
            drafts = list(
                await session.scalars(
                    select(Draft).where(Draft.ticket_id == ticket_id).order_by(Draft.id)
                )
            )
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
            ids = {u for d in drafts for u in (d.approved_by_id, d.rejected_by_id) if u}
            users = await _user_emails(session, ids)
            head = listing.one(ticket_id)
            row = (await session.execute(text(head.sql), head.params)).mappings().one()
            view = listing.ticket_view(row)
            clocks = listing.sla_clocks([ticket_id])
            listing.attach_sla(
                [view], (await session.execute(text(clocks.sql), clocks.params)).mappings()
            )
            cited = listing.cited_articles([view])
            listing.attach_citations(
                [view],
                (await session.execute(text(cited.sql), cited.params)).mappings()
                if cited.params
                else [],
            )
            view["messages"] = [
                message_view(m, [a for a in atts if a.message_id == m.id]) for m in messages
            ]
            view["drafts"] = [draft_view(d, users) for d in drafts]
            events = await session.scalars(
                select(AuditEvent)
                .where(
                    AuditEvent.ticket_id == ticket_id,
                    AuditEvent.action.in_(ASSIGNMENT_ACTIONS),
                )
                .order_by(AuditEvent.at, AuditEvent.id)
            )
            view["assignments"] = [assignment_view(e) for e in events]
            return view


async def _user_emails(session: AsyncSession, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {
        uid: email
        for uid, email in await session.execute(select(User.id, User.email).where(User.id.in_(ids)))
    }


# the audit actions that change or explain who owns a ticket: its assignment history
ASSIGNMENT_ACTIONS = ("ticket.assigned", "ticket.returned", "ticket.left_unassigned")


def assignment_view(e: AuditEvent) -> dict[str, Any]:
    """One line of a ticket's assignment history: when, what (``assigned``, ``returned``
    to the queue, ``left_unassigned``), who or what decided (a person, or ``worker`` for
    the automatic assignment), to whom, and why when the decider said (the automatic
    assignment always does: "lowest load 3 of 15, skill Billing")."""
    data = e.data or {}
    return {
        "at": _iso(e.at),
        "action": e.action.removeprefix("ticket."),
        "by": e.actor,
        "source": e.source,
        "assignee": data.get("assignee"),
        "reason": data.get("reason"),
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


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
        # the provider's own value when ``confidence`` is calibrated (core.ai.calibration)
        "raw_confidence": d.raw_confidence,
        "confidence_calibrated": calibrated(d.confidence, d.raw_confidence),
        "prompt_variant": d.prompt_variant,
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

    def _workspace(self, query: TicketQuery) -> listing.Workspace | None:
        if not isinstance(query, TeamQuery):
            return None
        return listing.Workspace(query.team_id, home=query.team_id == query.home_team)
