"""The protocol the engine calls. Implementations: core.ai.offline, core.ai.openai_provider."""

from __future__ import annotations

from typing import Protocol

from core.ai.result import Triaged, TriageRequest


class TriageProvider(Protocol):
    name: str

    async def triage(self, request: TriageRequest) -> Triaged:
        """Triage one email. Raises core.errors.AIError subclasses on failure."""
        ...
