"""What routes depend on: the desk (``app.state.desk``), its session factory, the calling
desk user (``get_principal``: the owner of the request's API token), the scope and role a
route needs (``Allowed``), pagination and the bounds of ids.

Every ``/api/v1`` router is made by ``api_router``, which puts ``get_principal`` on all its
routes: a route cannot be added without authentication (``tests/server/test_api_auth.py``
walks /openapi.json to prove it). Each route then names what it needs:

    @router.post("/tickets/{ticket_id}/approve")
    async def approve(ticket_id: PathId, who: Writer, ...) -> DecisionOut: ...

where ``Writer = Annotated[Principal, Allowed("write", doing="approving a reply")]``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.params import Depends as DependsParam
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import Field
from sqlalchemy import func, select

from core.access.permissions import Principal, check_api
from core.access.throttle import audit_lockout
from core.access.tokens import public_id_of
from core.errors import InvalidToken, TooManyAttempts, ValidationError
from db.models import User
from db.session import SessionFactory
from server.http.auth import AUTH_ERRORS, bearer, request_id_of
from server.http.models import BY_REMOVED
from server.wiring import Desk

log = logging.getLogger(__name__)

# a database id: the id columns are INTEGER, which PostgreSQL keeps to 32 bits (SQLite to
# 64); a larger id cannot name a row, and would make PostgreSQL fail the query
MAX_ID = 2**31 - 1
MAX_OFFSET = 1_000_000
MAX_SEARCH = 200  # characters of a search term or a sender filter

PathId = Annotated[int, Path(ge=1, le=MAX_ID, description="a database id")]
BodyId = Annotated[int, Field(ge=1, le=MAX_ID)]


def get_desk(request: Request) -> Desk:
    desk: Desk = request.app.state.desk
    return desk


DeskDep = Annotated[Desk, Depends(get_desk)]


def get_sessions(desk: DeskDep) -> SessionFactory:
    return desk.sessions


SessionsDep = Annotated[SessionFactory, Depends(get_sessions)]


# --- who is calling ------------------------------------------------------------------------


async def get_principal(
    request: Request,
    desk: DeskDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The owner of the request's bearer token, with the token's scopes, the request id and
    the client's address. The failed-sign-in throttle is asked first (429 while locked);
    each failure is counted, and one that starts a lock-out is audited. InvalidToken (401)
    for no, a malformed, unknown, expired or revoked token, or an inactive owner."""
    addr = request.client.host if request.client else None
    token = credentials.credentials if credentials is not None else None
    public_id = public_id_of(token) if token is not None else None
    throttle = desk.throttle
    keys = throttle.keys(addr, public_id)
    wait = throttle.retry_after(keys)
    if wait is not None:
        raise TooManyAttempts(
            f"too many failed sign-ins from this client: try again in {wait} s",
            retry_after=wait,
        )
    try:
        if token is None:
            raise InvalidToken(_missing(request))
        who = await desk.tokens.authenticate(token)
    except InvalidToken:
        locked = throttle.failed(keys)
        if locked is not None:
            await audit_lockout(
                desk.sessions,
                locked,
                client_addr=addr,
                public_id=public_id,
                request_id=request_id_of(request),
            )
        raise
    return replace(who, request_id=request_id_of(request), client_addr=addr)


def _missing(request: Request) -> str:
    if request.headers.get("authorization"):
        return "the Authorization header must read: Bearer <token>"
    return "this route needs an API token: Authorization: Bearer <token>"


PrincipalDep = Annotated[Principal, Depends(get_principal)]


class Allowed:
    """A dependency: the caller, once ``check_api`` allowed them ``scope`` and one of
    ``roles`` (none: any active desk user). Its attributes make the route table."""

    def __init__(self, scope: str, *roles: str, doing: str) -> None:
        self.scope, self.roles, self.doing = scope, roles, doing

    async def __call__(self, who: PrincipalDep) -> Principal:  # async: no thread for a check
        check_api(who, self.scope, *self.roles, doing=self.doing)
        return who

    def __repr__(self) -> str:
        return f"Allowed({self.scope!r}, {', '.join(map(repr, self.roles))})"


def allowed(scope: str, *roles: str, doing: str) -> Any:
    """``Depends(Allowed(...))`` for ``Annotated[Principal, allowed(...)]``."""
    dependency: DependsParam = Depends(Allowed(scope, *roles, doing=doing))
    return dependency


def api_router(tag: str) -> APIRouter:
    """A router under ``/api/v1`` whose every route authenticates its caller."""
    return APIRouter(
        prefix="/api/v1",
        tags=[tag],
        dependencies=[Depends(get_principal)],
        responses=AUTH_ERRORS,
    )


# --- other desk users a request names --------------------------------------------------------


async def user_id_of(desk: Desk, email: str | None, *, field: str) -> int | None:
    """The id of the existing desk user ``email``; None without one. A name no desk user
    has is a ValidationError (422): a request makes no user (an admin adds people)."""
    if email is None:
        return None
    address = email.strip().lower()
    async with desk.sessions() as session:
        found = await session.scalar(select(User.id).where(func.lower(User.email) == address))
    if found is None:
        raise ValidationError(f"{field}: no desk user {address[:200]!r}", field=field)
    return int(found)


def removed_by(by: object) -> None:
    """Refuse a request that still names its acting user (``by``): the token does now."""
    if by is not None:
        raise ValidationError(BY_REMOVED, field="by")


# --- pagination ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Page:
    limit: int
    offset: int


def get_page(
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Page:
    return Page(limit=limit, offset=offset)


PageDep = Annotated[Page, Depends(get_page)]
