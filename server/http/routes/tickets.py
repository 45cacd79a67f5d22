"""Tickets: list, counts, one ticket, and the decisions on its current draft.

Each decision is one call of the core's decision path (``core.tickets.decisions``), which
checks the acting user's role, compare-and-sets and audits, as for every other surface."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from core.tickets.queries import TicketQuery
from server.http.deps import DeskDep, PageDep, deciding
from server.http.models import DecisionOut, EditOut, TicketDetailOut, TicketPage

router = APIRouter(prefix="/api/v1", tags=["tickets"])


class ApproveBody(BaseModel):
    by: str = Field(description="email of the approving user")
    version: int | None = Field(default=None, description="the draft version reviewed")


class RejectBody(BaseModel):
    by: str
    reason: str = Field(min_length=1)


class EditBody(BaseModel):
    by: str
    text: str = Field(min_length=1, max_length=100_000)


class ByBody(BaseModel):
    by: str = Field(description="email of the user acting")


@router.get("/tickets")
async def list_tickets(
    desk: DeskDep,
    page: PageDep,
    status: str | None = None,
    category: str | None = None,
    urgency: str | None = None,
    q: str | None = None,
    sender: str | None = None,
    sort: str = "-date",
) -> TicketPage:
    query = TicketQuery(
        status=status,
        category=category,
        urgency=urgency,
        q=q,
        sender=sender,
        sort=sort,
        limit=page.limit,
        offset=page.offset,
    )
    items = await desk.tickets.list(query)
    return TicketPage.model_validate({"items": items, "total": await desk.tickets.count(query)})


@router.get("/tickets/counts")
async def ticket_counts(desk: DeskDep) -> dict[str, int]:
    """Tickets per status."""
    return await desk.tickets.counts_by_status()


@router.get("/tickets/{ticket_id}")
async def get_ticket(ticket_id: int, desk: DeskDep) -> TicketDetailOut:
    return TicketDetailOut.model_validate(await desk.tickets.get(ticket_id))


@router.post("/tickets/{ticket_id}/approve")
async def approve(ticket_id: int, body: ApproveBody, desk: DeskDep) -> DecisionOut:
    who = await deciding(desk, body.by)
    return DecisionOut.of(
        await desk.decisions.approve(who, ticket_id=ticket_id, version=body.version)
    )


@router.post("/tickets/{ticket_id}/reject")
async def reject(ticket_id: int, body: RejectBody, desk: DeskDep) -> DecisionOut:
    who = await deciding(desk, body.by)
    return DecisionOut.of(await desk.decisions.reject(who, ticket_id=ticket_id, reason=body.reason))


@router.post("/tickets/{ticket_id}/retry")
async def retry(ticket_id: int, body: ByBody, desk: DeskDep) -> DecisionOut:
    """Queue a ticket's failed reply again (e.g. after its recipient's bounce mark was
    cleared); the worker sends it."""
    who = await deciding(desk, body.by)
    return DecisionOut.of(await desk.decisions.retry(who, ticket_id=ticket_id))


@router.post("/tickets/{ticket_id}/edit")
async def edit(ticket_id: int, body: EditBody, desk: DeskDep) -> EditOut:
    who = await deciding(desk, body.by)
    edited = await desk.decisions.edit(who, ticket_id=ticket_id, body=body.text)
    return EditOut(
        ticket_id=ticket_id, draft_id=edited.draft_id, version=edited.version, status=edited.status
    )
