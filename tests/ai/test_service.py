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


async def test_a_batch_without_a_batch_path_runs_per_request_at_the_concurrency() -> None:
    import asyncio

    class Slow(ScriptedProvider):
        in_flight = peak = 0

        async def triage(self, request: TriageRequest) -> Triaged:
            Slow.in_flight += 1
            Slow.peak = max(Slow.peak, Slow.in_flight)
            try:
                await asyncio.sleep(0.01)
                if request.subject == "bad":
                    raise AIUnavailable("nope")
                return await super().triage(request)
            finally:
                Slow.in_flight -= 1

    subjects = ["a", "bad", "c", "d", "e", "f"]
    answers = await Triager(Slow(), settings=SETTINGS).triage_batch(
        [_request(s) for s in subjects], concurrency=3
    )
    assert Slow.peak == 3
    assert [a.result.summary if isinstance(a, Triaged) else "error" for a in answers] == [
        "a",
        "error",
        "c",
        "d",
        "e",
        "f",
    ]
    assert isinstance(answers[1], AIUnavailable)
    # reviewed as one at a time is: branding and escalation rules applied
    assert all(
        isinstance(a, Triaged) and a.result.flags.escalation_required is False
        for a in answers
        if a is not answers[1]
    )


async def test_a_batch_falls_back_per_request_and_says_why() -> None:
    class Half(ScriptedProvider):
        async def triage(self, request: TriageRequest) -> Triaged:
            if request.subject.startswith("x"):
                raise AIUnavailable("down")
            return await super().triage(request)

    fallback = ScriptedProvider(confidence=0.3)
    fallback.name = "offline"
    answers = await Triager(Half(), settings=SETTINGS, fallback=fallback).triage_batch(
        [_request("a"), _request("x1"), _request("b")]
    )
    assert [s.subject for s in fallback.seen] == ["x1"]
    flags = [a.result.flags for a in answers if isinstance(a, Triaged)]
    assert [f.fallback for f in flags] == [False, True, False]
    assert flags[1].fallback_reason == "scripted: down" and flags[1].escalation_required
    assert fallback.seen[0].company_name == "Acme"  # prepared once, for either provider


async def test_a_batch_path_that_fails_whole_fails_each_request_and_falls_back() -> None:
    class Down(ScriptedProvider):
        async def triage_batch(self, requests: list[TriageRequest]) -> list[Triaged]:
            raise AIUnavailable("all down")

    answers = await Triager(Down(), settings=SETTINGS, fallback=ScriptedProvider()).triage_batch(
        [_request("a"), _request("b")]
    )
    assert [a.result.flags.fallback_reason for a in answers if isinstance(a, Triaged)] == [
        "scripted: all down",
        "scripted: all down",
    ]
