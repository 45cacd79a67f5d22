"""The OpenAI provider with the real AsyncOpenAI client against a loopback server."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr

from core.ai.config import AISettings
from core.ai.openai_provider import OpenAIProvider
from core.ai.prompts import PROMPT_VERSION
from core.ai.result import Category, TriageRequest, Urgency
from core.ai.service import build_triager, check
from core.errors import AIAuthError, AIBadResponse, AIError, AIUnavailable, ConfigError
from tests.support.fake_openai import FakeOpenAI, Reply, completion_body, error_body, triage_content

REQUEST = TriageRequest(
    subject="App crash",
    text="The app crashes every time I open the reports page.",
    sender_email="ann@example.com",
    sender_name="Ann Lee",
    company_name="Acme",
    signature="Acme Support",
)


class RecordingSleep:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        await asyncio.sleep(seconds)


@pytest.fixture()
async def provider(openai_settings: AISettings) -> AsyncIterator[OpenAIProvider]:
    p = OpenAIProvider(openai_settings)
    yield p
    await p.aclose()


async def test_good_structured_answer(provider: OpenAIProvider, fake_openai: FakeOpenAI) -> None:
    triaged = await provider.triage(REQUEST)
    result, meta = triaged.result, triaged.meta
    assert result.category == Category.technical
    assert result.urgency == Urgency.medium
    assert result.confidence == pytest.approx(0.91)
    assert 3 <= len(result.fix_steps) <= 5
    assert result.draft_reply.endswith("Acme Support")  # signature appended when missing
    assert meta.provider == "openai"
    assert meta.model == "gpt-5-loopback"
    assert meta.prompt_version == PROMPT_VERSION
    assert (meta.tokens_in, meta.tokens_out) == (321, 123)
    assert meta.latency_ms >= 0

    [sent] = fake_openai.chat_requests
    assert sent.headers["authorization"] == "Bearer test-key"
    assert sent.body["model"] == "gpt-5"
    response_format = sent.body["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["strict"] is True
    schema_fields = set(response_format["json_schema"]["schema"]["properties"])
    assert {
        "category",
        "urgency",
        "summary",
        "fix_steps",
        "draft_reply",
        "confidence",
    } <= schema_fields
    assert "<<<EMAIL" in sent.user_content and REQUEST.text in sent.user_content


async def test_fix_steps_are_normalised_and_model_escalation_kept(
    provider: OpenAIProvider, fake_openai: FakeOpenAI
) -> None:
    fake_openai.enqueue(
        Reply(
            body=completion_body(
                triage_content(fix_steps=["Only one step."], escalation_reason="legal threat")
            )
        ),
        Reply(
            body=completion_body(
                triage_content(fix_steps=[f"Step {i}" for i in range(8)], confidence=1.7)
            )
        ),
    )
    short = (await provider.triage(REQUEST)).result
    assert len(short.fix_steps) == 3 and short.fix_steps[0] == "Only one step."
    assert (
        short.flags.escalation_required and short.flags.escalation_reason == "model: legal threat"
    )
    long = (await provider.triage(REQUEST)).result
    assert long.fix_steps == [f"Step {i}" for i in range(5)]
    assert long.confidence == 1.0


@pytest.mark.parametrize(
    "content",
    ["{not json", json.dumps({"category": "Technical"}), triage_content(category="Plumbing")],
)
async def test_malformed_answers_are_bad_responses(
    provider: OpenAIProvider, fake_openai: FakeOpenAI, content: str
) -> None:
    fake_openai.enqueue(Reply(body=completion_body(content)))
    with pytest.raises(AIBadResponse, match="not valid triage JSON"):
        await provider.triage(REQUEST)


async def test_refusal_is_a_bad_response(provider: OpenAIProvider, fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Reply(body=completion_body(None, refusal="I can't help with that.")))
    with pytest.raises(AIBadResponse, match="refused: I can't help with that"):
        await provider.triage(REQUEST)


async def test_truncated_answer_is_a_bad_response(
    provider: OpenAIProvider, fake_openai: FakeOpenAI
) -> None:
    fake_openai.enqueue(Reply(body=completion_body('{"category": "Tech', finish_reason="length")))
    with pytest.raises(AIBadResponse, match="cut off"):
        await provider.triage(REQUEST)


async def test_429_with_retry_after_then_success(
    openai_settings: AISettings, fake_openai: FakeOpenAI
) -> None:
    sleep = RecordingSleep()
    provider = OpenAIProvider(openai_settings, sleep=sleep)
    fake_openai.enqueue(
        Reply(
            status=429,
            body=error_body("Rate limit reached", code="rate_limit_exceeded"),
            headers={"Retry-After": "0.3"},
        )
    )
    started = time.perf_counter()
    try:
        triaged = await provider.triage(REQUEST)
    finally:
        await provider.aclose()
    assert triaged.result.category == Category.technical
    assert sleep.delays == [pytest.approx(0.3)]
    assert time.perf_counter() - started >= 0.3
    assert len(fake_openai.chat_requests) == 2


async def test_5xx_is_retried_with_backoff_then_unavailable(
    openai_settings: AISettings, fake_openai: FakeOpenAI
) -> None:
    sleep = RecordingSleep()
    provider = OpenAIProvider(openai_settings, sleep=sleep)
    fake_openai.enqueue(*[Reply(status=503, body=error_body("overloaded"))] * 3)
    try:
        with pytest.raises(AIUnavailable, match=r"HTTP 503\) after 3 attempt") as caught:
            await provider.triage(REQUEST)
    finally:
        await provider.aclose()
    assert caught.value.data["attempts"] == 3
    assert len(fake_openai.chat_requests) == 3
    assert len(sleep.delays) == 2 and sleep.delays[1] > sleep.delays[0]  # exponential


async def test_retry_after_longer_than_we_wait_gives_up_at_once(
    provider: OpenAIProvider, fake_openai: FakeOpenAI
) -> None:
    fake_openai.enqueue(
        Reply(status=429, body=error_body("quota"), headers={"Retry-After": "3600"})
    )
    with pytest.raises(AIUnavailable):
        await provider.triage(REQUEST)
    assert len(fake_openai.chat_requests) == 1


async def test_timeout_falls_back_to_offline_with_a_flag(
    openai_settings: AISettings, fake_openai: FakeOpenAI
) -> None:
    fake_openai.delay = 3.0
    settings = openai_settings.model_copy(update={"timeout_seconds": 0.3, "max_retries": 1})
    triager = build_triager(settings)
    try:
        triaged = await triager.triage(REQUEST)
    finally:
        await triager.aclose()
    assert triaged.meta.provider == "offline"
    assert triaged.result.flags.fallback is True
    assert "unavailable" in (triaged.result.flags.fallback_reason or "")
    assert "Timeout" in (triaged.result.flags.fallback_reason or "")
    assert triaged.result.category == Category.technical
    assert len(fake_openai.chat_requests) == 2  # first try + one retry


async def test_bad_answer_falls_back_too(
    openai_settings: AISettings, fake_openai: FakeOpenAI
) -> None:
    fake_openai.enqueue(Reply(body=completion_body(None, refusal="no")))
    triager = build_triager(openai_settings)
    try:
        triaged = await triager.triage(REQUEST)
    finally:
        await triager.aclose()
    assert triaged.result.flags.fallback and "refused" in (
        triaged.result.flags.fallback_reason or ""
    )


async def test_bad_key_is_an_auth_error(
    openai_settings: AISettings, fake_openai: FakeOpenAI
) -> None:
    provider = OpenAIProvider(openai_settings.model_copy(update={"api_key": SecretStr("wrong")}))
    try:
        with pytest.raises(AIAuthError, match="refused the API key \\(HTTP 401\\)"):
            await provider.triage(REQUEST)
    finally:
        await provider.aclose()
    assert len(fake_openai.chat_requests) == 1  # never retried


async def test_check_reports_clearly(openai_settings: AISettings, fake_openai: FakeOpenAI) -> None:
    assert (await check(openai_settings)).startswith("OK: ")
    with pytest.raises(AIAuthError, match="refused the API key.*Check OPENAI_API_KEY"):
        await check(openai_settings.model_copy(update={"api_key": SecretStr("wrong")}))
    fake_openai.known_models = {"gpt-5"}
    with pytest.raises(AIError, match="does not know the model 'gpt-9'.*OPENAI_MODEL"):
        await check(openai_settings.model_copy(update={"model": "gpt-9"}))
    fake_openai.stop()
    with pytest.raises(AIUnavailable, match="unreachable.*OPENAI_BASE_URL"):
        await check(openai_settings)


async def test_check_offline_needs_no_network() -> None:
    assert "offline provider ready" in await check(AISettings(provider="offline"))


def test_a_key_is_required_for_the_real_api() -> None:
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        OpenAIProvider(AISettings(provider="openai"))


async def test_concurrency_is_bounded(openai_settings: AISettings, fake_openai: FakeOpenAI) -> None:
    fake_openai.delay = 0.3
    triager = build_triager(openai_settings.model_copy(update={"concurrency": 2}))
    started = time.perf_counter()
    try:
        items = await triager.triage_many([REQUEST] * 4, concurrency=10)
    finally:
        await triager.aclose()
    elapsed = time.perf_counter() - started
    assert all(item.triaged is not None for item in items)
    assert 0.55 <= elapsed < 2.0  # two rounds of two, not one round of four
