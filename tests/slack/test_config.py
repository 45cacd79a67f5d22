"""Slack settings from the environment: mistakes are named at start, not at first use."""

from __future__ import annotations

import pydantic
import pytest

from bot.config import SlackConfig


def config(**env: str) -> SlackConfig:
    return SlackConfig(_env_file=None, **env)  # type: ignore[call-arg]


def test_the_triage_channel_must_be_an_id() -> None:
    assert config(SLACK_TRIAGE_CHANNEL=" C0123456789 ").triage_channel == "C0123456789"
    assert config(SLACK_TRIAGE_CHANNEL="G01ABCDEF").triage_channel == "G01ABCDEF"
    assert config(SLACK_TRIAGE_CHANNEL="").triage_channel is None
    for name in ("#support", "support", "c0123456789"):
        with pytest.raises(pydantic.ValidationError, match="is not a channel id"):
            config(SLACK_TRIAGE_CHANNEL=name)


def test_admin_ids_and_api_url() -> None:
    c = config(DESK_ADMIN_SLACK_IDS="U1, U2 U3", SLACK_API_URL="http://127.0.0.1:9/api")
    assert c.admin_ids == {"U1", "U2", "U3"} and c.api_url == "http://127.0.0.1:9/api/"
