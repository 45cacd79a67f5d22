"""Key rotation: every stored secret sealed again with the newest key, in one transaction.

The stored secrets are the settings store's secret rows (``settings.is_secret``: the AI
key and the like) and the mailboxes' IMAP and SMTP passwords. ``rotate_secrets`` reads them
all (locked against a concurrent writer on PostgreSQL), re-encrypts those an old key sealed
and leaves those the newest key sealed, so a second run changes nothing. When a secret opens
with no configured key it raises ``UnknownKey`` naming every such secret, before anything
is written: nothing is lost, and the operator adds the missing key and runs it again.

API tokens and signed Message-IDs are not stored secrets (only HMACs of them are, or none):
they verify with every configured key (see ``core.secrets``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import select

from core.audit import Actor, record
from core.secrets import SecretBox, UnknownKey
from db.models import Mailbox, Setting
from db.session import SessionFactory

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RotationReport:
    """What a rotation did: ``rotated`` secrets moved to the newest key, ``current`` ones
    already on it; ``kinds`` counts the rotated ones by kind."""

    rotated: int
    current: int
    keys: int
    kinds: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "rotated": self.rotated,
            "current": self.current,
            "keys": self.keys,
            "kinds": dict(self.kinds),
        }


async def rotate_secrets(
    sessions: SessionFactory, box: SecretBox, *, actor: Actor
) -> RotationReport:
    """Re-encrypt every stored secret with ``box``'s newest key; see the module doc."""
    rotated: dict[str, int] = {}
    current = 0
    unknown: list[str] = []
    dev_key_opens = False
    async with sessions() as session, session.begin():
        settings = list(
            await session.scalars(
                select(Setting).where(Setting.is_secret).order_by(Setting.key).with_for_update()
            )
        )
        mailboxes = list(
            await session.scalars(select(Mailbox).order_by(Mailbox.id).with_for_update())
        )
        slots: list[tuple[str, str, object, str]] = [
            ("setting", f"setting {s.key}", s, "value") for s in settings
        ]
        for m in mailboxes:
            slots.append(("imap_password", f"mailbox {m.name!r} IMAP password", m, "password_enc"))
            slots.append(
                ("smtp_password", f"mailbox {m.name!r} SMTP password", m, "smtp_password_enc")
            )
        changes: list[tuple[object, str, str, str]] = []
        for kind, label, row, column in slots:
            token = getattr(row, column)
            if not token:
                continue
            try:
                fresh = box.rotate(token)
            except UnknownKey:
                unknown.append(label)
                dev_key_opens = dev_key_opens or SecretBox.opens_with_dev_key(token)
                continue
            if fresh is None:
                current += 1
            else:
                changes.append((row, column, fresh, kind))
        if unknown:
            hint = (
                " (the embedded development key opens them: add it to DESK_SECRET_KEY_OLD,"
                " see the README)"
                if dev_key_opens
                else ""
            )
            raise UnknownKey(
                f"{len(unknown)} stored secret(s) open with no configured key: "
                f"{', '.join(unknown[:5])}{' …' if len(unknown) > 5 else ''}; nothing was "
                f"changed. Add the key they were saved with to DESK_SECRET_KEY_OLD{hint}",
                secrets=unknown,
            )
        for row, column, fresh, kind in changes:
            setattr(row, column, fresh)
            rotated[kind] = rotated.get(kind, 0) + 1
        report = RotationReport(
            rotated=len(changes), current=current, keys=box.key_count, kinds=rotated
        )
        record(  # counts only: the audit trail would blank the kinds' names ("password")
            session,
            actor,
            "secrets_rotated",
            target="secrets",
            rotated=report.rotated,
            current=report.current,
            keys=report.keys,
        )
    log.info("re-encrypted %d stored secrets with the newest key", report.rotated)
    return report
