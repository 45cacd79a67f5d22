"""The users directory: who the desk's users are, and the admin's changes to them.

Only an admin (or the operator at the shell, ``Principal.operator``) adds users, changes
roles, deactivates and reactivates; the acting admin is re-read in the same transaction, so
a demoted admin is refused at once. Every change writes its audit event in that transaction
(``user.added``, ``user.role``, ``user.deactivated``, ``user.reactivated``, with ``before``
and ``after``).

The last-admin rule: the desk keeps at least one active admin. Demoting or deactivating
the last one is refused, decided in the same transaction as the change. On PostgreSQL the
active admins' rows are locked first (``SELECT ... ORDER BY id FOR UPDATE``), so two admins
demoting each other at once are serialised and the second sees the first's change; on
SQLite the change is written first (which takes the database's write lock) and the count is
taken after it. The change itself is a compare-and-set on the row's role and active flag.

    directory = Directory(desk.sessions)
    ann = await directory.add(who, "ann@example.com", role="manager")
    await directory.deactivate(who, ann.id)  # her tokens and Slack clicks stop at once
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.permissions import Principal
from core.access.users import ROLES, valid_email
from core.audit import record
from core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from db.models import User
from db.session import SessionFactory, is_postgres, rows_changed

_SLACK_USER = re.compile(r"^[UW][A-Z0-9]{1,31}$")
_SLACK_TEAM = re.compile(r"^[TE][A-Z0-9]{1,31}$")
LAST_ADMIN = "{email} is the last active admin of the desk; make someone else admin first"


@dataclass(frozen=True, slots=True)
class UserInfo:
    """What may be shown about a user."""

    id: int
    email: str
    name: str
    role: str
    is_active: bool
    slack_team_id: str | None
    slack_user_id: str | None
    created_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "email": self.email,
            "name": self.name,
            "role": self.role,
            "is_active": self.is_active,
            "slack_team_id": self.slack_team_id,
            "slack_user_id": self.slack_user_id,
            "created_at": self.created_at.isoformat(),
        }


def _info(user: User) -> UserInfo:
    return UserInfo(
        id=user.id,
        email=user.email,
        name=user.name,
        role=user.role,
        is_active=user.is_active,
        slack_team_id=user.slack_team_id,
        slack_user_id=user.slack_user_id,
        created_at=user.created_at,
    )


def valid_role(role: str) -> str:
    if role not in ROLES:
        raise ValidationError(f"unknown role {role!r}; use one of {', '.join(ROLES)}", field="role")
    return role


def _slack_id(value: str | None, pattern: re.Pattern[str], what: str) -> str | None:
    if value is None or not value.strip():
        return None
    value = value.strip().upper()
    if not pattern.match(value):
        raise ValidationError(f"{value[:40]!r} is not a Slack {what} id", field=what)
    return value


class Directory:
    def __init__(self, sessions: SessionFactory) -> None:
        self.sessions = sessions

    # -- reading ------------------------------------------------------------------------

    async def list(
        self, *, team_id: str | None = None, active: bool | None = None
    ) -> list[UserInfo]:
        query = select(User).order_by(User.id)
        if team_id is not None:
            query = query.where(User.slack_team_id == team_id)
        if active is not None:
            query = query.where(User.is_active.is_(active))
        async with self.sessions() as session:
            return [_info(u) for u in await session.scalars(query)]

    async def get(self, user_id: int) -> UserInfo:
        async with self.sessions() as session:
            user = await session.get(User, user_id)
        if user is None:
            raise NotFound(f"user {user_id} not found", user_id=user_id)
        return _info(user)

    async def by_email(self, email: str) -> UserInfo:
        wanted = email.strip().lower()
        async with self.sessions() as session:
            user = await session.scalar(select(User).where(func.lower(User.email) == wanted))
        if user is None:
            raise NotFound(f"no desk user has the address {wanted[:320]!r}", email=wanted[:320])
        return _info(user)

    # -- changing -----------------------------------------------------------------------

    async def add(
        self,
        who: Principal,
        email: str,
        *,
        role: str = "agent",
        name: str = "",
        slack_user_id: str | None = None,
        slack_team_id: str | None = None,
    ) -> UserInfo:
        """A new desk user. An address already in use is refused, naming it."""
        email = valid_email(email, field="email")
        valid_role(role)
        name = name.strip()
        if len(name) > 200:
            raise ValidationError("a name has at most 200 characters", field="name")
        slack_user = _slack_id(slack_user_id, _SLACK_USER, "user")
        slack_team = _slack_id(slack_team_id, _SLACK_TEAM, "team")
        if slack_team is not None and slack_user is None:
            raise ValidationError("a Slack workspace needs the Slack user id too", field="user")
        try:
            async with self.sessions.begin() as session:
                await self._check_admin(session, who, "adding users")
                await self._check_free(session, email, slack_team, slack_user)
                user = User(
                    email=email,
                    name=name or email.split("@")[0],
                    role=role,
                    is_active=True,
                    slack_team_id=slack_team,
                    slack_user_id=slack_user,
                )
                session.add(user)
                await session.flush()
                await session.refresh(user)
                info = _info(user)
                record(
                    session,
                    who.actor,
                    "user.added",
                    target=f"user:{user.id}",
                    changes={"role": [None, user.role]},
                    user_id=user.id,
                    email=email,
                    before=None,
                    after=info.as_dict(),
                )
        except IntegrityError as exc:  # the same address added at the same moment
            raise ValidationError(f"{email} is already a desk user", email=email) from exc
        return info

    async def set_role(self, who: Principal, user_id: int, role: str) -> UserInfo:
        valid_role(role)
        return await self._change(who, user_id, role=role, doing="changing roles")

    async def deactivate(self, who: Principal, user_id: int) -> UserInfo:
        return await self._change(who, user_id, active=False, doing="deactivating users")

    async def reactivate(self, who: Principal, user_id: int) -> UserInfo:
        return await self._change(who, user_id, active=True, doing="reactivating users")

    # -- the rules ----------------------------------------------------------------------

    async def _check_admin(self, session: AsyncSession, who: Principal, doing: str) -> None:
        """``who`` is the operator, or an active admin as the database says now."""
        if who.operator:
            return
        row = await session.get(User, who.user_id) if who.user_id is not None else None
        if row is None or not row.is_active:
            raise PermissionDenied(f"{who.name} is not an active desk user", reason="forbidden")
        if row.role != "admin":
            raise PermissionDenied(
                f"only admins may do {doing}; you are {row.role}", reason="forbidden", role=row.role
            )

    async def _check_free(
        self, session: AsyncSession, email: str, team: str | None, slack_user: str | None
    ) -> None:
        taken = await session.scalar(select(User).where(func.lower(User.email) == email))
        if taken is not None:
            raise ValidationError(
                f"{email} is already a desk user (id {taken.id}, {taken.role}"
                f"{', deactivated' if not taken.is_active else ''})",
                email=email,
                user_id=taken.id,
            )
        if slack_user is not None:
            linked = await session.scalar(
                select(User).where(
                    User.slack_user_id == slack_user,
                    User.slack_team_id.is_(None) if team is None else User.slack_team_id == team,
                )
            )
            if linked is not None:
                raise ValidationError(
                    f"the Slack user {slack_user} is already {linked.email}",
                    slack_user_id=slack_user,
                    user_id=linked.id,
                )

    async def _lock_admins(self, session: AsyncSession) -> None:
        """PostgreSQL: lock the active admins' rows until the transaction ends, so a
        concurrent demotion waits and then sees this one."""
        if is_postgres(session):
            await session.execute(
                select(User.id)
                .where(User.role == "admin", User.is_active.is_(True))
                .order_by(User.id)
                .with_for_update()
            )

    async def _change(
        self,
        who: Principal,
        user_id: int,
        *,
        role: str | None = None,
        active: bool | None = None,
        doing: str,
    ) -> UserInfo:
        async with self.sessions.begin() as session:
            await self._lock_admins(session)
            await self._check_admin(session, who, doing)
            user = await session.get(
                User, user_id, with_for_update=is_postgres(session), populate_existing=True
            )
            if user is None:
                raise NotFound(f"user {user_id} not found", user_id=user_id)
            before = {"role": user.role, "is_active": user.is_active}
            after = {
                "role": role if role is not None else user.role,
                "is_active": active if active is not None else user.is_active,
            }
            if after == before:  # nothing to change: no write, no event
                return _info(user)
            changed = await session.execute(
                update(User)
                .where(
                    User.id == user.id,
                    User.role == before["role"],
                    User.is_active.is_(bool(before["is_active"])),
                )
                .values(**after)
                .execution_options(synchronize_session=False)
            )
            if rows_changed(changed) != 1:
                raise InvalidTransition(
                    f"{user.email} was changed by someone else just now; look again",
                    current=before,
                )
            was_admin = before["role"] == "admin" and before["is_active"]
            if was_admin and not (after["role"] == "admin" and after["is_active"]):
                left = await session.scalar(
                    select(func.count())
                    .select_from(User)
                    .where(User.role == "admin", User.is_active.is_(True))
                )
                if not left:  # raising rolls the change back
                    raise ValidationError(
                        LAST_ADMIN.format(email=user.email), field="role", user_id=user.id
                    )
            if role is not None and role != before["role"]:
                action = "user.role"
            else:
                action = "user.reactivated" if after["is_active"] else "user.deactivated"
            record(
                session,
                who.actor,
                action,
                target=f"user:{user.id}",
                changes={k: [before[k], after[k]] for k in after if before.get(k) != after[k]},
                user_id=user.id,
                email=user.email,
                before=before,
                after=after,
            )
            return replace(_info(user), role=str(after["role"]), is_active=bool(after["is_active"]))
