"""Stored business calendars (``sla_calendars``): add, list, get as a ``BusinessCalendar``.

SLA policies and agents' shift calendars name one. A calendar is checked whole before it is
written (zone, hours, holidays, an iCalendar file's dates; ``checked``, pure, which forms
also call before they submit), so a bad one is refused with a ValidationError naming its
field and nothing is stored. Only an admin (or the operator at the shell) adds one: ``who``
is checked in the transaction that writes it (``core.access.permissions.check_admin``).

    calendars = CalendarService(desk.sessions)
    await calendars.add("berlin", tz="Europe/Berlin", hours=["mon-fri 09:00-17:00"], who=who)
    cal = await calendars.get("berlin")  # or by id
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.permissions import Principal, check_admin
from core.audit import Actor, record
from core.errors import NotFound, ValidationError
from core.workflow.calendars import (
    BusinessCalendar,
    Hours,
    format_hours,
    holidays_from_ical,
    hours_from_json,
    hours_to_json,
    parse_hours,
    zone,
)
from db.models import SlaCalendar
from db.session import SessionFactory

NAME_MAX = 100
DOING = "changing SLA settings"


@dataclass(frozen=True, slots=True)
class CalendarInfo:
    id: int
    name: str
    tz: str
    hours: Hours
    holidays: tuple[date, ...]

    @property
    def calendar(self) -> BusinessCalendar:
        return BusinessCalendar(self.tz, self.hours, self.holidays)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "tz": self.tz,
            "hours": format_hours(self.hours),
            "holidays": [d.isoformat() for d in self.holidays],
        }


def info_of(row: SlaCalendar) -> CalendarInfo:
    return CalendarInfo(
        id=row.id,
        name=row.name,
        tz=row.tz,
        hours=hours_from_json(row.hours),
        holidays=tuple(sorted(date.fromisoformat(d) for d in row.holidays)),
    )


def calendar_of(row: SlaCalendar) -> BusinessCalendar:
    return info_of(row).calendar


def calendar_name(name: str) -> str:
    """``name`` stripped, or a ValidationError (field ``name``)."""
    name = name.strip()
    if not name or len(name) > NAME_MAX:
        raise ValidationError(f"a calendar's name is 1 to {NAME_MAX} characters", field="name")
    if name.isdigit():
        raise ValidationError("a calendar's name may not be a number (ids are)", field="name")
    return name


def _taken(name: str) -> ValidationError:
    return ValidationError(f"a calendar named {name!r} exists already", field="name")


def _on(field: str, exc: ValidationError) -> ValidationError:
    """``exc`` about ``field`` (a form shows it under that input)."""
    return ValidationError(exc.message, **{**exc.data, "field": field})


HoursIn = str | Sequence[str] | Mapping[int, Sequence[tuple[time, time]]]


def checked(
    name: str,
    *,
    tz: str,
    hours: HoursIn,
    holidays: Iterable[date] = (),
    ical: str | None = None,
) -> tuple[str, BusinessCalendar]:
    """The name and the calendar ``CalendarService.add`` would store, checked whole and
    pure (no database): a ValidationError whose ``field`` is ``name``, ``tz``, ``hours``
    or ``holidays`` otherwise. ``hours`` as ``parse_hours`` reads it (one spec or several)
    or already parsed; ``ical``: an iCalendar file's text whose events are holidays."""
    name = calendar_name(name)
    try:
        zone(tz)
    except ValidationError as exc:
        raise _on("tz", exc) from None
    try:
        if isinstance(hours, str):
            parsed = parse_hours(hours)
        elif isinstance(hours, Mapping):
            parsed = {int(d): list(spans) for d, spans in hours.items()}
        else:
            parsed = parse_hours(*hours)
        days = set(holidays)
        if ical is not None:
            try:
                days |= holidays_from_ical(ical)
            except ValidationError as exc:
                raise _on("holidays", exc) from None
        return name, BusinessCalendar(tz, parsed, days)
    except ValidationError as exc:
        raise exc if exc.data.get("field") else _on("hours", exc) from None


async def find_calendar(session: AsyncSession, ref: str | int) -> SlaCalendar:
    """The calendar named or numbered ``ref``; NotFound otherwise."""
    if isinstance(ref, int) or str(ref).strip().isdigit():
        row = await session.get(SlaCalendar, int(ref))
    else:
        row = await session.scalar(select(SlaCalendar).where(SlaCalendar.name == ref.strip()))
    if row is None:
        raise NotFound(f"no calendar {ref!r}", calendar=str(ref))
    return row


class CalendarService:
    def __init__(self, session_factory: SessionFactory) -> None:
        self.sessions = session_factory

    async def add(
        self,
        name: str,
        *,
        tz: str,
        hours: HoursIn,
        holidays: Iterable[date] = (),
        ical: str | None = None,
        who: Principal | None = None,
    ) -> CalendarInfo:
        """Store a new calendar, as ``checked`` reads it. ``who``: an admin or the operator
        (PermissionDenied otherwise), named in the audit event; None: the desk itself."""
        name, cal = checked(name, tz=tz, hours=hours, holidays=holidays, ical=ical)
        try:
            return await self._insert(name, cal, who)
        except IntegrityError as exc:  # the same name added at the same moment
            raise _taken(name) from exc

    async def _insert(
        self, name: str, cal: BusinessCalendar, who: Principal | None
    ) -> CalendarInfo:
        async with self.sessions.begin() as session:
            if who is not None:
                await check_admin(session, who, doing=DOING)
            taken = await session.scalar(select(SlaCalendar.id).where(SlaCalendar.name == name))
            if taken is not None:
                raise _taken(name)
            row = SlaCalendar(
                name=name,
                tz=cal.tz,
                hours=hours_to_json(cal.hours),
                holidays=sorted(d.isoformat() for d in cal.holidays),
            )
            session.add(row)
            await session.flush()
            info = info_of(row)
            record(
                session,
                who.actor if who is not None else Actor.system(),
                "sla.calendar_added",
                target=f"sla_calendar:{row.id}",
                name=name,
                tz=cal.tz,
                hours=format_hours(cal.hours),
                holidays=len(cal.holidays),
            )
        return info

    async def list(self) -> list[CalendarInfo]:
        async with self.sessions() as session:
            rows = (await session.scalars(select(SlaCalendar).order_by(SlaCalendar.name))).all()
            return [info_of(r) for r in rows]

    async def info(self, ref: str | int) -> CalendarInfo:
        async with self.sessions() as session:
            return info_of(await find_calendar(session, ref))

    async def get(self, ref: str | int) -> BusinessCalendar:
        """The calendar named or numbered ``ref``, ready for arithmetic; NotFound else."""
        return (await self.info(ref)).calendar
