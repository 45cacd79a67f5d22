"""SLA policies (``sla_policies``): add, change, list, preview.

Tickets take the first policy in ``position`` order whose category and urgency match (a
criterion left empty matches any), else the default. Every change bumps the policy's
``version`` and, in the same transaction, moves the open clocks to the policy each ticket
matches now (``SlaClocks.reapply``), keeping the business time they used. Each add and
change is audited. Only an admin (or the operator at the shell) adds or changes one:
``who`` is checked in the transaction that writes (``core.access.permissions.check_admin``).

    policies = PolicyService(desk.sessions, clocks=desk.sla)
    await policies.add("urgent", calendar="berlin", urgency="High", first_response="4h", who=who)
    due = await policies.preview("urgent", received_at)  # each metric's due time
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.permissions import MANAGER_ROLES, Principal, check_admin
from core.audit import Actor, record
from core.errors import NotFound, ValidationError
from core.vocabulary import category_of, urgency_of
from core.workflow.calendar_store import find_calendar
from core.workflow.sla import (
    DEFAULT_WARN_LEVELS,
    FIRST_RESPONSE,
    METRICS,
    NEXT_RESPONSE,
    RESOLUTION,
    Policy,
    SlaClocks,
    format_target,
    load_policies,
    parse_target,
    policy_of,
)
from db.base import utcnow
from db.models import SlaCalendar, SlaPolicy, User
from db.session import SessionFactory

NAME_MAX = 100
GROUPS = ("managers",)  # escalation groups: the least-loaded available manager or admin
Target = str | int | None
_COLUMNS = {
    FIRST_RESPONSE: "first_response_minutes",
    NEXT_RESPONSE: "next_response_minutes",
    RESOLUTION: "resolution_minutes",
}


@dataclass(frozen=True, slots=True)
class PolicyInfo:
    policy: Policy
    escalate_to_email: str | None = None

    def as_json(self) -> dict[str, Any]:
        p = self.policy
        return {
            "id": p.id,
            "name": p.name,
            "position": p.position,
            "category": p.category,
            "urgency": p.urgency,
            "calendar": p.calendar_name,
            "first_response": format_target(p.targets[FIRST_RESPONSE]),
            "next_response": format_target(p.targets[NEXT_RESPONSE]),
            "resolution": format_target(p.targets[RESOLUTION]),
            "targets_minutes": dict(p.targets),
            "warn_levels": list(p.warn_levels),
            "version": p.version,
            "is_default": p.is_default,
            "escalate": {
                "raise_urgency": p.escalate_raise_urgency,
                # one person's email (as before); a group target is in ``group``
                "reassign_to": self.escalate_to_email,
                "group": p.escalate_to_group,  # "managers": the least-loaded one
            },
        }


@dataclass(frozen=True, slots=True)
class Preview:
    """When each metric falls due for a ticket received at ``received_at`` (the next
    response: for a customer message arriving then)."""

    policy: str
    received_at: datetime
    due: dict[str, datetime | None]

    def as_json(self) -> dict[str, str | None]:
        return {
            "policy": self.policy,
            **{f"{m}_due": (d.isoformat() if d else None) for m, d in self.due.items()},
        }


DOING = "changing SLA settings"


def policy_name(name: str) -> str:
    """``name`` stripped, or a ValidationError (field ``name``)."""
    name = name.strip()
    if not name or len(name) > NAME_MAX:
        raise ValidationError(f"a policy's name is 1 to {NAME_MAX} characters", field="name")
    if name.isdigit():
        raise ValidationError("a policy's name may not be a number (ids are)", field="name")
    return name


def parse_levels(levels: str | Sequence[int]) -> list[int]:
    """``"75,90"`` or ``[75, 90]`` -> sorted percentages, each 1 to 99."""
    items = (
        [x.strip() for x in levels.split(",") if x.strip()] if isinstance(levels, str) else levels
    )
    out: set[int] = set()
    for item in items:
        try:
            level = int(item)
        except (TypeError, ValueError):
            raise ValidationError(
                f"warning level {item!r} is not a whole percentage", field="warn_levels"
            ) from None
        if not 0 < level < 100:
            raise ValidationError(
                f"warning level {level} is not between 1 and 99 (percent of the target)",
                field="warn_levels",
            )
        out.add(level)
    return sorted(out)


async def find_policy(session: AsyncSession, ref: str | int) -> SlaPolicy:
    if isinstance(ref, int) or str(ref).strip().isdigit():
        row = await session.get(SlaPolicy, int(ref))
    else:
        row = await session.scalar(select(SlaPolicy).where(SlaPolicy.name == ref.strip()))
    if row is None:
        raise NotFound(f"no SLA policy {ref!r}", policy=str(ref))
    return row


class PolicyService:
    def __init__(
        self,
        session_factory: SessionFactory,
        *,
        clocks: SlaClocks,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = session_factory
        self.clocks = clocks
        self.clock = clock

    async def add(
        self,
        name: str,
        *,
        calendar: str | int,
        category: str | None = None,
        urgency: str | None = None,
        first_response: Target = None,
        next_response: Target = None,
        resolution: Target = None,
        warn_levels: str | Sequence[int] = DEFAULT_WARN_LEVELS,
        position: int | None = None,
        is_default: bool = False,
        escalate_raise_urgency: bool = False,
        escalate_to: str | None = None,
        escalate_to_group: str | None = None,
        who: Principal | None = None,
    ) -> PolicyInfo:
        """A new policy, last in order unless ``position`` says otherwise. Needs at least
        one target; ``escalate_to``: the email of the manager a breached ticket goes to, or
        ``"managers"`` (the same as ``escalate_to_group="managers"``: the least-loaded
        available manager; the two are exclusive).
        ``who``: an admin or the operator (PermissionDenied otherwise), named in the audit
        event; None: the desk itself."""
        name = policy_name(name)
        values: dict[str, Any] = {
            "name": name,
            "category": category_of(category) if category else None,
            "urgency": urgency_of(urgency) if urgency else None,
            "warn_levels": parse_levels(warn_levels),
            "is_default": is_default,
            "escalate_raise_urgency": escalate_raise_urgency,
        }
        escalate_to, values["escalate_to_group"] = escalation_target(escalate_to, escalate_to_group)
        given = {
            FIRST_RESPONSE: first_response,
            NEXT_RESPONSE: next_response,
            RESOLUTION: resolution,
        }
        for metric, target in given.items():
            values[_COLUMNS[metric]] = (
                None if target in (None, "") else parse_target(target, field=metric)
            )
        if all(values[_COLUMNS[m]] is None for m in METRICS):
            raise ValidationError(
                "a policy needs at least one target: first response, next response or resolution",
                field="first_response",
            )
        try:
            async with self.sessions.begin() as session:
                if who is not None:
                    await check_admin(session, who, doing=DOING)
                if await session.scalar(select(SlaPolicy.id).where(SlaPolicy.name == name)):
                    raise _taken(name)
                cal = await find_calendar(session, calendar)
                values["calendar_id"] = cal.id
                values["escalate_to_id"] = await self._user_id(session, escalate_to)
                if position is None:
                    last = await session.scalar(select(func.max(SlaPolicy.position)))
                    position = (last or 0) + 10
                values["position"] = position
                if is_default:
                    await session.execute(
                        update(SlaPolicy)
                        .where(SlaPolicy.is_default.is_(True))
                        .values(is_default=False)
                    )
                row = SlaPolicy(**values, version=1)
                session.add(row)
                await session.flush()
                info = PolicyInfo(policy_of(row, cal), escalate_to)
                record(
                    session,
                    _actor(who),
                    "sla.policy_added",
                    target=f"sla_policy:{row.id}",
                    **info.as_json(),
                )
                await self.clocks.reapply(session, self.clock())
        except IntegrityError as exc:
            raise _taken(name) from exc
        return info

    async def change(
        self,
        ref: str | int,
        *,
        who: Principal | None = None,
        **changes: Any,
    ) -> PolicyInfo:
        """Change a policy: any of ``add``'s keyword arguments (a target of ``""`` clears
        it). The version goes up and open clocks are recomputed in the same transaction.
        ``who`` as for ``add``."""
        allowed = {
            "calendar",
            "category",
            "urgency",
            "first_response",
            "next_response",
            "resolution",
            "warn_levels",
            "position",
            "is_default",
            "escalate_raise_urgency",
            "escalate_to",
            "escalate_to_group",
        }
        if not changes:
            raise ValidationError("nothing to change: give a field to change", field="name")
        unknown = sorted(set(changes) - allowed)
        if unknown:
            raise ValidationError(f"unknown policy field {', '.join(unknown)}", field=unknown[0])
        if "escalate_to" in changes or "escalate_to_group" in changes:
            # one target replaces the other: an email clears the group, the group the email
            email, group = escalation_target(
                changes.pop("escalate_to", None), changes.pop("escalate_to_group", None)
            )
            changes["escalate_to"], changes["escalate_to_group"] = email, group
        async with self.sessions.begin() as session:
            if who is not None:
                await check_admin(session, who, doing=DOING)
            previous = await load_policies(session)
            row = await find_policy(session, ref)
            before = PolicyInfo(policy_of(row, await session.get_one(SlaCalendar, row.calendar_id)))
            for key, value in changes.items():
                if key == "calendar":
                    row.calendar_id = (await find_calendar(session, value)).id
                elif key == "category":
                    row.category = category_of(value) if value else None
                elif key == "urgency":
                    row.urgency = urgency_of(value) if value else None
                elif key in (FIRST_RESPONSE, NEXT_RESPONSE, RESOLUTION):
                    target = None if value in (None, "") else parse_target(value, field=key)
                    setattr(row, _COLUMNS[key], target)
                elif key == "warn_levels":
                    row.warn_levels = parse_levels(value)
                elif key == "escalate_to":
                    row.escalate_to_id = await self._user_id(session, value)
                elif key == "escalate_to_group":
                    row.escalate_to_group = value
                elif key == "is_default" and value:
                    await session.execute(
                        update(SlaPolicy)
                        .where(SlaPolicy.is_default.is_(True), SlaPolicy.id != row.id)
                        .values(is_default=False)
                    )
                    row.is_default = True
                else:
                    setattr(row, key, value)
            if all(getattr(row, _COLUMNS[m]) is None for m in METRICS):
                raise ValidationError("a policy needs at least one target", field="first_response")
            row.version += 1
            await session.flush()
            cal = await session.get_one(SlaCalendar, row.calendar_id)
            email = await self._email(session, row.escalate_to_id)
            info = PolicyInfo(policy_of(row, cal), email)
            old, new = before.as_json(), info.as_json()
            record(
                session,
                _actor(who),
                "sla.policy_changed",
                target=f"sla_policy:{row.id}",
                changes={k: [old[k], new[k]] for k in new if old[k] != new[k]},
            )
            await self.clocks.reapply(session, self.clock(), previous=previous)
        return info

    async def list(self) -> list[PolicyInfo]:
        async with self.sessions() as session:
            rows = await session.execute(
                select(SlaPolicy, SlaCalendar, User.email)
                .join(SlaCalendar, SlaCalendar.id == SlaPolicy.calendar_id)
                .outerjoin(User, User.id == SlaPolicy.escalate_to_id)
                .order_by(SlaPolicy.position, SlaPolicy.id)
            )
            return [PolicyInfo(policy_of(p, c), e) for p, c, e in rows.tuples()]

    async def get(self, ref: str | int) -> PolicyInfo:
        async with self.sessions() as session:
            row = await find_policy(session, ref)
            cal = await session.get_one(SlaCalendar, row.calendar_id)
            return PolicyInfo(policy_of(row, cal), await self._email(session, row.escalate_to_id))

    async def preview(self, ref: str | int, received_at: datetime) -> Preview:
        """Each metric's due time for a ticket received at ``received_at``, in the policy
        calendar's zone (a time without an offset is read in that zone too)."""
        policy = (await self.get(ref)).policy
        zone = policy.calendar.zone
        if received_at.tzinfo is None or received_at.utcoffset() is None:
            received_at = received_at.replace(tzinfo=zone)
        due = {
            m: None
            if (t := policy.targets[m]) is None
            else policy.calendar.add(received_at, t).astimezone(zone)
            for m in METRICS
        }
        return Preview(policy=policy.name, received_at=received_at, due=due)

    @staticmethod
    async def _user_id(session: AsyncSession, email: str | None) -> int | None:
        if not email:
            return None
        found = (
            await session.execute(
                select(User.id, User.role, User.is_active).where(
                    func.lower(User.email) == email.strip().lower()
                )
            )
        ).first()
        if found is None:
            raise NotFound(f"no desk user {email!r} to escalate to", email=email)
        if found.role not in MANAGER_ROLES or not found.is_active:
            raise ValidationError(
                f"{email} is not an active manager or admin: breached tickets go to one",
                field="escalate_to",
            )
        return int(found.id)

    @staticmethod
    async def _email(session: AsyncSession, user_id: int | None) -> str | None:
        return (
            None
            if user_id is None
            else await session.scalar(select(User.email).where(User.id == user_id))
        )


def _actor(who: Principal | None) -> Actor:
    return who.actor if who is not None else Actor.system()


def _taken(name: str) -> ValidationError:
    return ValidationError(f"an SLA policy named {name!r} exists already", field="name")


def escalation_target(email: str | None, group: str | None) -> tuple[str | None, str | None]:
    """The escalation's (manager's email, group) from what was given: ``escalate_to`` may
    name the group (``"managers"``); an email and a group together are refused."""
    email = (email or "").strip() or None
    group = (group or "").strip().lower() or None
    if email is not None and email.lower() in GROUPS:
        named = email.lower()
        if group is not None and group != named:
            raise _both()
        email, group = None, named
    if group is not None and group not in GROUPS:
        raise ValidationError(
            f"unknown escalation group {group!r}: the group is {' or '.join(GROUPS)}",
            field="escalate_to_group",
        )
    if email is not None and group is not None:
        raise _both()
    return email, group


def _both() -> ValidationError:
    return ValidationError(
        "escalate to a manager's email or to the group managers, not both",
        field="escalate_to_group",
    )
