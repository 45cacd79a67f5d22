"""Failed-authentication throttle for the REST API: per client address and per token id.

After ``LIMIT`` (20) failures within ``WINDOW`` (one minute) the client address, and the
token public id it tried, are locked out for ``LOCKOUT`` (5 minutes): every request from
them answers 429 with ``Retry-After`` until then. The counters live in this process's
memory: right for the one web process the desk runs (the Procfile's ``web``); several web
processes would each count on their own. Each lock-out is logged here and audited with
``audit_lockout`` (an ``auth_lockout`` event: which keys, until when, from which address);
never with the token.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.audit import Actor, record
from db.base import utcnow
from db.session import SessionFactory

log = logging.getLogger(__name__)

LIMIT = 20
WINDOW = timedelta(minutes=1)
LOCKOUT = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class LockedOut:
    """A new lock-out: which keys (``addr:...``, ``token:...``) until when."""

    keys: tuple[str, ...]
    until: datetime


class AuthThrottle:
    def __init__(
        self,
        clock: Callable[[], datetime] = utcnow,
        *,
        limit: int = LIMIT,
        window: timedelta = WINDOW,
        lockout: timedelta = LOCKOUT,
    ) -> None:
        self.clock, self.limit, self.window, self.lockout = clock, limit, window, lockout
        self._failures: dict[str, deque[datetime]] = {}
        self._locked: dict[str, datetime] = {}

    @staticmethod
    def keys(address: str | None, public_id: str | None) -> tuple[str, ...]:
        found = [f"addr:{address}"] if address else []
        if public_id:
            found.append(f"token:{public_id}")
        return tuple(found)

    def retry_after(self, keys: tuple[str, ...]) -> int | None:
        """Seconds until the lock-out of any of ``keys`` ends, or None if none is locked."""
        now = self.clock()
        waits = []
        for key in keys:
            until = self._locked.get(key)
            if until is None:
                continue
            if until <= now:
                del self._locked[key]
                continue
            waits.append(max(1, int((until - now).total_seconds() + 0.999)))
        return max(waits) if waits else None

    def failed(self, keys: tuple[str, ...]) -> LockedOut | None:
        """Count one failure for ``keys``; a LockedOut when this failure locks one out."""
        now = self.clock()
        locked = []
        for key in keys:
            times = self._failures.setdefault(key, deque())
            times.append(now)
            while times and now - times[0] > self.window:
                times.popleft()
            if len(times) >= self.limit and key not in self._locked:
                self._locked[key] = now + self.lockout
                times.clear()
                locked.append(key)
        if len(self._failures) > 10_000:  # forget quiet clients, bounded memory
            for key in [k for k, t in self._failures.items() if not t]:
                del self._failures[key]
        if not locked:
            return None
        out = LockedOut(tuple(locked), now + self.lockout)
        log.warning("API authentication locked out %s until %s", ", ".join(locked), out.until)
        return out


async def audit_lockout(
    sessions: SessionFactory,
    out: LockedOut,
    *,
    client_addr: str | None,
    public_id: str | None,
    request_id: str | None = None,
) -> None:
    """Write the ``auth_lockout`` audit event of a new lock-out, source ``api``: the actor
    is the token's public id when the failed token had one, else ``anonymous``. The token
    itself is never passed here, so it cannot be written."""
    actor = Actor(
        name=f"token:{public_id}" if public_id else "anonymous",
        source="api",
        request_id=request_id,
        client_addr=client_addr,
    )
    async with sessions.begin() as session:
        record(
            session,
            actor,
            "auth_lockout",
            keys=list(out.keys),
            until=out.until.isoformat(),
            client_addr=client_addr,
        )
