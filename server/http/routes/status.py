"""A ticket's status set by a person (``write`` scope, the same rights as approving):
``waiting`` on the customer pauses its SLA resolution clock until they write, ``resolved``
stops its clocks, ``open`` reopens it (resolution resumes with the time it had used)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Path

from core.access.permissions import Principal
from server.http.deps import MAX_ID, DeskDep, allowed, api_router
from server.http.models import In, Out

router = api_router("tickets")


class StatusIn(In):
    status: Literal["waiting", "resolved", "open"]


class StatusOut(Out):
    ticket_id: int
    before: str
    after: str


@router.post("/tickets/{ticket_id}/status")
async def set_status(
    ticket_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    desk: DeskDep,
    who: Annotated[Principal, allowed("write", doing="setting a ticket's status")],
    body: StatusIn,
) -> StatusOut:
    change = await desk.decisions.set_status(who, ticket_id=ticket_id, status=body.status)
    return StatusOut(ticket_id=change.ticket_id, before=change.before, after=change.after)
