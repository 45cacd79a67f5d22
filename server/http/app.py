"""``create_app``: the FastAPI app over one desk, its error handler and routers, and the
Slack endpoint when Slack is configured."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from bot.config import SlackConfig
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
from server.http.auth import install_auth
from server.http.models import ErrorOut
from server.http.routes import (
    analytics,
    audit,
    bulk,
    health,
    recipients,
    scheduler,
    sla,
    status,
    templates,
    tickets,
    workload,
)
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

# every route may answer with the error body; /openapi.json documents it once per status
ERRORS: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorOut, "description": cls.__name__}
    for cls, status in STATUS_FOR.items()
    if status != 422  # FastAPI documents 422 (request validation) itself
}


def status_for(exc: DeskError) -> int:
    return next((code for cls, code in STATUS_FOR.items() if isinstance(exc, cls)), 400)


def create_app(desk: Desk, *, slack: SlackConfig | None = None) -> FastAPI:
    """The API on ``desk``; ``slack`` instead of the desk's ``slack`` section (tests)."""
    app = FastAPI(title="AI Support Desk", version="1", docs_url="/docs")
    app.state.desk = desk

    @app.exception_handler(DeskError)
    async def desk_error(_request: Request, exc: DeskError) -> JSONResponse:
        body = ErrorOut(error=type(exc).__name__, detail=str(exc))
        return JSONResponse(body.model_dump(), status_code=status_for(exc))

    install_auth(app)  # request ids; 401 invalid_token, 403 scope/role, 429 lock-out
    app.include_router(health.router)
    for resource in (
        tickets,
        bulk,
        analytics,
        templates,
        scheduler,
        recipients,
        audit,
        sla,
        status,
        workload,
    ):
        app.include_router(resource.router, responses=ERRORS)
    mount_slack(app, desk, slack)  # POST /slack/events, only when Slack is configured
    return app
