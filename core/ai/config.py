"""AI settings: which provider, how to reach it, and how triage escalates.

Built from the ``ai`` and ``brand`` sections of ``core.config.Settings`` (read once at the
entry point) with what admins saved in the app on top (``with_stored``), and passed down;
nothing here reads globals after construction.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal

from pydantic import BaseModel, Field, SecretStr
from pydantic import ValidationError as PydanticValidationError

from core.ai import escalation
from core.config import AIEnvSettings, BrandSettings, ProviderName
from core.errors import ConfigError, DeskError

__all__ = [
    "AISettings",
    "ProviderName",
    "from_sections",
    "settings_from_env",
    "stored_vip",
    "with_stored",
]


class AISettings(BaseModel):
    provider: ProviderName = "offline"
    api_key: SecretStr | None = None
    model: str = "gpt-5"
    base_url: str | None = None  # any OpenAI-compatible endpoint (Azure, Ollama, vLLM...)
    timeout_seconds: float = Field(default=60.0, gt=0)
    concurrency: int = Field(default=8, ge=1, le=1024)
    max_retries: int = Field(default=3, ge=0, le=20)
    backoff_seconds: float = Field(default=0.5, ge=0)  # first retry delay, doubled each time
    max_backoff_seconds: float = Field(default=30.0, ge=0)  # cap, Retry-After included
    confidence_threshold: float = Field(default=0.55, ge=0.0, le=1.0)
    # "High urgency with low confidence": High tickets need more certainty than the rest.
    high_urgency_confidence_threshold: float = Field(default=0.7, ge=0.0, le=1.0)
    category_prompts: dict[str, str] = Field(default_factory=dict)
    # category (or "*") -> template text the offline provider drafts from (in-app templates)
    reply_templates: dict[str, str] = Field(default_factory=dict)
    company_name: str = "Example Support"
    signature: str = ""
    token_budget: int = Field(default=6000, ge=500)  # prompt tokens for email + thread
    fallback_to_offline: bool = True
    # escalation rules (core.ai.escalation): a refund asked for above this amount, in any
    # currency, and the senders (addresses, domains) who always get a senior person
    refund_limit: Decimal = Field(default=escalation.DEFAULT_REFUND_LIMIT, ge=0)
    vip_senders: list[str] = Field(default_factory=list)

    def escalation_policy(self) -> escalation.EscalationPolicy:
        return escalation.EscalationPolicy(
            refund_limit=self.refund_limit, vip=tuple(self.vip_senders)
        )


def from_sections(ai: AIEnvSettings, brand: BrandSettings) -> AISettings:
    """The environment's AI settings: the ``ai`` section, signed with the ``brand``."""
    return AISettings(
        provider=ai.provider_name,
        api_key=ai.api_key,
        model=ai.model,
        base_url=ai.base_url,
        timeout_seconds=ai.timeout_seconds,
        concurrency=ai.concurrency,
        max_retries=ai.max_retries,
        confidence_threshold=ai.confidence_threshold,
        company_name=brand.company_name,
        signature=brand.signature,
    )


def settings_from_env(env: Mapping[str, str] | None = None) -> AISettings:
    """AI settings from the environment and ``.env`` alone, for callers that have no
    ``Settings`` at hand; with ``env``, from those variables only (no ``.env``).

    OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_MODEL, DESK_AI_PROVIDER (offline|openai; default
    openai when a key is set, else offline), DESK_COMPANY_NAME, DESK_SIGNATURE,
    DESK_AI_TIMEOUT, DESK_AI_CONCURRENCY, DESK_AI_MAX_RETRIES, DESK_AI_CONFIDENCE_THRESHOLD.
    """
    try:
        if env is None:
            ai, brand = AIEnvSettings(), BrandSettings()
        else:
            given = {k: v for k, v in env.items() if v.strip()}  # blank counts as unset
            ai, brand = AIEnvSettings.model_validate(given), BrandSettings.model_validate(given)
    except PydanticValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"invalid AI settings in the environment: {problems}") from exc
    return from_sections(ai, brand)


STORED_KEYS = ("provider", "model", "base_url", "api_key", "confidence_threshold")


def with_stored(
    base: AISettings, stored: dict[str, str], *, company_name: str | None = None
) -> AISettings:
    """``base`` (the environment's, ``from_sections``) with what admins saved in the app on
    top: the ``ai.*`` keys, ``ai.category_prompts`` (JSON), ``company_name``, ``signature``,
    and the escalation rules' ``escalation.refund_limit`` and ``escalation.vip`` (a JSON
    list of addresses and domains)."""
    overrides: dict[str, object] = {
        key: stored[f"ai.{key}"] for key in STORED_KEYS if stored.get(f"ai.{key}")
    }
    if stored.get("company_name") or company_name:
        overrides["company_name"] = stored.get("company_name") or company_name
    if stored.get("signature"):
        overrides["signature"] = stored["signature"]
    if stored.get("ai.category_prompts"):  # {"Billing": "extra instructions", ...}
        try:
            overrides["category_prompts"] = json.loads(stored["ai.category_prompts"])
        except ValueError as exc:
            raise ConfigError(f"setting ai.category_prompts is not JSON: {exc}") from exc
    overrides.update(_stored_escalation(stored))
    try:
        return AISettings.model_validate({**base.model_dump(), **overrides})
    except PydanticValidationError as exc:
        raise ConfigError(f"AI settings are not valid: {exc}") from exc


def stored_vip(stored: Mapping[str, str]) -> list[str]:
    """The VIP list as saved (``escalation.vip``, a JSON list), each entry checked."""
    raw = stored.get(escalation.VIP_KEY)
    if not raw:
        return []
    try:
        entries = json.loads(raw)
        if not isinstance(entries, list):
            raise ValueError("not a list")
        return [escalation.vip_entry(str(e)) for e in entries]
    except (ValueError, DeskError) as exc:
        raise ConfigError(
            f"setting {escalation.VIP_KEY} is not a list of addresses: {exc}"
        ) from exc


def _stored_escalation(stored: Mapping[str, str]) -> dict[str, object]:
    out: dict[str, object] = {}
    if stored.get(escalation.REFUND_LIMIT_KEY):
        try:
            out["refund_limit"] = escalation.parse_limit(stored[escalation.REFUND_LIMIT_KEY])
        except DeskError as exc:
            raise ConfigError(f"setting {escalation.REFUND_LIMIT_KEY}: {exc}") from exc
    if stored.get(escalation.VIP_KEY):
        out["vip_senders"] = stored_vip(stored)
    return out
