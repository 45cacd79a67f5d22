"""Tickets automatic assignment leaves unassigned (nobody available has the skill), told in
the triage channel: one message per batch (``core.workflow.assignment.QueueAlerts``)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.blocks.workload import unassigned_message
from bot.notifier import SLACK_ERRORS, SlackNotifier
from core.workflow.assignment import LeftUnassigned

log = logging.getLogger(__name__)


class SlackQueueAlerts:
    def __init__(self, notifier: SlackNotifier) -> None:
        self.notifier = notifier

    async def left_unassigned(self, items: Sequence[LeftUnassigned]) -> None:
        channel = await self.notifier.channel()
        if not channel or not items:
            return
        text, blocks = unassigned_message(list(items))
        try:
            await self.notifier.queue.post(
                channel=channel, text=text, blocks=blocks, unfurl_links=False
            )
        except SLACK_ERRORS as exc:
            log.warning("unassigned-tickets notice in %s failed: %s", channel, exc)
