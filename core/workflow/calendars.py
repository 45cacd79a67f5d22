"""Business calendars: a time zone, weekly business hours and holidays, and the arithmetic
an SLA needs on them (is it open now, what is N business minutes after this instant, how
many business minutes lie between two instants).

Pure and DB-free (the stored form is ``db.models.SlaCalendar``, read through
``core.workflow.calendar_store.CalendarService``). Hours are wall-clock times in the
calendar's zone; each date's intervals are computed in local time and converted to UTC one
by one with ``zoneinfo``, so a DST weekend is right: the Monday after the change opens at
09:00 local, whatever the UTC offset was on Friday. A wall-clock time that does not exist
(the hour skipped in spring) is read with the offset before the change (``fold=0``), one
that exists twice (the hour repeated in autumn) as its first occurrence.

    cal = BusinessCalendar("Europe/Berlin", parse_hours("mon-fri 09:00-17:00"))
    cal.add(datetime(2026, 12, 4, 15, 30, tzinfo=UTC), 240)  # Fri 16:30 Berlin -> Mon 12:30

Business time is counted in seconds inside, so an instant with seconds is kept exact;
``add`` takes whole minutes, ``between`` answers whole minutes (rounded down).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.errors import ValidationError

Hours = dict[int, list[tuple[time, time]]]

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_ALIASES = {
    **{name: i for i, name in enumerate(DAY_NAMES)},
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
}
_DAY_LISTS = {"daily": range(7), "weekdays": range(5), "weekends": range(5, 7)}
_CLOCK = re.compile(r"^([01]?\d|2[0-4]):([0-5]\d)$")
# "09:00-17:00" (end 24:00 means midnight at the end of the day)
_INTERVAL = re.compile(r"^(\d{1,2}:\d{2})-(\d{1,2}:\d{2})$")
DAY_MINUTES = 24 * 60
# how far add() looks for opening hours before it gives up (a calendar whose every day is a
# holiday would otherwise loop for ever)
MAX_SEARCH_DAYS = 3 * 366
_CACHE_DAYS = 4096


def _clock_minutes(text: str, *, spec: str) -> int:
    found = _CLOCK.match(text)
    if found is None:
        raise ValidationError(
            f"{text!r} in {spec!r} is not a time like 09:00 (00:00 to 24:00)", hours=spec
        )
    minutes = int(found.group(1)) * 60 + int(found.group(2))
    if minutes > DAY_MINUTES:
        raise ValidationError(f"{text!r} in {spec!r} is past 24:00", hours=spec)
    return minutes


def _as_time(minutes: int) -> time:
    """Minutes of the day -> a time; 24:00 (the end of the day) is written ``time(0, 0)``."""
    return time(0, 0) if minutes == DAY_MINUTES else time(minutes // 60, minutes % 60)


def _minutes_of(t: time) -> int:
    return t.hour * 60 + t.minute


def _days(text: str, *, spec: str) -> list[int]:
    days: list[int] = []
    for part in text.lower().split(","):
        part = part.strip()
        if part in _DAY_LISTS:
            days.extend(_DAY_LISTS[part])
            continue
        ends = part.split("-")
        if len(ends) > 2 or not all(e in _DAY_ALIASES for e in ends):
            raise ValidationError(
                f"{part!r} in {spec!r} is not a day or a range of days like mon-fri"
                " (mon tue wed thu fri sat sun, daily, weekdays, weekends)",
                hours=spec,
            )
        first, last = _DAY_ALIASES[ends[0]], _DAY_ALIASES[ends[-1]]
        # a range may wrap round the week: fri-mon is fri, sat, sun, mon
        days.extend((first + i) % 7 for i in range((last - first) % 7 + 1))
    return days


def _merge(intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def parse_hours(*specs: str) -> Hours:
    """``"mon-fri 09:00-12:00,13:00-17:00"``, ``"sat 10:00-14:00"``... -> weekday (0 =
    Monday) -> sorted intervals. Several specs (or one with ``;`` between them) merge: the
    intervals of a day are united. An interval ends after it starts, on the same day (an
    evening shift past midnight is two intervals: ``mon 22:00-24:00`` and ``tue
    00:00-06:00``). Anything else is a ValidationError naming the part it could not read.
    """
    per_day: dict[int, list[tuple[int, int]]] = {}
    parts = [p.strip() for spec in specs for p in spec.split(";") if p.strip()]
    if not parts:
        raise ValidationError("no business hours given: e.g. 'mon-fri 09:00-17:00'")
    for part in parts:
        words = part.split(None, 1)
        if len(words) != 2:
            raise ValidationError(
                f"{part!r} is not days then hours, like 'mon-fri 09:00-17:00'", hours=part
            )
        days = _days(words[0], spec=part)
        spans: list[tuple[int, int]] = []
        for item in re.split(r"[,\s]+", words[1].strip()):
            found = _INTERVAL.match(item)
            if found is None:
                raise ValidationError(
                    f"{item!r} in {part!r} is not an interval like 09:00-17:00", hours=part
                )
            start = _clock_minutes(found.group(1), spec=part)
            end = _clock_minutes(found.group(2), spec=part)
            if start >= end:
                raise ValidationError(
                    f"{item!r} in {part!r} ends before it starts: split an interval that"
                    " runs past midnight into two days",
                    hours=part,
                )
            spans.append((start, end))
        for day in days:
            per_day.setdefault(day, []).extend(spans)
    return {
        day: [(_as_time(s), _as_time(e)) for s, e in _merge(per_day[day])]
        for day in sorted(per_day)
    }


def format_hours(hours: Mapping[int, Sequence[tuple[time, time]]]) -> str:
    """The weekly hours as ``parse_hours`` reads them back: ``mon 09:00-17:00; tue ...``."""

    def clock(t: time, *, end: bool) -> str:
        return "24:00" if end and t == time(0, 0) else t.strftime("%H:%M")

    return "; ".join(
        f"{DAY_NAMES[day]} "
        + ",".join(f"{clock(s, end=False)}-{clock(e, end=True)}" for s, e in hours[day])
        for day in sorted(hours)
        if hours[day]
    )


def hours_to_json(hours: Mapping[int, Sequence[tuple[time, time]]]) -> dict[str, list[list[str]]]:
    """The stored form: ``{"0": [["09:00", "17:00"]], ...}`` (an end of 24:00 as written)."""
    out: dict[str, list[list[str]]] = {}
    for day in sorted(hours):
        out[str(day)] = [
            [s.strftime("%H:%M"), "24:00" if e == time(0, 0) else e.strftime("%H:%M")]
            for s, e in hours[day]
        ]
    return out


def hours_from_json(data: Mapping[str, Sequence[Sequence[str]]]) -> Hours:
    """``hours_to_json``'s output back to the mapping."""
    specs = [
        f"{DAY_NAMES[int(day)]} " + ",".join(f"{s}-{e}" for s, e in spans)
        for day, spans in data.items()
        if spans
    ]
    return parse_hours(*specs) if specs else {}


def _unfold(text: str) -> list[str]:
    """RFC 5545 3.1: a line starting with a space or a tab continues the one before."""
    lines: list[str] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if raw[:1] in (" ", "\t") and lines:
            lines[-1] += raw[1:]
        else:
            lines.append(raw)
    return lines


def _ical_date(value: str, *, line: int) -> tuple[date, bool]:
    """A DTSTART/DTEND value -> (its date, whether it is a bare date)."""
    value = value.strip()
    found = re.match(r"^(\d{4})(\d{2})(\d{2})(T\d{6}Z?)?$", value)
    if found is None:
        raise ValidationError(
            f"line {line} of the iCalendar file: {value[:40]!r} is not a date or date-time",
            line=line,
        )
    try:
        day = date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
    except ValueError as exc:
        raise ValidationError(
            f"line {line} of the iCalendar file: {value[:40]!r} is not a real date", line=line
        ) from exc
    return day, found.group(4) is None


def holidays_from_ical(text: str) -> set[date]:
    """The dates of an iCalendar file's events (``VEVENT``): each event's ``DTSTART`` date,
    and for an all-day event (``VALUE=DATE``) every date up to its ``DTEND`` (exclusive, RFC
    5545). A dated event (a date-time) gives the date it is written with (its own zone's, or
    UTC's for a ``Z`` time). Recurrence rules are not expanded: an exported holiday calendar
    lists each date. A file that is not an iCalendar, or an event without a readable
    ``DTSTART``, is a ValidationError naming the line: nothing is half imported.
    """
    lines = _unfold(text)
    if not any(line.strip().upper() == "BEGIN:VCALENDAR" for line in lines):
        raise ValidationError("not an iCalendar file: no BEGIN:VCALENDAR line")
    found: set[date] = set()
    in_event = False
    start: tuple[date, bool] | None = None
    end: tuple[date, bool] | None = None
    begun_at = 0
    for number, line in enumerate(lines, start=1):
        name, sep, value = line.partition(":")
        if not sep:
            continue
        prop = name.split(";", 1)[0].strip().upper()
        if prop == "BEGIN" and value.strip().upper() == "VEVENT":
            in_event, start, end, begun_at = True, None, None, number
        elif prop == "END" and value.strip().upper() == "VEVENT" and in_event:
            if start is None:
                raise ValidationError(
                    f"the event starting on line {begun_at} of the iCalendar file has no DTSTART",
                    line=begun_at,
                )
            found.add(start[0])
            if start[1] and end is not None and end[1]:
                day = start[0] + timedelta(days=1)
                while day < end[0]:
                    found.add(day)
                    day += timedelta(days=1)
            in_event = False
        elif in_event and prop == "DTSTART":
            start = _ical_date(value, line=number)
        elif in_event and prop == "DTEND":
            end = _ical_date(value, line=number)
    if in_event:
        raise ValidationError(
            f"the event starting on line {begun_at} of the iCalendar file never ends"
            " (no END:VEVENT)",
            line=begun_at,
        )
    return found


def zone(tz: str) -> ZoneInfo:
    """The named IANA zone, or a ValidationError."""
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(
            f"unknown time zone {tz[:60]!r}: use an IANA name like Europe/Berlin", tz=tz[:60]
        ) from exc


def _aware(at: datetime, what: str) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValidationError(f"{what} needs a time zone (a naive datetime was given)")
    return at.astimezone(UTC)


class BusinessCalendar:
    """Weekly business hours in a time zone, minus holidays (local dates)."""

    def __init__(
        self,
        tz: str,
        hours: Mapping[int, Sequence[tuple[time, time]]],
        holidays: Iterable[date] = (),
    ) -> None:
        self.tz = tz
        self.zone = zone(tz)
        per_day: dict[int, list[tuple[int, int]]] = {}
        for day, spans in hours.items():
            if day not in range(7):
                raise ValidationError(f"weekday {day!r} is not 0 (Monday) to 6 (Sunday)")
            for start, end in spans:
                s = _minutes_of(start)
                e = DAY_MINUTES if end == time(0, 0) else _minutes_of(end)
                if s >= e:
                    raise ValidationError(
                        f"{start:%H:%M}-{end:%H:%M} on {DAY_NAMES[day]} ends before it starts"
                    )
                per_day.setdefault(day, []).append((s, e))
        self._minutes = {day: _merge(spans) for day, spans in per_day.items()}
        if not any(self._minutes.values()):
            raise ValidationError("a calendar needs business hours on at least one day")
        self.hours: Hours = {
            day: [(_as_time(s), _as_time(e)) for s, e in spans]
            for day, spans in sorted(self._minutes.items())
        }
        self.holidays: frozenset[date] = frozenset(holidays)
        self._cache: dict[date, list[tuple[datetime, datetime]]] = {}

    def __repr__(self) -> str:
        return (
            f"BusinessCalendar({self.tz!r}, {format_hours(self.hours)!r},"
            f" holidays={len(self.holidays)})"
        )

    def intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """The business intervals of one local date, as UTC instants ``[start, end)``."""
        cached = self._cache.get(day)
        if cached is not None:
            return cached
        out: list[tuple[datetime, datetime]] = []
        if day not in self.holidays:
            for s, e in self._minutes.get(day.weekday(), ()):
                start = self._local(day, s)
                end = self._local(day, e)
                if end <= start:  # wholly inside the hour skipped in spring
                    continue
                if out and start <= out[-1][1]:
                    out[-1] = (out[-1][0], max(out[-1][1], end))
                else:
                    out.append((start, end))
        if len(self._cache) >= _CACHE_DAYS:
            self._cache.clear()
        self._cache[day] = out
        return out

    def _local(self, day: date, minutes: int) -> datetime:
        if minutes == DAY_MINUTES:
            day, minutes = day + timedelta(days=1), 0
        wall = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=self.zone)
        return wall.astimezone(UTC)

    def _local_date(self, at: datetime) -> date:
        return at.astimezone(self.zone).date()

    def is_open(self, at: datetime) -> bool:
        """Whether ``at`` (aware) falls inside business hours (start included, end not)."""
        at = _aware(at, "is_open")
        day = self._local_date(at)
        return any(
            s <= at < e for d in (day - timedelta(days=1), day) for s, e in self.intervals(d)
        )

    def next_open(self, at: datetime) -> datetime:
        """``at`` itself when open, else the next opening."""
        return self.add_seconds(at, 0)

    def add(self, start: datetime, minutes: int) -> datetime:
        """The instant ``minutes`` business minutes after ``start`` (aware, any zone; the
        answer is in UTC). Outside business hours, counting starts at the next opening; 0
        minutes gives that opening (or ``start`` when open)."""
        if minutes < 0:
            raise ValidationError(f"business minutes must not be negative: {minutes}")
        return self.add_seconds(start, minutes * 60)

    def add_seconds(self, start: datetime, seconds: float) -> datetime:
        """``add`` to the second (what the SLA clocks keep)."""
        if seconds < 0:
            raise ValidationError(f"business time must not be negative: {seconds}s")
        cursor = _aware(start, "add")
        remaining = timedelta(seconds=seconds)
        day = self._local_date(cursor) - timedelta(days=1)
        for _ in range(MAX_SEARCH_DAYS):
            for s, e in self.intervals(day):
                if e <= cursor:
                    continue
                begin = max(s, cursor)
                if remaining <= e - begin:
                    return begin + remaining
                remaining -= e - begin
                cursor = e
            day += timedelta(days=1)
        raise ValidationError(
            f"no business hours within {MAX_SEARCH_DAYS} days of {start.isoformat()}:"
            " are all of them holidays?"
        )

    def between_seconds(self, a: datetime, b: datetime) -> float:
        """Business seconds from ``a`` to ``b``; negative when ``b`` is before ``a``."""
        a, b = _aware(a, "between"), _aware(b, "between")
        if b < a:
            return -self.between_seconds(b, a)
        total = timedelta(0)
        day = self._local_date(a) - timedelta(days=1)
        last = self._local_date(b)
        while day <= last:
            for s, e in self.intervals(day):
                lo, hi = max(s, a), min(e, b)
                if hi > lo:
                    total += hi - lo
            day += timedelta(days=1)
        return total.total_seconds()

    def between(self, a: datetime, b: datetime) -> int:
        """Whole business minutes from ``a`` to ``b`` (rounded toward zero)."""
        return int(self.between_seconds(a, b) / 60)
