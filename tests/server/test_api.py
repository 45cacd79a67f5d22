"""The REST API through FastAPI with real services behind it."""

from __future__ import annotations

import asyncio

import httpx

from server.api import create_app
from server.wiring import Desk
from tests.core.flows import drafted_ticket, smtp_mailbox


def client(desk: Desk) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(desk)), base_url="http://desk"
    )


async def test_health_and_readiness(desk: Desk) -> None:
    async with client(desk) as c:
        assert (await c.get("/healthz")).json() == {"status": "ok"}
        assert (await c.get("/readyz")).status_code == 200
        assert "/api/v1/tickets" in (await c.get("/openapi.json")).json()["paths"]


async def test_list_filter_get_and_decide(desk: Desk) -> None:
    mailbox = await smtp_mailbox(desk)
    t1, _ = await drafted_ticket(
        desk,
        mailbox,
        sender="Ann <ann@cust.test>",
        subject="Refund for double charge",
        body="I was charged twice on my credit card invoice, please refund the payment.",
    )
    t2, _ = await drafted_ticket(
        desk,
        mailbox,
        sender="bob@cust.test",
        subject="Cannot log in",
        body="My password reset link does not work and I am locked out of my account.",
    )
    async with client(desk) as c:
        listed = (await c.get("/api/v1/tickets")).json()
        assert listed["total"] == 2 and {i["id"] for i in listed["items"]} == {t1, t2}
        only = (await c.get("/api/v1/tickets", params={"q": "refund"})).json()
        assert [i["id"] for i in only["items"]] == [t1]
        by_sender = (await c.get("/api/v1/tickets", params={"sender": "BOB@cust.test"})).json()
        assert [i["id"] for i in by_sender["items"]] == [t2]
        assert (await c.get("/api/v1/tickets", params={"urgency": "extreme"})).status_code == 422
        assert (await c.get("/api/v1/tickets/999")).status_code == 404

        r = await c.post(f"/api/v1/tickets/{t1}/reject", json={"by": "ann@team.test", "reason": ""})
        assert r.status_code == 422
        r = await c.post(
            f"/api/v1/tickets/{t1}/edit",
            json={"by": "ann@team.test", "text": "Refund is on its way."},
        )
        assert r.status_code == 200 and r.json()["version"] == 2
        r = await c.post(
            f"/api/v1/tickets/{t1}/approve", json={"by": "ann@team.test", "version": 1}
        )
        assert r.status_code == 409 and "edited" in r.json()["detail"]
        first, second = await asyncio.gather(
            c.post(f"/api/v1/tickets/{t1}/approve", json={"by": "ann@team.test"}),
            c.post(f"/api/v1/tickets/{t1}/approve", json={"by": "ben@team.test"}),
        )
        assert sorted([first.status_code, second.status_code]) == [200, 409]
        got = (await c.get(f"/api/v1/tickets/{t1}")).json()
        assert (
            got["approval_status"] == "approved"
            and got["draft_response"] == "Refund is on its way."
        )
        counts = (await c.get("/api/v1/tickets/counts")).json()
        assert (
            counts["draft_approved"] == 1 and counts["draft_pending"] == 1 and counts["open"] == 2
        )
        pending = (await c.get("/api/v1/tickets", params={"status": "pending"})).json()
        assert [i["id"] for i in pending["items"]] == [t2]
