"""An OpenAI outage: drafts fall back to the offline provider, and are re-triaged when the
API answers again. Real AsyncOpenAI client against a loopback OpenAI-compatible server."""

from __future__ import annotations

import pytest

from core.ai.config import AISettings
from core.ai.service import build_triager
from core.errors import InvalidTransition
from core.tickets.triage import TriageService
from server.wiring import Desk
from tests.core.flows import agent, draft_row, drafted_ticket, smtp_mailbox
from tests.support.fake_openai import FakeOpenAI, Reply, error_body


@pytest.fixture()
def api() -> FakeOpenAI:
    with FakeOpenAI(api_key="k") as server:
        yield server


def service(desk: Desk, api: FakeOpenAI) -> TriageService:
    ai = AISettings(
        provider="openai",
        api_key="k",
        base_url=api.base_url,
        timeout_seconds=3,
        max_retries=1,
        backoff_seconds=0.01,
        max_backoff_seconds=0.05,
    )
    return TriageService(desk.sessions, provider=build_triager(ai))


async def test_outage_falls_back_then_retriages(desk: Desk, api: FakeOpenAI, monkeypatch) -> None:
    mailbox = await smtp_mailbox(desk)
    triage = service(desk, api)
    monkeypatch.setattr(desk, "triage_service", lambda: _async(triage))
    down = Reply(status=503, body=error_body("overloaded", type_="server_error"))
    api.enqueue(*[down] * 10)
    _, draft_id = await drafted_ticket(desk, mailbox, body="The reports page crashes the app.")
    first = await draft_row(desk, draft_id)
    assert first.flags["fallback"] and first.provider == "offline" and first.version == 1

    api._script.clear()  # the API is back
    assert await triage.retriage_fallbacks() == 1
    again = await draft_row(desk, draft_id)
    assert again.provider != "offline" and not again.flags.get("fallback")
    assert again.version == 2 and again.category == "Technical"
    # an approver who looked at the fallback text must look again
    with pytest.raises(InvalidTransition, match="edited"):
        await desk.drafts.approve(draft_id, await agent(desk, "ann@team.test"), version=1)


async def test_edited_fallback_draft_is_left_alone(
    desk: Desk, api: FakeOpenAI, monkeypatch
) -> None:
    mailbox = await smtp_mailbox(desk)
    triage = service(desk, api)
    monkeypatch.setattr(desk, "triage_service", lambda: _async(triage))
    api.enqueue(*[Reply(status=500, body=error_body("boom", type_="server_error"))] * 10)
    _, draft_id = await drafted_ticket(desk, mailbox)
    await desk.drafts.edit(draft_id, await agent(desk, "ann@team.test"), body="My own words.")
    api._script.clear()
    assert await triage.retriage_fallbacks() == 0
    assert (await draft_row(desk, draft_id)).body == "My own words."


async def _async(value):  # type: ignore[no-untyped-def]
    return value


async def test_category_prompts_saved_in_the_app_reach_the_provider(desk: Desk) -> None:
    import json

    from server.wiring import ai_settings

    await desk.store.set(
        "ai.category_prompts", json.dumps({"Billing": "Mention the refund policy."})
    )
    await desk.store.set("ai.confidence_threshold", "0.8")
    ai = ai_settings(desk.settings, await desk.store.all())
    assert ai.category_prompts == {"Billing": "Mention the refund policy."}
    assert ai.confidence_threshold == 0.8
    await desk.store.set("ai.category_prompts", "{not json")
    from core.errors import ConfigError

    with pytest.raises(ConfigError, match="category_prompts"):
        ai_settings(desk.settings, await desk.store.all())
