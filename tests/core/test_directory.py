"""core.access.directory: only admins (or the shell's operator) change users; bad input is
refused naming it and changes nothing; the desk keeps an active admin, also when two
changes race; every change is audited with before and after; deactivation stops the
user's tokens and Slack sign-in at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from core.access.directory import UserInfo
from core.access.members import MemberService, SlackProfile
from core.access.permissions import Principal
from core.access.tokens import TokenService
from core.audit import Actor
from core.errors import InvalidToken, NotFound, PermissionDenied, ValidationError
from db.models import AuditEvent, User
from db.session import is_postgres
from server.wiring import Desk

SHELL = Principal.operator_of(Actor(name="operator", source="cli"))


def as_admin(user: UserInfo) -> Principal:
    return Principal(user.id, user.email, user.role, "cli")


async def events(desk: Desk, prefix: str = "user.") -> list[AuditEvent]:
    async with desk.sessions() as session:
        rows = await session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        return [e for e in rows if e.action.startswith(prefix)]


async def test_add_list_get_and_the_audit_trail(desk: Desk) -> None:
    directory = desk.directory
    root = await directory.add(SHELL, " Root@Team.Test ", role="admin", name="Root")
    assert (root.email, root.name, root.role, root.is_active) == (
        "root@team.test",
        "Root",
        "admin",
        True,
    )
    ann = await directory.add(
        as_admin(root), "ann@team.test", slack_user_id="uann0001", slack_team_id="T0001"
    )
    assert (ann.role, ann.name, ann.slack_user_id, ann.slack_team_id) == (
        "agent",
        "ann",
        "UANN0001",
        "T0001",
    )
    shown = ann.as_dict()
    assert shown["created_at"] == ann.created_at.isoformat()
    assert set(shown) == {
        "id",
        "email",
        "name",
        "role",
        "is_active",
        "slack_team_id",
        "slack_user_id",
        "created_at",
    }

    assert [u.email for u in await directory.list()] == ["root@team.test", "ann@team.test"]
    assert [u.email for u in await directory.list(team_id="T0001")] == ["ann@team.test"]
    assert await directory.get(ann.id) == ann
    assert await directory.by_email("ANN@team.test") == ann
    with pytest.raises(NotFound):
        await directory.get(999)
    with pytest.raises(NotFound, match="nobody@team.test"):
        await directory.by_email("nobody@team.test")

    added = await events(desk)
    assert [(e.action, e.source, e.actor) for e in added] == [
        ("user.added", "cli", "operator"),
        ("user.added", "cli", "root@team.test"),
    ]
    assert added[1].data["before"] is None
    assert added[1].data["after"]["email"] == "ann@team.test"


async def test_bad_input_is_refused_and_changes_nothing(desk: Desk) -> None:
    directory = desk.directory
    root = await directory.add(SHELL, "root@team.test", role="admin")
    await directory.add(SHELL, "ann@team.test", slack_user_id="UANN0001", slack_team_id="T1")
    before = await directory.list()
    with pytest.raises(ValidationError, match="ann@team.test is already a desk user"):
        await directory.add(SHELL, "ANN@team.test", role="manager")
    with pytest.raises(ValidationError, match="not an email address"):
        await directory.add(SHELL, "ann at team")
    with pytest.raises(ValidationError, match="unknown role 'boss'"):
        await directory.add(SHELL, "bob@team.test", role="boss")
    with pytest.raises(ValidationError, match="not a Slack user id"):
        await directory.add(SHELL, "bob@team.test", slack_user_id="bob")
    with pytest.raises(ValidationError, match="already ann@team.test"):
        await directory.add(SHELL, "bob@team.test", slack_user_id="UANN0001", slack_team_id="T1")
    with pytest.raises(ValidationError, match="unknown role"):
        await directory.set_role(SHELL, root.id, "owner")
    with pytest.raises(NotFound):
        await directory.deactivate(SHELL, 999)
    assert await directory.list() == before
    assert len(await events(desk)) == 2


async def test_only_admins_change_users_as_the_database_says_now(desk: Desk) -> None:
    directory = desk.directory
    root = await directory.add(SHELL, "root@team.test", role="admin")
    boss = await directory.add(SHELL, "boss@team.test", role="admin")
    mel = await directory.add(SHELL, "mel@team.test", role="manager")
    for who in (as_admin(mel), Principal(None, "ghost@team.test", None, "cli")):
        with pytest.raises(PermissionDenied) as denied:
            await directory.add(who, "new@team.test")
        assert denied.value.data["reason"] == "forbidden"
        with pytest.raises(PermissionDenied):
            await directory.set_role(who, mel.id, "admin")

    stale = as_admin(boss)  # says "admin", but the database decides
    await directory.set_role(as_admin(root), boss.id, "agent")
    with pytest.raises(PermissionDenied, match="you are agent"):
        await directory.deactivate(stale, root.id)
    await directory.set_role(as_admin(root), boss.id, "admin")
    await directory.deactivate(as_admin(root), boss.id)
    with pytest.raises(PermissionDenied, match="not an active desk user"):
        await directory.set_role(stale, mel.id, "agent")
    assert (await directory.get(mel.id)).role == "manager"


async def test_changes_are_audited_with_before_and_after(desk: Desk) -> None:
    directory = desk.directory
    root = await directory.add(SHELL, "root@team.test", role="admin")
    ann = await directory.add(SHELL, "ann@team.test")
    admin = as_admin(root)
    assert (await directory.set_role(admin, ann.id, "manager")).role == "manager"
    assert (await directory.set_role(admin, ann.id, "manager")).role == "manager"  # no-op
    assert (await directory.deactivate(admin, ann.id)).is_active is False
    assert (await directory.deactivate(admin, ann.id)).is_active is False  # no-op
    assert [u.email for u in await directory.list(active=False)] == ["ann@team.test"]
    assert (await directory.reactivate(admin, ann.id)).is_active is True
    assert await directory.list(active=False) == []

    changes = (await events(desk))[2:]
    assert [(e.action, e.actor, e.data["user_id"]) for e in changes] == [
        ("user.role", "root@team.test", ann.id),
        ("user.deactivated", "root@team.test", ann.id),
        ("user.reactivated", "root@team.test", ann.id),
    ]
    assert changes[0].data["before"] == {"role": "agent", "is_active": True}
    assert changes[0].data["after"] == {"role": "manager", "is_active": True}
    assert changes[1].data["after"] == {"role": "manager", "is_active": False}
    assert changes[2].data["after"] == {"role": "manager", "is_active": True}


async def test_the_desk_keeps_an_active_admin(desk: Desk) -> None:
    directory = desk.directory
    root = await directory.add(SHELL, "root@team.test", role="admin")
    old = await directory.add(SHELL, "old@team.test", role="admin")
    await directory.deactivate(SHELL, old.id)  # an inactive admin does not count
    for change in (
        directory.set_role(SHELL, root.id, "manager"),
        directory.deactivate(as_admin(root), root.id),
    ):
        with pytest.raises(ValidationError, match="root@team.test is the last active admin"):
            await change
    assert (await directory.get(root.id)).role == "admin"
    assert (await directory.get(root.id)).is_active
    assert [e.action for e in await events(desk)][-1] == "user.deactivated"  # only old's

    await directory.reactivate(SHELL, old.id)
    assert (await directory.deactivate(as_admin(root), root.id)).is_active is False
    with pytest.raises(ValidationError, match="old@team.test is the last active admin"):
        await directory.set_role(SHELL, old.id, "agent")


async def _blocking_admin_rows(desk: Desk) -> asyncio.Event:
    """PostgreSQL: hold the admins' row locks until the returned event is set, so the
    changes started meanwhile all wait and then race."""
    release, held = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        async with desk.sessions.begin() as session:
            await session.execute(
                select(User.id).where(User.role == "admin").order_by(User.id).with_for_update()
            )
            held.set()
            await release.wait()

    asyncio.get_running_loop().create_task(hold())
    await held.wait()
    return release


@pytest.mark.parametrize("who", ["operators", "each other"])
async def test_two_demotions_at_once_leave_one_admin(desk: Desk, who: str) -> None:
    directory = desk.directory
    a = await directory.add(SHELL, "a@team.test", role="admin")
    b = await directory.add(SHELL, "b@team.test", role="admin")
    pg = is_postgres(desk.engine)
    release = await _blocking_admin_rows(desk) if pg else None
    by_a, by_b = (SHELL, SHELL) if who == "operators" else (as_admin(a), as_admin(b))
    racing = asyncio.gather(
        directory.set_role(by_a, b.id, "agent"),
        directory.set_role(by_b, a.id, "agent"),
        return_exceptions=True,
    )
    if release is not None:
        await asyncio.sleep(0.3)  # both are waiting for the admins' rows now
        release.set()
    results = await racing
    won = [r for r in results if isinstance(r, UserInfo)]
    lost = [r for r in results if isinstance(r, Exception)]
    assert len(won) == 1 and len(lost) == 1, results
    assert isinstance(lost[0], ValidationError | PermissionDenied)
    admins = await directory.list(active=True)
    assert [u.role for u in admins].count("admin") == 1
    assert [e.action for e in await events(desk)].count("user.role") == 1


async def test_deactivation_stops_tokens_and_slack_at_once(desk: Desk) -> None:
    clock = lambda: datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # noqa: E731
    tokens = TokenService(desk.sessions, desk.secrets, clock)
    directory = desk.directory
    await directory.add(SHELL, "root@team.test", role="admin")
    ann = await directory.add(SHELL, "ann@team.test", role="manager")
    issued = await tokens.create(ann.id, scopes="read,write", by=SHELL.actor)
    assert (await tokens.authenticate(issued.token)).role == "manager"

    await directory.deactivate(SHELL, ann.id)
    with pytest.raises(InvalidToken, match="not an active desk user"):
        await tokens.authenticate(issued.token)
    members = MemberService(desk.sessions)
    with pytest.raises(PermissionDenied, match="deactivated"):
        await members.link("T1", "UANN0001", SlackProfile(email="ann@team.test", name="Ann"))

    await directory.reactivate(SHELL, ann.id)
    assert (await tokens.authenticate(issued.token)).role == "manager"
    linked = await members.link("T1", "UANN0001", SlackProfile(email="ann@team.test", name="Ann"))
    assert (linked.user_id, linked.role) == (ann.id, "manager")
    await directory.deactivate(SHELL, ann.id)
    assert await members.find("T1", "UANN0001") is None


async def test_slack_role_changes_follow_the_same_rule(desk: Desk) -> None:
    members = MemberService(desk.sessions, admin_ids=frozenset({"UROOT0001"}))
    root = await members.link("T1", "UROOT0001", SlackProfile(email="root@team.test", name="R"))
    amy = await members.link("T1", "UAMY00001", SlackProfile(email="amy@team.test", name="Amy"))
    other = await members.link("T2", "UOTH00001", SlackProfile(email="o@team.test", name="O"))
    with pytest.raises(PermissionDenied, match="only admins"):
        await members.set_role(amy, root.user_id, "agent")
    with pytest.raises(NotFound, match="not in this workspace"):
        await members.set_role(root, other.user_id, "manager")
    with pytest.raises(ValidationError, match="last active admin"):
        await members.set_role(root, root.user_id, "manager")
    changed = await members.set_role(root, amy.user_id, "admin")
    assert (changed.role, changed.team_id, changed.slack_user_id) == ("admin", "T1", "UAMY00001")
    assert (await members.set_role(changed, root.user_id, "manager")).role == "manager"
    role_events = [e for e in await events(desk) if e.action == "user.role"]
    assert [(e.actor, e.source, e.data["after"]["role"]) for e in role_events] == [
        ("root@team.test", "slack", "admin"),
        ("amy@team.test", "slack", "manager"),
    ]


async def test_a_slack_id_added_without_its_workspace_links_at_first_use(desk: Desk) -> None:
    ann = await desk.directory.add(SHELL, "ann@team.test", role="manager", slack_user_id="U0ANN")
    members = MemberService(desk.sessions)
    linked = await members.link("T9", "U0ANN", SlackProfile(email=None, name="Ann"))
    assert (linked.user_id, linked.role, linked.team_id) == (ann.id, "manager", "T9")
    assert (await desk.directory.get(ann.id)).slack_team_id == "T9"
