"""The queue's headline counts (drafts waiting, approved, sent today, escalated, failed)
for one Slack workspace's mailboxes; App Home shows them. The figures
of a period (``/desk stats``) are ``core.reports.analytics``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select

from core.access.teams import team_mailbox_ids, ticket_in
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
        # the waiting drafts may be many (the team's tickets once); today's sent, few (their
        # own tickets each: ``ticket_in``)
        waiting = ticket_in(Draft.ticket_id, boxes, per_row=False)
        sent = ticket_in(Draft.ticket_id, boxes)
        async with self.sessions() as session:
            rows = await session.execute(
                select(Draft.status, Draft.escalation_required, func.count())
                .where(
                    waiting,
                    Draft.status.in_(("pending", "approved", "sending", "failed")),
                )
                .group_by(Draft.status, Draft.escalation_required)
            )
            counts: Counter[str] = Counter()
            for status, escalated, n in rows:
                counts[status] += n
                if status == "pending" and escalated:
                    counts["escalated"] += n
            sent_today = await session.scalar(
                select(func.count()).select_from(Draft).where(and_(sent, Draft.sent_at >= midnight))
            )
        return QueueCounts(
            pending=counts["pending"],
            approved=counts["approved"] + counts["sending"],
            sent_today=int(sent_today or 0),
            escalated=counts["escalated"],
            failed=counts["failed"],
        )
