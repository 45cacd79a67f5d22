"""Triager rules: escalation, guardrails, fallback, branding, batches."""

from __future__ import annotations

import pytest

from core.ai.config import AISettings
from core.ai.result import (
    Category,
    Flags,
    Triaged,
    TriageMeta,
    TriageRequest,
    TriageResult,
    Urgency,
)
from core.ai.service import Triager
from core.errors import AIUnavailable

SAFE_DRAFT = "Hi Ann,\n\nThanks for writing. Our team will look into it.\n\nBest regards,\nAcme"


class ScriptedProvider:
    """A provider returning a fixed result (unit-testing the rules, no I/O involved)."""

    name = "scripted"

    def __init__(
        self,
        *,
        confidence: float = 0.9,
        urgency: Urgency = Urgency.medium,
        draft: str = SAFE_DRAFT,
        fail: Exception | None = None,
        flags: Flags | None = None,
    ) -> None:
        self.confidence, self.urgency, self.draft, self.fail = confidence, urgency, draft, fail
        self.flags = flags or Flags()
        self.seen: list[TriageRequest] = []

    async def triage(self, request: TriageRequest) -> Triaged:
        self.seen.append(request)
        if self.fail is not None:
            raise self.fail
        result = TriageResult(
            category=Category.technical,
            urgency=self.urgency,
            summary=request.subject,
            fix_steps=["a", "b", "c"],
            draft_reply=self.draft,
            confidence=self.confidence,
            flags=self.flags,
        )
        return Triaged(
            result=result, meta=TriageMeta(provider=self.name, model="m", prompt_version="p")
        )


def _request(subject: str = "Help") -> TriageRequest:
    return TriageRequest(subject=subject, text="text", sender_email="ann@example.com")


SETTINGS = AISettings(
    confidence_threshold=0.55,
    high_urgency_confidence_threshold=0.7,
    company_name="Acme",
    signature="Jo",
    category_prompts={"Billing": "be nice"},
)


@pytest.mark.parametrize(
    ("confidence", "urgency", "escalate", "reason"),
    [
        (0.9, Urgency.medium, False, None),
        (0.54, Urgency.low, True, "confidence 0.54 below threshold 0.55"),
        (0.55, Urgency.medium, False, None),
        (0.6, Urgency.high, True, "High urgency with low confidence 0.60"),
        (0.7, Urgency.high, False, None),
        (0.3, Urgency.high, True, "confidence 0.30 below threshold 0.55"),
    ],
)
async def test_confidence_rules(
    confidence: float, urgency: Urgency, escalate: bool, reason: str | None
) -> None:
    triaged = await Triager(
        ScriptedProvider(confidence=confidence, urgency=urgency), settings=SETTINGS
    ).triage(_request())
    flags = triaged.result.flags
    assert flags.escalation_required is escalate
    if reason is None:
        assert flags.escalation_reason is None
    else:
        assert reason in (flags.escalation_reason or "")


async def test_safety_finding_escalates_even_with_high_confidence() -> None:
    provider = ScriptedProvider(confidence=0.99, draft="Please reply with your password.")
    flags = (await Triager(provider, settings=SETTINGS).triage(_request())).result.flags
    assert flags.escalation_required
    assert flags.safety_findings and flags.safety_findings[0].startswith("asks_for_secret")
    assert (flags.escalation_reason or "").startswith("draft failed safety checks")


async def test_provider_escalation_is_kept_first() -> None:
    provider = ScriptedProvider(
        confidence=0.4,
        flags=Flags(escalation_required=True, escalation_reason="model: legal threat"),
    )
    flags = (await Triager(provider, settings=SETTINGS).triage(_request())).result.flags
    assert flags.escalation_reason is not None
    assert flags.escalation_reason.startswith("model: legal threat; confidence 0.40")


async def test_fallback_on_provider_error() -> None:
    primary = ScriptedProvider(fail=AIUnavailable("down after 4 attempts"))
    fallback = ScriptedProvider(confidence=0.8)
    triaged = await Triager(primary, settings=SETTINGS, fallback=fallback).triage(_request())
    assert triaged.meta.provider == "scripted"
    assert triaged.result.flags.fallback is True
    assert triaged.result.flags.fallback_reason == "scripted: down after 4 attempts"
    assert len(primary.seen) == len(fallback.seen) == 1


async def test_without_fallback_the_error_propagates() -> None:
    with pytest.raises(AIUnavailable):
        await Triager(ScriptedProvider(fail=AIUnavailable("down")), settings=SETTINGS).triage(
            _request()
        )


async def test_branding_comes_from_settings_unless_the_request_sets_it() -> None:
    provider = ScriptedProvider()
    triager = Triager(provider, settings=SETTINGS)
    await triager.triage(_request())
    await triager.triage(
        TriageRequest(
            subject="s",
            text="t",
            sender_email="a@b.c",
            company_name="Other Co",
            signature="",
            category_prompts={"Billing": "override"},
        )
    )
    first, second = provider.seen
    assert (first.company_name, first.signature, first.category_prompts) == (
        "Acme",
        "Jo",
        {"Billing": "be nice"},
    )
    assert (second.company_name, second.signature, second.category_prompts) == (
        "Other Co",
        "",
        {"Billing": "override"},
    )


async def test_triage_many_keeps_order_and_reports_errors() -> None:
    class Flaky(ScriptedProvider):
        async def triage(self, request: TriageRequest) -> Triaged:
            if request.subject == "bad":
                raise AIUnavailable("nope")
            return await super().triage(request)

    seen: list[int] = []
    items = await Triager(Flaky(), settings=SETTINGS).triage_many(
        [_request("a"), _request("bad"), _request("c")], concurrency=2, on_done=seen.append
    )
    assert [i.triaged.result.summary if i.triaged else None for i in items] == ["a", None, "c"]
    assert isinstance(items[1].error, AIUnavailable)
    assert sorted(seen) == [1, 2, 3]
    assert all(i.seconds >= 0 for i in items)
