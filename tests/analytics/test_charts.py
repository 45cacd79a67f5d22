"""Charts render to PNG with titles and labels, for real data and for an empty period."""

from __future__ import annotations

import io

import pytest
from matplotlib.image import imread

from core.reports import charts
from core.reports.analytics import AnalyticsService
from server.wiring import Desk
from tests.analytics.data import NOW, seed

PNG = b"\x89PNG\r\n\x1a\n"


def _size(png: bytes) -> tuple[int, int]:
    image = imread(io.BytesIO(png), format="png")
    return image.shape[1], image.shape[0]


async def test_every_chart_is_a_png_with_titles(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed(desk)
    a = await AnalyticsService(desk.sessions, clock=lambda: NOW).report("30d", trend="week")
    titles: list[str] = []
    real_png = charts._png

    def spy(fig):  # type: ignore[no-untyped-def]
        titles.extend(ax.get_title() for ax in fig.axes)
        titles.extend(ax.get_xlabel() for ax in fig.axes)
        return real_png(fig)

    monkeypatch.setattr(charts, "_png", spy)
    overview = charts.overview_chart(a)
    assert overview.startswith(PNG) and _size(overview) == (1320, 825)
    for by in charts.BREAKDOWNS:
        assert charts.chart_for(a, by=by).startswith(PNG)
    assert charts.chart_for(a, trend=True).startswith(PNG)
    assert "Tickets received and replies sent per week" in titles
    assert "AI drafts: decisions and edits" in titles
    assert any(t.startswith("Drafts handled per agent, 2025-03-01") for t in titles)
    assert "week (start, UTC)" in titles and "tickets" in titles
    with pytest.raises(ValueError, match="breakdown"):
        charts.breakdown_chart(a, "weather")


async def test_an_empty_period_still_draws(desk: Desk) -> None:
    a = await AnalyticsService(desk.sessions, clock=lambda: NOW).report("7d")
    assert charts.overview_chart(a).startswith(PNG)
    assert charts.breakdown_chart(a, "agent").startswith(PNG)
