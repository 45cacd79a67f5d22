"""Addresses marked undeliverable by a permanent bounce, and taking the mark off.

A permanent bounce (``core.inbound.store``) marks the address; the sender then refuses to mail
it (``core.outbound.sending``), so a reply is not sent into a dead mailbox again and again. When
the customer's mailbox works again (they said so by phone, or wrote from it), an agent
clears the mark: ``desk recipients clear EMAIL``, ``POST /api/v1/recipients/{email}/clear``.
Failed drafts to the address can then be retried.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from core.audit import Actor, record
from core.errors import NotFound, ValidationError
from db.models import Recipient
from db.session import SessionFactory


@dataclass(frozen=True, slots=True)
class UndeliverableRecipient:
    email: str
    reason: str | None
    bounced_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "email": self.email,
            "reason": self.reason,
            "bounced_at": self.bounced_at.isoformat() if self.bounced_at else None,
        }


class RecipientService:
    def __init__(self, session_factory: SessionFactory) -> None:
        self.sessions = session_factory

    async def undeliverable(self) -> list[UndeliverableRecipient]:
        """Every address marked undeliverable, most recent bounce first."""
        async with self.sessions() as session:
            rows = await session.scalars(
                select(Recipient)
                .where(Recipient.undeliverable.is_(True))
                .order_by(Recipient.bounced_at.desc(), Recipient.email)
            )
            return [_info(r) for r in rows]

    async def clear(self, email: str, actor: Actor) -> UndeliverableRecipient:
        """Take the undeliverable mark off ``email`` (audited); returns what it said.
        NotFound when the address is not marked."""
        address = email.strip().lower()
        if "@" not in address or len(address) > 320:  # the column's length
            raise ValidationError(f"not an email address: {email!r:.200}", field="email")
        async with self.sessions.begin() as session:
            row = await session.get(Recipient, address, with_for_update=True)
            if row is None or not row.undeliverable:
                raise NotFound(f"{address} is not marked undeliverable", email=address)
            before = _info(row)
            row.undeliverable = False
            record(
                session,
                actor,
                "recipient.cleared",
                target=f"recipient:{address}",
                changes={"undeliverable": [True, False]},
                email=address,
                reason=before.reason,
            )
        return before


def _info(row: Recipient) -> UndeliverableRecipient:
    return UndeliverableRecipient(
        email=row.email, reason=row.bounce_reason, bounced_at=row.bounced_at
    )


__all__ = ["RecipientService", "UndeliverableRecipient"]
