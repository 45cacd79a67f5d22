"""Slack people as desk users: who a Slack user is here, and with which role.

A Slack user (team id + user id) maps to one desk user (``users.slack_team_id``,
``users.slack_user_id``). The first time someone acts, the Slack app looks up their profile
and calls ``link``: an existing desk user with the same email is linked, otherwise one is
created as an agent. Admins are the Slack ids the operator lists (``DESK_ADMIN_SLACK_IDS``)
and, while a workspace has no desk admin yet, its Slack owners and admins (the person who
installs an app is one of them). Admins change roles afterwards.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from core.access.directory import Directory, UserInfo
from core.access.permissions import MANAGER_ROLES, Principal
from core.audit import Actor, record
from core.errors import NotFound, PermissionDenied, ValidationError
from db.models import User
from db.session import SessionFactory


@dataclass(frozen=True, slots=True)
class SlackProfile:
    """What Slack says about a user (``users.info``)."""

    email: str | None
    name: str
    workspace_admin: bool = False  # a Slack workspace owner or admin


@dataclass(frozen=True, slots=True)
class Member:
    """A desk user acting from Slack."""

    user_id: int
    email: str
    name: str
    role: str
    team_id: str
    slack_user_id: str

    @property
    def actor(self) -> Actor:
        return Actor(name=self.email, source="slack", user_id=self.user_id)

    def principal(self, home_team: str | None) -> Principal:
        """This member deciding from Slack: their role, limited to their workspace."""
        return Principal(
            self.user_id,
            self.email,
            self.role,
            "slack",
            workspace=self.team_id,
            home_team=home_team,
        )

    @property
    def is_manager(self) -> bool:
        return self.role in MANAGER_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def deactivated(email: str, user_id: int) -> PermissionDenied:
    """Refusal for someone whose desk account an admin deactivated (``reason`` says so)."""
    return PermissionDenied(
        f"the desk account of {email} is deactivated: ask an admin",
        reason="deactivated",
        user_id=user_id,
        email=email,
    )


def placeholder_email(team_id: str, slack_user_id: str) -> str:
    """For Slack users whose email we may not read (no ``users:read.email`` scope)."""
    return f"{slack_user_id.lower()}@{team_id.lower()}.slack.invalid"


def _member(user: User, team_id: str, slack_user_id: str) -> Member:
    return Member(
        user_id=user.id,
        email=user.email,
        name=user.name,
        role=user.role,
        team_id=team_id,
        slack_user_id=slack_user_id,
    )


class MemberService:
    def __init__(
        self, session_factory: SessionFactory, *, admin_ids: frozenset[str] = frozenset()
    ) -> None:
        self.sessions = session_factory
        self.admin_ids = admin_ids
        self.directory = Directory(session_factory)

    async def find(self, team_id: str, slack_user_id: str) -> Member | None:
        """The linked, active desk user; None when this Slack user never acted yet or was
        deactivated (``link`` then refuses them: PermissionDenied, ``reason`` "deactivated")."""
        async with self.sessions() as session:
            user = await session.scalar(
                select(User).where(
                    User.slack_team_id == team_id, User.slack_user_id == slack_user_id
                )
            )
        if user is None or not user.is_active:
            return None
        if slack_user_id in self.admin_ids and user.role != "admin":
            async with self.sessions.begin() as session:
                await session.execute(
                    update(User)
                    .where(User.id == user.id)
                    .values(role="admin")
                    .execution_options(synchronize_session=False)
                )
                record(
                    session,
                    Actor.system(),
                    "user.role",
                    target=f"user:{user.id}",
                    changes={"role": [user.role, "admin"]},
                    user_id=user.id,
                    email=user.email,
                    before={"role": user.role, "is_active": True},
                    after={"role": "admin", "is_active": True},
                )
            user.role = "admin"
        return _member(user, team_id, slack_user_id)

    async def link(self, team_id: str, slack_user_id: str, profile: SlackProfile) -> Member:
        """Link (or create) the desk user for a Slack user; idempotent under races."""
        for _attempt in range(3):
            try:
                return await self._link(team_id, slack_user_id, profile)
            except IntegrityError:  # the same person clicked twice at once: read the winner
                found = await self.find(team_id, slack_user_id)
                if found is not None:
                    return found
        raise ValidationError(f"could not link Slack user {slack_user_id}", field="user")

    async def _link(self, team_id: str, slack_user_id: str, profile: SlackProfile) -> Member:
        async with self.sessions.begin() as session:
            user = await session.scalar(
                select(User).where(
                    User.slack_team_id == team_id, User.slack_user_id == slack_user_id
                )
            )
            if user is None:  # added by an admin with this Slack id, the workspace not known
                user = await session.scalar(
                    select(User).where(
                        User.slack_team_id.is_(None), User.slack_user_id == slack_user_id
                    )
                )
            email = (profile.email or "").strip().lower()
            if user is None and email:
                candidate = await session.scalar(
                    select(User).where(func.lower(User.email) == email)
                )
                if candidate is not None and candidate.slack_user_id is None:
                    user = candidate
            if user is not None and not user.is_active:
                raise deactivated(user.email, user.id)
            if user is None:
                taken = email and await session.scalar(
                    select(User.id).where(func.lower(User.email) == email)
                )
                user = User(
                    email=email
                    if email and not taken
                    else placeholder_email(team_id, slack_user_id),
                    name=profile.name or slack_user_id,
                    role="agent",
                )
                session.add(user)
            user.slack_team_id, user.slack_user_id = team_id, slack_user_id
            if not user.name:
                user.name = profile.name
            if slack_user_id in self.admin_ids:
                user.role = "admin"
            elif profile.workspace_admin and user.role != "admin":
                has_admin = await session.scalar(
                    select(User.id)
                    .where(User.slack_team_id == team_id, User.role == "admin", User.is_active)
                    .limit(1)
                )
                if has_admin is None:
                    user.role = "admin"
            await session.flush()
            record(
                session,
                Actor(name=user.email, source="slack", user_id=user.id),
                "user.linked",
                slack_team_id=team_id,
                slack_user_id=slack_user_id,
                role=user.role,
            )
            return _member(user, team_id, slack_user_id)

    async def set_role(self, admin: Member, target_user_id: int, role: str) -> Member:
        """An admin changes the role of someone in their workspace; the directory's rules
        apply (admins only, the desk keeps an active admin, audited)."""
        if not admin.is_admin:
            raise PermissionDenied("only admins change roles", role=admin.role)
        await self._in_workspace(admin, target_user_id)
        changed = await self.directory.set_role(admin.principal(None), target_user_id, role)
        return Member(
            user_id=changed.id,
            email=changed.email,
            name=changed.name,
            role=changed.role,
            team_id=admin.team_id,
            slack_user_id=changed.slack_user_id or "",
        )

    async def set_active(self, admin: Member, target_user_id: int, active: bool) -> UserInfo:
        """An admin deactivates (``active`` False) or reactivates someone in their
        workspace, by the directory's rules (the desk keeps an active admin, audited).
        Deactivation stops their Slack clicks and API tokens at once."""
        if not admin.is_admin:
            raise PermissionDenied(
                "only admins deactivate and reactivate users", role=admin.role, reason="forbidden"
            )
        await self._in_workspace(admin, target_user_id)
        change = self.directory.reactivate if active else self.directory.deactivate
        return await change(admin.principal(None), target_user_id)

    async def people(self, team_id: str) -> list[UserInfo]:
        """Every desk user linked to this workspace, active or not (the Users section)."""
        return await self.directory.list(team_id=team_id)

    async def _in_workspace(self, admin: Member, target_user_id: int) -> UserInfo:
        """The target, if linked to the admin's workspace (another's is not found)."""
        try:
            target = await self.directory.get(target_user_id)
        except NotFound:
            target = None
        if target is None or target.slack_team_id != admin.team_id:
            raise NotFound(
                f"user {target_user_id} is not in this workspace", user_id=target_user_id
            )
        return target

    async def email_of(
        self, team_id: str, *, slack_user_id: str | None = None, name: str | None = None
    ) -> str:
        """The desk address of a person a Slack user named (``/desk search assignee:``):
        by their Slack id in this workspace, or by ``name`` among the active desk users of
        this workspace and those bound to none, matching their desk name or the part of
        their address before the ``@`` (any case; dots, dashes, spaces and underscores
        ignored). ValidationError when nobody fits, or more than one does."""
        if slack_user_id is not None:
            async with self.sessions() as session:
                email = await session.scalar(
                    select(User.email).where(
                        User.slack_team_id == team_id, User.slack_user_id == slack_user_id
                    )
                )
            if email is None:
                raise ValidationError(
                    f"the Slack user {slack_user_id[:32]} has no desk account yet (one is made"
                    " when they first use the desk): search by their address, `assignee:EMAIL`",
                    field="assignee",
                )
            return str(email)
        wanted = _squashed(name or "")
        if not wanted:
            raise ValidationError(
                "`assignee:@` needs a name, like `assignee:@ann`", field="assignee"
            )
        async with self.sessions() as session:
            people = (
                await session.execute(
                    select(User.email, User.name).where(
                        User.is_active.is_(True),
                        or_(User.slack_team_id == team_id, User.slack_team_id.is_(None)),
                    )
                )
            ).all()
        found = sorted(
            {
                email
                for email, person in people
                if wanted in (_squashed(person or ""), _squashed(email.partition("@")[0]))
            }
        )
        shown = escape_name(name or "")
        if not found:
            raise ValidationError(
                f"nobody on the desk is called @{shown}: pick them from Slack's @ list or"
                " search by their address, `assignee:EMAIL`",
                field="assignee",
            )
        if len(found) > 1:
            raise ValidationError(
                f"@{shown} could be {', '.join(found[:5])}: search by one address,"
                " `assignee:EMAIL`",
                field="assignee",
            )
        return found[0]

    async def of_team(self, team_id: str) -> list[Member]:
        async with self.sessions() as session:
            users = await session.scalars(
                select(User)
                .where(User.slack_team_id == team_id, User.is_active)
                .order_by(User.role, User.name)
            )
            return [_member(u, team_id, u.slack_user_id or "") for u in users]


def _squashed(text: str) -> str:
    """A name as compared: lower case, letters and digits only."""
    return re.sub(r"[\W_]+", "", text.lower())


def escape_name(text: str) -> str:
    """A typed name as an error message repeats it: short, no Slack markup."""
    return re.sub(r"[<>&*_`~]", "", text)[:80]
