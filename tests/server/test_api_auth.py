"""The REST API behind tokens, through the ASGI app on the real database: every /api/v1
route refuses a missing, malformed, expired or revoked token; scopes and roles decide
what a token may do; failed sign-ins are throttled and the lock-out audited."""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from sqlalchemy import select, update

from core.access.permissions import Principal
from core.access.throttle import AuthThrottle
from core.access.tokens import TokenService
from core.access.users import ensure_user
from db.models import AuditEvent, Ticket, User
from server.http.app import create_app
from server.http.deps import Allowed, PrincipalDep, api_router
from server.wiring import Desk
from tests.core.flows import drafted_ticket, smtp_mailbox
from tests.support.api import ISSUER, Clock, api_client, api_token, bearer

README = Path(__file__).resolve().parents[2] / "README.md"
CHALLENGE = 'Bearer realm="desk", error="invalid_token"'


def clocked(desk: Desk) -> Clock:
    """Give the desk's token service and throttle one hand-moved clock."""
    clock = Clock()
    desk.tokens = TokenService(desk.sessions, desk.secrets, clock)
    desk.throttle = AuthThrottle(clock)
    return clock


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """Every (method, path, operation) of /openapi.json under /api/v1."""
    return [
        (method, path, op)
        for path, item in spec["paths"].items()
        if path.startswith("/api/v1")
        for method, op in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]


def api_routes(app: FastAPI) -> list[APIRoute]:
    """Every APIRoute of ``app`` under /api/, also inside routers FastAPI includes lazily
    (0.165 and later keep an included router's own routes behind ``original_router``)."""
    found, stack = [], list(app.routes)
    while stack:
        route = stack.pop()
        if isinstance(route, APIRoute) and route.path.startswith("/api/"):
            found.append(route)
        inner = getattr(route, "original_router", None)
        if inner is not None:
            stack.extend(inner.routes)
    return found


def concrete(path: str, op: dict[str, Any]) -> str:
    """``path`` with each path parameter filled by a value its schema accepts."""
    for param in op.get("parameters", []):
        if param["in"] != "path":
            continue
        schema = param["schema"]
        value = schema["enum"][0] if "enum" in schema else 1
        path = path.replace("{" + param["name"] + "}", str(value))
    return path


async def test_every_api_route_needs_a_valid_token(desk: Desk) -> None:
    clock = clocked(desk)
    desk.throttle = AuthThrottle(clock, limit=10_000)  # this walk fails on purpose, often
    root = await ensure_user(desk.sessions, "root@team.test", role="admin")
    expired = await desk.tokens.create(root.id, scopes="read,write,admin", expires="1h", by=ISSUER)
    revoked = await desk.tokens.create(root.id, scopes="read,write,admin", by=ISSUER)
    await desk.tokens.revoke(revoked.info.id, by=ISSUER)
    clock.now += timedelta(hours=2)
    app = create_app(desk)
    variants: dict[str, dict[str, str]] = {
        "no token": {},
        "not bearer": {"Authorization": "Basic cm9vdDpyb290"},
        "malformed": bearer("desk_nope"),
        "unknown": bearer("desk_" + "A" * 16 + "_" + "b" * 43),
        "expired": bearer(expired.token),
        "revoked": bearer(revoked.token),
    }
    async with api_client(desk, app=app) as c:
        spec = (await c.get("/openapi.json")).json()
        ops = operations(spec)
        routed = {(m.lower(), r.path) for r in api_routes(app) for m in r.methods or ()}
        # a route left out of the schema would escape the walk: there is none
        assert routed == {(m, p) for m, p, _ in ops}
        assert len(ops) >= 20
        for method, path, op in ops:
            assert op.get("security") == [{"token": []}], (method, path)
            url = concrete(path, op)
            for name, headers in variants.items():
                body: dict[str, Any] | None = {} if method in ("post", "put", "patch") else None
                r = await c.request(method, url, headers=headers, json=body)
                assert r.status_code == 401, (method, path, name, r.status_code, r.text)
                assert r.json()["error"] == "invalid_token", (method, path, name)
                assert r.headers["WWW-Authenticate"] == CHALLENGE, (method, path, name)
                assert re.fullmatch(r"[0-9a-f]{32}", r.headers["X-Request-ID"])
        scheme = spec["components"]["securitySchemes"]["token"]
        assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
        for open_path in ("/healthz", "/readyz", "/openapi.json", "/docs"):
            assert (await c.get(open_path)).status_code == 200, open_path
        assert "security" not in spec["paths"]["/healthz"]["get"]
        details = set()
        for name, headers in variants.items():
            r = await c.get("/api/v1/tickets", headers=headers)
            details.add(r.json()["detail"])
            for token in (expired.token, revoked.token):
                assert token.split("_", 2)[2] not in r.text, name
        # each refusal says why, without the token
        assert {"the token has expired", "the token was revoked", "the token is unknown"} <= details


def _roles(dependant: Dependant) -> list[Allowed]:
    found = [d.call for d in dependant.dependencies if isinstance(d.call, Allowed)]
    for sub in dependant.dependencies:
        found += _roles(sub)
    return found


def route_table(app: FastAPI) -> set[tuple[str, str, str, str]]:
    """(method, path, scope, roles) of every /api/v1 route, from its ``Allowed``."""
    rows = set()
    for route in api_routes(app):
        found = _roles(route.dependant)
        assert len(found) == 1, f"{route.path} names no scope and role (Allowed)"
        [allowed] = found
        roles = ", ".join(allowed.roles) or "any"
        for method in route.methods or ():
            rows.add((method, route.path, allowed.scope, roles))
    return rows


def readme_table() -> set[tuple[str, str, str, str]]:
    rows = set()
    for line in README.read_text().splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if len(cells) >= 4 and cells[0] in ("GET", "POST", "PATCH", "PUT", "DELETE"):
            rows.add((cells[0], cells[1], cells[2], cells[3]))
    return rows


async def test_the_readme_lists_every_route_with_its_scope_and_role(desk: Desk) -> None:
    table = route_table(create_app(desk))
    assert ("POST", "/api/v1/tickets/{ticket_id}/approve", "write", "any") in table
    assert ("GET", "/api/v1/analytics", "read", "admin, manager") in table
    assert readme_table() == table


READ, WRITE, ADMIN = "read", "write", "admin"
SCOPE_SETS = ("read", "write", "admin", "read,write,admin")
MANAGERS = ("manager", "admin")


async def test_roles_times_scopes_times_actions(desk: Desk) -> None:
    """What each role may do with each token, on the real routes: the scope is checked
    first (insufficient_scope), then the role (forbidden); nothing refused changes."""
    clocked(desk)
    mailbox = await smtp_mailbox(desk)
    t1, _ = await drafted_ticket(desk, mailbox, subject="Refund please")
    bob = await ensure_user(desk.sessions, "bob@team.test")
    async with desk.sessions.begin() as s:  # bob's ticket: other agents may not decide it
        await s.execute(update(Ticket).where(Ticket.id == t1).values(assigned_to_id=bob.id))
    people = {"agent": "amy@team.test", "manager": "boss@team.test", "admin": "root@team.test"}
    # action -> (method, path, body, scope, roles that may)
    actions: dict[str, tuple[str, str, dict[str, Any] | None, str, tuple[str, ...]]] = {
        "list": ("GET", "/api/v1/tickets", None, READ, ("agent", *MANAGERS)),
        "stats": ("GET", "/api/v1/analytics", None, READ, MANAGERS),
        "edit bob's": ("POST", f"/api/v1/tickets/{t1}/edit", {"text": "Hi"}, WRITE, MANAGERS),
        "template": ("POST", "/api/v1/templates/preview", {"body": "Hi"}, WRITE, MANAGERS),
        "scheduler": ("POST", "/api/v1/scheduler/stop", {}, ADMIN, ("admin",)),
    }
    seen: set[str] = set()
    async with api_client(desk) as c:
        for role, email in people.items():
            for scopes in SCOPE_SETS:
                token = await api_token(desk, email, role=role, scopes=scopes)
                for action, (method, path, body, scope, roles) in actions.items():
                    r = await c.request(method, path, json=body, headers=bearer(token))
                    case = (role, scopes, action, r.status_code, r.text[:200])
                    if scope not in scopes.split(","):
                        assert r.status_code == 403, case
                        assert r.json()["error"] == "insufficient_scope", case
                        assert f'scope="{scope}"' in r.headers["WWW-Authenticate"], case
                    elif role not in roles:
                        assert r.status_code == 403 and r.json()["error"] == "forbidden", case
                    else:
                        assert r.status_code == 200, case
                    seen.add(r.json()["error"] if r.status_code == 403 else "ok")
        assert seen == {"ok", "forbidden", "insufficient_scope"}
        # only the manager's and the admin's edits went through: two tokens with write each
        got = (await c.get(f"/api/v1/tickets/{t1}", headers=bearer(token))).json()
        assert got["draft_version"] == 1 + 4 and got["approval_status"] == "pending"


async def test_decisions_act_as_the_tokens_owner(desk: Desk) -> None:
    clocked(desk)
    mailbox = await smtp_mailbox(desk)
    t1, d1 = await drafted_ticket(desk, mailbox, subject="Refund please")
    t2, _ = await drafted_ticket(desk, mailbox, subject="Login broken", sender="b@cust.test")
    bob = await ensure_user(desk.sessions, "bob@team.test")
    async with desk.sessions.begin() as s:
        await s.execute(update(Ticket).where(Ticket.id == t1).values(assigned_to_id=bob.id))
    amy = await api_token(desk, "amy@team.test")
    amy_read = await api_token(desk, "amy@team.test", scopes="read")
    boss = await api_token(desk, "boss@team.test", role="manager")
    root = await api_token(desk, "root@team.test", role="admin", scopes="read,write,admin")
    async with api_client(desk) as c:
        # an agent on another's ticket; a read token approving: refused, nothing changes
        r = await c.post(f"/api/v1/tickets/{t1}/approve", json={}, headers=bearer(amy))
        assert r.status_code == 403 and r.json()["error"] == "forbidden"
        assert "bob@team.test" in r.json()["detail"]
        r = await c.post(f"/api/v1/tickets/{t2}/approve", json={}, headers=bearer(amy_read))
        assert r.status_code == 403 and r.json()["error"] == "insufficient_scope"
        assert (await c.get(f"/api/v1/tickets/{t1}", headers=bearer(amy))).json()[
            "approval_status"
        ] == "pending"
        # a manager approves bob's ticket: the audit names the manager, through the API
        r = await c.post(
            f"/api/v1/tickets/{t1}/approve",
            json={"version": 1},
            headers={**bearer(boss), "X-Request-ID": "req-42.a_b"},
        )
        assert r.status_code == 200 and r.json()["by"] == "boss@team.test"
        assert r.headers["X-Request-ID"] == "req-42.a_b"
        async with desk.sessions() as s:
            [event] = (
                await s.scalars(select(AuditEvent).where(AuditEvent.action == "draft.approved"))
            ).all()
        assert (event.actor, event.source, event.draft_id) == ("boss@team.test", "api", d1)
        # an agent decides an unassigned ticket
        r = await c.post(
            f"/api/v1/tickets/{t2}/reject", json={"reason": "spam"}, headers=bearer(amy)
        )
        assert r.status_code == 200 and r.json()["by"] == "amy@team.test"

        # an old client naming its user: 422 saying what changed, nothing done
        removed = (
            "the 'by' field was removed: the acting user is the API token's owner "
            "(Authorization: Bearer)"
        )
        for method, path, kwargs in (
            ("POST", f"/api/v1/tickets/{t2}/edit", {"json": {"by": "x@t.test", "text": "Hi"}}),
            ("POST", "/api/v1/bulk/approve", {"json": {"by": "x@t.test", "ticket_ids": [t2]}}),
            ("POST", "/api/v1/scheduler/stop", {"json": {"by": "x@t.test"}}),
            ("DELETE", "/api/v1/templates/hi", {"params": {"by": "x@t.test"}}),
        ):
            r = await c.request(method, path, headers=bearer(root), **kwargs)
            assert r.status_code == 422, (path, r.text)
            assert r.json() == {"error": "ValidationError", "detail": removed}, path
        # ... but not for a role that could not do it anyway: that is a 403 first
        r = await c.request("DELETE", "/api/v1/templates/hi?by=x", headers=bearer(amy))
        assert r.status_code == 403

        # the owner deactivated: the token stops at once
        async with desk.sessions.begin() as s:
            await s.execute(
                update(User).where(User.email == "boss@team.test").values(is_active=False)
            )
        r = await c.get("/api/v1/tickets", headers=bearer(boss))
        assert r.status_code == 401 and r.json()["error"] == "invalid_token"
        assert r.headers["WWW-Authenticate"] == CHALLENGE


async def test_the_principal_carries_the_request_id_and_client_address(desk: Desk) -> None:
    """The dependency itself, on a route of its own: who, which request, from where."""
    clocked(desk)
    app = create_app(desk)
    probe = api_router("probe")

    @probe.get("/probe")
    async def who_is_it(who: PrincipalDep) -> dict[str, Any]:
        return {
            "user": who.name,
            "source": who.source,
            "scopes": sorted(who.scopes or ()),
            "request_id": who.request_id,
            "client_addr": who.client_addr,
            "actor_request_id": who.actor.request_id,
        }

    app.include_router(probe)
    token = await api_token(desk, "amy@team.test", scopes="read")
    async with api_client(desk, token, app=app, client_addr="203.0.113.7") as c:
        r = await c.get("/api/v1/probe", headers={"X-Request-ID": "abc-1"})
        assert r.json() == {
            "user": "amy@team.test",
            "source": "api",
            "scopes": ["read"],
            "request_id": "abc-1",
            "client_addr": "203.0.113.7",
            "actor_request_id": "abc-1",
        }
        assert r.headers["X-Request-ID"] == "abc-1"
        for insane in ("x" * 65, "a b", "../etc", "", "id;drop"):
            r = await c.get("/api/v1/probe", headers={"X-Request-ID": insane})
            new = r.json()["request_id"]
            assert re.fullmatch(r"[0-9a-f]{32}", new), insane
            assert r.headers["X-Request-ID"] == new
        r = await c.get("/api/v1/probe")
        assert re.fullmatch(r"[0-9a-f]{32}", r.json()["request_id"])


async def test_brute_force_is_locked_out_audited_and_logged_without_tokens(
    desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    clock = clocked(desk)
    good = await api_token(desk, "amy@team.test", scopes="read")
    guesses = [f"desk_Guess{i:011d}_{'s' * 40}{i:03d}" for i in range(30)]
    caplog.set_level(logging.DEBUG)
    async with api_client(desk, client_addr="198.51.100.9") as c:
        answers = []
        for guess in guesses:  # 30 bad tokens within a minute
            answers.append(await c.get("/api/v1/tickets", headers=bearer(guess)))
            clock.now += timedelta(seconds=1)
        assert [r.status_code for r in answers] == [401] * 20 + [429] * 10
        locked = answers[20]
        assert locked.json()["error"] == "too_many_attempts"
        assert 0 < int(locked.headers["Retry-After"]) <= 300
        # locked means locked: a good token from that address waits too
        r = await c.get("/api/v1/tickets", headers=bearer(good))
        assert r.status_code == 429 and int(r.headers["Retry-After"]) <= 300 - 9
        clock.now += timedelta(seconds=int(r.headers["Retry-After"]))
        assert (await c.get("/api/v1/tickets", headers=bearer(good))).status_code == 200

    # the same token id tried from many addresses is locked out on its own
    one = "desk_" + "Z" * 16 + "_" + "q" * 43
    for n in range(20):
        async with api_client(desk, client_addr=f"192.0.2.{n + 1}") as c:
            assert (await c.get("/api/v1/tickets", headers=bearer(one))).status_code == 401
    async with api_client(desk, client_addr="192.0.2.200") as c:
        assert (await c.get("/api/v1/tickets", headers=bearer(one))).status_code == 429
        assert (await c.get("/api/v1/tickets", headers=bearer(good))).status_code == 200

    async with desk.sessions() as s:
        events = (
            await s.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == "auth_lockout")
                .order_by(AuditEvent.id)
            )
        ).all()
    assert [(e.actor, e.source) for e in events] == [
        ("token:Guess00000000019", "api"),  # the 20th guess, whose failure locked the address
        ("token:" + "Z" * 16, "api"),
    ]
    first, second = (e.data for e in events)
    assert first["keys"] == ["addr:198.51.100.9"] and first["client_addr"] == "198.51.100.9"
    assert second["keys"] == ["token:" + "Z" * 16] and second["client_addr"] == "192.0.2.20"
    assert first["until"] == (Clock().now + timedelta(seconds=19 + 300)).isoformat()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any("locked out" in r.getMessage() for r in warnings)
    written = caplog.text + json.dumps([e.data for e in events])
    for token in (*guesses, one, good):
        secret = token.split("_", 2)[2]
        assert token not in written and secret not in written


async def test_a_lockout_without_any_token_is_anonymous(desk: Desk) -> None:
    clocked(desk)
    async with api_client(desk, client_addr="198.51.100.10") as c:
        codes = [(await c.get("/api/v1/tickets/counts")).status_code for _ in range(21)]
    assert codes == [401] * 20 + [429]
    async with desk.sessions() as s:
        [event] = (
            await s.scalars(select(AuditEvent).where(AuditEvent.action == "auth_lockout"))
        ).all()
    assert (event.actor, event.source, event.data["keys"]) == (
        "anonymous",
        "api",
        ["addr:198.51.100.10"],
    )


async def test_the_caller_is_a_principal_of_the_token(desk: Desk) -> None:
    """What authenticate gives the routes is the owner's current role with the token's
    scopes, not what the token was made with."""
    clocked(desk)
    token = await api_token(desk, "kim@team.test", role="manager", scopes="read")
    async with desk.sessions.begin() as s:
        await s.execute(update(User).where(User.email == "kim@team.test").values(role="agent"))
    who = await desk.tokens.authenticate(token)
    assert isinstance(who, Principal) and who.role == "agent" and who.scopes == {"read"}
    async with api_client(desk, token) as c:
        r = await c.get("/api/v1/analytics")  # a manager's token, but kim is an agent now
        assert r.status_code == 403 and r.json()["error"] == "forbidden"
