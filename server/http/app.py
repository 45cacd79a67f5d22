"""``create_app``: the FastAPI app over one desk, its error handlers, middleware and
routers, and the Slack endpoint when Slack is configured."""

from __future__ import annotations

import base64
import hashlib
import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy.exc import DataError
from starlette.middleware.cors import CORSMiddleware

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
    knowledge,
    notifications,
    recipients,
    scheduler,
    sla,
    status,
    templates,
    tickets,
    workload,
)
from server.http.safety import MAX_JSON_BYTES, InputGuard, SecurityHeaders
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
# (422 replaces FastAPI's own validation shape: request validation answers ErrorOut too)
ERRORS: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorOut, "description": cls.__name__} for cls, status in STATUS_FOR.items()
}
ERRORS[413] = {"model": ErrorOut, "description": f"PayloadTooLarge (over {MAX_JSON_BYTES} bytes)"}

log = logging.getLogger(__name__)

ECHO = 200  # characters of any input a validation error repeats
SHOWN_ERRORS = 10
# /docs is the one HTML page: Swagger UI's script and style from its CDN, its inline start
DOCS_CDN = "https://cdn.jsdelivr.net"
DOCS_ICON = "https://fastapi.tiangolo.com"
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


def status_for(exc: DeskError) -> int:
    return next((code for cls, code in STATUS_FOR.items() if isinstance(exc, cls)), 400)


def _echo(value: Any) -> str:
    text = repr(value)  # escapes NULs and lone surrogates: the answer is always UTF-8
    return text if len(text) <= ECHO else text[:ECHO] + "..."


def describe(errors: Any) -> str:
    """Pydantic's errors as one line each (``where: what (got ...)``), the first ten, with
    at most 200 characters of each input repeated."""
    lines = []
    for err in list(errors)[:SHOWN_ERRORS]:
        where = ".".join(str(part)[:50] for part in err.get("loc", ()))
        line = f"{where}: {err.get('msg', 'invalid')}"
        if "input" in err and err.get("type") != "missing":
            line += f" (got {_echo(err['input'])})"
        lines.append(line)
    if len(errors) > SHOWN_ERRORS:
        lines.append(f"and {len(errors) - SHOWN_ERRORS} more")
    return "; ".join(lines)


def docs_page(openapi_url: str, title: str) -> HTMLResponse:
    """Swagger UI with a policy that lets in its CDN and only its own inline script."""
    page = get_swagger_ui_html(openapi_url=openapi_url, title=title, oauth2_redirect_url=None)
    html = bytes(page.body).decode()
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in INLINE_SCRIPT.findall(html)
    )
    policy = (
        f"default-src 'none'; script-src {DOCS_CDN} {hashes}; style-src {DOCS_CDN}; "
        f"img-src {DOCS_ICON} {DOCS_CDN} data:; connect-src 'self'; frame-ancestors 'none'"
    )
    return HTMLResponse(html, headers={"Content-Security-Policy": policy})


def create_app(desk: Desk, *, slack: SlackConfig | None = None) -> FastAPI:
    """The API on ``desk``; ``slack`` instead of the desk's ``slack`` section (tests)."""
    app = FastAPI(title="AI Support Desk", version="1", docs_url=None)
    app.state.desk = desk

    @app.exception_handler(DeskError)
    async def desk_error(_request: Request, exc: DeskError) -> JSONResponse:
        body = ErrorOut(error=type(exc).__name__, detail=str(exc))
        return JSONResponse(body.model_dump(), status_code=status_for(exc))

    install_auth(app)  # request ids; 401 invalid_token, 403 scope/role, 429 lock-out

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        body = ErrorOut(error="ValidationError", detail=describe(exc.errors()))
        return JSONResponse(body.model_dump(), status_code=422)

    @app.exception_handler(DataError)
    async def unstorable(request: Request, exc: DataError) -> JSONResponse:
        # the database refused a value of the request (a number beyond its column, a text
        # longer than it): the input is wrong, and the statement's transaction rolled back
        log.warning(
            "%s %s: the database refused a value: %s",
            request.method,
            request.url.path,
            type(exc.orig).__name__,
        )
        detail = "a value in the request is out of range for the desk (a number too big or "
        detail += "a text too long)"
        return JSONResponse(ErrorOut(error="ValidationError", detail=detail).model_dump(), 422)

    @app.get("/docs", include_in_schema=False)
    async def docs(request: Request) -> HTMLResponse:
        root = str(request.scope.get("root_path", "")).rstrip("/")
        return docs_page(root + (app.openapi_url or "/openapi.json"), app.title)

    app.include_router(health.router)
    # POST /slack/events, only when Slack is configured: matched right after the probes,
    # before the API's routers, so an ack does not first walk every /api/v1 route (a
    # request that reached the last route was routed in ~1.2 ms here, the first in 0.1)
    mount_slack(app, desk, slack)
    for resource in (
        tickets,
        bulk,
        analytics,
        templates,
        knowledge,
        scheduler,
        recipients,
        audit,
        notifications,
        sla,
        status,
        workload,
    ):
        app.include_router(resource.router, responses=ERRORS)

    # outermost last: the headers go on every answer, CORS's and the guard's included
    app.add_middleware(InputGuard)
    origins = desk.settings.web.cors_origins
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=sorted(origins),
            allow_methods=["GET", "POST", "PATCH", "PUT", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(SecurityHeaders)
    return app
