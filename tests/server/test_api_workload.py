"""GET /api/v1/workload: managers and admins read each agent's load, as `desk workload
--json` prints it; agents may not."""

from __future__ import annotations

from sqlalchemy import update

from core.access.permissions import Principal
from core.audit import Actor
from db.models import Ticket
from server.wiring import Desk
from tests.core.flows import drafted_ticket, smtp_mailbox
from tests.support.api import api_client, api_token, bearer

OPERATOR = Principal.operator_of(Actor(name="cli", source="cli"))


async def test_managers_read_the_workload_agents_may_not(desk: Desk) -> None:
    mailbox = await smtp_mailbox(desk)
    t1, _ = await drafted_ticket(desk, mailbox, subject="Refund please")
    t2, _ = await drafted_ticket(desk, mailbox, subject="Login", sender="b@cust.test")
    boss = await api_token(desk, "boss@team.test", role="manager")
    amy = await api_token(desk, "amy@team.test", scopes="read")
    ann = await desk.directory.add(OPERATOR, "ann@team.test", role="agent")
    await desk.agent_profiles.change(OPERATOR, ann.id, capacity=3)
    async with desk.sessions.begin() as s:
        await s.execute(update(Ticket).where(Ticket.id == t1).values(assigned_to_id=ann.id))
        await s.execute(
            update(Ticket).where(Ticket.id == t2).values(assigned_to_id=ann.id, status="waiting")
        )
    async with api_client(desk) as c:
        got = await c.get("/api/v1/workload", headers=bearer(boss))
        assert got.status_code == 200, got.text
        assert got.json() == [a.as_dict() for a in await desk.workload.agents()]
        [row] = got.json()
        assert (row["email"], row["open"], row["waiting"], row["capacity"]) == (
            "ann@team.test",
            1,
            1,
            3,
        )
        assert row["available"] is True and row["at_risk"] == 0 and row["breached"] == 0

        refused = await c.get("/api/v1/workload", headers=bearer(amy))
        assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
        assert (await c.get("/api/v1/workload")).status_code == 401
