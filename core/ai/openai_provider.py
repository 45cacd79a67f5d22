"""Triage with the official ``openai`` client (the only module that imports it).

Structured outputs: the request carries TriageOutput's strict JSON schema (built once; it is
exactly what ``client.chat.completions.parse`` would send) and the answer is validated into
``TriageOutput`` with pydantic. ``chat.completions.create`` with the prebuilt schema costs
about 4 ms of client CPU per request against 7 ms for ``parse``, which rebuilds and
re-serialises the schema on every call; that matters at 32 requests in flight.
Any OpenAI-compatible endpoint works through ``base_url``. Unless the request says not to
(its mailbox's ``ai_redact`` is off), every text sent goes through ``core.ai.privacy`` first
and every text answered is restored from its placeholders, so card numbers, IBANs,
passwords, codes, keys, phone numbers and customer addresses never leave the desk; what this
module logs of a request is the redacted text. Errors are translated into
``core.errors``:

- 401/403 -> AIAuthError (no retry);
- 408/409/429/5xx, timeouts and connection errors -> retried with exponential backoff,
  honouring Retry-After; when retries run out (or Retry-After is longer than we are willing
  to wait) -> AIUnavailable;
- refusal, content filter, truncated or malformed JSON -> AIBadResponse;
- any other 4xx (unknown model, unsupported parameter) -> AIError.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

import openai
import pydantic
from openai import AsyncOpenAI
from openai.types.chat import ChatCompletionMessageParam
from openai.types.shared_params import ResponseFormatJSONSchema
from pydantic import BaseModel, ConfigDict, Field

from core.ai import prompts, templates
from core.ai.article_prompt import ModelArticle, article_messages
from core.ai.config import AISettings
from core.ai.privacy import Redactor
from core.ai.result import (
    Category,
    Flags,
    Triaged,
    TriageMeta,
    TriageRequest,
    TriageResult,
    Urgency,
)
from core.errors import AIAuthError, AIBadResponse, AIError, AIUnavailable, ConfigError

log = logging.getLogger(__name__)
_Output = TypeVar("_Output", bound=BaseModel)

RETRYABLE_STATUS = frozenset({408, 409, 429})
MAX_SUMMARY_CHARS = 600
PLACEHOLDER_NOTE = (
    "\n\nPersonal data in the email was replaced by placeholders such as [EMAIL_1], "
    "[PHONE_1] or [CARD_1]. Where your answer needs one of those values, write its "
    "placeholder exactly as given; never guess what it stands for."
)


class TriageOutput(BaseModel):
    """The JSON schema the model must answer with (strict structured output)."""

    model_config = ConfigDict(extra="forbid")

    category: Category
    urgency: Urgency
    summary: str
    fix_steps: list[str]
    draft_reply: str
    confidence: float
    escalation_reason: str | None
    citations: list[int] = Field(
        default_factory=list, description="ids of the numbered sources the draft used"
    )


def _strict_schema() -> dict[str, Any]:
    """TriageOutput's schema with every property required, as strict mode wants (an older
    answer without ``citations`` still validates: it defaults to none)."""
    schema = TriageOutput.model_json_schema()
    schema["required"] = list(schema["properties"])
    return schema


RESPONSE_FORMAT: ResponseFormatJSONSchema = {
    "type": "json_schema",
    "json_schema": {
        "name": TriageOutput.__name__,
        "strict": True,
        "schema": _strict_schema(),
    },
}


class ArticleOutput(BaseModel):
    """A knowledge-base article the model drafts from a resolved conversation (strict)."""

    model_config = ConfigDict(extra="forbid")

    title: str
    body: str


ARTICLE_RESPONSE_FORMAT: ResponseFormatJSONSchema = {
    "type": "json_schema",
    "json_schema": {
        "name": ArticleOutput.__name__,
        "strict": True,
        "schema": ArticleOutput.model_json_schema(),
    },
}


def _retry_after_seconds(exc: openai.APIStatusError) -> float | None:
    headers = exc.response.headers
    raw_ms = headers.get("retry-after-ms")
    if raw_ms:
        try:
            return max(0.0, float(raw_ms) / 1000)
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        parsed = email.utils.parsedate_tz(raw)
        if parsed is None:
            return None
        return max(0.0, email.utils.mktime_tz(parsed) - time.time())


def _error_message(exc: openai.APIError) -> str:
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"]).rstrip(". ")
    return exc.message.rstrip(". ")


def _is_retryable(exc: Exception) -> bool:
    if isinstance(exc, openai.APIConnectionError):  # includes APITimeoutError
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in RETRYABLE_STATUS or exc.status_code >= 500
    return False


def redacted(messages: list[dict[str, str]], redactor: Redactor) -> list[dict[str, str]]:
    """The messages with every content redacted by one redactor (one request's placeholders),
    and the system prompt told what the placeholders are when there are any."""
    out = [{**m, "content": redactor.redact(m["content"])} for m in messages]
    if redactor.mapping:
        for message in out:
            if message["role"] == "system":
                message["content"] += PLACEHOLDER_NOTE
                break
    return out


def restored(output: TriageOutput, redactor: Redactor) -> TriageOutput:
    """Every text field of the model's answer with the placeholders' originals back."""
    reason = output.escalation_reason
    return output.model_copy(
        update={
            "summary": redactor.restore(output.summary),
            "fix_steps": [redactor.restore(step) for step in output.fix_steps],
            "draft_reply": redactor.restore(output.draft_reply),
            "escalation_reason": redactor.restore(reason) if reason is not None else None,
        }
    )


class OpenAIProvider:
    """Implements ``core.ai.provider.TriageProvider`` against any OpenAI-compatible API."""

    name = "openai"

    def __init__(
        self,
        settings: AISettings,
        *,
        client: AsyncOpenAI | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if client is None:
            key = settings.api_key.get_secret_value() if settings.api_key else None
            if not key and not settings.base_url:
                raise ConfigError("the OpenAI provider needs an API key (OPENAI_API_KEY)")
            client = AsyncOpenAI(
                api_key=key or "not-needed",  # local servers (Ollama, vLLM) often take none
                base_url=settings.base_url,
                timeout=settings.timeout_seconds,
                max_retries=0,  # retries are ours: backoff, Retry-After, and a clear outcome
            )
        self._client = client
        self._settings = settings
        self._sleep = sleep
        self._semaphore = asyncio.Semaphore(settings.concurrency)
        self._rng = random.Random(0)

    @property
    def model(self) -> str:
        return self._settings.model

    async def aclose(self) -> None:
        await self._client.close()

    # --- triage --------------------------------------------------------------------------

    async def triage(self, request: TriageRequest) -> Triaged:
        started = time.perf_counter()
        prompt = prompts.build_prompt(
            request,
            token_budget=self._settings.token_budget,
            category_prompts=self._settings.category_prompts,
        )
        if prompt.context_note:
            log.info("triage prompt for ticket %s: %s", request.ticket_id, prompt.context_note)
        redactor = Redactor.keeping(request.desk_addresses) if request.redact else None
        messages = redacted(prompt.messages, redactor) if redactor else prompt.messages
        log.debug("triage request for ticket %s: %s", request.ticket_id, messages)
        async with self._semaphore:
            completion = await self._complete(messages)
        output = self._parsed_output(completion)
        if redactor is not None:
            output = restored(output, redactor)
        result = self._to_result(output, request)
        usage = completion.usage
        meta = TriageMeta(
            provider=self.name,
            model=completion.model or self._settings.model,
            prompt_version=prompts.PROMPT_VERSION,
            latency_ms=round((time.perf_counter() - started) * 1000),
            tokens_in=usage.prompt_tokens if usage else 0,
            tokens_out=usage.completion_tokens if usage else 0,
        )
        return Triaged(result=result, meta=meta)

    # --- knowledge-base articles ---------------------------------------------------------------

    async def draft_article(
        self,
        *,
        question: str,
        reply: str,
        language: str,
        redact: bool = True,
        keep: tuple[str, ...] = (),
    ) -> ModelArticle:
        """A title and Markdown body from one resolved conversation (``core.ai.article_prompt``;
        the caller scrubbed it). ``redact``: through ``core.ai.privacy`` as for triage, the
        desk's ``keep`` addresses aside, placeholders restored in the answer. Errors as for
        triage; an answer without a title or a body -> AIBadResponse."""
        messages = article_messages(question=question, reply=reply, language=language)
        redactor = Redactor.keeping(keep) if redact else None
        if redactor is not None:
            messages = redacted(messages, redactor)
        async with self._semaphore:
            completion = await self._complete(messages, response_format=ARTICLE_RESPONSE_FORMAT)
        output = self._parsed(completion, ArticleOutput, "article")
        title, body = output.title.strip(), output.body.strip()
        if redactor is not None:
            title, body = redactor.restore(title), redactor.restore(body)
        if not title or not body:
            raise AIBadResponse("the model returned an article without a title or a body")
        return ModelArticle(
            title=title,
            body=body,
            provider=self.name,
            model=completion.model or self._settings.model,
        )

    async def _complete(
        self,
        messages: list[dict[str, str]],
        *,
        response_format: ResponseFormatJSONSchema = RESPONSE_FORMAT,
    ) -> Any:
        attempt = 0
        while True:
            try:
                return await self._client.chat.completions.create(
                    model=self._settings.model,
                    # roles are "system" and "user" only (core.ai.prompts)
                    messages=cast(list[ChatCompletionMessageParam], messages),
                    response_format=response_format,
                )
            except (openai.AuthenticationError, openai.PermissionDeniedError) as exc:
                raise AIAuthError(
                    f"the AI provider refused the API key (HTTP {exc.status_code}): "
                    f"{_error_message(exc)}",
                    status=exc.status_code,
                ) from exc
            except openai.APIResponseValidationError as exc:
                raise AIBadResponse("the AI provider's response has an unexpected shape") from exc
            except openai.APIError as exc:
                if not _is_retryable(exc):
                    status = getattr(exc, "status_code", None)
                    raise AIError(
                        f"the AI provider rejected the request (HTTP {status}): {_error_message(exc)}",
                        status=status,
                    ) from exc
                delay = self._retry_delay(exc, attempt)
                status = getattr(exc, "status_code", None)
                if attempt >= self._settings.max_retries or delay is None:
                    reason = f"HTTP {status}" if status else type(exc).__name__
                    raise AIUnavailable(
                        f"the AI provider is unavailable ({reason}) after {attempt + 1} attempt(s)",
                        attempts=attempt + 1,
                        status=status,
                    ) from exc
                log.warning(
                    "AI request failed (%s), retry %d/%d in %.2fs",
                    status or type(exc).__name__,
                    attempt + 1,
                    self._settings.max_retries,
                    delay,
                )
                await self._sleep(delay)
                attempt += 1

    def _retry_delay(self, exc: openai.APIError, attempt: int) -> float | None:
        """Seconds to wait before the next attempt; None when the server wants too long."""
        cap = self._settings.max_backoff_seconds
        if isinstance(exc, openai.APIStatusError):
            after = _retry_after_seconds(exc)
            if after is not None:
                return None if after > cap else after
        base = self._settings.backoff_seconds * (2**attempt)
        return min(cap, base + self._rng.uniform(0, base / 4))

    @staticmethod
    def _parsed_output(completion: Any) -> TriageOutput:
        return OpenAIProvider._parsed(completion, TriageOutput, "triage")

    @staticmethod
    def _parsed(completion: Any, schema: type[_Output], what: str) -> _Output:
        if not completion.choices:
            raise AIBadResponse("the AI provider returned no choices")
        choice = completion.choices[0]
        message = choice.message
        if getattr(message, "refusal", None):
            raise AIBadResponse(f"the model refused: {message.refusal}", refusal=message.refusal)
        if choice.finish_reason == "length":
            raise AIBadResponse("the model's answer was cut off (length limit)")
        if choice.finish_reason == "content_filter":
            raise AIBadResponse("the model's answer was blocked by a content filter")
        if not message.content:
            raise AIBadResponse("the model returned no structured answer")
        try:
            return schema.model_validate_json(message.content)
        except pydantic.ValidationError as exc:
            raise AIBadResponse(
                f"the model's answer is not valid {what} JSON", detail=str(exc)[:500]
            ) from exc

    def _to_result(self, output: TriageOutput, request: TriageRequest) -> TriageResult:
        draft = output.draft_reply.strip()
        if not draft:
            raise AIBadResponse("the model returned an empty draft")
        signature = request.signature.strip()
        if signature and signature not in draft:
            draft = f"{draft}\n\n{signature}"
        steps = [s.strip() for s in output.fix_steps if s and s.strip()][:5]
        for extra in templates.fix_steps_for(output.category, email=request.sender_email):
            if len(steps) >= 3:
                break
            if extra not in steps:
                steps.append(extra)
        summary = " ".join(output.summary.split())[:MAX_SUMMARY_CHARS]
        reason = (output.escalation_reason or "").strip() or None
        return TriageResult(
            category=output.category,
            urgency=output.urgency,
            summary=summary or request.subject,
            fix_steps=steps,
            draft_reply=draft,
            confidence=min(1.0, max(0.0, float(output.confidence))),
            citations=list(output.citations),
            flags=Flags(
                escalation_required=reason is not None,
                escalation_reason=f"model: {reason}" if reason else None,
            ),
        )

    # --- connection check ------------------------------------------------------------------

    async def check(self) -> str:
        """One cheap request proving the endpoint is reachable, the key valid, the model there."""
        where = str(self._client.base_url).rstrip("/")
        try:
            await self._client.models.retrieve(self._settings.model)
        except (openai.AuthenticationError, openai.PermissionDeniedError) as exc:
            raise AIAuthError(
                f"{where} refused the API key (HTTP {exc.status_code}): {_error_message(exc)}. "
                "Check OPENAI_API_KEY.",
                status=exc.status_code,
            ) from exc
        except openai.NotFoundError as exc:
            raise AIError(
                f"{where} accepted the key but does not know the model "
                f"{self._settings.model!r} (HTTP 404). Check OPENAI_MODEL.",
                status=404,
            ) from exc
        except openai.APIConnectionError as exc:
            kind = "timed out" if isinstance(exc, openai.APITimeoutError) else "is unreachable"
            raise AIUnavailable(
                f"{where} {kind}: {exc.__cause__ or exc.message}. Check OPENAI_BASE_URL and the network."
            ) from exc
        except openai.APIStatusError as exc:
            raise AIUnavailable(
                f"{where} answered HTTP {exc.status_code}: {_error_message(exc)}",
                status=exc.status_code,
            ) from exc
        return f"OK: {where} reachable, API key accepted, model {self._settings.model!r} available"
