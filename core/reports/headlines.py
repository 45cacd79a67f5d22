"""The queue's headline counts (drafts waiting, approved, sent today, escalated, failed)
for one Slack workspace's mailboxes; App Home shows them. The figures
of a period (``/desk stats``) are ``core.reports.analytics``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select

from core.access.teams import team_mailbox_ids, ticket_in
from db import status_counts
from db.base import utcnow
from db.models import Draft
from db.session import SessionFactory


@dataclass(frozen=True, slots=True)
class QueueCounts:
    pending: int
    approved: int  # approved, waiting to be sent
    sent_today: int
    escalated: int  # pending drafts flagged for escalation
    failed: int


class StatsService:
    def __init__(
        self, session_factory: SessionFactory, *, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.sessions = session_factory
        self.clock = clock

    async def queue_counts(self, *, team_id: str, home_team: str | None) -> QueueCounts:
        now = self.clock()
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        boxes = team_mailbox_ids(team_id, home_team)
        # the waiting drafts from the counts the database keeps (db.status_counts: the
        # queue may be every open ticket); today's sent, few, by their own tickets
        sent = ticket_in(Draft.ticket_id, boxes)
        async with self.sessions() as session:
            counts = await status_counts.totals(session, "drafts", boxes)
            escalated = await status_counts.totals(session, "escalated", boxes)
            sent_today = await session.scalar(
                select(func.count()).select_from(Draft).where(and_(sent, Draft.sent_at >= midnight))
            )
        return QueueCounts(
            pending=counts.get("pending", 0),
            approved=counts.get("approved", 0) + counts.get("sending", 0),
            sent_today=int(sent_today or 0),
            escalated=escalated.get("pending", 0),
            failed=counts.get("failed", 0),
        )
