"""The SLA routes through the real app (httpx over ASGI, real tokens): admins write, every
desk user reads and previews; bad input is a 422 that stores nothing; status changes."""

from __future__ import annotations

from typing import Any

from server.wiring import Desk
from tests.core.flows import drafted_ticket, smtp_mailbox
from tests.support.api import api_client, api_token

CALENDAR = {"name": "berlin", "tz": "Europe/Berlin", "hours": ["mon-fri 09:00-17:00"]}
POLICY: dict[str, Any] = {
    "name": "urgent",
    "calendar": "berlin",
    "urgency": "High",
    "first_response": "4h",
    "resolution": "2d",
}


async def test_admins_write_everyone_reads_and_previews(desk: Desk) -> None:
    admin = await api_token(desk, "root@team.test", role="admin", scopes="read,write,admin")
    agent = await api_token(desk, "ann@team.test", role="agent", scopes="read,write")
    async with api_client(desk, admin) as c:
        r = await c.post("/api/v1/sla/calendars", json={**CALENDAR, "holidays": ["2026-12-09"]})
        assert r.status_code == 201, r.text
        assert r.json()["holidays"] == ["2026-12-09"]
        r = await c.post("/api/v1/sla/policies", json=POLICY)
        assert r.status_code == 201, r.text
        assert r.json()["version"] == 1 and r.json()["escalate"]["reassign_to"] is None
        r = await c.patch("/api/v1/sla/policies/urgent", json={"first_response": "2h"})
        assert r.status_code == 200 and r.json()["first_response"] == "2h"
        assert r.json()["version"] == 2
        r = await c.patch("/api/v1/sla/policies/urgent", json={"first_response": "4h"})
    async with api_client(desk, agent) as c:
        assert (
            await c.post("/api/v1/sla/calendars", json={**CALENDAR, "name": "x"})
        ).status_code == 403
        assert (
            await c.post("/api/v1/sla/policies", json={**POLICY, "name": "y"})
        ).status_code == 403
        [cal] = (await c.get("/api/v1/sla/calendars")).json()
        assert cal["hours"].startswith("mon 09:00-17:00")
        [pol] = (await c.get("/api/v1/sla/policies")).json()
        assert pol["name"] == "urgent" and pol["version"] == 3
        r = await c.post(
            "/api/v1/sla/preview",
            json={"policy": pol["id"], "received_at": "2026-12-04T16:30:00+01:00"},
        )
        assert r.status_code == 200, r.text
        assert r.json() == {
            "policy": "urgent",
            "first_response_due": "2026-12-07T12:30:00+01:00",
            "next_response_due": None,
            # 48 business hours; Wednesday the 9th is a holiday
            "resolution_due": "2026-12-15T16:30:00+01:00",
        }


async def test_bad_input_is_422_and_stores_nothing(desk: Desk) -> None:
    admin = await api_token(desk, "root@team.test", role="admin", scopes="read,write,admin")
    async with api_client(desk, admin) as c:
        await c.post("/api/v1/sla/calendars", json=CALENDAR)
        bad_calendars = [
            {**CALENDAR, "name": "x", "tz": "Nowhere/City"},
            {**CALENDAR, "name": "x", "hours": ["mon 17:00-09:00"]},
            {**CALENDAR, "name": "x", "ical": "not a calendar"},
            {**CALENDAR, "name": "x", "holidays": ["2026-02-30"]},
            CALENDAR,  # the name is taken
        ]
        for body in bad_calendars:
            r = await c.post("/api/v1/sla/calendars", json=body)
            assert r.status_code == 422, (body, r.text)
        bad_policies = [
            {**POLICY, "first_response": "soon"},
            {**POLICY, "urgency": "Critical"},
            {**POLICY, "warn_levels": [0]},
            {**POLICY, "escalate_to": "ghost@team.test"},
        ]
        bad_policies.append({**POLICY, "escalate_to": "everyone"})  # no such user or group
        for body in bad_policies:
            r = await c.post("/api/v1/sla/policies", json=body)
            assert r.status_code in (404, 422), (body, r.text)
        r = await c.post("/api/v1/sla/policies", json={**POLICY, "calendar": "nowhere"})
        assert r.status_code == 404
        assert len((await c.get("/api/v1/sla/calendars")).json()) == 1
        assert (await c.get("/api/v1/sla/policies")).json() == []
        r = await c.post(
            "/api/v1/sla/preview", json={"policy": "urgent", "received_at": "yesterday"}
        )
        assert r.status_code == 422


async def test_status_route(desk: Desk) -> None:
    mailbox = await smtp_mailbox(desk)
    tid, _ = await drafted_ticket(desk, mailbox)
    agent = await api_token(desk, "ann@team.test", role="agent", scopes="read,write")
    reader = await api_token(desk, "rex@team.test", role="agent", scopes="read")
    async with api_client(desk, agent) as c:
        r = await c.post(f"/api/v1/tickets/{tid}/status", json={"status": "waiting"})
        assert r.status_code == 200, r.text
        assert r.json() == {"ticket_id": tid, "before": "open", "after": "waiting"}
        r = await c.post(f"/api/v1/tickets/{tid}/status", json={"status": "answered"})
        assert r.status_code == 422
    async with api_client(desk, reader) as c:
        r = await c.post(f"/api/v1/tickets/{tid}/status", json={"status": "resolved"})
        assert r.status_code == 403
    counts = await desk.tickets.counts_by_status()
    assert counts["waiting"] == 1


async def test_a_policy_escalates_to_the_group_managers(desk: Desk) -> None:
    admin = await api_token(desk, "root@team.test", role="admin", scopes="read,write,admin")
    async with api_client(desk, admin) as c:
        await c.post("/api/v1/sla/calendars", json=CALENDAR)
        r = await c.post("/api/v1/sla/policies", json={**POLICY, "escalate_to": "managers"})
        assert r.status_code == 201, r.text
        assert r.json()["escalate"] == {
            "raise_urgency": False,
            "reassign_to": None,
            "group": "managers",
        }
        r = await c.patch("/api/v1/sla/policies/urgent", json={"escalate_to": "root@team.test"})
        assert r.status_code == 200, r.text
        assert r.json()["escalate"] == {
            "raise_urgency": False,
            "reassign_to": "root@team.test",
            "group": None,
        }
        r = await c.patch("/api/v1/sla/policies/urgent", json={"escalate_to": "managers"})
        assert r.json()["escalate"]["group"] == "managers"
        r = await c.patch("/api/v1/sla/policies/urgent", json={"escalate_to": None})
        assert r.json()["escalate"] == {"raise_urgency": False, "reassign_to": None, "group": None}
        [listed] = (await c.get("/api/v1/sla/policies")).json()
        assert listed["version"] == 4
