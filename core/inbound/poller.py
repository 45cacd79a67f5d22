"""Polling one mailbox when it is due, by one worker at a time.

``MailboxPoller.poll(mailbox_id)`` takes the mailbox's lock (``core.locks``: a PostgreSQL
advisory lock), re-reads the mailbox, and fetches only when its interval has passed since
the last fetch by any worker (an inactive mailbox never; after repeated errors, the longer back-off of
``core.inbound.mailboxes.backoff_seconds``). Workers whose timers fire at different moments thus
share one poll per interval instead of each polling on its own. A fetch a person asks for
(``asked=True``: ``desk fetch``, ``/desk fetch``) does not wait for the interval but still
takes the lock and still waits out the back-off. It returns the tickets the fetch created,
for the new-ticket notification.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from core.inbound.fetch import FetchResult, FetchService
from core.inbound.mailboxes import backoff_seconds, fetch_overdue
from core.locks import LockManager
from db.base import utcnow
from db.models import Mailbox, Ticket
from db.session import SessionFactory

log = logging.getLogger(__name__)

LOCK_NAME = "mailbox-poll"
DUE_SLACK = 0.8  # a poll counts as due when 80% of the interval has passed (timer jitter)


@dataclass
class PollResult:
    mailbox_id: int
    mailbox: str = ""
    polled: bool = False
    skipped: str | None = None  # locked | not due | backing off | inactive | gone
    fetch: FetchResult | None = None
    # no successful fetch within the alert window: tell people (at 1, 2, 4, 8... failures)
    overdue: bool = False
    new_ticket_ids: list[int] = field(default_factory=list)

    @property
    def error(self) -> str | None:
        return self.fetch.error if self.fetch else None


def fetch_interval(mailbox: Mailbox, cycle_seconds: float | None = None) -> float:
    """A mailbox's fetch interval; a local Maildir (free to poll) follows the worker cycle."""
    interval = float(mailbox.fetch_interval_seconds or 120)
    if mailbox.kind == "maildir" and cycle_seconds:
        interval = min(interval, cycle_seconds)
    return interval


def next_fetch_at(mailbox: Mailbox, *, cycle_seconds: float | None = None) -> datetime | None:
    """When the mailbox is due next (None: now, it never fetched)."""
    if mailbox.last_fetch_at is None:
        return None
    wait = fetch_interval(mailbox, cycle_seconds)
    if mailbox.consecutive_failures:
        wait = max(wait, float(backoff_seconds(mailbox)))
    return mailbox.last_fetch_at + timedelta(seconds=wait)


def backing_off(mailbox: Mailbox, *, now: datetime) -> bool:
    """True while a mailbox that failed is waiting out its back-off (interval x 2^failures)."""
    if not mailbox.consecutive_failures or mailbox.last_fetch_at is None:
        return False
    return now < mailbox.last_fetch_at + timedelta(seconds=backoff_seconds(mailbox))


class MailboxPoller:
    def __init__(
        self,
        session_factory: SessionFactory,
        *,
        fetcher: FetchService,
        locks: LockManager,
        clock: Callable[[], datetime] = utcnow,
        alert_after_seconds: int = 900,
    ) -> None:
        self.sessions = session_factory
        self.fetcher = fetcher
        self.locks = locks
        self.clock = clock
        self.alert_after_seconds = alert_after_seconds

    async def poll(
        self,
        mailbox_id: int,
        *,
        force: bool = False,
        asked: bool = False,
        cycle_seconds: float | None = None,
    ) -> PollResult:
        """Fetch ``mailbox_id`` if it is due. ``asked``: a person asked for it now, so the
        interval is not waited for, the back-off after errors is; ``force``: whenever the
        lock is free."""
        result = PollResult(mailbox_id)
        async with self.locks.try_lock(LOCK_NAME, mailbox_id) as got:
            if not got:
                result.skipped = "locked"
                return result
            async with self.sessions() as session:
                mailbox = await session.get(Mailbox, mailbox_id)
            if mailbox is None:
                result.skipped = "gone"
                return result
            result.mailbox = mailbox.name
            if not mailbox.active:  # deactivated since the caller listed it
                result.skipped = "inactive"
                return result
            started = self.clock()
            due = next_fetch_at(mailbox, cycle_seconds=cycle_seconds)
            if asked and not force:
                if backing_off(mailbox, now=started):
                    result.skipped = "backing off"
                    return result
            elif not force and due is not None:
                slack = fetch_interval(mailbox, cycle_seconds) * (1 - DUE_SLACK)
                if started < due - timedelta(seconds=slack):
                    result.skipped = "backing off" if mailbox.consecutive_failures else "not due"
                    return result
            log.info("poll of mailbox %s started", mailbox_id)
            try:
                result.fetch = await self.fetcher.fetch(mailbox)
            finally:
                log.info("poll of mailbox %s finished", mailbox_id)
            result.polled = True
            if result.fetch.error:
                result.overdue = await self._overdue(mailbox_id)
            if result.fetch.report.new_tickets:
                result.new_ticket_ids = await self._new_tickets(mailbox_id, started)
        return result

    async def _overdue(self, mailbox_id: int) -> bool:
        async with self.sessions() as session:
            mailbox = await session.get(Mailbox, mailbox_id)
        if mailbox is None:
            return False
        failures = mailbox.consecutive_failures
        if not fetch_overdue(mailbox, now=self.clock(), window_seconds=self.alert_after_seconds):
            return False
        log.warning(
            "mailbox %s has not fetched successfully since %s (%d failures in a row): %s",
            mailbox.name,
            mailbox.last_success_at,
            failures,
            mailbox.last_error,
        )
        return failures > 0 and failures & (failures - 1) == 0  # 1, 2, 4, 8... not every poll

    async def _new_tickets(self, mailbox_id: int, since: datetime) -> list[int]:
        async with self.sessions() as session:
            return list(
                await session.scalars(
                    select(Ticket.id)
                    .where(
                        Ticket.mailbox_id == mailbox_id,
                        Ticket.created_at >= since,
                        Ticket.status != "resolved",  # noise is resolved at once
                    )
                    .order_by(Ticket.id)
                )
            )
