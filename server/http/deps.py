"""What routes depend on: the desk (``app.state.desk``), its session factory, the acting
desk user (named by email until API tokens land) and pagination."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request

from core.access.permissions import Principal, principal_by_email
from core.access.users import actor_for
from core.audit import Actor
from db.session import SessionFactory
from server.wiring import Desk


def get_desk(request: Request) -> Desk:
    desk: Desk = request.app.state.desk
    return desk


DeskDep = Annotated[Desk, Depends(get_desk)]


def get_sessions(desk: DeskDep) -> SessionFactory:
    return desk.sessions


SessionsDep = Annotated[SessionFactory, Depends(get_sessions)]


async def acting(desk: Desk, email: str) -> Actor:
    """The desk user ``email`` acting through the API (created as an agent on first use)."""
    return await actor_for(desk.sessions, email, "api")


async def deciding(desk: Desk, email: str) -> Principal:
    """The desk user ``email`` deciding through the API, with their role: the core's
    decision path checks it as it does for Slack, the CLI and bulk actions."""
    return await principal_by_email(desk.sessions, email, "api")


async def user_id_of(desk: Desk, email: str | None) -> int | None:
    """The id of the desk user ``email``; None without one."""
    return None if email is None else (await acting(desk, email)).user_id


async def get_query_actor(desk: DeskDep, by: Annotated[str, Query()]) -> Actor:
    """For requests without a body (DELETE): the acting user from ``?by=``."""
    return await acting(desk, by)


QueryActorDep = Annotated[Actor, Depends(get_query_actor)]


@dataclass(frozen=True, slots=True)
class Page:
    limit: int
    offset: int


def get_page(
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page:
    return Page(limit=limit, offset=offset)


PageDep = Annotated[Page, Depends(get_page)]
