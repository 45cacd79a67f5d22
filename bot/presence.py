"""Slack presence for the desk: ``core.workflow.presence``'s ``PresenceReader`` on
``users.getPresence`` (scope ``users:read``). Slack's trouble (a rate limit the client's
retries did not outlast, an error answer, no answer) is logged and the agent skipped:
the worker goes on, the next round asks again."""

from __future__ import annotations

import logging

from slack_sdk.web.async_client import AsyncWebClient

from bot.notifier import SLACK_ERRORS

log = logging.getLogger(__name__)


class SlackPresence:
    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def presence(self, slack_user_id: str) -> str | None:
        try:
            answer = await self.client.users_getPresence(user=slack_user_id)
        except SLACK_ERRORS as exc:
            log.warning("users.getPresence for %s failed: %s", slack_user_id, exc)
            return None
        presence = answer.get("presence")
        if presence not in ("active", "away"):
            log.warning("users.getPresence for %s: unknown presence %r", slack_user_id, presence)
            return None
        return str(presence)
