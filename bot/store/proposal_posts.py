"""Where each knowledge-base proposal's Slack message is, and which state it shows.

One ``kb_proposal_posts`` row per proposal: inserted as a claim (``ts`` NULL) before the
message is posted, so two workers post a proposal once; a claim older than
``claim_seconds`` (its process died) may be taken again. ``rendered_version`` and
``rendered_status`` are the article's version and status the message shows, and
``rendered_sources`` how many source tickets: a proposal edited or decided anywhere (Slack,
CLI, API), or joined by a near-duplicate ticket, is behind, and the next sync updates it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from db.base import utcnow
from db.models import KbArticle, KbProposalPost
from db.session import SessionFactory, rows_changed

PROPOSAL = "proposal"  # core.knowledge.proposals.PROPOSAL


@dataclass(frozen=True, slots=True)
class ProposalPost:
    article_id: int
    channel: str
    ts: str | None


class ProposalPostStore:
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

    async def unposted(self, *, limit: int = 20) -> list[int]:
        """Open proposals (drafts) without a message, the oldest first."""
        q = (
            select(KbArticle.id)
            .outerjoin(KbProposalPost, KbProposalPost.article_id == KbArticle.id)
            .where(
                KbArticle.origin == PROPOSAL,
                KbArticle.status == "draft",
                KbProposalPost.article_id.is_(None),
            )
            .order_by(KbArticle.id)
            .limit(limit)
        )
        async with self.sessions() as session:
            return list(await session.scalars(q))

    async def stale(self, *, limit: int = 50) -> list[ProposalPost]:
        """Posted messages that show another version or status than the article has."""
        q = (
            select(KbProposalPost)
            .join(KbArticle, KbArticle.id == KbProposalPost.article_id)
            .where(
                KbProposalPost.ts.is_not(None),
                or_(
                    KbProposalPost.rendered_version.is_(None),
                    KbProposalPost.rendered_version != KbArticle.version,
                    KbProposalPost.rendered_status.is_(None),
                    KbProposalPost.rendered_status != KbArticle.status,
                    KbProposalPost.rendered_sources.is_(None),  # a near-duplicate joined
                    KbProposalPost.rendered_sources
                    != func.json_array_length(KbArticle.source_ticket_ids),
                ),
            )
            .order_by(KbProposalPost.article_id)
            .limit(limit)
        )
        async with self.sessions() as session:
            return [_post(r) for r in await session.scalars(q)]

    async def get(self, article_id: int) -> ProposalPost | None:
        async with self.sessions() as session:
            row = await session.get(KbProposalPost, article_id)
            return _post(row) if row is not None and row.ts is not None else None

    async def claim(self, article_id: int, *, channel: str) -> bool:
        """Reserve the right to post ``article_id``; False when it is posted or being posted."""
        now = self.clock()
        try:
            async with self.sessions.begin() as session:
                session.add(KbProposalPost(article_id=article_id, channel=channel, claimed_at=now))
            return True
        except IntegrityError:
            pass
        abandoned = now - timedelta(seconds=self.claim_seconds)
        async with self.sessions.begin() as session:
            taken = await session.execute(
                update(KbProposalPost)
                .where(
                    and_(
                        KbProposalPost.article_id == article_id,
                        KbProposalPost.ts.is_(None),
                        KbProposalPost.claimed_at < abandoned,
                    )
                )
                .values(channel=channel, claimed_at=now)
                .execution_options(synchronize_session=False)
            )
            return rows_changed(taken) == 1

    async def posted(
        self, article_id: int, *, ts: str, channel: str, version: int, status: str, sources: int
    ) -> None:
        await self.rendered(
            article_id, version=version, status=status, sources=sources, ts=ts, channel=channel
        )

    async def rendered(
        self,
        article_id: int,
        *,
        version: int,
        status: str,
        sources: int,
        ts: str | None = None,
        channel: str | None = None,
    ) -> None:
        values: dict[str, object] = {
            "rendered_version": version,
            "rendered_status": status,
            "rendered_sources": sources,
        }
        if ts is not None:
            values.update(ts=ts, posted_at=self.clock())
        if channel is not None:
            values["channel"] = channel
        async with self.sessions.begin() as session:
            await session.execute(
                update(KbProposalPost)
                .where(KbProposalPost.article_id == article_id)
                .values(**values)
                .execution_options(synchronize_session=False)
            )

    async def release(self, article_id: int) -> None:
        """Posting failed: the next sync tries again."""
        async with self.sessions.begin() as session:
            await session.execute(
                delete(KbProposalPost).where(
                    KbProposalPost.article_id == article_id, KbProposalPost.ts.is_(None)
                )
            )


def _post(row: KbProposalPost) -> ProposalPost:
    return ProposalPost(article_id=row.article_id, channel=row.channel, ts=row.ts)
