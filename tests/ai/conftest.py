"""Fixtures for the AI tests: a loopback OpenAI-compatible server and settings pointing at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.ai.config import AISettings
from tests.support.fake_openai import FakeOpenAI

API_KEY = "test-key"


@pytest.fixture()
def fake_openai() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(api_key=API_KEY) as server:
        yield server


@pytest.fixture()
def openai_settings(fake_openai: FakeOpenAI) -> AISettings:
    return AISettings(
        provider="openai",
        api_key=API_KEY,
        base_url=fake_openai.base_url,
        model="gpt-5",
        timeout_seconds=5.0,
        max_retries=2,
        backoff_seconds=0.01,
        max_backoff_seconds=2.0,
        company_name="Acme",
        signature="Acme Support\nsupport@acme.example",
    )
