"""Desk users. CLI and API name a user by email; Slack maps its ids to users later."""

from __future__ import annotations

from sqlalchemy import func, select

from core.audit import Actor
from core.errors import ValidationError
from db.models import User
from db.session import SessionFactory

ROLES = ("admin", "manager", "agent")


def valid_email(email: str, *, field: str = "by") -> str:
    """``email`` trimmed and lower-cased; ValidationError (naming ``field``) if it is not one."""
    email = email.strip().lower()
    local, at, domain = email.rpartition("@")
    if not at or not local or "." not in domain or " " in email or len(email) > 320:
        raise ValidationError(f"{email!r:.200} is not an email address", field=field)
    return email


async def ensure_user(
    sessions: SessionFactory, email: str, *, role: str = "agent", name: str = ""
) -> User:
    email = valid_email(email)
    async with sessions.begin() as session:
        user = await session.scalar(select(User).where(func.lower(User.email) == email))
        if user is None:
            user = User(email=email, name=name or email.split("@")[0], role=role)
            session.add(user)
            await session.flush()
        return user


async def actor_for(sessions: SessionFactory, email: str, source: str) -> Actor:
    user = await ensure_user(sessions, email)
    return Actor(name=user.email, source=source, user_id=user.id)
