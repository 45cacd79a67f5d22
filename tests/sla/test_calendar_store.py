"""Stored calendars on the real database: add, list, get by name or id; bad input stores
nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from core.errors import NotFound, ValidationError
from core.workflow.calendar_store import CalendarService
from db.models import AuditEvent, SlaCalendar
from db.session import SessionFactory

ICAL = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261225\nEND:VEVENT\nEND:VCALENDAR\n"


async def _count(sessions: SessionFactory) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(SlaCalendar)) or 0)


async def test_add_list_and_get(session_factory: SessionFactory) -> None:
    calendars = CalendarService(session_factory)
    info = await calendars.add(
        "berlin",
        tz="Europe/Berlin",
        hours=["mon-fri 09:00-17:00", "sat 10:00-14:00"],
        holidays=[date(2026, 12, 24)],
        ical=ICAL,
    )
    assert info.as_json() == {
        "id": info.id,
        "name": "berlin",
        "tz": "Europe/Berlin",
        "hours": "mon 09:00-17:00; tue 09:00-17:00; wed 09:00-17:00; thu 09:00-17:00;"
        " fri 09:00-17:00; sat 10:00-14:00",
        "holidays": ["2026-12-24", "2026-12-25"],
    }
    await calendars.add("utc", tz="UTC", hours="daily 00:00-24:00")
    assert [c.name for c in await calendars.list()] == ["berlin", "utc"]
    for ref in ("berlin", info.id, str(info.id)):
        cal = await calendars.get(ref)
        # Thursday 24th and Friday 25th are holidays; Saturday is open 10-14
        friday = datetime(2026, 12, 23, 15, 30, tzinfo=UTC)  # Wed 16:30 Berlin
        assert cal.add(friday, 60) == datetime(2026, 12, 26, 9, 30, tzinfo=UTC)
    async with session_factory() as session:
        actions = (await session.scalars(select(AuditEvent.action))).all()
    assert actions == ["sla.calendar_added", "sla.calendar_added"]


async def test_bad_input_stores_nothing(session_factory: SessionFactory) -> None:
    calendars = CalendarService(session_factory)
    await calendars.add("berlin", tz="Europe/Berlin", hours="mon-fri 09:00-17:00")
    bad = [
        ({"name": "berlin", "tz": "UTC", "hours": "mon 09:00-10:00"}, "exists already"),
        ({"name": "x", "tz": "Mars/Olympus", "hours": "mon 09:00-10:00"}, "unknown time zone"),
        ({"name": "x", "tz": "UTC", "hours": "mon 10:00-09:00"}, "ends before"),
        ({"name": "x", "tz": "UTC", "hours": "mon 09:00-10:00", "ical": "nope"}, "iCalendar"),
        ({"name": " ", "tz": "UTC", "hours": "mon 09:00-10:00"}, "name"),
        ({"name": "12", "tz": "UTC", "hours": "mon 09:00-10:00"}, "number"),
    ]
    for kwargs, says in bad:
        with pytest.raises(ValidationError) as err:
            await calendars.add(kwargs.pop("name"), **kwargs)  # type: ignore[arg-type]
        assert says in str(err.value)
    assert await _count(session_factory) == 1
    with pytest.raises(NotFound):
        await calendars.get("nowhere")
    with pytest.raises(NotFound):
        await calendars.get(999)
