"""Bulk actions: preview, then approve, reject, send or assign many tickets at once."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from core.errors import ValidationError
from core.tickets.bulk import Selection
from core.tickets.queries import TicketQuery
from server.http.deps import DeskDep, deciding, user_id_of
from server.http.models import BulkPreviewOut, BulkResultOut

router = APIRouter(prefix="/api/v1", tags=["bulk"])

Action = Literal["approve", "reject", "send", "assign"]


class Filters(BaseModel):
    status: str | None = None
    category: str | None = None
    urgency: str | None = None
    q: str | None = None
    sender: str | None = None
    assigned_to_id: int | None = None

    def query(self) -> TicketQuery:
        return TicketQuery(**self.model_dump(), limit=1000).validated()


class Selected(BaseModel):
    ticket_ids: list[int] | None = Field(default=None, description="explicit tickets")
    filters: Filters | None = Field(default=None, description="or every ticket matching")

    def selection(self) -> Selection:
        if self.ticket_ids is not None and self.filters is None:
            return self.ticket_ids
        if self.filters is not None and self.ticket_ids is None:
            return self.filters.query()
        raise ValidationError("name tickets with ticket_ids or filters (one of them)")


class BulkBody(Selected):
    by: str = Field(description="email of the acting desk user")
    reason: str | None = Field(default=None, description="reject: one reason for all")
    assignee: str | None = Field(default=None, description="assign: the assignee's email")
    include_escalated: bool = Field(
        default=False, description="approve: also drafts flagged for escalation"
    )
    versions: dict[int, int] | None = Field(
        default=None, description="approve: draft id -> the version the approver saw"
    )


class PreviewBody(Selected):
    action: Action
    include_escalated: bool = False
    assignee: str | None = None


@router.post("/bulk/preview")
async def bulk_preview(body: PreviewBody, desk: DeskDep) -> BulkPreviewOut:
    """What a bulk action would act on and what it would skip, without changing anything."""
    preview = await desk.bulk.preview(
        body.selection(),
        body.action,
        include_escalated=body.include_escalated,
        assignee_id=await user_id_of(desk, body.assignee),
    )
    return BulkPreviewOut.model_validate(preview.as_dict())


@router.post("/bulk/{action}")
async def bulk_action(action: Action, body: BulkBody, desk: DeskDep) -> BulkResultOut:
    """Approve, reject, send or assign many tickets; each one by the single-ticket
    compare-and-set. Agents act on tickets assigned to them or to nobody."""
    check = await deciding(desk, body.by)
    actor = check.actor
    bulk = desk.bulk
    selection = body.selection()
    if action == "approve":
        result = await bulk.approve(
            selection,
            actor,
            include_escalated=body.include_escalated,
            check=check,
            versions=body.versions,
        )
    elif action == "reject":
        result = await bulk.reject(selection, actor, reason=body.reason or "", check=check)
    elif action == "send":
        result = await bulk.send(selection, actor, check=check)
    else:
        assignee = await user_id_of(desk, body.assignee)
        if assignee is None:
            raise ValidationError("assign needs an assignee (email)", field="assignee")
        result = await bulk.assign(selection, actor, assignee_id=assignee, check=check)
    return BulkResultOut.model_validate(result.as_dict())
