"""What people set for automatic assignment: agents' profiles and mailboxes' strategies.

``AgentProfiles`` holds each agent's skills (ticket categories), languages, capacity, time
zone, shift (a business calendar) and availability (``desk users set``, ``/desk away``, ``/desk available``, App Home's button, and
Slack presence when the desk follows it). Admins, managers and the shell's operator change
anyone's profile; an agent changes only their own availability and time zone; ``PRESENCE``
(the worker reading Slack presence) changes only availability, of agents who have a profile,
and makes available again only those it sent away (``availability_source``): an agent who
went away by hand stays away until a person says otherwise. Going away stamps
``away_since`` (after 30 minutes the assigner returns their untouched tickets to the queue);
coming back clears it.

``AssignmentRules`` holds each mailbox's strategy (``balanced``, ``round_robin``, ``manual``)
and fallback (``any_agent``, ``leave_unassigned``); a mailbox without a row is manual. Only
admins and the operator change them. Every change is audited in its transaction
(``user.profile``, ``mailbox.assignment``, with ``changes``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.permissions import Principal
from core.audit import record
from core.errors import NotFound, PermissionDenied, ValidationError
from core.vocabulary import category_of
from core.workflow.assignment import FALLBACKS, STRATEGIES
from db.base import utcnow
from db.models import AgentProfile, Mailbox, MailboxAssignment, SlaCalendar, User
from db.session import SessionFactory

DEFAULT_CAPACITY = 15
MAX_CAPACITY = 1000
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")
_SELF_FIELDS = frozenset({"available", "timezone"})
# who set an agent's availability last (``agent_profiles.availability_source``)
BY_PERSON = "person"
BY_PRESENCE = "slack_presence"
# the worker following Slack presence: it changes availability, nothing else
PRESENCE = Principal(None, "slack presence", None, "worker")


@dataclass(frozen=True, slots=True)
class ProfileInfo:
    user_id: int
    email: str
    skills: list[str]
    languages: list[str]
    capacity: int
    available: bool
    away_since: datetime | None
    availability_source: str  # person | slack_presence: who set ``available`` last
    timezone: str | None
    shift_calendar_id: int | None
    last_assigned_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for key in ("away_since", "last_assigned_at"):
            d[key] = d[key].isoformat() if d[key] else None
        return d


@dataclass(frozen=True, slots=True)
class RuleInfo:
    mailbox: str
    strategy: str
    fallback: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def skills_of(values: Sequence[str]) -> list[str]:
    """Ticket categories, each in its canonical spelling, once."""
    return list(dict.fromkeys(category_of(v) for v in values if v.strip()))


def languages_of(values: Sequence[str]) -> list[str]:
    out: list[str] = []
    for v in values:
        code = v.strip().lower()
        if not code:
            continue
        if not _LANGUAGE.match(code):
            raise ValidationError(
                f"not a language code: {v!r} (use ISO codes such as en, de, pt-br)",
                field="languages",
            )
        out.append(code)
    return list(dict.fromkeys(out))


def timezone_of(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(
            f"unknown time zone {value!r} (use an IANA name such as Europe/Berlin)",
            field="timezone",
        ) from exc
    return value


def capacity_of(value: int) -> int:
    if not 0 <= value <= MAX_CAPACITY:
        raise ValidationError(
            f"capacity must be between 0 and {MAX_CAPACITY}, not {value}", field="capacity"
        )
    return value


def _info(user: User, p: AgentProfile | None) -> ProfileInfo:
    return ProfileInfo(
        user_id=user.id,
        email=user.email,
        skills=list(p.skills) if p else [],
        languages=list(p.languages) if p else [],
        capacity=p.capacity if p else DEFAULT_CAPACITY,
        available=p.available if p else False,
        away_since=p.away_since if p else None,
        availability_source=p.availability_source if p else BY_PERSON,
        timezone=p.timezone if p else None,
        shift_calendar_id=p.shift_calendar_id if p else None,
        last_assigned_at=p.last_assigned_at if p else None,
    )


async def _calendar_id(session: AsyncSession, ref: str) -> int | None:
    ref = ref.strip()
    if not ref:
        return None
    found = await session.scalar(
        select(SlaCalendar.id).where(
            SlaCalendar.id == int(ref) if ref.isdigit() else SlaCalendar.name == ref
        )
    )
    if found is None:
        raise NotFound(
            f"no business calendar {ref!r} (see `desk sla list`)", field="shift", calendar=ref
        )
    return int(found)


class AgentProfiles:
    def __init__(self, sessions: SessionFactory, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.sessions = sessions
        self.clock = clock

    async def get(self, user_id: int) -> ProfileInfo:
        """A user's profile (without one: no skills, default capacity, not taking
        automatic assignments)."""
        async with self.sessions() as session:
            user = await session.get(User, user_id)
            if user is None:
                raise NotFound(f"user {user_id} not found", user_id=user_id)
            return _info(user, await session.get(AgentProfile, user_id))

    async def change(
        self,
        who: Principal,
        user_id: int,
        *,
        skills: Sequence[str] | None = None,
        languages: Sequence[str] | None = None,
        capacity: int | None = None,
        available: bool | None = None,
        timezone: str | None = None,
        shift: str | None = None,
    ) -> ProfileInfo:
        """Change what is given; the first change makes the profile (available).
        ``shift``: the name (or id) of the business calendar whose hours are their shift;
        empty: no shift (always in shift). ``who`` ``PRESENCE`` makes no profile and
        changes nothing of an agent a person set away (the row is locked, so a click in
        between wins); a person's ``available`` is theirs, even when it changes nothing."""
        wanted: dict[str, Any] = {}
        if skills is not None:
            wanted["skills"] = skills_of(skills)
        if languages is not None:
            wanted["languages"] = languages_of(languages)
        if capacity is not None:
            wanted["capacity"] = capacity_of(capacity)
        if available is not None:
            wanted["available"] = available
        if timezone is not None:
            wanted["timezone"] = timezone_of(timezone)
        self._check(who, user_id, set(wanted) | ({"shift"} if shift is not None else set()))
        now = self.clock()
        async with self.sessions.begin() as session:
            user = await session.get(User, user_id)
            if user is None:
                raise NotFound(f"user {user_id} not found", user_id=user_id)
            profile = await session.get(AgentProfile, user_id, with_for_update=True)
            if shift is not None:
                wanted["shift_calendar_id"] = await _calendar_id(session, shift)
            by_presence = who == PRESENCE
            if by_presence and (
                profile is None or (available and profile.availability_source != BY_PRESENCE)
            ):
                return _info(user, profile)
            if profile is None:
                profile = AgentProfile(
                    user_id=user_id,
                    skills=[],
                    languages=[],
                    capacity=DEFAULT_CAPACITY,
                    available=True,
                    availability_source=BY_PERSON,
                    updated_at=now,
                )
                session.add(profile)
            changes: dict[str, list[Any]] = {}
            for key, value in wanted.items():
                before = getattr(profile, key)
                if before != value:
                    changes[key] = [before, value]
                    setattr(profile, key, value)
            if "available" in changes:
                profile.away_since = None if profile.available else now
            # presence owns what it changed; a person owns what they asked for
            source = BY_PRESENCE if by_presence else BY_PERSON
            claims = "available" in changes if by_presence else available is not None
            if claims and profile.availability_source != source:
                changes["availability_source"] = [profile.availability_source, source]
                profile.availability_source = source
            if changes or profile in session.new:
                profile.updated_at = now
                record(
                    session,
                    who.actor,
                    "user.profile",
                    target=f"user:{user_id}",
                    changes=changes,
                    at=now,
                    user=user.email,
                )
            await session.flush()
            return _info(user, profile)

    @staticmethod
    def _check(who: Principal, user_id: int, fields: set[str]) -> None:
        if who == PRESENCE:
            if fields <= {"available"}:
                return
        elif who.operator or who.is_manager:
            return
        if who.role is not None and who.user_id == user_id and fields <= _SELF_FIELDS:
            return
        raise PermissionDenied(
            "only managers and admins change agents' skills and capacity; agents set their"
            " own availability",
            user_id=user_id,
        )


class AssignmentRules:
    def __init__(self, sessions: SessionFactory, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.sessions = sessions
        self.clock = clock

    async def all(self) -> list[RuleInfo]:
        """Every mailbox's strategy and fallback (manual without a row)."""
        async with self.sessions() as session:
            rows = await session.execute(
                select(Mailbox.name, MailboxAssignment.strategy, MailboxAssignment.fallback)
                .outerjoin(MailboxAssignment, MailboxAssignment.mailbox_id == Mailbox.id)
                .order_by(Mailbox.name)
            )
            return [RuleInfo(name, s or "manual", f or "any_agent") for name, s, f in rows]

    async def change(
        self,
        who: Principal,
        *,
        mailbox: str | None,
        strategy: str,
        fallback: str | None = None,
    ) -> list[RuleInfo]:
        """Set ``mailbox``'s strategy (and fallback when given); ``mailbox`` None: every
        mailbox's. Returns the rules changed."""
        if strategy not in STRATEGIES:
            raise ValidationError(
                f"unknown strategy {strategy!r}; use one of {', '.join(STRATEGIES)}",
                field="strategy",
            )
        if fallback is not None and fallback not in FALLBACKS:
            raise ValidationError(
                f"unknown fallback {fallback!r}; use one of {', '.join(FALLBACKS)}",
                field="fallback",
            )
        if not (who.operator or who.role == "admin"):
            raise PermissionDenied("only admins change the assignment strategy")
        now = self.clock()
        async with self.sessions.begin() as session:
            query = select(Mailbox).order_by(Mailbox.name)
            if mailbox is not None:
                query = query.where(Mailbox.name == mailbox)
            boxes = list(await session.scalars(query))
            if not boxes:
                raise NotFound(
                    f"no mailbox named {mailbox!r}" if mailbox else "no mailbox yet",
                    mailbox=mailbox,
                )
            out = []
            for box in boxes:
                rule = await session.get(MailboxAssignment, box.id, with_for_update=True)
                before = (rule.strategy, rule.fallback) if rule else ("manual", "any_agent")
                after = (strategy, fallback or before[1])
                if rule is None:
                    rule = MailboxAssignment(mailbox_id=box.id, updated_at=now)
                    session.add(rule)
                rule.strategy, rule.fallback, rule.updated_at = after[0], after[1], now
                changes = {
                    k: [b, a]
                    for k, b, a in zip(("strategy", "fallback"), before, after, strict=True)
                    if b != a
                }
                if changes:
                    record(
                        session,
                        who.actor,
                        "mailbox.assignment",
                        target=f"mailbox:{box.name}",
                        changes=changes,
                        at=now,
                    )
                out.append(RuleInfo(box.name, *after))
            return out
