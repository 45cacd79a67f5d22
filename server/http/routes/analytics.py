"""Analytics: a period's figures as JSON or CSV, and PNG charts of them. The ``read``
scope, and the role of a manager or an admin (as ``/desk stats``: the figures name every
agent's work)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Literal

from fastapi.responses import PlainTextResponse, Response

from core.access.permissions import MANAGER_ROLES, Principal
from server.http.deps import DeskDep, allowed, api_router
from server.http.models import AnalyticsOut, CalibrationOut

router = api_router("analytics")

Stats = Annotated[Principal, allowed("read", *MANAGER_ROLES, doing="reading the stats")]

Period = Literal["7d", "30d", "all"]
Trend = Literal["day", "week", "month"]


@router.get(
    "/analytics",
    response_model=AnalyticsOut,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def analytics(
    desk: DeskDep,
    _who: Stats,
    period: Period = "30d",
    trend: Trend = "day",
    format: Literal["json", "csv"] = "json",
    fresh: bool = False,
) -> AnalyticsOut | PlainTextResponse:
    """Figures for a period, computed in the database; ``format=csv`` for spreadsheets. All
    time comes from the report computed ahead (``computed_at`` says when) unless ``fresh``."""
    report = await desk.analytics.report(period, trend=trend, fresh=fresh)
    if format == "csv":
        return PlainTextResponse(
            report.to_csv(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="desk-{period}.csv"'},
        )
    return AnalyticsOut.model_validate(report.as_dict())


@router.get("/analytics/calibration", response_model=CalibrationOut)
async def calibration(desk: DeskDep, _who: Stats) -> CalibrationOut:
    """Per provider: reviewed drafts and the confidence calibration in use, with its
    expected calibration error before and after (as ``desk ai calibration --json``)."""
    status = await desk.calibration.status()
    return CalibrationOut.model_validate({"providers": [p.as_dict() for p in status]})


@router.get(
    "/analytics/chart",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}, "description": "a PNG chart"}},
)
async def analytics_chart(
    desk: DeskDep,
    _who: Stats,
    period: Period = "30d",
    trend: Trend = "day",
    by: Literal["category", "urgency", "agent", "variant"] | None = None,
    kind: Literal["overview", "breakdown", "trend"] = "overview",
) -> Response:
    """A PNG chart: the overview, a breakdown ``by`` category/urgency/agent/variant (its
    reject rate), or the trend."""
    from core.reports import charts  # matplotlib: loaded by the first chart, not at start

    report = await desk.analytics.report(period, trend=trend)
    png = await asyncio.to_thread(
        charts.chart_for, report, by=by if kind != "trend" else None, trend=kind == "trend"
    )
    return Response(png, media_type="image/png")
