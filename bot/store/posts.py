"""Where each draft's Slack message is, and which state of the draft it shows.

The engine knows nothing of Slack; this table is how the Slack app finds its messages
again: to update one when a draft changes, to thread a ticket's follow-ups under its first
message, and to link to it from search results and App Home. Posting is claimed first
(unique draft id), so two processes post a draft once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import NotFound
from db.base import utcnow
from db.models import Draft, SlackPost
from db.session import SessionFactory, rows_changed


@dataclass(frozen=True, slots=True)
class Post:
    draft_id: int
    ticket_id: int
    channel: str
    ts: str | None
    thread_ts: str | None
    permalink: str | None
    rendered_status: str | None
    rendered_version: int | None
    sent_notice: bool

    @property
    def root_ts(self) -> str | None:
        """The ticket's thread: this message's parent, or this message itself."""
        return self.thread_ts or self.ts


@dataclass(frozen=True, slots=True)
class Claim:
    draft_id: int
    ticket_id: int
    channel: str
    thread_ts: str | None  # post as a reply in this thread (the ticket's first message)
    # set when an earlier attempt may have posted the message (it timed out, or its process
    # died): when it began, and where it posted. Look for that message before posting again.
    retaken_since: datetime | None = None
    earlier_channel: str | None = None
    earlier_thread_ts: str | None = None


def _post(row: SlackPost) -> Post:
    return Post(
        draft_id=row.draft_id,
        ticket_id=row.ticket_id,
        channel=row.channel,
        ts=row.ts,
        thread_ts=row.thread_ts,
        permalink=row.permalink,
        rendered_status=row.rendered_status,
        rendered_version=row.rendered_version,
        sent_notice=row.sent_notice,
    )


class SlackPostService:
    def __init__(
        self,
        session_factory: SessionFactory,
        *,
        claim_seconds: float = 300.0,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = session_factory
        self.claim_seconds = claim_seconds
        self.clock = clock

    async def claim(self, draft_id: int, *, channel: str, team_id: str | None) -> Claim | None:
        """Reserve the right to post ``draft_id``; None when it is posted or being posted."""
        now = self.clock()
        try:
            async with self.sessions.begin() as session:
                ticket_id = await session.scalar(
                    select(Draft.ticket_id).where(Draft.id == draft_id)
                )
                if ticket_id is None:
                    raise NotFound(f"draft {draft_id} not found", draft_id=draft_id)
                root = await self._root(session, ticket_id)
                thread_ts = root.ts if root is not None and root.channel == channel else None
                session.add(
                    SlackPost(
                        draft_id=draft_id,
                        ticket_id=ticket_id,
                        team_id=team_id,
                        channel=channel,
                        thread_ts=thread_ts,
                        claimed_at=now,
                    )
                )
            return Claim(draft_id, ticket_id, channel, thread_ts)
        except IntegrityError:
            pass
        async with self.sessions.begin() as session:  # take over an abandoned claim
            row = await session.scalar(
                select(SlackPost).where(SlackPost.draft_id == draft_id, self._abandoned(now))
            )
            if row is None:
                return None
            earlier = (row.claimed_at, row.channel, row.thread_ts)
            root = await self._root(session, row.ticket_id)
            thread_ts = root.ts if root is not None and root.channel == channel else None
            taken = await session.execute(
                update(SlackPost)
                .where(  # compare-and-set: two processes may try to take it at once
                    SlackPost.draft_id == draft_id,
                    SlackPost.ts.is_(None),
                    SlackPost.claimed_at == earlier[0],
                )
                .values(claimed_at=now, channel=channel, thread_ts=thread_ts)
                .execution_options(synchronize_session=False)
            )
            if rows_changed(taken) != 1:
                return None
            return Claim(
                draft_id,
                row.ticket_id,
                channel,
                thread_ts,
                retaken_since=earlier[0],
                earlier_channel=earlier[1],
                earlier_thread_ts=earlier[2],
            )

    def _abandoned(self, now: datetime) -> ColumnElement[bool]:
        """A claim with no message after ``claim_seconds``: its poster gave up or died."""
        stale = now - timedelta(seconds=self.claim_seconds)
        return and_(SlackPost.ts.is_(None), SlackPost.claimed_at < stale)

    async def abandon(self, draft_id: int) -> None:
        """Give up a claim whose post has an unknown outcome (Slack did not answer in time:
        the message may be there). Unlike ``release`` the claim stays, made stale at once, so
        the next sync takes it over and looks for the message before posting it again."""
        async with self.sessions.begin() as session:
            row = await session.scalar(
                select(SlackPost).where(SlackPost.draft_id == draft_id, SlackPost.ts.is_(None))
            )
            if row is not None:  # the time it began moves back, so the look-up still covers it
                row.claimed_at = row.claimed_at - timedelta(seconds=self.claim_seconds)

    async def posted(
        self,
        draft_id: int,
        *,
        ts: str,
        permalink: str | None,
        status: str | None,
        version: int | None,
        where: tuple[str, str | None] | None = None,
    ) -> None:
        """The draft's message is at ``ts``, showing the draft in ``status`` at ``version``
        (None: not known, the next sweep re-renders it); in ``where`` = (channel, thread_ts)
        when that is not where the claim said: a message an earlier attempt posted."""
        place = {"channel": where[0], "thread_ts": where[1]} if where else {}
        async with self.sessions.begin() as session:
            await session.execute(
                update(SlackPost)
                .where(SlackPost.draft_id == draft_id)
                .values(
                    **place,
                    ts=ts,
                    permalink=permalink,
                    rendered_status=status,
                    rendered_version=version,
                    posted_at=self.clock(),
                )
                .execution_options(synchronize_session=False)
            )

    async def release(self, draft_id: int) -> None:
        """Give a claim back after a failed post, so the next sweep tries again."""
        async with self.sessions.begin() as session:
            await session.execute(
                delete(SlackPost).where(SlackPost.draft_id == draft_id, SlackPost.ts.is_(None))
            )

    async def get(self, draft_id: int) -> Post | None:
        async with self.sessions() as session:
            row = await session.scalar(select(SlackPost).where(SlackPost.draft_id == draft_id))
            return _post(row) if row is not None and row.ts else None

    async def root(self, ticket_id: int) -> Post | None:
        async with self.sessions() as session:
            row = await self._root(session, ticket_id)
            return _post(row) if row is not None else None

    @staticmethod
    async def _root(session: AsyncSession, ticket_id: int) -> SlackPost | None:
        return await session.scalar(
            select(SlackPost)
            .where(
                SlackPost.ticket_id == ticket_id,
                SlackPost.thread_ts.is_(None),
                SlackPost.ts.is_not(None),
            )
            .order_by(SlackPost.id)
            .limit(1)
        )

    async def rendered(self, draft_id: int, *, status: str, version: int) -> None:
        async with self.sessions.begin() as session:
            await session.execute(
                update(SlackPost)
                .where(SlackPost.draft_id == draft_id)
                .values(rendered_status=status, rendered_version=version)
                .execution_options(synchronize_session=False)
            )

    async def take_sent_notice(self, draft_id: int) -> bool:
        """True once per draft: the caller announces the sent reply in the thread."""
        async with self.sessions.begin() as session:
            result = await session.execute(
                update(SlackPost)
                .where(SlackPost.draft_id == draft_id, SlackPost.sent_notice.is_(False))
                .values(sent_notice=True)
                .execution_options(synchronize_session=False)
            )
        return rows_changed(result) == 1

    async def unposted(self, *, since: datetime, limit: int = 50) -> list[int]:
        """Pending drafts created since ``since`` that have no message yet, oldest first:
        never claimed, or claimed by an attempt that was abandoned or died."""
        async with self.sessions() as session:
            return list(
                await session.scalars(
                    select(Draft.id)
                    .outerjoin(SlackPost, SlackPost.draft_id == Draft.id)
                    .where(
                        Draft.status == "pending",
                        Draft.created_at >= since,
                        or_(SlackPost.id.is_(None), self._abandoned(self.clock())),
                    )
                    .order_by(Draft.id)
                    .limit(limit)
                )
            )

    async def mark_stale(self, ticket_ids: list[int], *, statuses: tuple[str, ...]) -> int:
        """Something the tickets' messages show changed outside the draft (their SLA, moved
        by the sweep): their drafts in ``statuses`` read as not rendered, so ``stale`` gives
        them and the next refresh (or sync, if Slack fails) re-renders them."""
        if not ticket_ids:
            return 0
        async with self.sessions.begin() as session:
            result = await session.execute(
                update(SlackPost)
                .where(
                    SlackPost.ticket_id.in_(sorted(set(ticket_ids))),
                    SlackPost.ts.is_not(None),
                    SlackPost.draft_id.in_(select(Draft.id).where(Draft.status.in_(statuses))),
                )
                .values(rendered_status=None)
                .execution_options(synchronize_session=False)
            )
        return rows_changed(result)

    async def stale(self, *, limit: int = 100) -> list[int]:
        """Drafts whose message shows an older state than the database holds."""
        async with self.sessions() as session:
            return list(
                await session.scalars(
                    select(Draft.id)
                    .join(SlackPost, SlackPost.draft_id == Draft.id)
                    .where(
                        SlackPost.ts.is_not(None),
                        or_(
                            SlackPost.rendered_status.is_(None),
                            SlackPost.rendered_status != Draft.status,
                            SlackPost.rendered_version != Draft.version,
                            (Draft.status == "sent") & SlackPost.sent_notice.is_(False),
                        ),
                    )
                    .order_by(Draft.id)
                    .limit(limit)
                )
            )

    async def permalinks(self, ticket_ids: list[int]) -> dict[int, str]:
        """Ticket id -> link to its latest Slack message."""
        if not ticket_ids:
            return {}
        async with self.sessions() as session:
            latest = (
                select(func.max(SlackPost.id))
                .where(SlackPost.ticket_id.in_(ticket_ids), SlackPost.permalink.is_not(None))
                .group_by(SlackPost.ticket_id)
            )
            rows = await session.execute(
                select(SlackPost.ticket_id, SlackPost.permalink).where(SlackPost.id.in_(latest))
            )
            return {tid: link for tid, link in rows if link}
