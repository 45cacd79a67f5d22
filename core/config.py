"""Process configuration from the environment (and ``.env``), read once at the entry points.

One ``Settings`` made of sections, each a pydantic-settings class that reads its own
environment variables (the names the README documents): ``database``, ``data`` (data
directory and the key stored secrets are sealed with), ``mail`` (intake and sending limits),
``brand`` (company name, signature), ``ai``, ``slack`` and ``web``. A wrong value fails the
start with a ``pydantic.ValidationError`` whose location is the variable's name, which the
CLI prints on one line (``server.cli.config_problems``).

In-app settings (mailboxes, AI key, prompts) live in the database: see ``core.control.settings_store``;
``core.ai.config`` lays them over the ``ai`` and ``brand`` sections.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATA_DIR = Path(".desk")
ENV_FILE = ".env"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{6,20}")  # public, private (legacy G), DM

ProviderName = Literal["offline", "openai"]


def _default_parse_workers() -> int:
    """Parse big fetch batches on the other cores when there are any (measured with
    bench/ingest.py: 0.41 of raw fetch speed with two workers on 2 cores, 0.30 without)."""
    cores = os.cpu_count() or 1
    return min(4, cores) if cores > 1 else 0


def _section_config(*, ignore_empty: bool = False, strip: bool = False) -> SettingsConfigDict:
    return SettingsConfigDict(
        env_file=ENV_FILE,
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
        frozen=True,
        env_ignore_empty=ignore_empty,
        str_strip_whitespace=strip,
    )


class DatabaseSettings(BaseSettings):
    model_config = _section_config()

    url: str = Field(default="sqlite:///desk.db", alias="DATABASE_URL")


class DataSettings(BaseSettings):
    """Where the desk keeps files, and the key its stored secrets are sealed with."""

    model_config = _section_config()

    dir: Path = Field(default=DEFAULT_DATA_DIR, alias="DESK_DATA_DIR")
    # Fernet key (urlsafe base64, 32 bytes) or any passphrase; see core.secrets.
    secret_key: SecretStr | None = Field(default=None, alias="DESK_SECRET_KEY")
    # keys secrets were sealed with before (comma separated, newest first): they still
    # open and verify, never seal; `desk secrets rotate` moves stored secrets off them
    old_secret_keys: SecretStr | None = Field(default=None, alias="DESK_SECRET_KEY_OLD")

    def old_keys(self) -> list[SecretStr]:
        """``DESK_SECRET_KEY_OLD`` as a list, newest first, blanks dropped."""
        text = self.old_secret_keys.get_secret_value() if self.old_secret_keys else ""
        return [SecretStr(key) for part in text.split(",") if (key := part.strip())]

    @property
    def attachments_dir(self) -> Path:
        return self.dir / "attachments"

    @property
    def maildir_inbox(self) -> Path:
        return self.dir / "maildir" / "inbox"

    @property
    def maildir_outbox(self) -> Path:
        return self.dir / "maildir" / "outbox"


class MailSettings(BaseSettings):
    """Mail intake (sizes, batches, parse workers, the fetch alert) and sending limits."""

    model_config = _section_config()

    support_address: str = Field(default="support@desk.local", alias="DESK_SUPPORT_ADDRESS")
    max_message_bytes: int = Field(default=25 * 1024 * 1024, alias="DESK_MAX_MESSAGE_BYTES")
    max_attachment_bytes: int = Field(default=15 * 1024 * 1024, alias="DESK_MAX_ATTACHMENT_BYTES")
    # processes that parse big fetch batches in parallel (0: parse in a thread)
    parse_workers: int = Field(
        default_factory=lambda: _default_parse_workers(), alias="DESK_PARSE_WORKERS"
    )
    fetch_batch_size: int = Field(default=800, alias="DESK_FETCH_BATCH")
    # and at most this much mail (by the IMAP server's sizes) held in memory per batch
    fetch_batch_bytes: int = Field(default=64 * 1024 * 1024, alias="DESK_FETCH_BATCH_BYTES")
    fetch_alert_after_seconds: int = Field(default=900, alias="DESK_FETCH_ALERT_AFTER")
    send_max_attempts: int = Field(default=5, alias="DESK_SEND_MAX_ATTEMPTS")
    send_backoff_seconds: float = Field(default=30.0, alias="DESK_SEND_BACKOFF_SECONDS")
    throttle_per_recipient_hour: int = Field(default=10, alias="DESK_THROTTLE_PER_RECIPIENT_HOUR")
    throttle_per_ticket_hour: int = Field(default=5, alias="DESK_THROTTLE_PER_TICKET_HOUR")


class BrandSettings(BaseSettings):
    """Who the desk speaks as; admins may override both in the app."""

    model_config = _section_config(ignore_empty=True)

    company_name: str = Field(default="Example Support", alias="DESK_COMPANY_NAME")
    signature: str = Field(default="", alias="DESK_SIGNATURE")

    @field_validator("signature")
    @classmethod
    def _newlines(cls, value: str) -> str:
        return value.replace("\\n", "\n")  # one line in .env, several in the mail


class AIEnvSettings(BaseSettings):
    """The triage provider as the environment configures it; ``core.ai.config.AISettings``
    is this plus the brand and what admins saved in the app. Blank values count as unset."""

    model_config = _section_config(ignore_empty=True, strip=True)

    # offline|openai; None: openai when a key is set, else offline (see ``provider_name``)
    provider: ProviderName | None = Field(default=None, alias="DESK_AI_PROVIDER")
    api_key: SecretStr | None = Field(default=None, alias="OPENAI_API_KEY")
    base_url: str | None = Field(default=None, alias="OPENAI_BASE_URL")
    model: str = Field(default="gpt-5", alias="OPENAI_MODEL")
    timeout_seconds: float = Field(default=60.0, gt=0, alias="DESK_AI_TIMEOUT")
    concurrency: int = Field(default=8, ge=1, le=1024, alias="DESK_AI_CONCURRENCY")
    max_retries: int = Field(default=3, ge=0, le=20, alias="DESK_AI_MAX_RETRIES")
    confidence_threshold: float = Field(
        default=0.55, ge=0.0, le=1.0, alias="DESK_AI_CONFIDENCE_THRESHOLD"
    )

    @field_validator("provider", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        if isinstance(value, str):
            return value.strip().lower() or None  # blank: unset
        return value

    @property
    def provider_name(self) -> ProviderName:
        if self.provider is not None:
            return self.provider
        return "openai" if self.api_key and self.api_key.get_secret_value() else "offline"


class SlackSettings(BaseSettings):
    """HTTP mode needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET; Socket Mode needs
    SLACK_BOT_TOKEN and SLACK_APP_TOKEN. Without a bot token the desk runs with Slack off."""

    model_config = _section_config()

    bot_token: SecretStr | None = Field(default=None, alias="SLACK_BOT_TOKEN")
    signing_secret: SecretStr | None = Field(default=None, alias="SLACK_SIGNING_SECRET")
    app_token: SecretStr | None = Field(default=None, alias="SLACK_APP_TOKEN")
    api_url: str = Field(default=DEFAULT_SLACK_API_URL, alias="SLACK_API_URL")
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


class WebSettings(BaseSettings):
    """Where ``desk web`` and ``desk run`` listen (gunicorn takes its own ``--bind``), and
    which browser origins may call the API (CORS)."""

    model_config = _section_config()

    host: str = Field(default="127.0.0.1", alias="DESK_HOST")
    port: int = Field(default=8000, alias="DESK_PORT")
    # browser origins the API answers cross-origin (comma separated); empty: no CORS at all
    cors_origins: Annotated[frozenset[str], NoDecode] = Field(
        default=frozenset(), alias="DESK_CORS_ORIGINS"
    )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(v.strip().rstrip("/") for v in value.split(",") if v.strip())
        return value

    @field_validator("cors_origins")
    @classmethod
    def _origins(cls, value: frozenset[str]) -> frozenset[str]:
        for origin in value:
            if origin == "*" or not re.fullmatch(r"https?://[^/\s]+", origin):
                raise ValueError(
                    f"{origin!r} is not an origin: give scheme://host[:port], like "
                    "https://desk.example.com (no path, no *)"
                )
        return value


SECTIONS: dict[str, type[BaseSettings]] = {
    "database": DatabaseSettings,
    "data": DataSettings,
    "mail": MailSettings,
    "brand": BrandSettings,
    "ai": AIEnvSettings,
    "slack": SlackSettings,
    "web": WebSettings,
}


def _names(section: type[BaseSettings]) -> dict[str, str]:
    """The variables a section reads, upper-cased -> as spelled in the section."""
    names: dict[str, str] = {}
    for field in section.model_fields.values():
        for alias in (field.alias, field.validation_alias):
            if isinstance(alias, str):
                names[alias.upper()] = alias
            elif isinstance(alias, AliasChoices):
                names.update({str(a).upper(): str(a) for a in alias.choices})
    return names


class Settings(BaseModel):
    """All sections, each read from the environment and ``.env`` once.

    ``Settings()`` reads them; ``Settings(_env_file=None, DATABASE_URL=...)`` sets variables
    by name on top of the environment and skips ``.env`` (tests, benchmarks);
    ``Settings(slack=SlackSettings(...))`` hands a section in whole.
    """

    model_config = ConfigDict(frozen=True)

    database: DatabaseSettings
    data: DataSettings
    mail: MailSettings
    brand: BrandSettings
    ai: AIEnvSettings
    slack: SlackSettings
    web: WebSettings

    def __init__(self, _env_file: str | Path | None = ENV_FILE, **values: Any) -> None:
        given = {name: values.pop(name) for name in SECTIONS if name in values}
        taken: set[str] = set()
        for name, section in SECTIONS.items():
            if name in given:
                continue
            keys = _names(section)
            mine = {keys[k.upper()]: v for k, v in values.items() if k.upper() in keys}
            taken.update(k for k in values if k.upper() in keys)
            given[name] = section(_env_file=_env_file, **mine)
        unknown = sorted(set(values) - taken)
        if unknown:
            raise TypeError(f"no setting is called {', '.join(unknown)}")
        super().__init__(**given)
