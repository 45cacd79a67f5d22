"""/api/v1/kb: anyone with the read scope lists, reads and searches; managers and admins
with the write scope write, change, publish and archive; shapes as `desk kb --json`."""

from __future__ import annotations

from server.wiring import Desk
from tests.knowledge.test_cli import ARTICLE_KEYS
from tests.support.api import api_client, api_token, bearer


async def test_managers_write_and_publish_anyone_reads_and_searches(desk: Desk) -> None:
    mia = await api_token(desk, "mia@team.test", role="manager")
    al = await api_token(desk, "al@team.test", role="agent")
    reader = await api_token(desk, "rita@team.test", role="manager", scopes="read")
    async with api_client(desk) as c:
        made = await c.post(
            "/api/v1/kb/articles",
            json={
                "title": "Refund policy",
                "body": "Money back for INV-2291.",
                "category": "billing",
            },
            headers=bearer(mia),
        )
        assert made.status_code == 201, made.text
        article = made.json()
        assert set(article) == ARTICLE_KEYS and article["status"] == "draft"
        aid = article["id"]

        for token, error in ((al, "forbidden"), (reader, "insufficient_scope")):
            refused = await c.post(f"/api/v1/kb/articles/{aid}/publish", headers=bearer(token))
            assert (refused.status_code, refused.json()["error"]) == (403, error)
            refused = await c.post(
                "/api/v1/kb/articles", json={"title": "T", "body": "B"}, headers=bearer(token)
            )
            assert refused.status_code == 403
        assert (await c.get("/api/v1/kb/articles")).status_code == 401

        got = await c.get("/api/v1/kb/search", params={"q": "INV-2291"}, headers=bearer(al))
        assert (got.status_code, got.json()) == (200, {"items": []})  # a draft

        changed = await c.patch(
            f"/api/v1/kb/articles/{aid}",
            json={"version": 1, "body": "Money back within a week for INV-2291.", "category": None},
            headers=bearer(mia),
        )
        assert changed.status_code == 200, changed.text
        assert (changed.json()["version"], changed.json()["category"]) == (2, None)
        stale = await c.patch(
            f"/api/v1/kb/articles/{aid}", json={"version": 1, "title": "X"}, headers=bearer(mia)
        )
        assert stale.status_code == 409

        done = await c.post(f"/api/v1/kb/articles/{aid}/publish", headers=bearer(mia))
        assert done.status_code == 200 and done.json()["status"] == "published"
        assert done.json()["reviewed_by_id"] is not None
        again = await c.post(f"/api/v1/kb/articles/{aid}/publish", headers=bearer(mia))
        assert again.status_code == 409

        got = await c.get("/api/v1/kb/search", params={"q": "inv-2291", "k": 3}, headers=bearer(al))
        assert got.status_code == 200
        [hit] = got.json()["items"]
        assert set(hit) == {"id", "title", "score", "snippet"} and hit["id"] == aid

        listed = await c.get("/api/v1/kb/articles", headers=bearer(al))
        assert listed.json()["total"] == 1 and listed.json()["items"][0]["id"] == aid
        one = await c.get(f"/api/v1/kb/articles/{aid}", headers=bearer(reader))
        assert one.json() == (await desk.knowledge.get(aid)).as_dict()

        gone = await c.post(f"/api/v1/kb/articles/{aid}/archive", headers=bearer(mia))
        assert gone.json()["status"] == "archived"
        got = await c.get("/api/v1/kb/search", params={"q": "refund"}, headers=bearer(al))
        assert got.json() == {"items": []}


async def test_bad_requests_are_clear_errors(desk: Desk) -> None:
    mia = await api_token(desk, "mia@team.test", role="manager")
    async with api_client(desk, mia) as c:
        assert (await c.get("/api/v1/kb/articles/999")).status_code == 404
        for params in ({"q": "x", "k": 0}, {"q": "x", "k": 101}, {"q": "x", "status": "gone"}, {}):
            assert (await c.get("/api/v1/kb/search", params=params)).status_code == 422, params
        for q in ('"', "AND OR NEAR", "*", '"unbalanced', "NEAR(a b)", "-x"):
            got = await c.get("/api/v1/kb/search", params={"q": q})
            assert got.status_code == 200 and got.json() == {"items": []}, q
        nul = await c.get("/api/v1/kb/search?q=refund%00")  # the input guard refuses it
        assert nul.status_code == 422
        bad = await c.post(
            "/api/v1/kb/articles", json={"title": "T", "body": "B", "language": "english"}
        )
        assert bad.status_code == 422 and "ISO 639" in bad.json()["detail"]
        bad = await c.post("/api/v1/kb/articles", json={"title": "T", "body": "B", "by": "x@y.z"})
        assert bad.status_code == 422
