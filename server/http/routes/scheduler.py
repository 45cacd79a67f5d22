"""The scheduler: its switch, interval and workers. Its status reads with the ``read``
scope (every desk user sees it on the App Home); starting and stopping it is a setting:
the ``admin`` scope and an admin (as ``/desk settings``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from core.access.permissions import Principal
from core.control.scheduler import MAX_INTERVAL, MIN_INTERVAL
from core.errors import ValidationError
from server.http.deps import DeskDep, allowed, api_router
from server.http.models import In, SchedulerOut

router = api_router("scheduler")


class SchedulerBody(In):
    # the core refuses what is out of range (check_interval, the same words on every surface)
    interval_seconds: int | None = Field(
        default=None, description=f"{MIN_INTERVAL}..{MAX_INTERVAL} seconds"
    )
    mailbox: str | None = Field(default=None, max_length=200)


@router.get("/scheduler")
async def scheduler_status(
    desk: DeskDep, _who: Annotated[Principal, allowed("read", doing="reading the scheduler")]
) -> SchedulerOut:
    """Switch, interval, workers (last run, next run, last error) and mailboxes."""
    return SchedulerOut.model_validate((await desk.scheduler.status()).as_dict())


@router.post("/scheduler/{command}")
async def scheduler_command(
    command: Literal["start", "stop"],
    desk: DeskDep,
    who: Annotated[
        Principal, allowed("admin", "admin", doing="starting or stopping the scheduler")
    ],
    body: SchedulerBody | None = None,
) -> SchedulerOut:
    actor, body = who.actor, body or SchedulerBody()
    if command == "start":
        await desk.scheduler.start(
            actor, interval_seconds=body.interval_seconds, mailbox=body.mailbox
        )
    else:
        if body.interval_seconds is not None:
            raise ValidationError("stop takes no interval", field="interval_seconds")
        await desk.scheduler.stop(actor)
    return SchedulerOut.model_validate((await desk.scheduler.status()).as_dict())
