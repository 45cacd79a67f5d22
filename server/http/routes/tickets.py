"""Tickets: list, counts, one ticket, and the decisions on its current draft.

The decision routes stay one core call each (they switch to the core's single decision
path in one line when it lands)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from core.tickets.queries import TicketQuery
from server.http.deps import DeskDep, PageDep, acting
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
    actor = await acting(desk, body.by)
    draft_id = await desk.tickets.current_draft_id(ticket_id)
    return DecisionOut.of(await desk.drafts.approve(draft_id, actor, version=body.version))


@router.post("/tickets/{ticket_id}/reject")
async def reject(ticket_id: int, body: RejectBody, desk: DeskDep) -> DecisionOut:
    actor = await acting(desk, body.by)
    draft_id = await desk.tickets.current_draft_id(ticket_id)
    return DecisionOut.of(await desk.drafts.reject(draft_id, actor, reason=body.reason))


@router.post("/tickets/{ticket_id}/retry")
async def retry(ticket_id: int, body: ByBody, desk: DeskDep) -> DecisionOut:
    """Queue a ticket's failed reply again (e.g. after its recipient's bounce mark was
    cleared); the worker sends it."""
    actor = await acting(desk, body.by)
    draft_id = await desk.tickets.current_draft_id(ticket_id)
    return DecisionOut.of(await desk.drafts.retry(draft_id, actor))


@router.post("/tickets/{ticket_id}/edit")
async def edit(ticket_id: int, body: EditBody, desk: DeskDep) -> EditOut:
    actor = await acting(desk, body.by)
    draft_id = await desk.tickets.current_draft_id(ticket_id)
    draft = await desk.drafts.edit(draft_id, actor, body=body.text)
    return EditOut(
        ticket_id=ticket_id, draft_id=draft.id, version=draft.version, status=draft.status
    )
