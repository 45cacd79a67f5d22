"""Process configuration from the environment (and ``.env``), built once at the entry points.

In-app settings (mailboxes, AI key, prompts) live in the database: see ``core.control.settings_store``.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATA_DIR = Path(".desk")


def _default_parse_workers() -> int:
    """Parse big fetch batches on the other cores when there are any (measured with
    bench/ingest.py: 0.41 of raw fetch speed with two workers on 2 cores, 0.30 without)."""
    cores = os.cpu_count() or 1
    return min(4, cores) if cores > 1 else 0


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    database_url: str = Field(default="sqlite:///desk.db", alias="DATABASE_URL")
    # Fernet key (urlsafe base64, 32 bytes) or any passphrase; see core.secrets.
    secret_key: SecretStr | None = Field(default=None, alias="DESK_SECRET_KEY")
    data_dir: Path = Field(default=DEFAULT_DATA_DIR, alias="DESK_DATA_DIR")
    company_name: str = Field(default="Example Support", alias="DESK_COMPANY_NAME")
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
    send_max_attempts: int = Field(default=5, alias="DESK_SEND_MAX_ATTEMPTS")
    send_backoff_seconds: float = Field(default=30.0, alias="DESK_SEND_BACKOFF_SECONDS")
    throttle_per_recipient_hour: int = Field(default=10, alias="DESK_THROTTLE_PER_RECIPIENT_HOUR")
    throttle_per_ticket_hour: int = Field(default=5, alias="DESK_THROTTLE_PER_TICKET_HOUR")
    fetch_alert_after_seconds: int = Field(default=900, alias="DESK_FETCH_ALERT_AFTER")

    openai_api_key: SecretStr | None = Field(default=None, alias="OPENAI_API_KEY")
    openai_base_url: str | None = Field(default=None, alias="OPENAI_BASE_URL")
    openai_model: str = Field(default="gpt-5", alias="OPENAI_MODEL")

    host: str = Field(default="127.0.0.1", alias="DESK_HOST")
    port: int = Field(default=8000, alias="DESK_PORT")

    @property
    def attachments_dir(self) -> Path:
        return self.data_dir / "attachments"

    @property
    def maildir_inbox(self) -> Path:
        return self.data_dir / "maildir" / "inbox"

    @property
    def maildir_outbox(self) -> Path:
        return self.data_dir / "maildir" / "outbox"
