"""What the escalation rules are configured with, kept in the settings store: the refund
limit (``escalation.refund_limit``) and the VIP senders (``escalation.vip``, a JSON list of
addresses and domains). ``desk escalation`` changes them; each change is audited as
``setting.changed`` by the store, and the next triage cycle applies it (the triager is
built from the stored settings, ``core.ai.config.with_stored``).

The checks are the rules' own (``core.ai.escalation.vip_entry``, ``parse_limit``), so a
list saved here is one the triager reads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from core.ai import escalation
from core.ai.config import stored_vip
from core.audit import Actor
from core.control.settings_store import SettingsStore
from core.errors import NotFound


@dataclass(frozen=True, slots=True)
class EscalationConfig:
    refund_limit: Decimal
    vip: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "refund_limit": str(self.refund_limit),
            "vip": list(self.vip),
            "rules": [name for name, _ in escalation.RULES],
        }


class EscalationSettings:
    def __init__(self, store: SettingsStore) -> None:
        self.store = store

    async def current(self) -> EscalationConfig:
        stored = {
            key: value
            for key in (escalation.REFUND_LIMIT_KEY, escalation.VIP_KEY)
            if (value := await self.store.get(key))
        }
        limit = stored.get(escalation.REFUND_LIMIT_KEY)
        return EscalationConfig(
            refund_limit=escalation.parse_limit(limit)
            if limit
            else escalation.DEFAULT_REFUND_LIMIT,
            vip=stored_vip(stored),
        )

    async def set_refund_limit(self, text: str, *, actor: Actor) -> Decimal:
        """Store the refund limit as typed ("1,000"); a refund asked for above it escalates."""
        limit = escalation.parse_limit(text)
        await self.store.change(escalation.REFUND_LIMIT_KEY, lambda _: str(limit), actor=actor)
        return limit

    async def add_vip(self, text: str, *, actor: Actor) -> tuple[str, bool]:
        """Add an address or a domain to the VIP list: (the entry as stored, whether it was
        new; one listed already is left as it is)."""
        entry = escalation.vip_entry(text)
        before, _ = await self.store.change(
            escalation.VIP_KEY, lambda raw: _dump(sorted({*_load(raw), entry})), actor=actor
        )
        return entry, entry not in _load(before)

    async def remove_vip(self, text: str, *, actor: Actor) -> str:
        """Take an address or a domain off the VIP list; NotFound when it is not on it."""
        entry = escalation.vip_entry(text)

        def without(raw: str | None) -> str:
            listed = _load(raw)
            if entry not in listed:
                raise NotFound(f"{entry} is not on the VIP list", entry=entry)
            return _dump([e for e in listed if e != entry])

        await self.store.change(escalation.VIP_KEY, without, actor=actor)
        return entry


def _load(raw: str | None) -> list[str]:
    """The stored list; a damaged one is a ConfigError (never overwritten unread)."""
    return stored_vip({escalation.VIP_KEY: raw}) if raw else []


def _dump(entries: list[str]) -> str:
    return json.dumps(entries)
