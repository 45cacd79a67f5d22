"""REST API v1, issue 5: bulk actions, analytics (JSON, CSV, PNG), response templates,
the scheduler. Included by ``server.api.create_app``; errors are the app's DeskError
handler's (404 / 409 / 422 / 403)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import PlainTextResponse, Response
from pydantic import BaseModel, Field

from core.access.users import actor_for
from core.errors import ValidationError
from core.replies.templates import TemplateSpec
from core.reports import charts
from core.tickets.bulk import BulkService, Selection, role_check
from core.tickets.queries import TicketQuery
from server.wiring import Desk


def get_desk(request: Request) -> Desk:
    return request.app.state.desk


DeskDep = Annotated[Desk, Depends(get_desk)]
router = APIRouter(prefix="/api/v1")


# --- bulk ----------------------------------------------------------------------------------


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
        if (self.ticket_ids is None) == (self.filters is None):
            raise ValidationError("name tickets with ticket_ids or filters (one of them)")
        return self.ticket_ids if self.ticket_ids is not None else self.filters.query()  # type: ignore[union-attr]


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
    action: Literal["approve", "reject", "send", "assign"]
    include_escalated: bool = False
    assignee: str | None = None


async def _assignee_id(desk: Desk, email: str | None) -> int | None:
    if email is None:
        return None
    return (await actor_for(desk.sessions, email, "api")).user_id


@router.post("/bulk/preview", tags=["bulk"])
async def bulk_preview(body: PreviewBody, desk: DeskDep) -> dict[str, Any]:
    """What a bulk action would act on and what it would skip, without changing anything."""
    preview = await desk.bulk.preview(
        body.selection(),
        body.action,
        include_escalated=body.include_escalated,
        assignee_id=await _assignee_id(desk, body.assignee),
    )
    return preview.as_dict()


@router.post("/bulk/{action}", tags=["bulk"])
async def bulk_action(
    action: Literal["approve", "reject", "send", "assign"], body: BulkBody, desk: DeskDep
) -> dict[str, Any]:
    """Approve, reject, send or assign many tickets; each one by the single-ticket
    compare-and-set. Agents act on tickets assigned to them or to nobody."""
    actor = await actor_for(desk.sessions, body.by, "api")
    check = await role_check(desk.sessions, actor)
    bulk: BulkService = desk.bulk
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
        assignee = await _assignee_id(desk, body.assignee)
        if assignee is None:
            raise ValidationError("assign needs an assignee (email)", field="assignee")
        result = await bulk.assign(selection, actor, assignee_id=assignee, check=check)
    return result.as_dict()


# --- analytics -----------------------------------------------------------------------------

Period = Literal["7d", "30d", "all"]
Trend = Literal["day", "week", "month"]


@router.get("/analytics", tags=["analytics"], response_model=None)
async def analytics(
    desk: DeskDep,
    period: Period = "30d",
    trend: Trend = "day",
    format: Literal["json", "csv"] = "json",
) -> dict[str, Any] | PlainTextResponse:
    """Figures for a period, computed in the database; ``format=csv`` for spreadsheets."""
    report = await desk.analytics.report(period, trend=trend)
    if format == "csv":
        return PlainTextResponse(
            report.to_csv(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="desk-{period}.csv"'},
        )
    return report.as_dict()


@router.get("/analytics/chart", tags=["analytics"], response_class=Response)
async def analytics_chart(
    desk: DeskDep,
    period: Period = "30d",
    trend: Trend = "day",
    by: Literal["category", "urgency", "agent"] | None = None,
    kind: Literal["overview", "breakdown", "trend"] = "overview",
) -> Response:
    """A PNG chart: the overview, a breakdown ``by`` category/urgency/agent, or the trend."""
    report = await desk.analytics.report(period, trend=trend)
    png = await asyncio.to_thread(
        charts.chart_for, report, by=by if kind != "trend" else None, trend=kind == "trend"
    )
    return Response(png, media_type="image/png")


# --- templates -----------------------------------------------------------------------------


class TemplateIn(BaseModel):
    by: str
    name: str = Field(min_length=1, max_length=100)
    body: str = Field(min_length=1, max_length=20_000)
    category: str | None = Field(default=None, description="None or 'general': any category")
    description: str = ""
    ai_draft: bool = Field(default=False, description="the offline AI drafts from it")


class TemplatePatch(BaseModel):
    by: str
    name: str | None = None
    body: str | None = None
    category: str | None = None
    description: str | None = None
    ai_draft: bool | None = None
    is_active: bool | None = None


class RenderBody(BaseModel):
    ticket_id: int | None = None
    agent: str | None = Field(default=None, description="email of the agent replying")


class UseBody(BaseModel):
    by: str
    ticket_id: int
    draft_id: int | None = None


class PreviewTemplateBody(BaseModel):
    body: str = Field(min_length=1, max_length=20_000)
    ticket_id: int | None = None


@router.get("/templates", tags=["templates"])
async def list_templates(
    desk: DeskDep, category: str | None = None, include_inactive: bool = False
) -> dict[str, Any]:
    items = await desk.templates.list(category=category, include_inactive=include_inactive)
    return {"items": [t.as_dict() for t in items]}


@router.post("/templates", tags=["templates"], status_code=201)
async def create_template(body: TemplateIn, desk: DeskDep) -> dict[str, Any]:
    actor = await actor_for(desk.sessions, body.by, "api")
    spec = TemplateSpec(
        name=body.name,
        body=body.body,
        category=body.category,
        description=body.description,
        ai_draft=body.ai_draft,
    )
    return (await desk.templates.create(spec, actor)).as_dict()


@router.post("/templates/preview", tags=["templates"])
async def preview_template(body: PreviewTemplateBody, desk: DeskDep) -> dict[str, str]:
    """Render an unsaved text (sample values, or a ticket's): the author sees errors."""
    return {"text": await desk.templates.preview(body.body, ticket_id=body.ticket_id)}


@router.get("/templates/{ref}", tags=["templates"])
async def get_template(ref: str, desk: DeskDep) -> dict[str, Any]:
    return (await desk.templates.get(ref)).as_dict()


@router.patch("/templates/{ref}", tags=["templates"])
async def update_template(ref: str, body: TemplatePatch, desk: DeskDep) -> dict[str, Any]:
    actor = await actor_for(desk.sessions, body.by, "api")
    changes = body.model_dump(exclude_unset=True, exclude={"by"})
    return (await desk.templates.update(ref, actor, **changes)).as_dict()


@router.delete("/templates/{ref}", tags=["templates"], status_code=204)
async def delete_template(
    ref: str, desk: DeskDep, by: Annotated[str, Query()], purge: bool = False
) -> Response:
    actor = await actor_for(desk.sessions, by, "api")
    await desk.templates.delete(ref, actor, purge=purge)
    return Response(status_code=204)


@router.post("/templates/{ref}/render", tags=["templates"])
async def render_template(ref: str, body: RenderBody, desk: DeskDep) -> dict[str, str]:
    """A preview for a ticket (or sample values); not counted as a use."""
    agent_id = await _assignee_id(desk, body.agent)
    text = await desk.templates.render(ref, ticket_id=body.ticket_id, agent_id=agent_id)
    return {"text": text}


@router.post("/templates/{ref}/use", tags=["templates"])
async def use_template(ref: str, body: UseBody, desk: DeskDep) -> dict[str, str]:
    """The text for a reply on ``ticket_id`` by ``by``, counted in the usage analytics."""
    actor = await actor_for(desk.sessions, body.by, "api")
    text = await desk.templates.use(
        ref, ticket_id=body.ticket_id, actor=actor, draft_id=body.draft_id
    )
    return {"text": text}


# --- scheduler -----------------------------------------------------------------------------


class SchedulerBody(BaseModel):
    by: str
    interval_seconds: int | None = Field(default=None, ge=1, le=86_400)
    mailbox: str | None = None


@router.get("/scheduler", tags=["scheduler"])
async def scheduler_status(desk: DeskDep) -> dict[str, Any]:
    """Switch, interval, workers (last run, next run, last error) and mailboxes."""
    return (await desk.scheduler.status()).as_dict()


@router.post("/scheduler/{command}", tags=["scheduler"])
async def scheduler_command(
    command: Literal["start", "stop"], body: SchedulerBody, desk: DeskDep
) -> dict[str, Any]:
    actor = await actor_for(desk.sessions, body.by, "api")
    if command == "start":
        await desk.scheduler.start(
            actor, interval_seconds=body.interval_seconds, mailbox=body.mailbox
        )
    else:
        if body.interval_seconds is not None:
            raise ValidationError("stop takes no interval", field="interval_seconds")
        await desk.scheduler.stop(actor)
    return (await desk.scheduler.status()).as_dict()


class ClearBody(BaseModel):
    by: str = Field(description="email of the user clearing the mark")


@router.get("/recipients/undeliverable", tags=["recipients"])
async def undeliverable_recipients(desk: DeskDep) -> list[dict[str, Any]]:
    """Addresses a permanent bounce marked undeliverable: replies to them are refused."""
    return [r.as_dict() for r in await desk.recipients.undeliverable()]


@router.post("/recipients/{email}/clear", tags=["recipients"])
async def clear_recipient(email: str, body: ClearBody, desk: DeskDep) -> dict[str, Any]:
    """Take the undeliverable mark off ``email``; returns what the mark said."""
    actor = await actor_for(desk.sessions, body.by, "api")
    return (await desk.recipients.clear(email, actor)).as_dict()


__all__ = ["router"]
