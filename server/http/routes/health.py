"""Probes: ``/healthz`` (the process answers) and ``/readyz`` (and reaches its database)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from server.http.deps import SessionsDep
from server.http.models import HealthOut, NotReadyOut

router = APIRouter(tags=["ops"])


@router.get("/healthz")
async def healthz() -> HealthOut:
    return HealthOut(status="ok")


@router.get(
    "/readyz",
    response_model=HealthOut,
    responses={503: {"model": NotReadyOut, "description": "the database is unreachable"}},
)
async def readyz(sessions: SessionsDep) -> HealthOut | JSONResponse:
    try:
        async with sessions() as session:
            await session.execute(text("SELECT 1 FROM tickets LIMIT 1"))
    except Exception as exc:  # the probe reports any database failure as not ready
        body = NotReadyOut(status="unavailable", detail=str(exc)[:300])
        return JSONResponse(body.model_dump(), status_code=503)
    return HealthOut(status="ok")
