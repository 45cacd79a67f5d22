"""Brings the triage channel in line with the database.

- ``post_new_drafts``: one message per new draft; a ticket's later drafts go into the
  thread of its first message, with long texts continued in the thread.
- ``refresh``: re-render a draft's message from the database (``chat.update``): buttons
  disappear once decided, the message says who did what and when; a sent reply is also
  announced in the thread.
- ``tickets_changed``: the SLA sweep moved these tickets' clocks: their cards are marked
  stale and re-rendered (the SLA line turns amber or red).
- ``sync``: both, for everything that is behind (called by the worker every cycle), so a
  Slack outage or a crash between two steps heals on the next pass.

Slack errors are logged and leave the row to the next sync; they never stop the engine.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import ids
from bot.blocks.analytics import new_tickets_message
from bot.blocks.draft import SLA_SHOWN, SlackMessage, draft_message, sent_notice
from bot.blocks.notices import notice_message
from bot.config import SlackConfig
from bot.posting import PostingQueue
from bot.services import TRIAGE_CHANNEL_KEY, DeskServices
from bot.store.posts import Claim
from core.errors import DeliveryFailed, NotFound
from core.tickets.draft_details import DraftCard
from core.workflow.alerts import NoticeMessage
from core.workflow.notifications import TicketBatch

log = logging.getLogger(__name__)

SLACK_ERRORS = (SlackApiError, aiohttp.ClientError, asyncio.TimeoutError)
# errors after which Slack may or may not have done what was asked
UNKNOWN_OUTCOME = (
    asyncio.TimeoutError,
    aiohttp.ServerDisconnectedError,
    aiohttp.ClientPayloadError,
)
HISTORY_PAGES = 5  # pages of 200 messages searched for an earlier attempt's message
CLOCK_SKEW = timedelta(minutes=1)


@dataclass
class SyncReport:
    posted: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {
            "posted": len(self.posted),
            "updated": len(self.updated),
            "errors": len(self.errors),
        }


class SlackNotifier:
    def __init__(
        self,
        *,
        client: AsyncWebClient,
        services: DeskServices,
        config: SlackConfig,
        queue: PostingQueue,
    ) -> None:
        self.client = client
        self.services = services
        self.config = config
        self.queue = queue
        self._home_team: str | None = None

    async def home_team(self) -> str | None:
        """The workspace the bot token belongs to (``auth.test``, asked once)."""
        if self._home_team is None:
            result = await self.client.auth_test()
            self._home_team = result.get("team_id")
        return self._home_team

    def know_home_team(self, team_id: str | None) -> None:
        if team_id and self._home_team is None:
            self._home_team = team_id

    async def channel(self) -> str | None:
        stored = await self.services.store.get(TRIAGE_CHANNEL_KEY)
        return stored or self.config.triage_channel

    # -- posting ---------------------------------------------------------------------------

    async def post_new_drafts(self, draft_ids: list[int]) -> SyncReport:
        report = SyncReport()
        for draft_id in draft_ids:
            await self._post_one(draft_id, report)
        await self._refresh_stale(report)
        return report

    async def _post_one(self, draft_id: int, report: SyncReport) -> None:
        try:
            channel = await self.channel()
            if not channel:
                report.errors.append(
                    "no triage channel: set one in /desk settings or SLACK_TRIAGE_CHANNEL"
                )
                return
            home = await self.home_team()
        except SLACK_ERRORS as exc:
            report.errors.append(f"auth.test: {exc}")
            return
        claim = await self.services.posts.claim(draft_id, channel=channel, team_id=home)
        if claim is None:
            return  # posted already, or another process is posting it
        where: tuple[str, str | None] | None = None
        try:
            card = await self.services.cards.get(draft_id, home_team=home)
            message = draft_message(card)
            earlier = await self._earlier_post(claim) if claim.retaken_since else None
            if earlier is not None:  # an attempt that timed out did post it: no second card
                channel, ts, thread_ts = earlier
                where = (channel, thread_ts)
            else:
                thread_ts = claim.thread_ts
                result = await self.queue.post(
                    channel=channel,
                    thread_ts=thread_ts,
                    text=message.main.text,
                    blocks=message.main.blocks,
                    metadata={
                        "event_type": ids.DRAFT_POSTED_EVENT,
                        "event_payload": {"draft_id": draft_id},
                    },
                    unfurl_links=False,
                    unfurl_media=False,
                )
                ts = str(result["ts"])
                channel = str(result.get("channel") or channel)
        except UNKNOWN_OUTCOME as exc:
            log.warning(
                "posting draft %s to Slack timed out (%r): checked next sync", draft_id, exc
            )
            report.errors.append(f"draft {draft_id}: no answer from Slack ({exc!r})")
            await self.services.posts.abandon(draft_id)
            return
        except (*SLACK_ERRORS, NotFound) as exc:
            log.warning("posting draft %s to Slack failed: %s", draft_id, exc)
            report.errors.append(f"draft {draft_id}: {exc}")
            await self.services.posts.release(draft_id)
            return
        permalink = await self._permalink(channel, ts)
        adopted = where is not None  # shows the draft as it was then: refreshed below
        await self.services.posts.posted(
            draft_id,
            ts=ts,
            permalink=permalink,
            status=None if adopted else card.status,
            version=None if adopted else card.version,
            where=where,
        )
        report.posted.append(draft_id)
        await self._thread(channel, thread_ts or ts, message.thread, report)

    async def _earlier_post(self, claim: Claim) -> tuple[str, str, str | None] | None:
        """(channel, ts, thread_ts) of the message an abandoned attempt to post
        ``claim``'s draft did post after all, found by its metadata; None if Slack has none
        (or cannot say: without the history scopes, or outside the channel, it is posted
        again, as a second card beats a missing one)."""
        assert claim.retaken_since is not None
        since = claim.retaken_since
        since = since if since.tzinfo else since.replace(tzinfo=UTC)
        channel = claim.earlier_channel or claim.channel
        thread_ts = claim.earlier_thread_ts
        args: dict[str, Any] = {
            "channel": channel,
            "oldest": f"{(since - CLOCK_SKEW).timestamp():.6f}",
            "include_all_metadata": True,
            "limit": 200,
        }
        cursor = None
        try:
            for _ in range(HISTORY_PAGES):
                if thread_ts:
                    page = await self.client.conversations_replies(
                        ts=thread_ts, cursor=cursor, **args
                    )
                else:
                    page = await self.client.conversations_history(cursor=cursor, **args)
                for m in page.get("messages") or []:
                    meta = m.get("metadata") or {}
                    payload = meta.get("event_payload") or {}
                    if (
                        meta.get("event_type") == ids.DRAFT_POSTED_EVENT
                        and payload.get("draft_id") == claim.draft_id
                    ):
                        return channel, str(m["ts"]), thread_ts
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    break
        except UNKNOWN_OUTCOME:
            raise  # no answer again: the claim is abandoned again, not posted blind
        except SLACK_ERRORS as exc:
            log.warning(
                "could not look in %s for draft %s's earlier message (%s): posting it again",
                channel,
                claim.draft_id,
                exc,
            )
        return None

    async def _permalink(self, channel: str, ts: str) -> str | None:
        try:
            result = await self.client.chat_getPermalink(channel=channel, message_ts=ts)
            return str(result.get("permalink") or "") or None
        except SLACK_ERRORS as exc:
            log.info("no permalink for %s/%s: %s", channel, ts, exc)
            return None

    async def _thread(
        self, channel: str, thread_ts: str, messages: list[SlackMessage], report: SyncReport
    ) -> None:
        for m in messages:
            try:
                await self.queue.post(
                    channel=channel,
                    thread_ts=thread_ts,
                    text=m.text,
                    blocks=m.blocks,
                    unfurl_links=False,
                )
            except SLACK_ERRORS as exc:
                log.warning("thread reply in %s failed: %s", channel, exc)
                report.errors.append(f"thread {thread_ts}: {exc}")

    # -- updating --------------------------------------------------------------------------

    async def refresh(
        self,
        draft_id: int,
        *,
        where: tuple[str, str] | None = None,
        report: SyncReport | None = None,
    ) -> DraftCard | None:
        """Re-render the draft's message from the database. ``where``: (channel, ts) to use
        when the message is not on record (it came from the payload)."""
        report = report or SyncReport()
        post = await self.services.posts.get(draft_id)
        if post is not None and post.ts:
            channel, ts, thread_ts = post.channel, post.ts, post.root_ts
        elif where is not None:
            channel, ts = where
            thread_ts = ts
        else:
            return None
        try:
            card = await self.services.cards.get(draft_id, home_team=await self.home_team())
            message = draft_message(card)
            await self.client.chat_update(
                channel=channel, ts=ts, text=message.main.text, blocks=message.main.blocks
            )
        except (*SLACK_ERRORS, NotFound) as exc:
            log.warning("updating the message of draft %s failed: %s", draft_id, exc)
            report.errors.append(f"draft {draft_id}: {exc}")
            return None
        if post is not None:
            await self.services.posts.rendered(draft_id, status=card.status, version=card.version)
        report.updated.append(draft_id)
        if (
            card.status == "sent"
            and post is not None
            and await self.services.posts.take_sent_notice(draft_id)
        ):
            await self._thread(channel, thread_ts or ts, sent_notice(card), report)
        return card

    async def tickets_changed(self, ticket_ids: list[int]) -> SyncReport:
        """The tickets' SLA moved (the sweep fired a warning or a breach): their cards that
        show it are marked stale and re-rendered like any stale card; what Slack refuses now
        the next sync does."""
        report = SyncReport()
        if await self.services.posts.mark_stale(ticket_ids, statuses=SLA_SHOWN):
            await self._refresh_stale(report)
        return report

    async def _refresh_stale(self, report: SyncReport) -> None:
        for draft_id in await self.services.posts.stale():
            await self.refresh(draft_id, report=report)

    async def sync(self) -> SyncReport:
        """Post what is missing, update what is behind. Never raises for Slack trouble."""
        since = datetime.now(UTC) - timedelta(days=self.config.backfill_days)
        report = await self.post_new_drafts(await self.services.posts.unposted(since=since))
        if report.errors:
            log.warning("slack sync: %s", "; ".join(report.errors[:5]))
        return report

    async def new_tickets(self, batch: TicketBatch) -> None:
        """One message in the triage channel for a batch of new tickets (``core.workflow.notifications``);
        High urgency ones mention the on-call group. Slack errors are logged."""
        channel = await self.channel()
        if not channel or not batch.tickets:
            return
        links = await self.services.posts.permalinks([t.ticket_id for t in batch.tickets])
        text, blocks = new_tickets_message(batch, links=links)
        try:
            await self.queue.post(channel=channel, text=text, blocks=blocks, unfurl_links=False)
        except SLACK_ERRORS as exc:
            log.warning("new-ticket notice in %s failed: %s", channel, exc)

    async def mailbox_alert(self, mailbox: str, error: str) -> None:
        """A mailbox has not fetched within its window (``core.inbound.poller``): say so in the
        triage channel with the server's error. Slack errors are logged."""
        channel = await self.channel()
        if not channel:
            return
        text = f":warning: Mailbox *{mailbox}* has not fetched mail successfully: {error[:500]}"
        try:
            await self.queue.post(channel=channel, text=text, unfurl_links=False)
        except SLACK_ERRORS as exc:
            log.warning("mailbox alert in %s failed: %s", channel, exc)

    async def dm(
        self, slack_user_id: str, text: str, blocks: list[dict[str, Any]] | None = None
    ) -> None:
        """A direct message from the app (posting to a user id opens the app's DM)."""
        try:
            await self.queue.post(
                channel=slack_user_id, text=text, blocks=blocks or None, unfurl_links=False
            )
        except SLACK_ERRORS as exc:
            log.warning("DM to %s failed: %s", slack_user_id, exc)

    # -- notices to one person (core.workflow.alerts.DirectMessages) -----------------------

    async def direct_message(
        self, *, team_id: str | None, slack_user_id: str, message: NoticeMessage
    ) -> None:
        """A notice as a DM: ``conversations.open`` with the user, then ``chat.postMessage``
        in that conversation. Raises ``DeliveryFailed`` when Slack refuses or does not
        answer (the notification service records it and tries again later)."""
        text, blocks = notice_message(message)
        try:
            opened = await self.client.conversations_open(users=slack_user_id)
            channel = str((opened.get("channel") or {}).get("id") or "")
            if not channel:
                raise DeliveryFailed(f"Slack opened no DM with {slack_user_id}")
            await self.queue.post(
                channel=channel, text=text, blocks=blocks, unfurl_links=False, unfurl_media=False
            )
        except SlackApiError as exc:
            error = exc.response.get("error") if exc.response is not None else None
            raise DeliveryFailed(
                f"Slack refused the DM to {slack_user_id}: {error or exc}", error=error
            ) from exc
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise DeliveryFailed(
                f"no answer from Slack for the DM to {slack_user_id}: {exc!r}"
            ) from exc

    async def user_zone(self, *, team_id: str | None, slack_user_id: str) -> str | None:
        """The user's time zone from ``users.info`` (``tz``), None when Slack has none."""
        try:
            info = await self.client.users_info(user=slack_user_id)
        except SLACK_ERRORS as exc:
            log.info("users.info for %s failed: %s", slack_user_id, exc)
            return None
        tz = (info.get("user") or {}).get("tz")
        return str(tz) if tz else None
