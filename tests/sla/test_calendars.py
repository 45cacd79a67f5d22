"""Business-calendar arithmetic on fixed instants: the issue's Friday in Berlin, the DST
weekends of Europe/Berlin and America/New_York, holidays, and properties of ``add``."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.errors import ValidationError
from core.workflow.calendars import (
    BusinessCalendar,
    format_hours,
    holidays_from_ical,
    hours_from_json,
    hours_to_json,
    parse_hours,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
NINE_TO_FIVE = parse_hours("mon-fri 09:00-17:00")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def test_friday_afternoon_plus_four_business_hours_is_monday_midday() -> None:
    cal = BusinessCalendar("Europe/Berlin", NINE_TO_FIVE)
    due = cal.add(berlin(2026, 12, 4, 16, 30), 4 * 60)  # a Friday
    assert due == berlin(2026, 12, 7, 12, 30)
    assert due.astimezone(BERLIN).strftime("%a %H:%M") == "Mon 12:30"
    assert due.tzinfo == UTC
    assert cal.between(berlin(2026, 12, 4, 16, 30), due) == 240


def test_berlin_spring_forward_weekend_opens_monday_at_nine_local() -> None:
    cal = BusinessCalendar("Europe/Berlin", NINE_TO_FIVE)
    # Friday 27 March 2026 is CET (+01:00); Monday 30 March is CEST (+02:00)
    due = cal.add(berlin(2026, 3, 27, 16, 0), 120)
    assert due == utc(2026, 3, 30, 8, 0)  # 10:00 CEST
    assert cal.between(utc(2026, 3, 27, 15, 0), utc(2026, 3, 30, 8, 0)) == 120
    # the night the clocks go forward has 23 hours
    around = BusinessCalendar("Europe/Berlin", parse_hours("sun 00:00-24:00"))
    assert around.between(berlin(2026, 3, 28, 12, 0), berlin(2026, 3, 30, 12, 0)) == 23 * 60
    assert around.add(berlin(2026, 3, 29, 0, 0), 23 * 60) == berlin(2026, 3, 30, 0, 0)


def test_berlin_fall_back_weekend() -> None:
    cal = BusinessCalendar("Europe/Berlin", NINE_TO_FIVE)
    # Friday 23 October 2026 is CEST; Monday 26 October is CET
    due = cal.add(berlin(2026, 10, 23, 16, 0), 120)
    assert due == utc(2026, 10, 26, 9, 0)  # 10:00 CET
    around = BusinessCalendar("Europe/Berlin", parse_hours("sun 00:00-24:00"))
    assert around.between(berlin(2026, 10, 24, 12, 0), berlin(2026, 10, 26, 12, 0)) == 25 * 60
    # business hours on the day itself are wall-clock hours: 09:00-17:00 CET
    sunday = BusinessCalendar("Europe/Berlin", parse_hours("sun 09:00-17:00"))
    assert sunday.intervals(date(2026, 10, 25)) == [(utc(2026, 10, 25, 8), utc(2026, 10, 25, 16))]
    assert sunday.intervals(date(2026, 10, 18)) == [(utc(2026, 10, 18, 7), utc(2026, 10, 18, 15))]


def test_new_york_dst_weekends() -> None:
    cal = BusinessCalendar("America/New_York", NINE_TO_FIVE)
    # spring: Friday 6 March 2026 EST (-05:00), Monday 9 March EDT (-04:00)
    friday = datetime(2026, 3, 6, 16, 30, tzinfo=NEW_YORK)
    assert cal.add(friday, 60) == utc(2026, 3, 9, 13, 30)  # 09:30 EDT
    # autumn: Friday 30 October EDT, Monday 2 November EST
    friday = datetime(2026, 10, 30, 16, 30, tzinfo=NEW_YORK)
    assert cal.add(friday, 60) == utc(2026, 11, 2, 14, 30)  # 09:30 EST
    around = BusinessCalendar("America/New_York", parse_hours("sun 00:00-24:00"))
    spring = around.between(utc(2026, 3, 7, 12), utc(2026, 3, 10, 12))
    autumn = around.between(utc(2026, 10, 31, 12), utc(2026, 11, 3, 12))
    assert (spring, autumn) == (23 * 60, 25 * 60)


def test_hour_skipped_in_spring_counts_as_real_time() -> None:
    # 01:30-03:30 local on the night Berlin skips 02:00-03:00: one real hour
    cal = BusinessCalendar("Europe/Berlin", parse_hours("sun 01:30-03:30"))
    assert cal.intervals(date(2026, 3, 29)) == [(utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 1, 30))]


def test_a_holiday_is_skipped() -> None:
    cal = BusinessCalendar("Europe/Berlin", NINE_TO_FIVE, holidays=[date(2026, 12, 25)])
    # Thursday 24 December 16:00 + 2 h: one hour on Thursday, Friday is a holiday
    assert cal.add(berlin(2026, 12, 24, 16, 0), 120) == berlin(2026, 12, 28, 10, 0)
    assert not cal.is_open(berlin(2026, 12, 25, 10, 0))
    assert cal.is_open(berlin(2026, 12, 28, 10, 0))
    assert cal.between(berlin(2026, 12, 24, 9), berlin(2026, 12, 28, 17)) == 16 * 60


def test_start_outside_hours_counts_from_the_next_opening() -> None:
    cal = BusinessCalendar("Europe/Berlin", parse_hours("mon-fri 09:00-12:00,13:00-17:00"))
    assert cal.add(berlin(2026, 12, 5, 11, 0), 0) == berlin(2026, 12, 7, 9, 0)  # Saturday
    assert cal.add(berlin(2026, 12, 7, 6, 0), 30) == berlin(2026, 12, 7, 9, 30)
    # the lunch break is not business time
    assert cal.add(berlin(2026, 12, 7, 11, 30), 60) == berlin(2026, 12, 7, 13, 30)
    assert cal.add(berlin(2026, 12, 7, 12, 0), 0) == berlin(2026, 12, 7, 13, 0)
    assert not cal.is_open(berlin(2026, 12, 7, 12, 30))
    assert cal.is_open(berlin(2026, 12, 7, 9, 0))
    assert not cal.is_open(berlin(2026, 12, 7, 17, 0))  # the end is not open
    assert cal.between(berlin(2026, 12, 7, 17), berlin(2026, 12, 7, 9)) == -7 * 60


def test_parse_hours_merges_and_reads_ranges() -> None:
    hours = parse_hours(
        "mon-fri 09:00-12:00", "mon 11:00-14:00", "sat 10:00-14:00; fri-sun 20:00-24:00"
    )
    assert hours[0] == [(time(9), time(14))]
    assert hours[4] == [(time(9), time(12)), (time(20), time(0))]
    assert hours[5] == [(time(10), time(14)), (time(20), time(0))]
    assert hours[6] == [(time(20), time(0))]
    assert 3 in hours and hours[3] == [(time(9), time(12))]
    assert format_hours(parse_hours("weekdays 9:00-17:00")).startswith("mon 09:00-17:00; tue")
    assert hours_from_json(hours_to_json(hours)) == hours
    assert format_hours(hours).endswith("sun 20:00-24:00")


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ("", "no business hours"),
        ("mon-fri", "days then hours"),
        ("mon-fry 09:00-17:00", "'mon-fry'"),
        ("mon 9-17", "'9-17'"),
        ("mon 17:00-09:00", "ends before it starts"),
        ("mon 09:00-25:00", "'25:00'"),
        ("mon 09:00-09:00", "ends before it starts"),
        ("mon 09:60-10:00", "'09:60'"),
    ],
)
def test_parse_hours_refuses_bad_specs(spec: str, says: str) -> None:
    with pytest.raises(ValidationError) as err:
        parse_hours(spec)
    assert says in str(err.value)


def test_calendar_refuses_bad_input() -> None:
    with pytest.raises(ValidationError, match="unknown time zone"):
        BusinessCalendar("Europe/Atlantis", NINE_TO_FIVE)
    with pytest.raises(ValidationError, match="at least one day"):
        BusinessCalendar("UTC", {})
    cal = BusinessCalendar("UTC", NINE_TO_FIVE)
    with pytest.raises(ValidationError, match="time zone"):
        cal.add(datetime(2026, 12, 7, 9), 10)
    with pytest.raises(ValidationError, match="negative"):
        cal.add(utc(2026, 12, 7, 9), -1)
    everyday_off = BusinessCalendar(
        "UTC",
        parse_hours("mon 09:00-17:00"),
        holidays=[date(2026, 1, 5) + timedelta(weeks=i) for i in range(200)],
    )
    with pytest.raises(ValidationError, match="holidays"):
        everyday_off.add(utc(2026, 1, 1), 1)


ICAL = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
    "BEGIN:VEVENT\r\nUID:1\r\nDTSTART;VALUE=DATE:20261225\r\nDTEND;VALUE=DATE:20261227\r\n"
    "SUMMARY:Christmas\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:2\r\nDTSTART;TZID=Europe/Berlin:20261003T000000\r\n"
    "SUMMARY:German Unity\r\n Day\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:3\r\nDTSTART\r\n ;VALUE=DATE:20270101\r\nEND:VEVENT\r\n"
    "BEGIN:VTODO\r\nDTSTART:20260601T000000Z\r\nEND:VTODO\r\n"
    "END:VCALENDAR\r\n"
)


def test_holidays_from_ical_reads_all_day_and_dated_events() -> None:
    assert holidays_from_ical(ICAL) == {
        date(2026, 12, 25),
        date(2026, 12, 26),
        date(2026, 10, 3),
        date(2027, 1, 1),
    }


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("hello", "not an iCalendar"),
        ("BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:x\nEND:VEVENT\nEND:VCALENDAR", "no DTSTART"),
        ("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:2026-12-25\nEND:VEVENT", "line 3"),
        ("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20261325\nEND:VEVENT", "not a real date"),
        ("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20261225\n", "never ends"),
    ],
)
def test_holidays_from_ical_refuses_bad_files(text: str, says: str) -> None:
    with pytest.raises(ValidationError) as err:
        holidays_from_ical(text)
    assert says in str(err.value)


CALENDARS = [
    BusinessCalendar("Europe/Berlin", NINE_TO_FIVE, holidays=[date(2026, 12, 25)]),
    BusinessCalendar(
        "America/New_York", parse_hours("mon-thu 08:00-12:00,13:00-18:30", "sat 10:00-14:00")
    ),
    BusinessCalendar("Australia/Sydney", parse_hours("daily 00:00-02:00,22:00-24:00")),
    BusinessCalendar("Europe/Berlin", parse_hours("sun 01:30-03:30", "wed 00:00-24:00")),
]
instants = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)


@settings(max_examples=300, deadline=None)
@given(
    cal=st.sampled_from(CALENDARS),
    start=instants,
    a=st.integers(min_value=0, max_value=20_000),
    b=st.integers(min_value=0, max_value=20_000),
)
def test_due_is_monotonic_and_inside_business_hours(
    cal: BusinessCalendar, start: datetime, a: int, b: int
) -> None:
    low, high = sorted((a, b))
    due_low, due_high = cal.add(start, low), cal.add(start, high)
    assert due_low <= due_high
    assert start <= due_low
    for target, due in ((low, due_low), (high, due_high)):
        if target == 0:
            assert cal.is_open(due)
        else:
            # the target's last business second ends in business hours
            assert cal.is_open(due - timedelta(microseconds=1))
        assert cal.between_seconds(start, due) == target * 60
