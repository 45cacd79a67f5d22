"""What each desk user wants to hear, and when: a channel per kind of notice (Slack DM by
default, email, or none), their time zone (from Slack), quiet hours in that zone, the days
their daily digest comes, and after how many minutes a draft waiting for them is worth a
notice.

``Preferences`` is plain data with the time arithmetic on it (``local``, ``quiet_at``,
``quiet_ends``, ``business_day``); ``PreferenceStore`` reads and writes it. A change is
checked whole before anything is written: a bad zone, time, day, channel or kind is a
``ValidationError`` naming the field, and nothing of the change is kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.audit import Actor, record
from core.errors import NotFound, ValidationError
from core.workflow.notices import KINDS
from db.base import utcnow
from db.models import NotificationPref, NotificationSettings, User
from db.session import SessionFactory

CHANNELS = ("slack", "email", "none")
DEFAULT_CHANNEL = "slack"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # date.weekday() order
DEFAULT_DAYS = DAYS[:5]
DEFAULT_DRAFT_WAITING_MINUTES = 30
MAX_DRAFT_WAITING_MINUTES = 7 * 24 * 60
_HHMM = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")


@dataclass(frozen=True, slots=True)
class Preferences:
    user_id: int
    channels: dict[str, str] = field(default_factory=dict)  # kind -> channel; missing: slack
    tz: str | None = None  # an IANA zone; None: not known yet (UTC meanwhile)
    quiet_start: str | None = None  # local "HH:MM"; both or neither
    quiet_end: str | None = None
    business_days: tuple[str, ...] = DEFAULT_DAYS
    draft_waiting_minutes: int = DEFAULT_DRAFT_WAITING_MINUTES

    def channel(self, kind: str) -> str:
        return self.channels.get(kind, DEFAULT_CHANNEL)

    @property
    def zone(self) -> ZoneInfo:
        return zone_of(self.tz) if self.tz else ZoneInfo("UTC")

    def local(self, now: datetime) -> datetime:
        return now.astimezone(self.zone)

    def business_day(self, day: date) -> bool:
        return DAYS[day.weekday()] in self.business_days

    def quiet_at(self, now: datetime) -> bool:
        """Whether ``now`` falls in the user's quiet hours (start included, end not; a
        span like 22:00-07:00 runs over midnight)."""
        if not self.quiet_start or not self.quiet_end:
            return False
        start, end = parse_time(self.quiet_start), parse_time(self.quiet_end)
        t = self.local(now).time().replace(second=0, microsecond=0)
        if start == end:
            return False
        if start < end:
            return start <= t < end
        return t >= start or t < end

    def quiet_ends(self, now: datetime) -> datetime | None:
        """When the quiet hours ``now`` falls in end (UTC); None when it is not quiet."""
        if not self.quiet_at(now) or self.quiet_end is None:
            return None
        local = self.local(now)
        end = datetime.combine(local.date(), parse_time(self.quiet_end), tzinfo=self.zone)
        if end <= local:
            end += timedelta(days=1)
        return end.astimezone(now.tzinfo)

    def as_dict(self) -> dict[str, Any]:
        return {
            "channels": {k: self.channel(k) for k in KINDS},
            "tz": self.tz,
            "quiet_hours": (
                {"start": self.quiet_start, "end": self.quiet_end}
                if self.quiet_start and self.quiet_end
                else None
            ),
            "business_days": list(self.business_days),
            "draft_waiting_minutes": self.draft_waiting_minutes,
            "digest": self.channel("digest") != "none",
        }


@dataclass(frozen=True, slots=True)
class PreferenceChange:
    """What a person changes; ``None`` leaves a field as it is. ``quiet_hours``: a
    ``(start, end)`` pair of local ``HH:MM``, or ``()`` to turn quiet hours off."""

    channels: Mapping[str, str] | None = None
    tz: str | None = None
    quiet_hours: tuple[str, str] | tuple[()] | None = None
    business_days: Iterable[str] | None = None
    draft_waiting_minutes: int | None = None

    def applied_to(self, prefs: Preferences) -> Preferences:
        """``prefs`` with this change, every field checked; ValidationError otherwise."""
        out = prefs
        if self.channels is not None:
            channels = dict(prefs.channels)
            for kind, channel in self.channels.items():
                if kind not in KINDS:
                    raise ValidationError(
                        f"unknown notification kind {kind!r}: one of {', '.join(KINDS)}",
                        field="channels",
                        kind=kind,
                    )
                if channel not in CHANNELS:
                    raise ValidationError(
                        f"unknown channel {channel!r} for {kind}: one of {', '.join(CHANNELS)}",
                        field="channels",
                        kind=kind,
                    )
                channels[kind] = channel
            out = replace(out, channels=channels)
        if self.tz is not None:
            zone_of(self.tz)
            out = replace(out, tz=self.tz)
        if self.quiet_hours is not None:
            if len(self.quiet_hours) == 0:
                out = replace(out, quiet_start=None, quiet_end=None)
            else:
                start, end = self.quiet_hours
                for name, value in (("start", start), ("end", end)):
                    parse_time(value, field=f"quiet_hours.{name}")
                if start == end:
                    raise ValidationError(
                        "quiet hours must start and end at different times",
                        field="quiet_hours",
                    )
                out = replace(out, quiet_start=start, quiet_end=end)
        if self.business_days is not None:
            out = replace(out, business_days=parse_days(self.business_days))
        if self.draft_waiting_minutes is not None:
            n = self.draft_waiting_minutes
            if (
                isinstance(n, bool)
                or not isinstance(n, int)
                or not 1 <= n <= MAX_DRAFT_WAITING_MINUTES
            ):
                raise ValidationError(
                    f"draft_waiting_minutes must be a whole number from 1 to "
                    f"{MAX_DRAFT_WAITING_MINUTES}, not {n!r}",
                    field="draft_waiting_minutes",
                )
            out = replace(out, draft_waiting_minutes=n)
        return out


def zone_of(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(
            f"unknown time zone {name!r}: an IANA name such as Europe/Berlin", field="tz"
        ) from exc


def parse_time(value: str, *, field: str = "time") -> time:
    m = _HHMM.fullmatch(value.strip()) if isinstance(value, str) else None
    if m is None:
        raise ValidationError(
            f"{field} must be a time HH:MM (00:00-23:59), not {value!r}", field=field
        )
    return time(int(m[1]), int(m[2]))


def parse_days(values: Iterable[str]) -> tuple[str, ...]:
    days = {str(v).strip().lower()[:3] for v in values if str(v).strip()}
    bad = sorted(d for d in days if d not in DAYS)
    if bad:
        raise ValidationError(
            f"unknown day {bad[0]!r}: days are {', '.join(DAYS)}", field="business_days"
        )
    return tuple(d for d in DAYS if d in days)


class PreferenceStore:
    def __init__(self, sessions: SessionFactory, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.sessions = sessions
        self.clock = clock

    async def get(self, user_id: int) -> Preferences:
        return (await self.many([user_id]))[user_id]

    async def many(self, user_ids: Iterable[int]) -> dict[int, Preferences]:
        """Every user's preferences (defaults for those who never changed any)."""
        ids = sorted(set(user_ids))
        if not ids:
            return {}
        async with self.sessions() as session:
            settings = {
                s.user_id: s
                for s in await session.scalars(
                    select(NotificationSettings).where(NotificationSettings.user_id.in_(ids))
                )
            }
            channels: dict[int, dict[str, str]] = {}
            for p in await session.scalars(
                select(NotificationPref).where(NotificationPref.user_id.in_(ids))
            ):
                channels.setdefault(p.user_id, {})[p.kind] = p.channel
        return {uid: _prefs(uid, settings.get(uid), channels.get(uid, {})) for uid in ids}

    async def update(self, user_id: int, change: PreferenceChange, *, actor: Actor) -> Preferences:
        """Apply ``change`` to the user's preferences (checked whole first), audited as
        ``notifications.preferences`` with what changed."""
        try:
            return await self._update(user_id, change, actor=actor)
        except IntegrityError:  # a first change made the rows meanwhile: once more on them
            return await self._update(user_id, change, actor=actor)

    async def _update(self, user_id: int, change: PreferenceChange, *, actor: Actor) -> Preferences:
        before = await self.get(user_id)
        after = change.applied_to(before)
        async with self.sessions.begin() as session:
            user = await session.get(User, user_id)
            if user is None:
                raise NotFound(f"no desk user {user_id}", user_id=user_id)
            await self._write(session, before, after)
            changes = {
                k: [v, after.as_dict()[k]]
                for k, v in before.as_dict().items()
                if after.as_dict()[k] != v
            }
            if changes:
                record(
                    session,
                    actor,
                    "notifications.preferences",
                    target=f"user:{user_id}",
                    changes=changes,
                    at=self.clock(),
                )
        return after

    async def learn_zone(self, user_id: int, tz: str) -> None:
        """Keep the zone Slack gave for a user who has none yet (not audited: no person
        changed anything). An unknown zone is ignored."""
        try:
            zone_of(tz)
        except ValidationError:
            return
        for _ in range(2):
            try:
                async with self.sessions.begin() as session:
                    row = await session.get(NotificationSettings, user_id)
                    if row is None:
                        session.add(
                            _settings_row(replace(Preferences(user_id), tz=tz), self.clock())
                        )
                    elif row.tz is None:
                        row.tz = tz
                return
            except IntegrityError:  # another process made the row meanwhile: look again
                continue

    async def _write(self, session: Any, before: Preferences, after: Preferences) -> None:
        row = await session.get(NotificationSettings, after.user_id)
        if row is None:
            session.add(_settings_row(after, self.clock()))
        else:
            row.tz = after.tz
            row.quiet_start, row.quiet_end = after.quiet_start, after.quiet_end
            row.business_days = ",".join(after.business_days)
            row.draft_waiting_minutes = after.draft_waiting_minutes
            row.updated_at = self.clock()
        existing = {
            p.kind: p
            for p in await session.scalars(
                select(NotificationPref).where(NotificationPref.user_id == after.user_id)
            )
        }
        for kind, channel in after.channels.items():
            if kind in existing:
                existing[kind].channel = channel
            else:
                session.add(NotificationPref(user_id=after.user_id, kind=kind, channel=channel))


def _settings_row(prefs: Preferences, now: datetime) -> NotificationSettings:
    return NotificationSettings(
        user_id=prefs.user_id,
        tz=prefs.tz,
        quiet_start=prefs.quiet_start,
        quiet_end=prefs.quiet_end,
        business_days=",".join(prefs.business_days),
        draft_waiting_minutes=prefs.draft_waiting_minutes,
        updated_at=now,
    )


def _prefs(user_id: int, row: NotificationSettings | None, channels: dict[str, str]) -> Preferences:
    if row is None:
        return Preferences(user_id, channels=channels)
    return Preferences(
        user_id,
        channels=channels,
        tz=row.tz,
        quiet_start=row.quiet_start,
        quiet_end=row.quiet_end,
        business_days=tuple(d for d in row.business_days.split(",") if d),
        draft_waiting_minutes=row.draft_waiting_minutes,
    )
