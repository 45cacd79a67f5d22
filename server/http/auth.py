"""How the API answers who is calling: the bearer scheme, request ids, and the 401, 403
and 429 bodies.

Every ``/api/v1`` route depends on ``server.http.deps.get_principal`` (router level, see
``deps.api_router``), which reads ``Authorization: Bearer <token>`` through ``bearer``.
This module holds what is not a dependency: the request id every ``/api`` response echoes
(``RequestIds``, a pure-ASGI middleware, so errors and streamed bodies carry it too) and
the exception handlers ``install_auth`` registers:

- ``InvalidToken`` -> 401 ``{"error": "invalid_token"}`` with ``WWW-Authenticate``;
- ``PermissionDenied`` -> 403 ``{"error": "insufficient_scope" | "forbidden"}`` (its
  ``data["reason"]``; a refusal without one, e.g. from the decision path, is ``forbidden``);
- ``TooManyAttempts`` -> 429 ``{"error": "too_many_attempts"}`` with ``Retry-After``.
"""

from __future__ import annotations

import re
import uuid

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPBearer
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.errors import InvalidToken, PermissionDenied, TooManyAttempts
from server.http.models import ErrorOut

REALM = "desk"
REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="token",
    description="A desk API token: `Authorization: Bearer desk_<id>_<secret>` "
    "(`desk tokens create --user EMAIL --scope read,write`).",
)

# what every /api/v1 route may answer besides its own errors; /openapi.json documents it
AUTH_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorOut, "description": "invalid_token: no, or no valid, API token"},
    403: {"model": ErrorOut, "description": "insufficient_scope or forbidden"},
    429: {"model": ErrorOut, "description": "too_many_attempts: failed sign-ins, wait"},
}


def request_id_from(incoming: str | None) -> str:
    """The caller's ``X-Request-ID`` when it is sane (1-64 of ``[A-Za-z0-9._-]``), else a
    new one (uuid4 hex): a log line or an audit row may quote it as it is."""
    if incoming is not None and _REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def request_id_of(request: Request) -> str:
    """The id ``RequestIds`` gave this request (a new one where it did not run)."""
    found = getattr(request.state, "request_id", None)
    if isinstance(found, str):
        return found
    rid = request_id_from(request.headers.get(REQUEST_ID_HEADER))
    request.state.request_id = rid
    return rid


class RequestIds:
    """Gives every ``/api`` request its id (``scope["state"]["request_id"]``, which
    ``request.state`` reads) and echoes it as the ``X-Request-ID`` response header."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith("/api/"):
            await self.app(scope, receive, send)
            return
        incoming = next(
            (v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"x-request-id"),
            None,
        )
        rid = request_id_from(incoming)
        scope.setdefault("state", {})["request_id"] = rid

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = rid
            await send(message)

        await self.app(scope, receive, send_with_id)


def _challenge(error: str, **params: str) -> str:
    extra = "".join(f', {k}="{v}"' for k, v in params.items())
    return f'Bearer realm="{REALM}", error="{error}"{extra}'


async def invalid_token(_request: Request, exc: Exception) -> JSONResponse:
    body = ErrorOut(error="invalid_token", detail=str(exc))
    return JSONResponse(
        body.model_dump(),
        status_code=401,
        headers={"WWW-Authenticate": _challenge("invalid_token")},
    )


async def permission_denied(_request: Request, exc: Exception) -> JSONResponse:
    data = exc.data if isinstance(exc, PermissionDenied) else {}
    reason = "insufficient_scope" if data.get("reason") == "insufficient_scope" else "forbidden"
    headers = {}
    if reason == "insufficient_scope":  # RFC 6750: say which scope would do
        headers["WWW-Authenticate"] = _challenge(reason, scope=str(data.get("scope", "")))
    body = ErrorOut(error=reason, detail=str(exc))
    return JSONResponse(body.model_dump(), status_code=403, headers=headers)


async def too_many_attempts(_request: Request, exc: Exception) -> JSONResponse:
    data = exc.data if isinstance(exc, TooManyAttempts) else {}
    wait = int(data.get("retry_after", 60))
    body = ErrorOut(error="too_many_attempts", detail=str(exc))
    return JSONResponse(body.model_dump(), status_code=429, headers={"Retry-After": str(wait)})


def install_auth(app: FastAPI) -> None:
    """Register the request ids and the 401/403/429 answers on ``app``."""
    app.add_middleware(RequestIds)
    app.add_exception_handler(InvalidToken, invalid_token)
    app.add_exception_handler(PermissionDenied, permission_denied)
    app.add_exception_handler(TooManyAttempts, too_many_attempts)
