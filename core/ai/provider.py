"""The protocol the engine calls. Implementations: core.ai.offline, core.ai.openai_provider.

A provider triages one email (``triage``) and may triage a batch at once
(``triage_batch``: the offline provider classifies the whole batch in one model call).
``triage_each`` is the batch path for a provider without one: each request on its own, at
most ``concurrency`` in flight (the OpenAI provider keeps its concurrency). A batch answers
in order, one ``Triaged`` or the ``AIError`` of that request per request: one failing
mail does not fail the others.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Protocol

from core.ai.result import Triaged, TriageRequest
from core.errors import AIError

BatchAnswer = Triaged | AIError


class TriageProvider(Protocol):
    name: str

    async def triage(self, request: TriageRequest) -> Triaged:
        """Triage one email. Raises core.errors.AIError subclasses on failure."""
        ...


class BatchProvider(TriageProvider, Protocol):
    async def triage_batch(self, requests: Sequence[TriageRequest]) -> list[BatchAnswer]:
        """Triage ``requests`` together; answers in order, an AIError per failed one."""
        ...


async def triage_each(
    provider: TriageProvider, requests: Sequence[TriageRequest], *, concurrency: int = 8
) -> list[BatchAnswer]:
    """``requests`` one by one through ``provider.triage``, at most ``concurrency`` at once."""
    semaphore = asyncio.Semaphore(max(1, concurrency))

    async def one(request: TriageRequest) -> BatchAnswer:
        async with semaphore:
            try:
                return await provider.triage(request)
            except AIError as exc:
                return exc

    return list(await asyncio.gather(*(one(r) for r in requests)))


async def triage_batch(
    provider: TriageProvider, requests: Sequence[TriageRequest], *, concurrency: int = 8
) -> list[BatchAnswer]:
    """The provider's own batch path when it has one, else ``triage_each``."""
    if not requests:
        return []
    batch = getattr(provider, "triage_batch", None)
    if batch is not None:
        try:
            answers: list[BatchAnswer] = await batch(requests)
        except AIError as exc:  # the whole batch failed: each request did
            return [exc] * len(requests)
        return answers
    return await triage_each(provider, requests, concurrency=concurrency)
