"""SLA breaches told in the breach channel (``sla.breach_channel``, set in ``/desk
settings``): one message per sweep, mentioning the on-call group when one is set
(``core.workflow.sla_sweep.BreachAlerts``). No channel set: nothing is posted. The
managers' breach DMs are sent all the same (each may turn ``sla_breach`` off)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.blocks.breach import breach_message
from bot.blocks.settings import BREACH_CHANNEL_KEY, ONCALL_GROUP_KEY
from bot.notifier import SLACK_ERRORS, SlackNotifier
from core.workflow.sla_sweep import Breach

log = logging.getLogger(__name__)


class SlackBreachAlerts:
    def __init__(self, notifier: SlackNotifier) -> None:
        self.notifier = notifier

    async def breached(self, items: Sequence[Breach]) -> None:
        store = self.notifier.services.store
        channel = (await store.get(BREACH_CHANNEL_KEY) or "").strip()
        if not channel or not items:
            return
        links = await self.notifier.services.posts.permalinks([b.ticket_id for b in items])
        text, blocks = breach_message(
            list(items), links=links, oncall_group=await store.get(ONCALL_GROUP_KEY)
        )
        try:
            await self.notifier.queue.post(
                channel=channel, text=text, blocks=blocks, unfurl_links=False
            )
        except SLACK_ERRORS as exc:
            log.warning("SLA breach alert in %s failed (not retried): %s", channel, exc)
