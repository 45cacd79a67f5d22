"""One Settings, read once: each section reads the variables the README documents, a wrong
value is named in one line, ``.env`` still works and secrets stay masked."""

from __future__ import annotations

from pathlib import Path

import pydantic
import pytest

from core.ai.config import from_sections
from core.config import SECTIONS, Settings
from server.cli import config_problems

# variable -> (section, field, the value given, the value read)
VARIABLES: dict[str, tuple[str, str, str, object]] = {
    "DATABASE_URL": ("database", "url", "sqlite:///x.db", "sqlite:///x.db"),
    "DESK_DATA_DIR": ("data", "dir", "/srv/desk", Path("/srv/desk")),
    "DESK_SUPPORT_ADDRESS": ("mail", "support_address", "help@acme.test", "help@acme.test"),
    "DESK_MAX_MESSAGE_BYTES": ("mail", "max_message_bytes", "1000", 1000),
    "DESK_MAX_ATTACHMENT_BYTES": ("mail", "max_attachment_bytes", "500", 500),
    "DESK_PARSE_WORKERS": ("mail", "parse_workers", "3", 3),
    "DESK_FETCH_BATCH": ("mail", "fetch_batch_size", "20", 20),
    "DESK_FETCH_BATCH_BYTES": ("mail", "fetch_batch_bytes", "4096", 4096),
    "DESK_FETCH_ALERT_AFTER": ("mail", "fetch_alert_after_seconds", "60", 60),
    "DESK_SEND_MAX_ATTEMPTS": ("mail", "send_max_attempts", "2", 2),
    "DESK_SEND_BACKOFF_SECONDS": ("mail", "send_backoff_seconds", "1.5", 1.5),
    "DESK_THROTTLE_PER_RECIPIENT_HOUR": ("mail", "throttle_per_recipient_hour", "4", 4),
    "DESK_THROTTLE_PER_TICKET_HOUR": ("mail", "throttle_per_ticket_hour", "3", 3),
    "DESK_COMPANY_NAME": ("brand", "company_name", "Acme", "Acme"),
    "DESK_SIGNATURE": ("brand", "signature", "Jo\\nAcme", "Jo\nAcme"),
    "DESK_AI_PROVIDER": ("ai", "provider", "OpenAI", "openai"),
    "OPENAI_BASE_URL": ("ai", "base_url", "http://127.0.0.1:9/v1", "http://127.0.0.1:9/v1"),
    "OPENAI_MODEL": ("ai", "model", "gpt-4o-mini", "gpt-4o-mini"),
    "DESK_AI_TIMEOUT": ("ai", "timeout_seconds", "5", 5.0),
    "DESK_AI_CONCURRENCY": ("ai", "concurrency", "2", 2),
    "DESK_AI_MAX_RETRIES": ("ai", "max_retries", "1", 1),
    "DESK_AI_CONFIDENCE_THRESHOLD": ("ai", "confidence_threshold", "0.9", 0.9),
    "SLACK_API_URL": ("slack", "api_url", "http://127.0.0.1:9/api", "http://127.0.0.1:9/api/"),
    "SLACK_TRIAGE_CHANNEL": ("slack", "triage_channel", "C0123456789", "C0123456789"),
    "DESK_ADMIN_SLACK_IDS": ("slack", "admin_ids", "U1,U2", frozenset({"U1", "U2"})),
    "SLACK_POST_INTERVAL": ("slack", "post_interval", "0.5", 0.5),
    "SLACK_TIMEOUT": ("slack", "timeout", "3", 3.0),
    "SLACK_RATE_LIMIT_RETRIES": ("slack", "rate_limit_retries", "5", 5),
    "SLACK_WORKERS": ("slack", "workers", "4", 4),
    "SLACK_BACKFILL_DAYS": ("slack", "backfill_days", "2", 2),
    "DESK_HOST": ("web", "host", "0.0.0.0", "0.0.0.0"),
    "DESK_PORT": ("web", "port", "9000", 9000),
    "DESK_CORS_ORIGINS": (
        "web",
        "cors_origins",
        "https://desk.example.com, http://localhost:3000/",
        frozenset({"https://desk.example.com", "http://localhost:3000"}),
    ),
}
SECRETS = {
    "DESK_SECRET_KEY": ("data", "secret_key"),
    "DESK_SECRET_KEY_OLD": ("data", "old_secret_keys"),
    "OPENAI_API_KEY": ("ai", "api_key"),
    "SLACK_BOT_TOKEN": ("slack", "bot_token"),
    "SLACK_SIGNING_SECRET": ("slack", "signing_secret"),
    "SLACK_APP_TOKEN": ("slack", "app_token"),
}
ALL = [*VARIABLES, *SECRETS]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No variable of the desk's set, and a working directory without a ``.env``."""
    for name in ALL:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("name", list(VARIABLES))
def test_each_section_reads_its_variables(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    section, field, given, expected = VARIABLES[name]
    monkeypatch.setenv(name, given)
    assert getattr(getattr(Settings(), section), field) == expected


def test_every_variable_belongs_to_exactly_one_section() -> None:
    read = [
        str(f.alias).upper() for section in SECTIONS.values() for f in section.model_fields.values()
    ]
    assert sorted(read) == sorted(ALL) and len(set(read)) == len(read)


@pytest.mark.parametrize("name", list(SECRETS))
def test_secrets_stay_masked(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(name, "s3cr3t-value")
    settings = Settings()
    section, field = SECRETS[name]
    secret = getattr(getattr(settings, section), field)
    assert isinstance(secret, pydantic.SecretStr) and secret.get_secret_value() == "s3cr3t-value"
    assert "s3cr3t-value" not in repr(settings) and "s3cr3t-value" not in str(settings)


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("DESK_PORT", "eighty", "valid integer"),
        ("DESK_PARSE_WORKERS", "many", "valid integer"),
        ("DESK_AI_PROVIDER", "claude", "'offline' or 'openai'"),
        ("DESK_AI_CONFIDENCE_THRESHOLD", "1.5", "less than or equal to 1"),
        ("SLACK_TRIAGE_CHANNEL", "#support", "not a channel id"),
        ("SLACK_WORKERS", "0", "greater than or equal to 1"),
    ],
)
def test_a_wrong_value_names_the_variable_in_one_line(
    name: str, value: str, says: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(pydantic.ValidationError) as caught:
        Settings()
    line = config_problems(caught.value)
    assert line.startswith(f"{name}: ") and says in line and "\n" not in line


def test_dotenv_still_works_and_the_environment_wins(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (clean_env / ".env").write_text(
        "DATABASE_URL=sqlite:///from-dotenv.db\nSLACK_BOT_TOKEN=xoxb-dotenv\n"
        "OPENAI_MODEL=gpt-dotenv\nDESK_PORT=8100\n",
        encoding="utf-8",
    )
    settings = Settings()
    assert settings.database.url == "sqlite:///from-dotenv.db"
    assert settings.slack.enabled and settings.slack.token() == "xoxb-dotenv"
    assert settings.ai.model == "gpt-dotenv" and settings.web.port == 8100
    monkeypatch.setenv("DESK_PORT", "8200")
    assert Settings().web.port == 8200
    assert Settings(_env_file=None).database.url == "sqlite:///desk.db"  # .env skipped


def test_values_by_name_on_top_and_unknown_names_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESK_PORT", "8200")
    settings = Settings(_env_file=None, DESK_PORT=8300, DATABASE_URL="sqlite:///y.db")
    assert settings.web.port == 8300 and settings.database.url == "sqlite:///y.db"
    with pytest.raises(TypeError, match="DESK_PROT"):
        Settings(_env_file=None, DESK_PROT=1)


def test_the_ai_provider_follows_the_key_unless_named(monkeypatch: pytest.MonkeyPatch) -> None:
    assert from_sections(Settings().ai, Settings().brand).provider == "offline"
    monkeypatch.setenv("OPENAI_API_KEY", "sk-x")
    monkeypatch.setenv("DESK_COMPANY_NAME", "Acme")
    ai = from_sections(Settings().ai, Settings().brand)
    assert ai.provider == "openai" and ai.company_name == "Acme"
    monkeypatch.setenv("DESK_AI_PROVIDER", "offline")
    assert from_sections(Settings().ai, Settings().brand).provider == "offline"
    monkeypatch.setenv("DESK_AI_PROVIDER", " ")  # blank counts as unset
    assert from_sections(Settings().ai, Settings().brand).provider == "openai"
