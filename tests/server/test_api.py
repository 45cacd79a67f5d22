"""The REST API through FastAPI with real services behind it."""

from __future__ import annotations

import asyncio

from core.mail.transport import FetchedMail
from core.tickets.queries import TicketQuery
from server.wiring import Desk
from tests.core.flows import agent, drafted_ticket, smtp_mailbox
from tests.support.api import api_client, api_token, bearer
from tests.support.mail import make_dsn


async def test_health_and_readiness(desk: Desk) -> None:
    async with api_client(desk) as c:  # no token: the probes and the schema stay open
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
    ann = await api_token(desk, "ann@team.test")
    ben = await api_token(desk, "ben@team.test")
    async with api_client(desk, ann) as c:
        listed = (await c.get("/api/v1/tickets")).json()
        assert listed["total"] == 2 and {i["id"] for i in listed["items"]} == {t1, t2}
        only = (await c.get("/api/v1/tickets", params={"q": "refund"})).json()
        assert [i["id"] for i in only["items"]] == [t1]
        by_sender = (await c.get("/api/v1/tickets", params={"sender": "BOB@cust.test"})).json()
        assert [i["id"] for i in by_sender["items"]] == [t2]
        assert (await c.get("/api/v1/tickets", params={"urgency": "extreme"})).status_code == 422
        assert {i["language"] for i in listed["items"]} == {"en"}
        english = (await c.get("/api/v1/tickets", params={"language": "EN-gb"})).json()
        assert english["total"] == 2
        assert (await c.get("/api/v1/tickets", params={"language": "de"})).json()["total"] == 0
        bad = await c.get("/api/v1/tickets", params={"language": "english"})
        assert bad.status_code == 422 and "not a language code" in bad.json()["detail"]
        assert (await c.get("/api/v1/tickets/999")).status_code == 404

        r = await c.post(f"/api/v1/tickets/{t1}/reject", json={"reason": ""})
        assert r.status_code == 422
        r = await c.post(
            f"/api/v1/tickets/{t1}/edit",
            json={"text": "Refund is on its way."},
        )
        assert r.status_code == 200 and r.json()["version"] == 2
        r = await c.post(f"/api/v1/tickets/{t1}/approve", json={"version": 1})
        assert r.status_code == 409 and "edited" in r.json()["detail"]
        first, second = await asyncio.gather(
            c.post(f"/api/v1/tickets/{t1}/approve", json={}),
            c.post(f"/api/v1/tickets/{t1}/approve", json={}, headers=bearer(ben)),
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


async def test_undeliverable_recipients_are_listed_cleared_and_the_reply_retried(
    desk: Desk, smtp_server
) -> None:
    mailbox = await smtp_mailbox(desk, smtp_server.host, smtp_server.port)
    ticket_id, draft_id = await drafted_ticket(desk, mailbox, sender="pat@cust.test")
    bounce = desk.ingestor.parse_one(FetchedMail(uid=700001, raw=make_dsn("pat@cust.test")))
    await desk.ingestor.ingest_batch(mailbox, None, [bounce])
    await desk.drafts.approve(draft_id, await agent(desk, "ann@team.test"))
    assert (await desk.sender.send_due()).failed == [draft_id]
    async with api_client(desk, await api_token(desk, "ann@team.test")) as c:
        r = await c.post(f"/api/v1/tickets/{ticket_id}/retry", json={})
        assert r.status_code == 200  # queued again, but the address is still marked
        assert (await desk.sender.send_due()).failed == [draft_id]

        [marked] = (await c.get("/api/v1/recipients/undeliverable")).json()
        assert marked["email"] == "pat@cust.test"
        r = await c.post("/api/v1/recipients/pat@cust.test/clear", json={})
        assert r.status_code == 200 and "5.1.1" in r.json()["reason"]
        assert (await c.post("/api/v1/recipients/pat@cust.test/clear", json={})).status_code == 404
        assert (await c.post("/api/v1/recipients/nobody/clear", json={})).status_code == 422
        assert (await c.get("/api/v1/recipients/undeliverable")).json() == []

        r = await c.post(f"/api/v1/tickets/{ticket_id}/retry", json={})
        assert r.status_code == 200 and r.json()["status"] == "approved"
        assert (await desk.sender.send_due()).sent == [draft_id]
        r = await c.post(f"/api/v1/tickets/{ticket_id}/retry", json={})
        assert r.status_code == 409  # sent: nothing to retry
    assert len(smtp_server.messages) == 1


async def test_openapi_documents_the_response_schemas(desk: Desk) -> None:
    async with api_client(desk) as c:
        spec = (await c.get("/openapi.json")).json()
    paths, schemas = spec["paths"], spec["components"]["schemas"]

    def ok_schema(path: str, method: str) -> str:
        content = paths[path][method]["responses"]["200"]["content"]["application/json"]
        return str(content["schema"])

    expected = {
        ("/api/v1/tickets", "get"): "TicketPage",
        ("/api/v1/tickets/{ticket_id}", "get"): "TicketDetailOut",
        ("/api/v1/tickets/{ticket_id}/approve", "post"): "DecisionOut",
        ("/api/v1/tickets/{ticket_id}/edit", "post"): "EditOut",
        ("/api/v1/bulk/preview", "post"): "BulkPreviewOut",
        ("/api/v1/bulk/{action}", "post"): "BulkResultOut",
        ("/api/v1/analytics", "get"): "AnalyticsOut",
        ("/api/v1/templates", "get"): "TemplateList",
        ("/api/v1/scheduler", "get"): "SchedulerOut",
        ("/api/v1/recipients/undeliverable", "get"): "RecipientOut",
        ("/healthz", "get"): "HealthOut",
    }
    for (path, method), model in expected.items():
        assert model in ok_schema(path, method), (path, method)
    assert "ErrorOut" in str(paths["/api/v1/tickets/{ticket_id}"]["get"]["responses"]["404"])
    assert set(schemas["ErrorOut"]["properties"]) == {"error", "detail"}
    assert "from" in schemas["MessageOut"]["properties"]  # the JSON key, not the Python name


async def test_a_ticket_reads_with_its_messages_and_drafts(desk: Desk) -> None:
    mailbox = await smtp_mailbox(desk)
    ticket_id, draft_id = await drafted_ticket(desk, mailbox)
    async with api_client(desk, await api_token(desk, "ann@team.test", scopes="read")) as c:
        body = (await c.get(f"/api/v1/tickets/{ticket_id}")).json()
    assert body == await desk.tickets.get(ticket_id)  # exactly the core's view, typed
    assert body["drafts"][-1]["id"] == draft_id and body["messages"][0]["from"]


async def test_typed_bodies_keep_the_cores_shapes(desk: Desk) -> None:
    mailbox = await smtp_mailbox(desk)
    await drafted_ticket(desk, mailbox)
    boss = await api_token(desk, "boss@team.test", role="manager", scopes="read")
    async with api_client(desk, boss) as c:
        report = (await c.get("/api/v1/analytics", params={"period": "all"})).json()
        scheduler = (await c.get("/api/v1/scheduler")).json()
        listed = (await c.get("/api/v1/tickets")).json()
    core_report = (await desk.analytics.report("all", trend="day", fresh=True)).as_dict()
    assert report.keys() == core_report.keys()
    assert {k: v for k, v in report.items() if k != "until"} == {
        k: v for k, v in core_report.items() if k != "until"
    }
    assert scheduler == (await desk.scheduler.status()).as_dict()
    assert listed["items"] == await desk.tickets.list(TicketQuery(limit=50))


async def test_single_decisions_check_the_role_as_bulk_does(desk: Desk) -> None:
    """REST approve, reject, edit and retry go through the core's decision path: an agent may
    not decide on a ticket assigned to someone else (403), its assignee and a manager may."""
    mailbox = await smtp_mailbox(desk)
    t1, _ = await drafted_ticket(desk, mailbox, subject="Refund please")
    boss = await api_token(desk, "boss@team.test", role="manager")
    amy = await api_token(desk, "amy@team.test")
    bob = await api_token(desk, "bob@team.test")
    async with api_client(desk, boss) as c:
        r = await c.post(
            "/api/v1/bulk/assign", json={"ticket_ids": [t1], "assignee": "bob@team.test"}
        )
        assert r.json()["counts"]["done"] == 1
        for path, body in (
            ("approve", {}),
            ("reject", {"reason": "no"}),
            ("edit", {"text": "Hello"}),
            ("retry", {}),
        ):
            r = await c.post(f"/api/v1/tickets/{t1}/{path}", json=body, headers=bearer(amy))
            assert r.status_code == 403 and r.json()["error"] == "forbidden", (
                path,
                r.json(),
            )
        pending = (await c.get(f"/api/v1/tickets/{t1}")).json()
        assert pending["approval_status"] == "pending" and pending["draft_version"] == 1
        r = await c.post(f"/api/v1/tickets/{t1}/edit", json={"text": "Hi"}, headers=bearer(bob))
        assert r.status_code == 200 and r.json()["version"] == 2
        r = await c.post(f"/api/v1/tickets/{t1}/approve", json={})
        assert r.status_code == 200 and r.json()["status"] == "approved"


async def test_out_of_bounds_parameters_are_a_4xx_never_a_500(desk: Desk) -> None:
    """Ids beyond 64 bits, zero or negative ids, huge offsets, over-long search terms and
    unknown users a body names: each refused before it reaches the database."""
    mailbox = await smtp_mailbox(desk)
    ticket_id, _ = await drafted_ticket(desk, mailbox)
    boss = await api_token(desk, "boss@team.test", role="manager")
    big, top = 2**63, 2**31 - 1  # top: the largest INTEGER id PostgreSQL can hold
    async with api_client(desk, boss) as c:
        for path in (
            f"/api/v1/tickets/{big}",
            f"/api/v1/tickets/{top + 1}",
            "/api/v1/tickets/0",
            "/api/v1/tickets/-1",
        ):
            assert (await c.get(path)).status_code == 422, path
            assert (await c.post(f"{path}/approve", json={})).status_code == 422, path
        assert (await c.get(f"/api/v1/tickets/{top}")).status_code == 404
        for params in (
            {"offset": 10**7},
            {"offset": -1},
            {"limit": 10**6},
            {"q": "x" * 201},
            {"sender": "x" * 201},
            {"status": "s" * 51},
        ):
            assert (await c.get("/api/v1/tickets", params=params)).status_code == 422, params
        ok = await c.get("/api/v1/tickets", params={"offset": 10**6, "q": "x" * 200})
        assert ok.status_code == 200 and ok.json()["items"] == []
        assert (await c.get(f"/api/v1/templates/{big * 1000}")).status_code == 422
        assert (await c.get(f"/api/v1/templates/{top}")).status_code == 404
        r = await c.post(f"/api/v1/templates/{'n' * 201}/render", json={})
        assert r.status_code == 422
        for body in (
            {"ticket_ids": [big]},
            {"ticket_ids": [0]},
            {"ticket_ids": [ticket_id], "versions": {str(big): 1}},
            {"ticket_ids": [ticket_id], "versions": {"1": 2**40}},
            {"filters": {"q": "x" * 201}},
            {"filters": {"assigned_to_id": big}},
        ):
            r = await c.post("/api/v1/bulk/approve", json=body)
            assert r.status_code == 422, (body, r.text)
        r = await c.post(f"/api/v1/tickets/{ticket_id}/approve", json={"version": 2**40})
        assert r.status_code == 422
        r = await c.post(
            "/api/v1/bulk/assign", json={"ticket_ids": [ticket_id], "assignee": "new@team.test"}
        )
        assert r.status_code == 422 and r.json()["detail"].startswith("assignee: no desk user")
        r = await c.post(f"/api/v1/recipients/{'a' * 320}@x.test/clear")
        assert r.status_code == 422
    got = await desk.tickets.get(ticket_id)
    assert got["approval_status"] == "pending" and got["assigned_to"] is None
