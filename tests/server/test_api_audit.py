"""GET /api/v1/audit: managers and admins read the trail the other surfaces write, with
the API caller's request id and address; agents may not; bad filters are a 422."""

from __future__ import annotations

from server.wiring import Desk
from tests.core.flows import drafted_ticket, smtp_mailbox
from tests.support.api import api_client, api_token, bearer


async def test_managers_read_the_trail_agents_may_not(desk: Desk) -> None:
    mailbox = await smtp_mailbox(desk)
    t1, d1 = await drafted_ticket(desk, mailbox, subject="Refund please")
    t2, _ = await drafted_ticket(desk, mailbox, subject="Login", sender="b@cust.test")
    boss = await api_token(desk, "boss@team.test", role="manager")
    amy = await api_token(desk, "amy@team.test", scopes="read")
    async with api_client(desk, client_addr="10.1.2.3") as c:
        r = await c.post(
            f"/api/v1/tickets/{t1}/approve",
            json={"version": 1},
            headers={**bearer(boss), "X-Request-ID": "req-7"},
        )
        assert r.status_code == 200, r.text
        r = await c.post(
            f"/api/v1/tickets/{t2}/reject", json={"reason": "spam"}, headers=bearer(boss)
        )
        assert r.status_code == 200, r.text

        got = await c.get("/api/v1/audit", params={"ticket": t1}, headers=bearer(boss))
        assert got.status_code == 200, got.text
        page = got.json()
        approved = [e for e in page["items"] if e["action"] == "draft.approved"]
        assert len(approved) == 1 and page["total"] == len(page["items"])
        event = approved[0]
        assert (event["actor"], event["surface"], event["target"]) == (
            "boss@team.test",
            "api",
            f"ticket:{t1}",
        )
        assert (event["request_id"], event["client_addr"], event["draft_id"]) == (
            "req-7",
            "10.1.2.3",
            d1,
        )
        assert all(e["ticket_id"] == t1 for e in page["items"])

        # filters: by action prefix and actor; newest first; paged
        drafts = await c.get(
            "/api/v1/audit",
            params={"action": "draft.", "actor": "boss@team.test"},
            headers=bearer(boss),
        )
        actions = [e["action"] for e in drafts.json()["items"]]
        assert actions == ["draft.rejected", "draft.approved"]
        one = await c.get("/api/v1/audit", params={"limit": 1, "offset": 1}, headers=bearer(boss))
        assert len(one.json()["items"]) == 1 and one.json()["total"] > 1

        # an agent may not read it, whatever the scope; a bad date is a 422 in the error shape
        refused = await c.get("/api/v1/audit", headers=bearer(amy))
        assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
        bad = await c.get("/api/v1/audit", params={"since": "yesterday"}, headers=bearer(boss))
        assert bad.status_code == 422 and bad.json()["error"] == "ValidationError"
        assert (await c.get("/api/v1/audit")).status_code == 401
