"""The issue-5 REST endpoints: bulk, analytics JSON/CSV/PNG, templates, scheduler."""

from __future__ import annotations

import csv
import io

from sqlalchemy import update

from db.models import Draft
from server.wiring import Desk
from tests.core.flows import drafted_ticket, smtp_mailbox
from tests.support.api import api_client, api_token, bearer


async def test_bulk_endpoints(desk: Desk, smtp_server) -> None:
    mailbox = await smtp_mailbox(desk, smtp_server.host, smtp_server.port)
    pairs = [
        await drafted_ticket(
            desk,
            mailbox,
            sender=f"c{i}@cust.test",
            subject=f"Refund {i}",
            body="I was charged twice, please refund one payment.",
        )
        for i in range(3)
    ]
    (t1, d1), (t2, _), (t3, _) = pairs
    async with desk.sessions.begin() as s:
        await s.execute(update(Draft).values(escalation_required=False))
        await s.execute(update(Draft).where(Draft.id == d1).values(escalation_required=True))
    boss = await api_token(desk, "boss@team.test", role="manager")
    amy = await api_token(desk, "amy@team.test")
    bob = await api_token(desk, "bob@team.test")
    async with api_client(desk, boss) as c:
        r = await c.post(
            "/api/v1/bulk/preview", json={"action": "approve", "filters": {"status": "pending"}}
        )
        assert r.status_code == 200
        assert sorted(t["ticket_id"] for t in r.json()["act_on"]) == [t2, t3]
        assert [i["reason"] for i in r.json()["skip"]] == ["escalated"]
        r = await c.post("/api/v1/bulk/approve", json={})
        assert r.status_code == 422  # neither ids nor filters
        r = await c.post("/api/v1/bulk/approve", json={"filters": {"urgency": "extreme"}})
        assert r.status_code == 422

        r = await c.post("/api/v1/bulk/approve", json={"filters": {"status": "pending"}})
        body = r.json()
        assert r.status_code == 200 and body["counts"]["done"] == 2
        assert body["counts"]["skipped_by_reason"] == {"escalated": 1}
        assert body["summary"] == "approved 2; skipped 1: 1 flagged for escalation"

        r = await c.post("/api/v1/bulk/send", json={"ticket_ids": [t1, t2, t3]})
        assert r.json()["counts"] == {
            "done": 2,
            "skipped": 1,
            "skipped_by_reason": {"not_approved": 1},
        }
        assert len(smtp_server.messages) == 2

        # an agent may not reject a ticket assigned to someone else
        r = await c.post(
            "/api/v1/bulk/assign", json={"ticket_ids": [t1], "assignee": "bob@team.test"}
        )
        assert r.json()["counts"]["done"] == 1
        r = await c.post(
            "/api/v1/bulk/reject", json={"ticket_ids": [t1], "reason": "no"}, headers=bearer(amy)
        )
        assert r.json()["skipped"][0]["reason"] == "not_permitted"
        r = await c.post(
            "/api/v1/bulk/reject", json={"ticket_ids": [t1], "reason": "no"}, headers=bearer(bob)
        )
        assert r.json()["counts"]["done"] == 1
        r = await c.post("/api/v1/bulk/assign", json={"ticket_ids": [t1]})
        assert r.status_code == 422 and "assignee" in r.json()["detail"]


async def test_analytics_endpoints(desk: Desk) -> None:
    mailbox = await smtp_mailbox(desk)
    await drafted_ticket(desk, mailbox)
    boss = await api_token(desk, "boss@team.test", role="manager", scopes="read")
    async with api_client(desk, boss) as c:
        r = await c.get("/api/v1/analytics", params={"period": "all", "trend": "week"})
        assert r.status_code == 200
        assert r.json()["tickets"] == 1 and r.json()["trend"]["unit"] == "week"
        r = await c.get("/api/v1/analytics", params={"period": "all", "format": "csv"})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(r.text)))
        assert (
            rows[0] == ["section", "key", "metric", "value"]
            and ["summary", "tickets", "count", "1"] in rows
        )
        assert (await c.get("/api/v1/analytics", params={"period": "90d"})).status_code == 422
        r = await c.get("/api/v1/analytics/chart", params={"by": "urgency"})
        assert r.status_code == 200 and r.headers["content-type"] == "image/png"
        assert r.content.startswith(b"\x89PNG")


async def test_template_endpoints(desk: Desk) -> None:
    mailbox = await smtp_mailbox(desk)
    ticket_id, draft_id = await drafted_ticket(desk, mailbox, sender="Ann Lee <ann@cust.test>")
    lead = await api_token(desk, "lead@team.test", role="manager")
    sam = await api_token(desk, "sam@team.test")
    async with api_client(desk, lead) as c:
        r = await c.post("/api/v1/templates", json={"name": "hi", "body": "Hi {{ nme }}"})
        assert r.status_code == 422 and "nme" in r.json()["detail"]
        r = await c.post(
            "/api/v1/templates",
            json={
                "name": "hi",
                "category": "Technical",
                "body": "Hi {{ customer_first_name }}, about #{{ ticket_id }}.",
            },
        )
        assert r.status_code == 201
        tid = r.json()["id"]
        assert (await c.get("/api/v1/templates", params={"category": "Billing"})).json()[
            "items"
        ] == []
        assert (await c.get(f"/api/v1/templates/{tid}")).json()["name"] == "hi"
        r = await c.post("/api/v1/templates/preview", json={"body": "Dear {{ customer_name }}"})
        assert r.json() == {"text": "Dear Alex Example"}
        r = await c.post(f"/api/v1/templates/{tid}/render", json={"ticket_id": ticket_id})
        assert r.json() == {"text": f"Hi Ann, about #{ticket_id}."}
        r = await c.post(
            "/api/v1/templates/hi/use",
            json={"ticket_id": ticket_id, "draft_id": draft_id},
            headers=bearer(sam),
        )
        assert r.status_code == 200 and (await c.get("/api/v1/templates/hi")).json()["uses"] == 1
        r = await c.patch("/api/v1/templates/hi", json={"category": None})
        assert r.status_code == 200 and r.json()["category"] is None
        r = await c.patch("/api/v1/templates/hi", json={"description": "greeting"})
        assert r.json()["category"] is None and r.json()["description"] == "greeting"
        r = await c.delete("/api/v1/templates/hi")
        assert r.status_code == 204
        assert (await c.get("/api/v1/templates")).json()["items"] == []
        assert (await c.get("/api/v1/templates/nope")).status_code == 404
        analytics = (await c.get("/api/v1/analytics", params={"period": "all"})).json()
        assert analytics["templates"] == [{"template_id": tid, "name": "hi", "uses": 1}]


async def test_scheduler_endpoints(desk: Desk) -> None:
    await smtp_mailbox(desk)
    lead = await api_token(desk, "lead@team.test", role="admin", scopes="read,admin")
    async with api_client(desk, lead) as c:
        r = await c.get("/api/v1/scheduler")
        assert r.json()["state"] == "stopped" and r.json()["enabled"] is True
        r = await c.post("/api/v1/scheduler/start", json={"interval_seconds": 300})
        assert (
            r.json()["interval_seconds"] == 300
            and r.json()["mailboxes"][0]["interval_seconds"] == 300
        )
        r = await c.post("/api/v1/scheduler/stop", json={})
        assert r.json()["enabled"] is False
        r = await c.post("/api/v1/scheduler/start", json={"interval_seconds": 0})
        assert r.status_code == 422
