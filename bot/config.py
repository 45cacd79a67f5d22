"""Slack configuration: the ``slack`` section of ``core.config.Settings``.

It lives in core (which may not import bot) so the one ``Settings`` can hold it; the name
``SlackConfig`` is what the Slack app's modules call it. HTTP mode needs SLACK_BOT_TOKEN and
SLACK_SIGNING_SECRET; Socket Mode needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN. Without a bot
token the desk runs with Slack off.
"""

from __future__ import annotations

from core.config import CHANNEL_ID, DEFAULT_SLACK_API_URL, SlackSettings

SlackConfig = SlackSettings
DEFAULT_API_URL = DEFAULT_SLACK_API_URL

__all__ = ["CHANNEL_ID", "DEFAULT_API_URL", "SlackConfig"]
