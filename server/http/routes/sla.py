"""SLA: business calendars and policies, listed with the ``read`` scope, added and changed
with the ``admin`` scope by an admin (they are settings: every ticket's clock follows
them); ``POST /sla/preview`` tells when each metric falls due for a ticket received at a
given time, as ``desk sla preview`` does."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import Path
from pydantic import Field

from core.access.permissions import Principal
from server.http.deps import DeskDep, allowed, api_router
from server.http.models import In, Out

router = api_router("sla")

Reader = Annotated[Principal, allowed("read", doing="reading SLA settings")]
Admin = Annotated[Principal, allowed("admin", "admin", doing="changing SLA settings")]
Ref = Annotated[str, Path(min_length=1, max_length=100, description="a policy's id or name")]
NOT_CLEARED = {"calendar", "position", "is_default", "escalate_raise_urgency", "warn_levels"}
Target = Annotated[str | int | None, Field(description="business time: 30m, 4h, 3d, or minutes")]


class CalendarIn(In):
    name: str = Field(min_length=1, max_length=100)
    tz: str = Field(min_length=1, max_length=64, description="an IANA zone: Europe/Berlin")
    hours: list[str] = Field(
        min_length=1, max_length=20, description='e.g. ["mon-fri 09:00-17:00", "sat 10:00-14:00"]'
    )
    holidays: list[date] = Field(default_factory=list, max_length=1000)
    ical: str | None = Field(
        default=None, max_length=500_000, description="an iCalendar file's text: its events"
    )


class CalendarOut(Out):
    id: int
    name: str
    tz: str
    hours: str
    holidays: list[str]


class PolicyPatch(In):
    calendar: str | None = Field(default=None, max_length=100)
    category: str | None = Field(default=None, max_length=50, description="empty: any")
    urgency: str | None = Field(default=None, max_length=10, description="empty: any")
    first_response: Target = None
    next_response: Target = None
    resolution: Target = None
    warn_levels: list[int] | None = Field(default=None, max_length=10)
    position: int | None = Field(default=None, ge=-1_000_000, le=1_000_000)
    is_default: bool | None = None
    escalate_raise_urgency: bool | None = None
    escalate_to: str | None = Field(
        default=None,
        max_length=320,
        description='a manager\'s email, or "managers": the least-loaded available manager',
    )


class PolicyIn(PolicyPatch):
    name: str = Field(min_length=1, max_length=100)
    calendar: str = Field(min_length=1, max_length=100)
    first_response: str | int = Field(description="business time: 30m, 4h, 3d")


class EscalationOut(Out):
    raise_urgency: bool
    reassign_to: str | None  # one person's email
    group: str | None = None  # "managers" when the breach goes to the least-loaded one


class PolicyOut(Out):
    id: int
    name: str
    position: int
    category: str | None
    urgency: str | None
    calendar: str
    first_response: str
    next_response: str
    resolution: str
    targets_minutes: dict[str, int | None]
    warn_levels: list[int]
    version: int
    is_default: bool
    escalate: EscalationOut


class PreviewIn(In):
    policy: str | int = Field(description="a policy's id or name")
    received_at: datetime = Field(
        description="ISO 8601; without an offset, in the policy calendar's zone"
    )


class PreviewOut(Out):
    policy: str
    first_response_due: str | None
    next_response_due: str | None
    resolution_due: str | None


@router.get("/sla/calendars")
async def list_calendars(desk: DeskDep, _who: Reader) -> list[CalendarOut]:
    return [CalendarOut.model_validate(c.as_json()) for c in await desk.calendars.list()]


@router.post("/sla/calendars", status_code=201)
async def add_calendar(desk: DeskDep, who: Admin, body: CalendarIn) -> CalendarOut:
    info = await desk.calendars.add(
        body.name,
        tz=body.tz,
        hours=body.hours,
        holidays=body.holidays,
        ical=body.ical,
        who=who,
    )
    return CalendarOut.model_validate(info.as_json())


@router.get("/sla/policies")
async def list_policies(desk: DeskDep, _who: Reader) -> list[PolicyOut]:
    """In matching order: the first whose category and urgency match, else the default."""
    return [PolicyOut.model_validate(p.as_json()) for p in await desk.sla_policies.list()]


@router.post("/sla/policies", status_code=201)
async def add_policy(desk: DeskDep, who: Admin, body: PolicyIn) -> PolicyOut:
    fields = body.model_dump(exclude_none=True, exclude={"name"})
    info = await desk.sla_policies.add(body.name, who=who, **fields)
    return PolicyOut.model_validate(info.as_json())


@router.patch("/sla/policies/{ref}")
async def change_policy(ref: Ref, desk: DeskDep, who: Admin, body: PolicyPatch) -> PolicyOut:
    """Change a policy (a target of ``""`` clears it): its version goes up and the open
    clocks are recomputed, keeping the business time they used."""
    # null clears a criterion, a target or the escalation's manager; the rest it leaves
    fields = {
        k: v
        for k, v in body.model_dump(exclude_unset=True).items()
        if v is not None or k not in NOT_CLEARED
    }
    info = await desk.sla_policies.change(ref, who=who, **fields)
    return PolicyOut.model_validate(info.as_json())


@router.post("/sla/preview")
async def preview(desk: DeskDep, _who: Reader, body: PreviewIn) -> PreviewOut:
    """``{"policy": ID, "received_at": ISO}`` -> each metric's due time (ISO 8601, in the
    calendar's zone), null for a metric the policy does not track."""
    result = await desk.sla_policies.preview(body.policy, body.received_at)
    return PreviewOut.model_validate(result.as_json())
