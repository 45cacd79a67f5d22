"""Deliveries from Slack already handled, so a retried request acts once.

The key is what identifies one user gesture (a trigger id, an event id). The first insert
wins through the primary key, also across several web processes; rows older than
``keep`` are purged now and then.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from db.base import utcnow
from db.models import SlackDelivery
from db.session import SessionFactory, rows_changed

PURGE_EVERY = 500


class DeliveryLog:
    def __init__(
        self,
        session_factory: SessionFactory,
        *,
        keep: timedelta = timedelta(days=2),
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = session_factory
        self.keep = keep
        self.clock = clock
        self._inserts = 0

    async def first(self, key: str) -> bool:
        """True the first time ``key`` is seen; False for a repeat."""
        now = self.clock()
        try:
            async with self.sessions.begin() as session:
                session.add(SlackDelivery(key=key[:200], received_at=now))
        except IntegrityError:
            return False
        self._inserts += 1
        if self._inserts % PURGE_EVERY == 0:
            await self.purge()
        return True

    async def purge(self) -> int:
        async with self.sessions.begin() as session:
            result = await session.execute(
                delete(SlackDelivery).where(SlackDelivery.received_at < self.clock() - self.keep)
            )
        return rows_changed(result)
