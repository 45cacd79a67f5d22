"""Only an admin (or the operator at the shell) adds calendars and adds or changes policies,
whichever surface asks: the services check ``who`` against the database in the writing
transaction (``check_admin``), so a role that changed since the request began counts; a
refusal stores and audits nothing. ``checked`` names the field of a bad calendar."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.access.permissions import Principal
from core.audit import Actor
from core.errors import PermissionDenied, ValidationError
from core.workflow.calendar_store import CalendarService, checked
from core.workflow.sla import SlaClocks
from core.workflow.sla_policies import PolicyService
from db.models import AuditEvent, SlaCalendar, SlaPolicy, User
from db.session import SessionFactory

HOURS = "mon-fri 09:00-17:00"


async def _user(sessions: SessionFactory, email: str, role: str, *, active: bool = True) -> int:
    async with sessions.begin() as session:
        user = User(email=email, name=email.split("@")[0], role=role, is_active=active)
        session.add(user)
        await session.flush()
        return int(user.id)


def _as(user_id: int, email: str, role: str, **kw: object) -> Principal:
    return Principal(user_id, email, role, "api", **kw)  # type: ignore[arg-type]


async def _counts(sessions: SessionFactory) -> tuple[int, int, int]:
    async with sessions() as s:
        return (
            int(await s.scalar(select(func.count()).select_from(SlaCalendar)) or 0),
            int(await s.scalar(select(func.count()).select_from(SlaPolicy)) or 0),
            int(await s.scalar(select(func.count()).select_from(AuditEvent)) or 0),
        )


async def test_admins_and_the_operator_change_sla_settings_others_are_refused(
    session_factory: SessionFactory,
) -> None:
    calendars = CalendarService(session_factory)
    policies = PolicyService(session_factory, clocks=SlaClocks())
    ada = await _user(session_factory, "ada@x.test", "admin")
    mia = await _user(session_factory, "mia@x.test", "manager")
    old = await _user(session_factory, "old@x.test", "admin", active=False)

    admin = _as(ada, "ada@x.test", "admin")
    await calendars.add("berlin", tz="Europe/Berlin", hours=HOURS, who=admin)
    await policies.add("std", calendar="berlin", first_response="8h", who=admin)
    operator = Principal.operator_of(Actor(name="ops@x.test", source="cli"))
    await policies.change("std", who=operator, resolution="3d")
    async with session_factory() as s:
        actors = (await s.execute(select(AuditEvent.action, AuditEvent.actor))).all()
    assert sorted(actors) == [
        ("sla.calendar_added", "ada@x.test"),
        ("sla.policy_added", "ada@x.test"),
        ("sla.policy_changed", "ops@x.test"),
    ]
    before = await _counts(session_factory)

    refused = [
        (_as(mia, "mia@x.test", "manager"), "needs the role admin; you are manager"),
        # the request said admin, the database says manager now: the database wins
        (_as(mia, "mia@x.test", "admin"), "needs the role admin; you are manager"),
        (_as(old, "old@x.test", "admin"), "old@x.test is not an active desk user"),
        (_as(ada, "ada@x.test", "admin", scopes=frozenset({"read", "write"})), "scope 'admin'"),
        (Principal(None, "nobody", None, "api"), "nobody is not an active desk user"),
    ]
    for who, says in refused:
        with pytest.raises(PermissionDenied, match=says):
            await calendars.add("other", tz="UTC", hours=HOURS, who=who)
        with pytest.raises(PermissionDenied, match=says):
            await policies.add("mine", calendar="berlin", first_response="1h", who=who)
        with pytest.raises(PermissionDenied, match=says):
            await policies.change("std", who=who, first_response="1h")
    assert await _counts(session_factory) == before
    assert (await policies.get("std")).policy.version == 2


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": "", "tz": "UTC", "hours": HOURS}, "name"),
        ({"name": "x", "tz": "Mars/Olympus", "hours": HOURS}, "tz"),
        ({"name": "x", "tz": "UTC", "hours": "mon 10:00-09:00"}, "hours"),
        ({"name": "x", "tz": "UTC", "hours": ""}, "hours"),
        ({"name": "x", "tz": "UTC", "hours": HOURS, "ical": "nope"}, "holidays"),
    ],
)
def test_checked_names_the_field_of_a_bad_calendar(kwargs: dict[str, str], field: str) -> None:
    name = kwargs.pop("name")
    with pytest.raises(ValidationError) as err:
        checked(name, **kwargs)  # type: ignore[arg-type]
    assert err.value.data["field"] == field
