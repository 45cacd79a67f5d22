"""`desk kb proposals [--json]` and `GET /api/v1/kb/proposals`: the articles proposed from
resolved tickets with their source tickets and state, in one shape on both surfaces; a
proposal is published and discarded through the article routes."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from server.wiring import Desk, build_desk
from tests.core.flows import smtp_mailbox
from tests.knowledge.test_cli import ARTICLE_KEYS
from tests.knowledge.test_proposals import _answered, _people, _resolve
from tests.support.api import api_client, api_token, bearer
from tests.support.cli import run
from tests.support.desk import settings_for

PROPOSAL_KEYS = {
    "id",
    "title",
    "category",
    "language",
    "source_ticket_ids",
    "state",
    "version",
    "reviewed_by_id",
    "created_at",
    "updated_at",
}


async def _two_proposals(desk: Desk, smtp_server) -> tuple[int, int]:
    mia, _boss = await _people(desk)
    mailbox = await smtp_mailbox(desk, smtp_server.host, smtp_server.port)
    reset = await _answered(desk, mailbox, mia, body="The password reset link has expired.")
    export = await _answered(
        desk,
        mailbox,
        mia,
        subject="Export reports to a spreadsheet",
        body="How do I export my monthly reports?",
        reply="Hello,\n\nOpen Reports, pick the month and click Export as CSV.\n\nBest, Mia",
    )
    for tid in (reset, export):
        await _resolve(desk, mia, tid)
    return reset, export


def test_desk_kb_proposals(
    cli_env: Path,
    database_url: str,
    tmp_path: Path,
    smtp_server,
    capsys: pytest.CaptureFixture[str],
) -> None:
    async def setup() -> tuple[int, int]:
        desk = build_desk(settings_for(database_url, tmp_path / "setup"))
        try:
            return await _two_proposals(desk, smtp_server)
        finally:
            await desk.close()

    reset, export = asyncio.run(setup())
    code, out, err = run(capsys, "kb", "proposals", "--json")
    assert code == 0, err
    items = json.loads(out)
    assert [set(p) for p in items] == [PROPOSAL_KEYS, PROPOSAL_KEYS]
    assert [(p["source_ticket_ids"], p["state"]) for p in items] == [
        ([export], "open"),
        ([reset], "open"),
    ]  # the newest first
    assert items[0]["title"] == "Export reports to a spreadsheet"
    code, out, _ = run(capsys, "kb", "proposals")
    assert code == 0 and "[open]" in out and f"(from #{reset})" in out

    first = items[1]["id"]
    code, out, _ = run(capsys, "kb", "publish", str(first), "--by", "max@team.test")
    assert code == 0 and "[published]" in out
    code, out, _ = run(capsys, "kb", "archive", str(items[0]["id"]), "--by", "max@team.test")
    assert code == 0
    code, out, _ = run(capsys, "kb", "proposals", "--state", "open", "--json")
    assert (code, json.loads(out)) == (0, [])
    code, out, _ = run(capsys, "kb", "proposals", "--state", "discarded", "--json")
    assert [p["id"] for p in json.loads(out)] == [items[0]["id"]]
    shown = json.loads(run(capsys, "kb", "show", str(first), "--json")[1])
    assert set(shown) == ARTICLE_KEYS and shown["origin"] == "proposal"
    code, out, _ = run(capsys, "kb", "show", str(first))
    assert "origin: proposal" in out
    with pytest.raises(SystemExit):
        run(capsys, "kb", "proposals", "--state", "gone")


async def test_api_proposals(desk: Desk, smtp_server) -> None:
    reset, export = await _two_proposals(desk, smtp_server)
    reader = await api_token(desk, "rita@team.test", role="agent", scopes="read")
    boss = await api_token(desk, "max@team.test", role="manager")
    async with api_client(desk) as c:
        assert (await c.get("/api/v1/kb/proposals")).status_code == 401
        page = await c.get("/api/v1/kb/proposals", headers=bearer(reader))
        assert page.status_code == 200, page.text
        body = page.json()
        assert body["total"] == 2 and [set(p) for p in body["items"]] == [PROPOSAL_KEYS] * 2
        assert [p["source_ticket_ids"] for p in body["items"]] == [[export], [reset]]
        newest = body["items"][0]["id"]
        published = await c.post(f"/api/v1/kb/articles/{newest}/publish", headers=bearer(boss))
        assert published.status_code == 200, published.text
        assert published.json()["origin"] == "proposal"
        open_only = await c.get(
            "/api/v1/kb/proposals", params={"state": "open"}, headers=bearer(reader)
        )
        assert [p["source_ticket_ids"] for p in open_only.json()["items"]] == [[reset]]
        assert open_only.json()["total"] == 1
        bad = await c.get("/api/v1/kb/proposals", params={"state": "x"}, headers=bearer(reader))
        assert bad.status_code == 422
