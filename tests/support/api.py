"""Calling the REST API as a desk user: a real token from the desk's own token service and
an httpx client over the ASGI app that sends it.

    token = await api_token(desk, "ann@team.test", role="manager", scopes="read,write")
    async with api_client(desk, token) as c:
        r = await c.post(f"/api/v1/tickets/{t}/approve", json={})
        r = await c.get("/api/v1/tickets", headers=bearer(other_token))  # someone else
"""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from fastapi import FastAPI
from sqlalchemy import update

from core.access.users import ensure_user
from core.audit import Actor
from db.models import User
from server.http.app import create_app
from server.wiring import Desk

ISSUER = Actor(name="test-setup", source="cli")


class Clock:
    """A clock a test moves by hand (``clock.now += timedelta(...)``)."""

    def __init__(self, now: datetime = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def api_token(
    desk: Desk,
    email: str,
    *,
    role: str = "agent",
    scopes: str = "read,write",
    expires: str = "90d",
) -> str:
    """A token for the desk user ``email``, who has ``role`` when it is used.

    A token is only issued with scopes its owner's role allows; scopes beyond ``role``
    (an agent's token with ``admin``) are what a token keeps when its owner is demoted
    after it was made: it is issued while the owner is an admin, then the role is set."""
    user = await ensure_user(desk.sessions, email, role=role)
    wider = "admin" in scopes.split(",") and role != "admin"
    await _set_role(desk, user.id, "admin" if wider else role)
    issued = await desk.tokens.create(user.id, scopes=scopes, expires=expires, by=ISSUER)
    if wider:
        await _set_role(desk, user.id, role)
    return issued.token


async def _set_role(desk: Desk, user_id: int, role: str) -> None:
    async with desk.sessions.begin() as session:
        await session.execute(update(User).where(User.id == user_id).values(role=role))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def api_client(
    desk: Desk,
    token: str | None = None,
    *,
    app: FastAPI | None = None,
    client_addr: str = "127.0.0.1",
) -> httpx.AsyncClient:
    """A client of ``create_app(desk)`` (or ``app``) calling from ``client_addr``; with
    ``token``, every request sends it."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app or create_app(desk), client=(client_addr, 50123)),
        base_url="http://desk",
        headers=bearer(token) if token is not None else None,
    )
