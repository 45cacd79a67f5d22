"""Slack configuration from the environment (and ``.env``).

HTTP mode needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET; Socket Mode needs SLACK_BOT_TOKEN
and SLACK_APP_TOKEN. Without a bot token the desk runs with Slack off.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_API_URL = "https://slack.com/api/"
CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{6,20}")  # public, private (legacy G), DM


class SlackConfig(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    bot_token: SecretStr | None = Field(default=None, alias="SLACK_BOT_TOKEN")
    signing_secret: SecretStr | None = Field(default=None, alias="SLACK_SIGNING_SECRET")
    app_token: SecretStr | None = Field(default=None, alias="SLACK_APP_TOKEN")
    api_url: str = Field(default=DEFAULT_API_URL, alias="SLACK_API_URL")
    triage_channel: str | None = Field(default=None, alias="SLACK_TRIAGE_CHANNEL")
    admin_ids: Annotated[frozenset[str], NoDecode] = Field(
        default=frozenset(), alias="DESK_ADMIN_SLACK_IDS"
    )
    # seconds between two messages to one channel (Slack allows about one per second)
    post_interval: float = Field(default=1.0, ge=0, alias="SLACK_POST_INTERVAL")
    timeout: float = Field(default=10.0, gt=0, alias="SLACK_TIMEOUT")
    # how many rate-limited (429) answers a call waits out before it gives up
    rate_limit_retries: int = Field(default=3, ge=0, le=20, alias="SLACK_RATE_LIMIT_RETRIES")
    # listeners doing their work (after the ack) at the same time, per process
    workers: int = Field(default=8, ge=1, le=256, alias="SLACK_WORKERS")
    # new drafts older than this are not posted when Slack is configured late
    backfill_days: int = Field(default=7, ge=0, alias="SLACK_BACKFILL_DAYS")

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(v.strip() for v in value.replace(" ", ",").split(",") if v.strip())
        return value

    @field_validator("triage_channel")
    @classmethod
    def _channel_id(cls, value: str | None) -> str | None:
        """An id, not a name: messages are updated and looked up by id (``chat.update`` and
        ``conversations.history`` do not take names)."""
        if value is None or not value.strip():
            return None
        value = value.strip()
        if not CHANNEL_ID.fullmatch(value):
            raise ValueError(
                f"{value!r} is not a channel id: use the id (like C0123456789, the last part "
                "of the channel's link), or pick the channel in /desk settings"
            )
        return value

    @field_validator("api_url")
    @classmethod
    def _slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

    @property
    def http_configured(self) -> bool:
        return bool(self.bot_token and self.signing_secret)

    @property
    def socket_configured(self) -> bool:
        return bool(self.bot_token and self.app_token)

    @property
    def enabled(self) -> bool:
        return self.bot_token is not None and bool(self.bot_token.get_secret_value())

    def token(self) -> str:
        return self.bot_token.get_secret_value() if self.bot_token else ""
