"""Tickets: list, counts, one ticket, and the decisions on its current draft.

Reading needs the ``read`` scope; a decision the ``write`` scope, and then it is one call
of the core's decision path (``core.tickets.decisions``), which checks the caller's role
and the ticket's assignee, compare-and-sets and audits, as for every other surface."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from pydantic import Field

from core.access.permissions import Principal
from core.tickets.queries import TicketQuery
from server.http.deps import MAX_SEARCH, DeskDep, PageDep, PathId, allowed, api_router
from server.http.models import DecisionOut, EditOut, In, TicketDetailOut, TicketPage

router = api_router("tickets")

Reader = Annotated[Principal, allowed("read", doing="reading tickets")]
Decider = Annotated[Principal, allowed("write", doing="deciding on a draft")]
Word = Annotated[str | None, Query(max_length=50)]
Search = Annotated[str | None, Query(max_length=MAX_SEARCH)]


class ApproveBody(In):
    version: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="the draft version reviewed"
    )


class RejectBody(In):
    reason: str = Field(min_length=1, max_length=5_000)


class EditBody(In):
    text: str = Field(min_length=1, max_length=100_000)


class NoBody(In):
    pass


@router.get("/tickets")
async def list_tickets(
    desk: DeskDep,
    _who: Reader,
    page: PageDep,
    status: Word = None,
    category: Word = None,
    urgency: Word = None,
    q: Search = None,
    sender: Search = None,
    language: Annotated[
        str | None, Query(max_length=50, description="an ISO 639-1 code: de, en, pt")
    ] = None,
    sort: Annotated[
        str | None,
        Query(max_length=50, description="default: relevance with q, else -date"),
    ] = None,
) -> TicketPage:
    query = TicketQuery(
        status=status,
        category=category,
        urgency=urgency,
        q=q,
        sender=sender,
        language=language,
        sort=sort,
        limit=page.limit,
        offset=page.offset,
    )
    # counted up to a cap, a ranked search's from its own page: never a second full scan
    items, total = await desk.tickets.list_and_total(query)
    return TicketPage.model_validate(
        {"items": items, "total": total.n, "total_capped": total.capped}
    )


@router.get("/tickets/counts")
async def ticket_counts(desk: DeskDep, _who: Reader) -> dict[str, int]:
    """Tickets per status."""
    return await desk.tickets.counts_by_status()


@router.get("/tickets/{ticket_id}")
async def get_ticket(ticket_id: PathId, desk: DeskDep, _who: Reader) -> TicketDetailOut:
    return TicketDetailOut.model_validate(await desk.tickets.get(ticket_id))


@router.post("/tickets/{ticket_id}/approve")
async def approve(
    ticket_id: PathId, desk: DeskDep, who: Decider, body: ApproveBody | None = None
) -> DecisionOut:
    version = body.version if body is not None else None
    return DecisionOut.of(await desk.decisions.approve(who, ticket_id=ticket_id, version=version))


@router.post("/tickets/{ticket_id}/reject")
async def reject(ticket_id: PathId, body: RejectBody, desk: DeskDep, who: Decider) -> DecisionOut:
    return DecisionOut.of(await desk.decisions.reject(who, ticket_id=ticket_id, reason=body.reason))


@router.post("/tickets/{ticket_id}/retry")
async def retry(
    ticket_id: PathId, desk: DeskDep, who: Decider, _body: NoBody | None = None
) -> DecisionOut:
    """Queue a ticket's failed reply again (e.g. after its recipient's bounce mark was
    cleared); the worker sends it."""
    return DecisionOut.of(await desk.decisions.retry(who, ticket_id=ticket_id))


@router.post("/tickets/{ticket_id}/edit")
async def edit(ticket_id: PathId, body: EditBody, desk: DeskDep, who: Decider) -> EditOut:
    edited = await desk.decisions.edit(who, ticket_id=ticket_id, body=body.text)
    return EditOut(
        ticket_id=ticket_id, draft_id=edited.draft_id, version=edited.version, status=edited.status
    )
