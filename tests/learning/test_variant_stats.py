"""Per prompt variant: the unchanged, edited and rejected rates, the median time to
approve and the number of drafts, on a fixed data set worked out by hand, in every
surface: the report, ``desk stats --by variant`` (text, ``--json``, ``--csv``),
``/desk stats by:variant`` and ``GET /api/v1/analytics``."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import timedelta
from functools import cached_property
from pathlib import Path

import pytest

from bot.blocks import analytics as b
from core.config import Settings
from core.reports.analytics import AnalyticsService
from core.workflow.reports_ahead import ReportsAhead
from server.cli.stats import render_text
from server.wiring import Desk, build_desk
from tests.learning.data import T0, Decided, put
from tests.support.api import api_client, api_token
from tests.support.blockkit import problems
from tests.support.cli import run
from tests.support.slack_driver import SlackHarness

NOW = T0 + timedelta(days=1)


async def seed(desk: Desk) -> None:
    """variant  decision           to approve
    short    approved unchanged  60 s
    short    approved light      120 s
    short    approved heavy      300 s
    short    rejected            -
    short    pending             -          -> 5 drafts, 4 decided: 25% / 50% / 25%, median 120 s
    base     approved unchanged  10 s
    base     approved unchanged  40 s
    base     rejected            -          -> 3 drafts: 66.67% / 0% / 33.33%, median 25 s
    default  approved light      45 s       -> 1 draft: 0% / 100% / 0%, median 45 s
    short    approved unchanged  (30 days before: outside 7d)
    """
    await put(
        desk,
        [
            Decided("approved", "unchanged", 60, variant="short"),
            Decided("approved", "light", 120, variant="short"),
            Decided("approved", "heavy", 300, variant="short"),
            Decided("rejected", "unchanged", 30, variant="short"),
            Decided("pending", variant="short"),
            Decided("approved", "unchanged", 10, variant="base"),
            Decided("approved", "unchanged", 40, variant="base"),
            Decided("rejected", "unchanged", 5, variant="base"),
            Decided("approved", "light", 45),
        ],
    )
    await put(desk, [Decided("approved", variant="short")], at=T0 - timedelta(days=30))


EXPECTED = [
    {
        "variant": None,
        "drafts": 1,
        "decided": 1,
        "unchanged": 0,
        "edited": 1,
        "rejected": 0,
        "unchanged_rate": 0.0,
        "edited_rate": 1.0,
        "rejected_rate": 0.0,
        "median_approve_seconds": 45.0,
    },
    {
        "variant": "base",
        "drafts": 3,
        "decided": 3,
        "unchanged": 2,
        "edited": 0,
        "rejected": 1,
        "unchanged_rate": 0.6667,
        "edited_rate": 0.0,
        "rejected_rate": 0.3333,
        "median_approve_seconds": 25.0,
    },
    {
        "variant": "short",
        "drafts": 5,
        "decided": 4,
        "unchanged": 1,
        "edited": 2,
        "rejected": 1,
        "unchanged_rate": 0.25,
        "edited_rate": 0.5,
        "rejected_rate": 0.25,
        "median_approve_seconds": 120.0,
    },
]


def fixed(desk: Desk) -> ReportsAhead:
    """The desk's reports (all time computed ahead and kept) on the data set's clock."""
    return ReportsAhead(AnalyticsService(desk.sessions, clock=lambda: NOW))


async def test_figures_per_variant(desk: Desk) -> None:
    await seed(desk)
    report = await fixed(desk).report("7d")
    assert [v.as_dict() for v in report.variants] == EXPECTED
    everything = await fixed(desk).report("all")
    short = next(v for v in everything.variants if v.name == "short")
    assert (short.drafts, short.decided, short.unchanged) == (6, 5, 2)
    assert short.as_dict()["median_approve_seconds"] == 90.0  # 60, 60, 120, 300
    assert (await fixed(desk).report("7d", scope=[-1])).variants == []


async def test_text_and_blocks(desk: Desk) -> None:
    await seed(desk)
    report = await fixed(desk).report("7d")
    out = render_text(report, by="variant", trend=None)
    lines = out.splitlines()
    assert "By prompt variant:" in out
    row = next(line for line in lines if line.strip().startswith("short"))
    assert row.split() == ["short", "5", "4", "25%", "50%", "25%", "2.0m"]
    row = next(line for line in lines if line.strip().startswith("(default)"))
    assert row.split() == ["(default)", "1", "1", "0%", "100%", "0%", "45s"]
    assert "By prompt variant" not in render_text(report, by=None, trend=None)
    assert b.parse_stats_options("7d by:variant").by == "variant"
    blocks = b.analytics_blocks(report, by="variant")
    assert problems(blocks) == []
    text = json.dumps(blocks)
    assert "*By prompt variant*" in text and "short" in text and "67%" in text


def test_desk_stats_by_variant_json_and_csv(
    cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def seeded() -> None:
        desk = build_desk(Settings())
        try:
            await seed(desk)
        finally:
            await desk.close()

    assert run(capsys, "migrate")[0] == 0
    asyncio.run(seeded())
    frozen = cached_property(fixed)
    frozen.__set_name__(Desk, "analytics")
    monkeypatch.setattr(Desk, "analytics", frozen)  # the report on the data set's clock
    code, out, _ = run(capsys, "stats", "--period", "7d", "--by", "variant")
    assert code == 0 and "By prompt variant:" in out and "(default)" in out
    code, out, _ = run(capsys, "stats", "--period", "7d", "--json")
    body = json.loads(out)
    assert body["variants"] == EXPECTED and "drafts" in body and "sla" in body  # extended
    code, out, _ = run(capsys, "stats", "--period", "7d", "--csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert ["variant", "short", "rejected_rate", "0.25"] in rows
    assert ["variant", "(default)", "median_approve_seconds", "45.0"] in rows
    assert ["summary", "tickets", "count", "9"] in rows  # the old rows are still there (7d)


async def test_the_api_returns_the_same_figures(desk: Desk) -> None:
    await seed(desk)
    desk.analytics = fixed(desk)  # type: ignore[misc]
    boss = await api_token(desk, "boss@team.test", role="manager", scopes="read")
    async with api_client(desk, boss) as c:
        body = (await c.get("/api/v1/analytics", params={"period": "7d"})).json()
        chart = await c.get(
            "/api/v1/analytics/chart", params={"by": "variant", "kind": "breakdown"}
        )
    assert body["variants"] == EXPECTED
    assert chart.status_code == 200 and chart.headers["content-type"] == "image/png"


async def test_slash_stats_by_variant(slack: SlackHarness) -> None:
    await seed(slack.desk)
    await slack.driver.command(slack.admin, "stats all by:variant")
    (answer,) = await slack.fake.wait_for("response_url")
    text = answer.text_of_blocks()
    assert "*By prompt variant*" in text and "short" in text and "(default)" in text
    started = await slack.fake.wait_for("files.getUploadURLExternal")
    assert started[0].body["filename"] == "desk-stats-all-variant.png"
