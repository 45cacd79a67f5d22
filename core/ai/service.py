"""The triager the engine calls: primary provider, offline fallback, guardrails, escalation.

    triager = build_triager(settings)
    triaged = await triager.triage(request)

- The primary provider's AIError (unavailable after retries, bad key, unusable answer) falls
  back to the offline provider with ``flags.fallback`` and ``flags.fallback_reason`` set, so
  the ticket can be re-triaged when the API is back.
- Every draft goes through ``core.ai.guardrails``; findings go to ``flags.safety_findings``.
- Escalation: a safety finding, confidence below the threshold, High urgency with
  confidence below the (higher) High-urgency threshold, the model's own reason, and the
  rules of ``core.ai.escalation`` on the request (asks for a human, legal, a refund above
  the limit, a second reopen, a VIP sender), whichever provider answered; every reason is
  kept, joined by "; ", and the rules that fired are named in ``flags.escalation_rules``.
- Calibration: when the answering provider's confidence has a fitted calibration
  (``core.ai.calibration``, read through the ``calibrations`` source passed in, which caches
  it), ``result.confidence`` is the calibrated value, the thresholds apply to it, and the
  provider's own value is kept in ``meta.raw_confidence``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from core.ai import escalation, guardrails
from core.ai.calibration import Calibration
from core.ai.config import AISettings
from core.ai.offline import OfflineProvider, get_model
from core.ai.provider import BatchAnswer, TriageProvider, triage_batch
from core.ai.result import Flags, Triaged, TriageRequest, TriageResult, Urgency
from core.errors import AIError


def low_confidence(result: TriageResult, settings: AISettings) -> str | None:
    """Why ``result`` escalates for its confidence (the provider's probability of the
    category it chose), or None: below ``confidence_threshold``, or High urgency below the
    (higher) ``high_urgency_confidence_threshold``."""
    threshold = settings.confidence_threshold
    high_threshold = max(threshold, settings.high_urgency_confidence_threshold)
    if result.confidence < threshold:
        return f"confidence {result.confidence:.2f} below threshold {threshold:.2f}"
    if result.urgency == Urgency.high and result.confidence < high_threshold:
        return (
            f"High urgency with low confidence {result.confidence:.2f} (needs {high_threshold:.2f})"
        )
    return None


@dataclass(frozen=True, slots=True)
class BatchItem:
    """One outcome of ``Triager.triage_many``: a result or the error, and the wall time."""

    triaged: Triaged | None
    error: AIError | None
    seconds: float


class CalibrationSource(Protocol):
    """The calibrations in use, by provider name (a cache: see core.tickets.calibration)."""

    async def current(self) -> Mapping[str, Calibration]: ...


class Triager:
    def __init__(
        self,
        primary: TriageProvider,
        *,
        settings: AISettings,
        fallback: TriageProvider | None = None,
        calibrations: CalibrationSource | None = None,
    ) -> None:
        self.primary = primary
        self.fallback = fallback
        self.settings = settings
        self.calibrations = calibrations
        self.name = primary.name  # a Triager is itself a TriageProvider

    def prepare(self, request: TriageRequest) -> TriageRequest:
        """Fill branding and prompt overrides from settings where the request left defaults."""
        updates: dict[str, object] = {}
        if "company_name" not in request.model_fields_set:
            updates["company_name"] = self.settings.company_name
        if "signature" not in request.model_fields_set:
            updates["signature"] = self.settings.signature
        if self.settings.category_prompts:
            updates["category_prompts"] = {
                **self.settings.category_prompts,
                **request.category_prompts,
            }
        if self.settings.reply_templates:
            updates["reply_templates"] = {
                **self.settings.reply_templates,
                **request.reply_templates,
            }
        return request.model_copy(update=updates) if updates else request

    async def triage(self, request: TriageRequest) -> Triaged:
        started = time.perf_counter()
        request = self.prepare(request)
        fallback_reason: str | None = None
        try:
            triaged = await self.primary.triage(request)
        except AIError as exc:
            if self.fallback is None:
                raise
            fallback_reason = f"{self.primary.name}: {exc}"
            triaged = await self.fallback.triage(request)
        known = await self.calibrations.current() if self.calibrations is not None else {}
        triaged = self.review(
            triaged,
            request=request,
            fallback_reason=fallback_reason,
            offered=[s.id for s in request.sources],
            calibration=known.get(triaged.meta.provider),
        )
        meta = triaged.meta.model_copy(
            update={"latency_ms": round((time.perf_counter() - started) * 1000)}
        )
        return triaged.model_copy(update={"meta": meta})

    async def triage_batch(
        self, requests: Sequence[TriageRequest], *, concurrency: int | None = None
    ) -> list[BatchAnswer]:
        """``triage`` for a batch: the primary's batch path (the offline provider classifies
        the batch in one call; others go one by one, at most ``concurrency`` at once,
        default ``settings.concurrency``), the fallback's batch for the requests the
        primary failed, and the review of each answer; the calibrations are read once.
        Answers in order, the AIError of a request that neither provider could triage in
        its place."""
        if not requests:
            return []
        width = concurrency or self.settings.concurrency
        prepared = [self.prepare(r) for r in requests]
        answers = await triage_batch(self.primary, prepared, concurrency=width)
        reasons: dict[int, str] = {}
        failed = [i for i, a in enumerate(answers) if isinstance(a, AIError)]
        if failed and self.fallback is not None:
            again = await triage_batch(
                self.fallback, [prepared[i] for i in failed], concurrency=width
            )
            for i, answer in zip(failed, again, strict=True):
                reasons[i] = f"{self.primary.name}: {answers[i]}"
                answers[i] = answer
        known = await self.calibrations.current() if self.calibrations is not None else {}
        out: list[BatchAnswer] = []
        for i, (request, answer) in enumerate(zip(prepared, answers, strict=True)):
            if isinstance(answer, AIError):
                out.append(answer)
                continue
            # latency: the provider's own (a batched one charges each its share)
            out.append(
                self.review(
                    answer,
                    request=request,
                    fallback_reason=reasons.get(i),
                    offered=[s.id for s in request.sources],
                    calibration=known.get(answer.meta.provider),
                )
            )
        return out

    def review(
        self,
        triaged: Triaged,
        *,
        request: TriageRequest | None = None,
        fallback_reason: str | None = None,
        offered: Collection[int] = (),
        calibration: Calibration | None = None,
    ) -> Triaged:
        """Apply guardrails and escalation rules to a provider's answer (the rules on the
        mail, ``core.ai.escalation``, when the ``request`` it answered is given); keep only
        the citations of sources that were ``offered`` (each once, in the provider's order).
        With a ``calibration``, the confidence is calibrated first and the thresholds apply
        to the calibrated value (the raw one goes to ``meta.raw_confidence``)."""
        if calibration is not None and triaged.meta.raw_confidence is None:
            raw = triaged.result.confidence
            calibrated = round(min(1.0, max(0.0, calibration.apply(raw))), 4)
            triaged = triaged.model_copy(
                update={
                    "result": triaged.result.model_copy(update={"confidence": calibrated}),
                    "meta": triaged.meta.model_copy(update={"raw_confidence": raw}),
                }
            )
        result = triaged.result
        allowed = set(offered)
        citations = [c for c in dict.fromkeys(result.citations) if c in allowed]
        findings = [str(f) for f in guardrails.check_draft(result.draft_reply)]
        reasons: list[str] = []
        if result.flags.escalation_reason:
            reasons.append(result.flags.escalation_reason)
        elif result.flags.escalation_required:
            reasons.append("flagged by the provider")
        if findings:
            reasons.append("draft failed safety checks: " + "; ".join(findings))
        unsure = low_confidence(result, self.settings)
        if unsure:
            reasons.append(unsure)
        # with a knowledge base, a how-to question it found nothing for escalates
        fired = (
            escalation.evaluate(
                request,
                self.settings.escalation_policy(),
                kb_sources=request.sources if request.knowledge_base else None,
            )
            if request is not None
            else []
        )
        reasons += [e.reason for e in fired]
        flags = Flags(
            escalation_required=bool(reasons),
            escalation_reason="; ".join(reasons) or None,
            safety_findings=[*result.flags.safety_findings, *findings],
            fallback=result.flags.fallback or fallback_reason is not None,
            fallback_reason=fallback_reason or result.flags.fallback_reason,
            escalation_rules=[e.rule for e in fired],
        )
        reviewed = result.model_copy(update={"flags": flags, "citations": citations})
        return triaged.model_copy(update={"result": reviewed})

    async def triage_many(
        self,
        requests: Sequence[TriageRequest],
        *,
        concurrency: int,
        on_done: Callable[[int], None] | None = None,
    ) -> list[BatchItem]:
        """Triage all ``requests`` with at most ``concurrency`` in flight; results in order.

        An AIError for one request is returned in its BatchItem instead of aborting the batch.
        ``on_done`` is called with the number finished so far (for progress bars).
        """
        semaphore = asyncio.Semaphore(max(1, concurrency))
        done = 0

        async def one(request: TriageRequest) -> BatchItem:
            nonlocal done
            async with semaphore:
                started = time.perf_counter()
                try:
                    item = BatchItem(
                        await self.triage(request), None, time.perf_counter() - started
                    )
                except AIError as exc:
                    item = BatchItem(None, exc, time.perf_counter() - started)
            done += 1
            if on_done is not None:
                on_done(done)
            return item

        return list(await asyncio.gather(*(one(r) for r in requests)))

    async def warm_up(self) -> None:
        """Load what the providers load lazily (the offline model) before timing anything."""
        for provider in (self.primary, self.fallback):
            warm = getattr(provider, "warm_up", None)
            if warm is not None:
                await warm()

    async def aclose(self) -> None:
        for provider in (self.primary, self.fallback):
            close = getattr(provider, "aclose", None)
            if close is not None:
                await close()


def build_triager(
    settings: AISettings, *, calibrations: CalibrationSource | None = None
) -> Triager:
    """The triager for ``settings``: offline alone, or OpenAI with the offline fallback."""
    if settings.provider == "offline":
        return Triager(OfflineProvider(), settings=settings, calibrations=calibrations)
    from core.ai.openai_provider import OpenAIProvider

    fallback = OfflineProvider() if settings.fallback_to_offline else None
    return Triager(
        OpenAIProvider(settings), settings=settings, fallback=fallback, calibrations=calibrations
    )


async def check(settings: AISettings) -> str:
    """A one-line status for ``desk ai test``; raises AIError/ConfigError with a clear message."""
    if settings.provider == "offline":
        model = await asyncio.to_thread(get_model)
        return (
            f"OK: offline provider ready (classifier trained on {model.n_examples} examples "
            f"in {model.training_seconds:.2f}s, no network needed)"
        )
    from core.ai.openai_provider import OpenAIProvider

    provider = OpenAIProvider(settings)
    try:
        return await provider.check()
    finally:
        await provider.aclose()
