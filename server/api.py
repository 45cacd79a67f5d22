"""REST API v1 (FastAPI). Until auth lands it listens on 127.0.0.1 by default."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import text

from core.access.users import actor_for
from core.errors import (
    AIError,
    ConfigError,
    DeskError,
    InvalidTransition,
    MailError,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from core.tickets.drafts import Decision
from core.tickets.queries import TicketQuery
from server.api_v1_extra import router as extra_router
from server.slack import mount_slack
from server.wiring import Desk

STATUS_FOR: dict[type[DeskError], int] = {
    NotFound: 404,
    InvalidTransition: 409,
    ValidationError: 422,
    PermissionDenied: 403,
    ConfigError: 500,
    MailError: 502,
    AIError: 502,
}


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


class DecisionOut(BaseModel):
    ticket_id: int
    draft_id: int
    status: str
    by: str
    at: str

    @classmethod
    def of(cls, d: Decision) -> DecisionOut:
        return cls(
            ticket_id=d.ticket_id,
            draft_id=d.draft_id,
            status=d.status,
            by=d.by,
            at=d.at.isoformat(),
        )


def get_desk(request: Request) -> Desk:
    return request.app.state.desk


DeskDep = Annotated[Desk, Depends(get_desk)]
router = APIRouter(prefix="/api/v1", tags=["tickets"])


@router.get("/tickets")
async def list_tickets(
    desk: DeskDep,
    status: str | None = None,
    category: str | None = None,
    urgency: str | None = None,
    q: str | None = None,
    sender: str | None = None,
    sort: str = "-date",
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    query = TicketQuery(
        status=status,
        category=category,
        urgency=urgency,
        q=q,
        sender=sender,
        sort=sort,
        limit=limit,
        offset=offset,
    )
    return {"items": await desk.tickets.list(query), "total": await desk.tickets.count(query)}


@router.get("/tickets/counts")
async def ticket_counts(desk: DeskDep) -> dict[str, int]:
    return await desk.tickets.counts_by_status()


@router.get("/tickets/{ticket_id}")
async def get_ticket(ticket_id: int, desk: DeskDep) -> dict[str, Any]:
    return await desk.tickets.get(ticket_id)


@router.post("/tickets/{ticket_id}/approve", response_model=DecisionOut)
async def approve(ticket_id: int, body: ApproveBody, desk: DeskDep) -> DecisionOut:
    actor = await actor_for(desk.sessions, body.by, "api")
    d = await desk.drafts.approve(
        await desk.tickets.current_draft_id(ticket_id), actor, version=body.version
    )
    return DecisionOut.of(d)


@router.post("/tickets/{ticket_id}/reject", response_model=DecisionOut)
async def reject(ticket_id: int, body: RejectBody, desk: DeskDep) -> DecisionOut:
    actor = await actor_for(desk.sessions, body.by, "api")
    d = await desk.drafts.reject(
        await desk.tickets.current_draft_id(ticket_id), actor, reason=body.reason
    )
    return DecisionOut.of(d)


@router.post("/tickets/{ticket_id}/retry", response_model=DecisionOut)
async def retry(ticket_id: int, body: ByBody, desk: DeskDep) -> DecisionOut:
    """Queue a ticket's failed reply again (e.g. after its recipient's bounce mark was
    cleared); the worker sends it."""
    actor = await actor_for(desk.sessions, body.by, "api")
    return DecisionOut.of(
        await desk.drafts.retry(await desk.tickets.current_draft_id(ticket_id), actor)
    )


@router.post("/tickets/{ticket_id}/edit")
async def edit(ticket_id: int, body: EditBody, desk: DeskDep) -> dict[str, Any]:
    actor = await actor_for(desk.sessions, body.by, "api")
    draft = await desk.drafts.edit(
        await desk.tickets.current_draft_id(ticket_id), actor, body=body.text
    )
    return {
        "ticket_id": ticket_id,
        "draft_id": draft.id,
        "version": draft.version,
        "status": draft.status,
    }


def create_app(desk: Desk) -> FastAPI:
    app = FastAPI(title="AI Support Desk", version="1", docs_url="/docs")
    app.state.desk = desk

    @app.exception_handler(DeskError)
    async def desk_error(_request: Request, exc: DeskError) -> JSONResponse:
        status = next((code for cls, code in STATUS_FOR.items() if isinstance(exc, cls)), 400)
        return JSONResponse({"error": type(exc).__name__, "detail": str(exc)}, status_code=status)

    @app.get("/healthz", tags=["ops"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["ops"])
    async def readyz() -> JSONResponse:
        try:
            async with desk.sessions() as session:
                await session.execute(text("SELECT 1 FROM tickets LIMIT 1"))
        except Exception as exc:  # the probe reports any database failure as not ready
            return JSONResponse(
                {"status": "unavailable", "detail": str(exc)[:300]}, status_code=503
            )
        return JSONResponse({"status": "ok"})

    app.include_router(router)
    app.include_router(extra_router)  # bulk, analytics, templates, scheduler
    mount_slack(app, desk)  # POST /slack/events, only when Slack is configured
    return app
