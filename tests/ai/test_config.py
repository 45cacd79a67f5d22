from __future__ import annotations

import pytest

from core.ai.config import AISettings, settings_from_env
from core.errors import ConfigError


def test_defaults_to_offline_without_any_configuration() -> None:
    settings = settings_from_env({})
    assert settings.provider == "offline"
    assert settings.api_key is None
    assert settings.model == "gpt-5"
    assert settings.confidence_threshold == pytest.approx(0.55)


def test_a_key_selects_openai_and_the_secret_stays_masked() -> None:
    settings = settings_from_env(
        {
            "OPENAI_API_KEY": "sk-secret-value",
            "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
            "OPENAI_MODEL": "gpt-4o-mini",
            "DESK_COMPANY_NAME": "Acme",
            "DESK_SIGNATURE": "Jo\\nAcme",
        }
    )
    assert settings.provider == "openai"
    assert settings.api_key is not None and settings.api_key.get_secret_value() == "sk-secret-value"
    assert "sk-secret-value" not in repr(settings)
    assert settings.base_url == "http://127.0.0.1:9/v1"
    assert settings.model == "gpt-4o-mini"
    assert settings.company_name == "Acme"
    assert settings.signature == "Jo\nAcme"


def test_explicit_provider_wins_over_the_key() -> None:
    settings = settings_from_env({"OPENAI_API_KEY": "sk-x", "DESK_AI_PROVIDER": "OFFLINE"})
    assert settings.provider == "offline"


@pytest.mark.parametrize(
    "env",
    [
        {"DESK_AI_PROVIDER": "claude"},
        {"DESK_AI_CONFIDENCE_THRESHOLD": "1.5"},
        {"DESK_AI_CONCURRENCY": "zero"},
    ],
)
def test_bad_values_raise_a_config_error_naming_the_field(env: dict[str, str]) -> None:
    with pytest.raises(ConfigError) as caught:
        settings_from_env(env)
    assert "invalid AI settings" in str(caught.value)


def test_settings_are_validated() -> None:
    with pytest.raises(ValueError):
        AISettings(concurrency=0)
