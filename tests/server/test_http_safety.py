"""The API's edge: bad input gets a 4xx in the ``{"error", "detail"}`` shape and changes
nothing, bodies over 1 MB get 413 before they are read whole, every answer carries the
security headers, CORS only for configured origins, and the scheduler's interval is
30 s to 24 h on the API, in Slack and in the CLI. Through the ASGI app on the test database.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from core.access.users import ensure_user
from core.audit import Actor
from core.control.scheduler import check_interval
from core.errors import ValidationError
from db.models import AuditEvent, ResponseTemplate, User
from server.http.app import create_app
from server.http.safety import MAX_JSON_BYTES, STRICT_CSP
from server.wiring import Desk, build_desk
from tests.core.flows import agent, drafted_ticket, smtp_mailbox
from tests.slack.test_settings import _open_settings
from tests.support.cli import run
from tests.support.desk import settings_for
from tests.support.slack_driver import SlackHarness

BIG = 2**64


async def client(desk: Desk) -> httpx.AsyncClient:
    """The app on ``desk``, called with an admin's API token (every route takes one)."""
    admin = await ensure_user(desk.sessions, "root@team.test", role="admin")
    issued = await desk.tokens.create(
        admin.id,
        scopes="read,write,admin",
        expires="1d",
        by=Actor(name=admin.email, source="cli", user_id=admin.id),
    )
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(desk)),
        base_url="http://desk",
        headers={"Authorization": f"Bearer {issued.token}"},
    )


async def rows(desk: Desk, model: type) -> int:
    async with desk.sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


def error_of(r: httpx.Response, status: int) -> str:
    """The error body's detail, after checking the status and that the shape is the API's."""
    assert r.status_code == status, (r.status_code, r.text[:500])
    body = r.json()
    assert set(body) == {"error", "detail"} and isinstance(body["detail"], str), body
    return str(body["detail"])


# --- 1. request validation answers the documented shape ---------------------------------


async def test_validation_errors_answer_the_error_shape_and_echo_little(desk: Desk) -> None:
    huge = "x" * 10_000
    async with await client(desk) as c:
        r = await c.get("/api/v1/tickets", params={"limit": huge})
        detail = error_of(r, 422)
        assert r.json()["error"] == "ValidationError"
        assert "query.limit" in detail and "x" * 190 in detail and "x" * 201 not in detail
        assert len(detail) < 500

        # a body missing its fields, and one that is not JSON at all
        r = await c.post("/api/v1/templates", json={"name": huge})
        detail = error_of(r, 422)
        assert "body.body: Field required" in detail and "x" * 201 not in detail
        r = await c.post(
            "/api/v1/tickets/1/reject",
            content=b"{not json",
            headers={"Content-Type": "application/json"},
        )
        assert "JSON" in error_of(r, 422)

        # many bad items: the first ten are named, the rest counted
        r = await c.post(
            "/api/v1/bulk/preview", json={"action": "approve", "ticket_ids": ["a"] * 30}
        )
        assert "and 20 more" in error_of(r, 422)

        schema = (await c.get("/openapi.json")).json()
    for path, item in schema["paths"].items():
        for method, op in item.items():
            if path.startswith("/api/v1"):
                documented = op["responses"]["422"]["content"]["application/json"]["schema"]
                assert documented == {"$ref": "#/components/schemas/ErrorOut"}, (method, path)
    assert "HTTPValidationError" not in schema["components"]["schemas"]


# --- 2. the input guard: NULs, surrogates, numbers past 64 bits, huge bodies -------------


BAD_BODIES: list[tuple[str, str, bytes, str]] = [
    ("POST", "/api/v1/templates", b'{"by": "a@team.test", "name": "n\\u0000", "body": "b"}', "NUL"),
    (
        "POST",
        "/api/v1/templates",
        b'{"by": "a@team.test", "name": "n\\ud800", "body": "b"}',
        "surrogate",
    ),
    (
        "POST",
        "/api/v1/templates",
        b'{"by": "a@team.test", "n\\u0000": 1, "name": "n", "body": "b"}',
        "NUL",
    ),
    (
        "POST",
        "/api/v1/templates",
        '{"by": "a@team.test", "name": "\u00e9", "body": "b"}'.encode("latin-1"),
        "UTF-8",
    ),
    ("POST", "/api/v1/tickets/1/reject", b'{"by": "a@team.test", "reason": "x\\u0000y"}', "NUL"),
    ("POST", "/api/v1/tickets/1/edit", b'{"by": "a@team.test", "text": "\\udfff"}', "surrogate"),
    (
        "POST",
        "/api/v1/bulk/preview",
        b'{"action": "approve", "ticket_ids": [18446744073709551616]}',
        "64 bits",
    ),
    (
        "POST",
        "/api/v1/bulk/preview",
        b'{"action": "approve", "ticket_ids": [' + b"9" * 5000 + b"]}",
        "64 bits",
    ),
    ("POST", "/api/v1/scheduler/start", b'{"by": "a@team.test", "mailbox": "\\u0000"}', "NUL"),
]


@pytest.mark.parametrize(("method", "path", "body", "says"), BAD_BODIES)
async def test_bodies_the_database_cannot_hold_are_refused_and_change_nothing(
    desk: Desk, method: str, path: str, body: bytes, says: str
) -> None:
    mailbox = await smtp_mailbox(desk)
    await drafted_ticket(
        desk, mailbox, sender="ann@cust.test", subject="Refund", body="Please refund me twice."
    )
    api = await client(desk)
    before = {m: await rows(desk, m) for m in (User, ResponseTemplate, AuditEvent)}
    async with api as c:
        r = await c.request(
            method, path, content=body, headers={"Content-Type": "application/json"}
        )
        assert says in error_of(r, 422)
        ticket = (await c.get("/api/v1/tickets/1")).json()
    assert {m: await rows(desk, m) for m in before} == before
    assert ticket["approval_status"] == "pending" and ticket["drafts"][0]["version"] == 1


@pytest.mark.parametrize(
    ("path", "params", "says"),
    [
        ("/api/v1/tickets", {"q": "a\x00b"}, "NUL"),
        ("/api/v1/tickets", {"sender": "\x00"}, "NUL"),
        ("/api/v1/templates", {"category": "\x00"}, "NUL"),
        ("/api/v1/tickets?q=%ED%A0%80", None, "UTF-8"),  # a lone surrogate, as UTF-8 bytes
        ("/api/v1/tickets?q=%FF", None, "UTF-8"),
        ("/api/v1/templates/a%00b", None, "NUL"),
        ("/api/v1/templates/%ED%A0%80", None, "UTF-8"),
    ],
)
async def test_paths_and_query_strings_with_nul_or_bad_bytes_are_refused(
    desk: Desk, path: str, params: Any, says: str
) -> None:
    async with await client(desk) as c:
        r = await c.get(path, params=params)
    assert says in error_of(r, 422)


async def test_numbers_past_the_database_are_not_found_or_refused(desk: Desk) -> None:
    mailbox = await smtp_mailbox(desk)
    ticket, _ = await drafted_ticket(
        desk, mailbox, sender="ann@cust.test", subject="Refund", body="Please refund me twice."
    )
    by: dict[str, object] = {}  # the acting user is the token's owner
    async with await client(desk) as c:
        for n in (2**31, 2**63 - 1, BIG, -BIG):
            # a path id is 1..2^31-1 (the columns' range): past it, the request is wrong
            assert "path.ticket_id" in error_of(await c.get(f"/api/v1/tickets/{n}"), 422)
            assert "path.ticket_id" in error_of(
                await c.post(f"/api/v1/tickets/{n}/approve", json=by), 422
            )
            r = await c.get(f"/api/v1/templates/{n}")
            assert "out of range" in error_of(r, 422) if n > 0 else "not found" in error_of(r, 404)
        # a digit to str.isdigit() that int() does not take (superscript one)
        assert "not found" in error_of(await c.get("/api/v1/templates/\u00b9"), 404)
        error_of(await c.get("/api/v1/tickets", params={"offset": str(BIG)}), 422)
        error_of(await c.get("/api/v1/tickets", params={"offset": "-1"}), 422)
        error_of(await c.get("/api/v1/tickets", params={"offset": str(2**62)}), 422)
        far = (await c.get("/api/v1/tickets", params={"offset": "1000000"})).json()
        assert far == {"items": [], "total": 1, "total_capped": False}
        preview = await c.post(
            "/api/v1/bulk/preview", json={"action": "approve", "ticket_ids": [2**40, ticket]}
        )
        assert "body.ticket_ids" in error_of(preview, 422)  # ids are 1..2^31-1 in bodies too
        # a number the JSON allows but a column does not is refused by the body's bounds,
        # the same on both databases
        r = await c.post(f"/api/v1/tickets/{ticket}/approve", json={**by, "version": 2**40})
        assert "body.version" in error_of(r, 422)
        # addresses longer than their column are not addresses
        long = "x" * 600 + "@cust.test"
        r = await c.post(f"/api/v1/recipients/{long}/clear", json=by)
        assert "path.email" in error_of(r, 422)
        r = await c.post("/api/v1/recipients/x@cust.test/clear", json={"by": long})
        assert "'by' field was removed" in error_of(r, 422)
        assert (await c.get(f"/api/v1/tickets/{ticket}")).json()["approval_status"] == "pending"


async def test_bodies_over_one_megabyte_get_413_before_they_are_read(desk: Desk) -> None:
    big = json.dumps({"name": "n", "body": "x" * MAX_JSON_BYTES}).encode()
    async with await client(desk) as c:
        r = await c.post(
            "/api/v1/templates", content=big, headers={"Content-Type": "application/json"}
        )
        assert "over 1048576 bytes" in error_of(r, 413) and r.json()["error"] == "PayloadTooLarge"

        given: list[int] = []

        async def chunks() -> AsyncIterator[bytes]:  # chunked: no Content-Length at all
            yield b'{"name": "n", "body": "'
            for n in range(40):
                given.append(n)
                yield b"x" * 65_536
            yield b'"}'

        r = await c.post(
            "/api/v1/templates", content=chunks(), headers={"Content-Type": "application/json"}
        )
        assert error_of(r, 413) and "content-length" not in r.request.headers
        assert len(given) <= MAX_JSON_BYTES // 65_536 + 1  # reading stopped at the limit
        # just under the limit is read and judged by the route as usual
        fits = json.dumps({"name": "n", "body": "x" * 900_000}).encode()
        r = await c.post(
            "/api/v1/templates", content=fits, headers={"Content-Type": "application/json"}
        )
        assert r.status_code == 422 and "20000" in r.json()["detail"]
    assert await rows(desk, ResponseTemplate) == 0


async def test_a_big_content_length_is_refused_without_reading_the_body(desk: Desk) -> None:
    """A raw ASGI call: the guard answers from the header and never asks for the body."""
    app = create_app(desk)
    asked: list[str] = []
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        asked.append("body")
        return {"type": "http.request", "body": b"{}", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/v1/templates",
        "raw_path": b"/api/v1/templates",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"desk"),
            (b"content-type", b"application/json"),
            (b"content-length", str(50 * MAX_JSON_BYTES).encode()),
        ],
        "client": ("127.0.0.1", 1),
        "server": ("desk", 80),
    }
    await app(scope, receive, send)
    assert asked == [] and sent[0]["status"] == 413
    assert json.loads(sent[1]["body"])["error"] == "PayloadTooLarge"


# --- 2. headers and CORS --------------------------------------------------------------


async def test_every_answer_carries_the_security_headers(desk: Desk) -> None:
    async with await client(desk) as c:
        answers = [
            await c.get("/healthz"),
            await c.get("/openapi.json"),
            await c.get("/api/v1/tickets"),
            await c.get("/api/v1/tickets/999"),
            await c.get("/api/v1/tickets", params={"q": "\x00"}),
            await c.get("/nowhere"),
        ]
        docs = await c.get("/docs")
    for r in [*answers, docs]:
        assert r.headers["x-content-type-options"] == "nosniff", r.url
        assert r.headers["referrer-policy"] == "no-referrer"
        assert r.headers["x-frame-options"] == "DENY"
    for r in answers:
        assert r.headers["content-security-policy"] == STRICT_CSP, r.url
    # /docs: Swagger UI from its CDN and its one inline script, by hash; nothing else
    assert docs.status_code == 200 and "swagger-ui" in docs.text
    policy = docs.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "script-src https://cdn.jsdelivr.net 'sha256-" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "/openapi.json" in docs.text


async def test_no_cors_unless_configured(desk: Desk, database_url: str, tmp_path: Path) -> None:
    preflight = {
        "Origin": "https://evil.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
    }
    async with await client(desk) as c:
        r = await c.options("/api/v1/tickets", headers=preflight)
        assert "access-control-allow-origin" not in r.headers
        r = await c.get("/api/v1/tickets", headers={"Origin": "https://evil.example"})
        assert r.status_code == 200 and "access-control-allow-origin" not in r.headers

    allowed = build_desk(
        settings_for(
            database_url,
            tmp_path / "cors",
            DESK_CORS_ORIGINS="https://desk.example.com, http://localhost:3000",
        )
    )
    try:
        async with await client(allowed) as c:
            ok = {**preflight, "Origin": "https://desk.example.com"}
            r = await c.options("/api/v1/tickets", headers=ok)
            assert r.status_code == 200
            assert r.headers["access-control-allow-origin"] == "https://desk.example.com"
            assert r.headers["x-content-type-options"] == "nosniff"  # headers on CORS's own too
            r = await c.options("/api/v1/tickets", headers=preflight)
            assert r.headers.get("access-control-allow-origin") != "https://evil.example"
            r = await c.get("/api/v1/tickets", headers={"Origin": "http://localhost:3000"})
            assert r.headers["access-control-allow-origin"] == "http://localhost:3000"
            r = await c.get("/api/v1/tickets", headers={"Origin": "https://evil.example"})
            assert "access-control-allow-origin" not in r.headers
    finally:
        await allowed.close()


def test_cors_origins_must_be_origins(tmp_path: Path) -> None:
    import pydantic

    for bad in ("*", "desk.example.com", "https://desk.example.com/app"):
        with pytest.raises(pydantic.ValidationError, match="DESK_CORS_ORIGINS"):
            settings_for("sqlite://", tmp_path, DESK_CORS_ORIGINS=bad)


# --- 3. the scheduler's interval bounds on every surface ----------------------------------


def test_the_core_bounds_the_interval() -> None:
    assert check_interval(30) == 30 and check_interval(86_400) == 86_400
    for bad in (0, 1, 29, 86_401, -5, 10**30, True, "soon", 1.5, "\u00b9", "3\u0663"):
        with pytest.raises(ValidationError):
            check_interval(bad)


async def test_the_api_refuses_a_one_second_interval(desk: Desk) -> None:
    await smtp_mailbox(desk)
    async with await client(desk) as c:
        for seconds in (1, 29):
            r = await c.post(
                "/api/v1/scheduler/start",
                json={"interval_seconds": seconds},
            )
            assert "30..86400 seconds" in error_of(r, 422)
        r = await c.post("/api/v1/scheduler/start", json={"interval_seconds": 86_401})
        assert "86400" in error_of(r, 422)
        status = (await c.get("/api/v1/scheduler")).json()
        assert (
            status["interval_seconds"] == 120 and status["mailboxes"][0]["interval_seconds"] == 120
        )
        r = await c.post("/api/v1/scheduler/start", json={"interval_seconds": 30})
        assert r.status_code == 200 and r.json()["interval_seconds"] == 30
    lead = await agent(desk, "lead@team.test")
    with pytest.raises(ValidationError):
        await desk.scheduler.set_interval(lead, 1)
    assert (await desk.scheduler.config()).interval_seconds == 30


def test_the_cli_refuses_a_one_second_interval(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "scheduler", "start", "--interval", "1", "--by", "ops@team.test")
    assert code == 1 and "30..86400 seconds" in err and "Traceback" not in err
    code, out, _ = run(capsys, "scheduler", "status", "--json")
    assert code == 0 and json.loads(out)["interval_seconds"] == 120


async def test_slack_settings_refuse_a_one_second_interval(slack: SlackHarness) -> None:
    scheduler = slack.runtime.services.scheduler
    before = await scheduler.config()
    view = await _open_settings(slack)
    acked = await slack.driver.submit(slack.admin, view, {"fetch_interval": "1"})
    assert acked.json()["errors"] == {"fetch_interval": "30 to 86400 seconds (30 s to 24 h)"}
    assert await scheduler.config() == before
