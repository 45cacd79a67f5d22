"""Bulk actions: preview, then approve, reject, send or assign many tickets at once.

Both need the ``write`` scope; each ticket is then decided by the core's single-ticket path,
which checks the caller's role and the assignee (a ticket the caller may not decide is
skipped as ``not_permitted``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from core.access.permissions import Principal
from core.errors import ValidationError
from core.tickets.bulk import Selection
from core.tickets.queries import TicketQuery
from server.http.deps import MAX_SEARCH, BodyId, DeskDep, allowed, api_router, user_id_of
from server.http.models import BulkPreviewOut, BulkResultOut, In

router = api_router("bulk")

Action = Literal["approve", "reject", "send", "assign"]
Bulk = Annotated[Principal, allowed("write", doing="a bulk action")]
MAX_TICKETS = 1000  # as many as one filter selects


class Filters(BaseModel):
    status: str | None = Field(default=None, max_length=50)
    category: str | None = Field(default=None, max_length=50)
    urgency: str | None = Field(default=None, max_length=50)
    q: str | None = Field(default=None, max_length=MAX_SEARCH)
    sender: str | None = Field(default=None, max_length=MAX_SEARCH)
    assigned_to_id: BodyId | None = None

    def query(self) -> TicketQuery:
        return TicketQuery(**self.model_dump(), limit=1000).validated()


class Selected(In):
    ticket_ids: list[BodyId] | None = Field(
        default=None, max_length=MAX_TICKETS, description="explicit tickets"
    )
    filters: Filters | None = Field(default=None, description="or every ticket matching")

    def selection(self) -> Selection:
        if self.ticket_ids is not None and self.filters is None:
            return self.ticket_ids
        if self.filters is not None and self.ticket_ids is None:
            return self.filters.query()
        raise ValidationError("name tickets with ticket_ids or filters (one of them)")


class BulkBody(Selected):
    reason: str | None = Field(
        default=None, max_length=5_000, description="reject: one reason for all"
    )
    assignee: str | None = Field(
        default=None, max_length=320, description="assign: the assignee's email"
    )
    include_escalated: bool = Field(
        default=False, description="approve: also drafts flagged for escalation"
    )
    versions: dict[BodyId, Annotated[int, Field(ge=1, le=2**31 - 1)]] | None = Field(
        default=None, description="approve: draft id -> the version the approver saw"
    )


class PreviewBody(Selected):
    action: Action
    include_escalated: bool = False
    assignee: str | None = Field(default=None, max_length=320)


@router.post("/bulk/preview")
async def bulk_preview(body: PreviewBody, desk: DeskDep, who: Bulk) -> BulkPreviewOut:
    """What a bulk action would act on and what it would skip, without changing anything;
    what the caller may not do is among the skipped (``not_permitted``)."""
    preview = await desk.bulk.preview(
        body.selection(),
        body.action,
        include_escalated=body.include_escalated,
        who=who,
        assignee_id=await user_id_of(desk, body.assignee, field="assignee"),
    )
    return BulkPreviewOut.model_validate(preview.as_dict())


@router.post("/bulk/{action}")
async def bulk_action(action: Action, body: BulkBody, desk: DeskDep, check: Bulk) -> BulkResultOut:
    """Approve, reject, send or assign many tickets; each one by the single-ticket
    compare-and-set. Agents act on tickets assigned to them or to nobody."""
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
        assignee = await user_id_of(desk, body.assignee, field="assignee")
        if assignee is None:
            raise ValidationError("assign needs an assignee (email)", field="assignee")
        result = await bulk.assign(selection, actor, assignee_id=assignee, check=check)
    return BulkResultOut.model_validate(result.as_dict())
