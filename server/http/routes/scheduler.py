"""The scheduler: its switch, interval and workers."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from core.errors import ValidationError
from server.http.deps import DeskDep, acting
from server.http.models import SchedulerOut

router = APIRouter(prefix="/api/v1", tags=["scheduler"])


class SchedulerBody(BaseModel):
    by: str
    interval_seconds: int | None = Field(default=None, ge=1, le=86_400)
    mailbox: str | None = None


@router.get("/scheduler")
async def scheduler_status(desk: DeskDep) -> SchedulerOut:
    """Switch, interval, workers (last run, next run, last error) and mailboxes."""
    return SchedulerOut.model_validate((await desk.scheduler.status()).as_dict())


@router.post("/scheduler/{command}")
async def scheduler_command(
    command: Literal["start", "stop"], body: SchedulerBody, desk: DeskDep
) -> SchedulerOut:
    actor = await acting(desk, body.by)
    if command == "start":
        await desk.scheduler.start(
            actor, interval_seconds=body.interval_seconds, mailbox=body.mailbox
        )
    else:
        if body.interval_seconds is not None:
            raise ValidationError("stop takes no interval", field="interval_seconds")
        await desk.scheduler.stop(actor)
    return SchedulerOut.model_validate((await desk.scheduler.status()).as_dict())
