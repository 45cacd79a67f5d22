"""Knowledge-base proposals in their Slack channel (``knowledge.channel``, set in ``/desk
settings``; empty: the triage channel), posted from the worker like the drafts.

- ``sync``: each open proposal without a message is claimed (``bot.store.proposal_posts``:
  two workers post it once) and posted with Publish / Edit / Discard; each message whose
  article was edited, published or archived since (anywhere: Slack, ``desk kb``, the API)
  is updated, and so is one a near-duplicate ticket joined. Called by the worker every
  cycle, so an outage heals on the next pass.
- ``refresh``: update one proposal's message now (after a click), naming who decided.

Slack errors are logged and left to the next sync; they never stop the engine.
"""

from __future__ import annotations

import logging

from bot.blocks.proposals import proposal_message
from bot.blocks.settings import KB_CHANNEL_KEY
from bot.notifier import SLACK_ERRORS, SlackNotifier, SyncReport
from core.errors import NotFound

log = logging.getLogger(__name__)


class SlackProposals:
    def __init__(self, notifier: SlackNotifier) -> None:
        self.notifier = notifier
        self.services = notifier.services

    async def channel(self) -> str | None:
        stored = (await self.services.store.get(KB_CHANNEL_KEY) or "").strip()
        return stored or await self.notifier.channel()

    async def sync(self) -> SyncReport:
        report = SyncReport()
        posts = self.services.proposal_posts
        channel = await self.channel()
        if channel:
            for article_id in await posts.unposted():
                await self._post(article_id, channel, report)
        elif await posts.unposted(limit=1):
            report.errors.append("no channel for proposals: set one in /desk settings")
        for post in await posts.stale():
            await self.refresh(post.article_id, report=report)
        if report.errors:
            log.warning("kb proposals sync: %s", "; ".join(report.errors[:5]))
        return report

    async def _post(self, article_id: int, channel: str, report: SyncReport) -> None:
        posts = self.services.proposal_posts
        if not await posts.claim(article_id, channel=channel):
            return
        try:
            article = await self.services.knowledge.get(article_id)
            text, blocks = proposal_message(article)
            result = await self.notifier.queue.post(
                channel=channel, text=text, blocks=blocks, unfurl_links=False, unfurl_media=False
            )
        except (*SLACK_ERRORS, NotFound) as exc:
            log.warning("posting proposal %s to Slack failed: %s", article_id, exc)
            report.errors.append(f"proposal {article_id}: {exc}")
            await posts.release(article_id)
            return
        await posts.posted(
            article_id,
            ts=str(result["ts"]),
            channel=str(result.get("channel") or channel),
            version=article.version,
            status=article.status,
            sources=len(article.source_ticket_ids),
        )
        report.posted.append(article_id)

    async def refresh(
        self, article_id: int, *, by: str | None = None, report: SyncReport | None = None
    ) -> bool:
        """Update the proposal's message to the article as it is; False when it has none
        (or Slack refused: the next sync tries again)."""
        post = await self.services.proposal_posts.get(article_id)
        if post is None or post.ts is None:
            return False
        try:
            article = await self.services.knowledge.get(article_id)
            text, blocks = proposal_message(article, by=by)
            await self.notifier.client.chat_update(
                channel=post.channel, ts=post.ts, text=text, blocks=blocks
            )
        except (*SLACK_ERRORS, NotFound) as exc:
            log.warning("updating proposal %s in Slack failed: %s", article_id, exc)
            if report is not None:
                report.errors.append(f"proposal {article_id}: {exc}")
            return False
        await self.services.proposal_posts.rendered(
            article_id,
            version=article.version,
            status=article.status,
            sources=len(article.source_ticket_ids),
        )
        if report is not None:
            report.updated.append(article_id)
        return True
