"""Analytics: a period's figures as JSON or CSV, and PNG charts of them."""

from __future__ import annotations

import asyncio
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse, Response

from server.http.deps import DeskDep
from server.http.models import AnalyticsOut

router = APIRouter(prefix="/api/v1", tags=["analytics"])

Period = Literal["7d", "30d", "all"]
Trend = Literal["day", "week", "month"]


@router.get(
    "/analytics",
    response_model=AnalyticsOut,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def analytics(
    desk: DeskDep,
    period: Period = "30d",
    trend: Trend = "day",
    format: Literal["json", "csv"] = "json",
) -> AnalyticsOut | PlainTextResponse:
    """Figures for a period, computed in the database; ``format=csv`` for spreadsheets."""
    report = await desk.analytics.report(period, trend=trend)
    if format == "csv":
        return PlainTextResponse(
            report.to_csv(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="desk-{period}.csv"'},
        )
    return AnalyticsOut.model_validate(report.as_dict())


@router.get(
    "/analytics/chart",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}, "description": "a PNG chart"}},
)
async def analytics_chart(
    desk: DeskDep,
    period: Period = "30d",
    trend: Trend = "day",
    by: Literal["category", "urgency", "agent"] | None = None,
    kind: Literal["overview", "breakdown", "trend"] = "overview",
) -> Response:
    """A PNG chart: the overview, a breakdown ``by`` category/urgency/agent, or the trend."""
    from core.reports import charts  # matplotlib: loaded by the first chart, not at start

    report = await desk.analytics.report(period, trend=trend)
    png = await asyncio.to_thread(
        charts.chart_for, report, by=by if kind != "trend" else None, trend=kind == "trend"
    )
    return Response(png, media_type="image/png")
