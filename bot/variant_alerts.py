"""Prompt variants the desk paused, told in the triage channel: one message per check
(``core.tickets.variants.VariantAlerts``). Slack's errors are logged; the pause stands."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.blocks.variants import paused_message
from bot.notifier import SLACK_ERRORS, SlackNotifier
from core.tickets.variants import PausedVariant

log = logging.getLogger(__name__)


class SlackVariantAlerts:
    def __init__(self, notifier: SlackNotifier) -> None:
        self.notifier = notifier

    async def paused(self, items: Sequence[PausedVariant]) -> None:
        channel = await self.notifier.channel()
        if not channel or not items:
            return
        text, blocks = paused_message(list(items))
        try:
            await self.notifier.queue.post(
                channel=channel, text=text, blocks=blocks, unfurl_links=False
            )
        except SLACK_ERRORS as exc:
            log.warning("paused-variant notice in %s failed: %s", channel, exc)
