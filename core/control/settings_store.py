"""In-app settings stored in the database: plain values and Fernet-encrypted secrets.

Secrets are never returned in listings: ``public()`` shows them as "set". Each change is
audited (``setting.changed``, target ``setting:<key>``) with the value before and after; a
secret's values, or those of a key that names one (``ai.api_key``), are written as "***".
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from core.audit import REDACTED, Actor, is_secret_key, record
from core.errors import ValidationError
from core.secrets import SecretBox
from db.models import Setting
from db.session import SessionFactory


class SettingsStore:
    def __init__(self, session_factory: SessionFactory, *, secrets: SecretBox) -> None:
        self.sessions = session_factory
        self.secrets = secrets

    async def set(
        self, key: str, value: str, *, secret: bool = False, actor: Actor | None = None
    ) -> None:
        stored = self.secrets.encrypt(value) if secret else value
        async with self.sessions.begin() as session:
            row = await session.get(Setting, key)
            hidden = secret or is_secret_key(key) or (row is not None and row.is_secret)
            before = None if row is None else REDACTED if hidden else row.value
            if row is None:
                session.add(Setting(key=key, value=stored, is_secret=secret))
            else:
                row.value, row.is_secret = stored, secret
            record(
                session,
                actor or Actor.system(),
                "setting.changed",
                target=f"setting:{key}",
                changes={"value": [before, REDACTED if hidden else value]},
                key=key,
                secret=secret,
            )

    async def change(
        self, key: str, edit: Callable[[str | None], str], *, actor: Actor | None = None
    ) -> tuple[str | None, str]:
        """Read a plain (not secret) setting, ``edit`` it and store the result, in one
        transaction that writes before it reads, so two changes at once lose neither:
        a list grown by two people keeps both entries. ``edit`` gets the stored value (None
        when unset) and may raise a DeskError, which changes nothing. Returns (before,
        after); an ``edit`` that changes nothing writes and audits nothing."""
        try:
            return await self._change(key, edit, actor)
        except IntegrityError:  # another change inserted the row first: edit what it wrote
            return await self._change(key, edit, actor)

    async def _change(
        self, key: str, edit: Callable[[str | None], str], actor: Actor | None
    ) -> tuple[str | None, str]:
        async with self.sessions.begin() as session:
            # write first: on PostgreSQL this locks the row, on SQLite it takes the write
            # lock (and this process's write slot) before the value is read
            await session.execute(
                update(Setting)
                .where(Setting.key == key)
                .values(updated_at=Setting.updated_at)
                .execution_options(synchronize_session=False)
            )
            row = await session.get(Setting, key)
            if is_secret_key(key) or (row is not None and row.is_secret):
                raise ValidationError(f"setting {key} is a secret", key=key)
            before = None if row is None else row.value
            after = edit(before)
            if after == before:
                return before, after
            if row is None:
                session.add(Setting(key=key, value=after, is_secret=False))
            else:
                row.value = after
            record(
                session,
                actor or Actor.system(),
                "setting.changed",
                target=f"setting:{key}",
                changes={"value": [before, after]},
                key=key,
                secret=False,
            )
        return before, after

    async def get(self, key: str, default: str | None = None) -> str | None:
        async with self.sessions() as session:
            row = await session.get(Setting, key)
        if row is None:
            return default
        return self.secrets.decrypt(row.value) if row.is_secret else row.value

    async def all(self) -> dict[str, str]:
        """Every setting, secrets decrypted: for wiring, never for display."""
        async with self.sessions() as session:
            rows = list(await session.scalars(select(Setting)))
        return {r.key: self.secrets.decrypt(r.value) if r.is_secret else r.value for r in rows}

    async def public(self) -> dict[str, str]:
        async with self.sessions() as session:
            rows = list(await session.scalars(select(Setting)))
        return {r.key: ("set" if r.value else "") if r.is_secret else r.value for r in rows}
