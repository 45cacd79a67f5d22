"""SLA compliance where people read it: ``/desk stats`` blocks, ``desk stats`` (text,
``--json``, ``--csv``) and ``GET /api/v1/analytics``, on the fixed clocks of
tests/analytics/sla_data.py."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from functools import cached_property
from pathlib import Path

import pytest

from bot.blocks import analytics as b
from core.config import Settings
from core.reports.analytics import AnalyticsService
from core.workflow.reports_ahead import ReportsAhead
from server.cli.stats import render_text
from server.wiring import Desk, build_desk
from tests.analytics.data import NOW
from tests.analytics.sla_data import seed_sla
from tests.support.api import api_client, api_token
from tests.support.blockkit import problems
from tests.support.cli import run


def fixed(desk: Desk) -> ReportsAhead:
    """The desk's reports (all time computed ahead and kept) on the data set's clock."""
    return ReportsAhead(AnalyticsService(desk.sessions, clock=lambda: NOW))


async def test_stats_blocks_show_the_sla_section(desk: Desk) -> None:
    ids = await seed_sla(desk)
    a = await fixed(desk).report("30d", scope=[ids["a"]])
    for by in (None, "category", "urgency", "agent"):
        blocks = b.analytics_blocks(a, by=by)
        assert not problems(blocks), problems(blocks)
    [overall] = b.sla_blocks(a.sla)
    text = overall["text"]["text"]
    assert text.startswith("*SLA compliance* (times in business hours)")
    lines = text.splitlines()
    first = next(line for line in lines if line.startswith("first response"))
    assert first.split() == [
        "first",
        "response",
        "2",
        "2",
        "50%",
        "0",
        "0",
        "30",
        "min",
        "78",
        "min",
    ]
    resolution = next(line for line in lines if line.startswith("resolution"))
    assert resolution.split()[1:6] == ["1", "1", "50%", "1", "1"]

    _, by_agent = b.sla_blocks(a.sla, by="agent")
    rows = by_agent["text"]["text"].splitlines()
    assert rows[0] == "*SLA compliance by agent*"
    alice = next(r for r in rows if r.startswith("Alice"))
    assert alice.split() == ["Alice", "50%", "of", "2", "100%", "of", "1", "100%", "of", "1"]
    assert any(r.startswith("unassigned") and "0% of 1" in r for r in rows)
    _, by_category = b.sla_blocks(a.sla, by="category")
    technical = next(r for r in by_category["text"]["text"].splitlines() if "Technical" in r)
    assert technical.split() == ["Technical", "0%", "of", "1", "n/a", "0%", "of", "1"]


async def test_stats_blocks_of_a_period_without_clocks(desk: Desk) -> None:
    a = await fixed(desk).report("7d")
    assert b.sla_blocks(a.sla, by="agent") == [
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": "*SLA compliance*\nno SLA clocks started in this period",
            },
        }
    ]
    assert "no SLA clocks started" in json.dumps(b.analytics_blocks(a))


async def test_desk_stats_text(desk: Desk) -> None:
    ids = await seed_sla(desk)
    a = await fixed(desk).report("30d", scope=[ids["a"]])
    out = render_text(a, by="urgency", trend=None)
    assert "SLA compliance (business time):" in out
    lines = out.splitlines()
    nxt = next(line for line in lines if line.strip().startswith("next response"))
    assert nxt.split() == ["next", "response", "2", "1", "67%", "0", "0", "10.0m", "14.0m"]
    assert "SLA compliance by urgency:" in out
    lines = lines[lines.index(next(x for x in lines if x.startswith("SLA compliance by"))) :]
    high = next(line for line in lines if line.strip().startswith("High"))
    assert high.split() == ["High", "50%", "of", "2", "100%", "of", "1", "50%", "of", "2"]
    low = next(line for line in lines if line.strip().startswith("Low"))
    assert low.split() == ["Low", "100%", "of", "1", "50%", "of", "2", "-"]
    empty = render_text(await fixed(desk).report("7d", scope=[-1]), by="agent", trend=None)
    assert "SLA compliance: no SLA clocks started in this period" in empty


def test_desk_stats_json_and_csv(
    cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def seeded() -> None:
        desk = build_desk(Settings())
        try:
            await seed_sla(desk)
        finally:
            await desk.close()

    asyncio.run(seeded())
    frozen = cached_property(fixed)
    frozen.__set_name__(Desk, "analytics")
    monkeypatch.setattr(Desk, "analytics", frozen)  # the report on the data set's clock

    code, out, _ = run(capsys, "stats", "--period", "all", "--by", "agent")
    assert code == 0 and "SLA compliance by agent:" in out and "alice@team.test" in out
    code, out, _ = run(capsys, "stats", "--period", "all", "--json")
    sla = json.loads(out)["sla"]
    assert sla["time"] == "business"
    assert sla["metrics"]["first_response"] == {
        "met": 4,
        "breached": 2,
        "compliance": 0.6667,
        "open": 0,
        "paused": 0,
        "stopped": 5,
        "p50_seconds": 600.0,
        "p90_seconds": 3960.0,
    }
    assert list(sla["by_category"]) == ["Billing", "Technical", "Other", "Unclassified"]
    code, out, _ = run(capsys, "stats", "--period", "all", "--csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert code == 0 and ["sla", "all", "first_response.met", "4"] in rows
    assert ["sla_category", "Other", "first_response.p50_seconds", "50.0"] in rows


async def test_the_api_returns_the_same_figures(desk: Desk) -> None:
    await seed_sla(desk)
    desk.analytics = fixed(desk)  # type: ignore[misc]  # the cached service, on a fixed clock
    boss = await api_token(desk, "boss@team.test", role="manager", scopes="read")
    async with api_client(desk, boss) as c:
        body = (await c.get("/api/v1/analytics", params={"period": "all"})).json()
        got = await c.get("/api/v1/analytics", params={"period": "all", "format": "csv"})
    expected = (await fixed(desk).report("all")).as_dict()["sla"]
    assert body["sla"] == expected
    assert body["sla"]["by_urgency"]["High"]["first_response"]["p90_seconds"] == 4920.0
    assert body["sla"]["by_agent"][-1]["user_id"] is None
    rows = list(csv.reader(io.StringIO(got.text)))
    assert ["sla_urgency", "High", "first_response.compliance", "0.5"] in rows
