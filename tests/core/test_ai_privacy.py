"""Privacy toward an external model, end to end: a mail full of personal data is ingested and
triaged through the real AsyncOpenAI client against the loopback OpenAI server. What the
server received holds none of the originals (the desk's own address is kept); the model's
placeholders come back as the originals in the stored draft; the request log is redacted;
a mailbox switched off sends the originals."""

from __future__ import annotations

import json
import logging
import re

import pytest

from core.ai.config import AISettings
from core.ai.service import build_triager
from core.audit import Actor
from core.tickets.triage import TriageService
from server.wiring import Desk
from tests.core.flows import draft_row, drafted_ticket, smtp_mailbox
from tests.support.desk import SUPPORT
from tests.support.fake_openai import (
    FakeOpenAI,
    RecordedRequest,
    Reply,
    completion_body,
    triage_content,
)

PERSONAL = {
    "card": "4111 1111 1111 1111",
    "iban": "DE89 3704 0044 0532 0130 00",
    "password": "Sommer2024!",
    "code": "482913",
    "key": "sk-proj-abcDEF1234567890abcdEFGH",
    "phone": "+49 171 1234567",
    "email": "jane.doe@example.com",
    "other_email": "accounts@payroll.example",
}
BODY = (
    "Hello, invoice INV-2291 of 2024-06-01 charged 49.99 EUR twice to my card "
    f"{PERSONAL['card']}. Please refund to IBAN {PERSONAL['iban']}. My Passwort: "
    f"{PERSONAL['password']} and the code is {PERSONAL['code']}; our API key "
    f"{PERSONAL['key']} also stopped working. Call me at {PERSONAL['phone']} or write to "
    f"{PERSONAL['other_email']}. I already wrote to {SUPPORT} yesterday."
)
PLACEHOLDER = re.compile(r"\[[A-Z_]+_\d+\]")


def echoing(request: RecordedRequest) -> Reply:
    """A model that uses every placeholder it was given in each text field of its answer."""
    used = " ".join(dict.fromkeys(PLACEHOLDER.findall(request.user_content)))
    content = triage_content(
        category="Billing",
        summary=f"Double charge; the customer gave {used}.",
        fix_steps=[f"Check {used}.", "Refund the second charge.", "Confirm by mail."],
        draft_reply=f"Hello,\n\nWe will look at the charge on {used}.\n\nAcme Support",
        escalation_reason=None,
    )
    return Reply(body=completion_body(content))


@pytest.fixture()
def api() -> FakeOpenAI:
    with FakeOpenAI(api_key="k", responder=echoing) as server:
        yield server


async def _triage_with(desk: Desk, api: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    ai = AISettings(
        provider="openai", api_key="k", base_url=api.base_url, timeout_seconds=3, max_retries=0
    )
    triage = TriageService(desk.sessions, provider=build_triager(ai))

    async def service() -> TriageService:
        return triage

    monkeypatch.setattr(desk, "triage_service", service)


async def test_personal_data_never_reaches_the_model_and_comes_back_in_the_draft(
    desk: Desk, api: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    mailbox = await smtp_mailbox(desk)
    await _triage_with(desk, api, monkeypatch)
    caplog.set_level(logging.DEBUG)
    _, draft_id = await drafted_ticket(
        desk,
        mailbox,
        sender=f"Jane Doe <{PERSONAL['email']}>",
        subject=f"Refund to {PERSONAL['iban']} please",
        body=BODY,
    )

    [request] = [r for r in api.requests if r.path.endswith("/chat/completions")]
    sent = json.dumps(request.body, ensure_ascii=False)
    for kind, value in PERSONAL.items():
        assert value not in sent, kind
    assert SUPPORT in sent  # the desk's own address is not personal data
    for kept in ("INV-2291", "2024-06-01", "49.99 EUR"):
        assert kept in sent
    for placeholder in ("[CARD_1]", "[IBAN_1]", "[PASSWORD_1]", "[CODE_1]", "[API_KEY_1]",
                        "[PHONE_1]", "[EMAIL_1]", "[EMAIL_2]"):  # fmt: skip
        assert placeholder in request.user_content, placeholder
    assert request.user_content.count("[IBAN_1]") == 2  # subject and body: one placeholder

    draft = await draft_row(desk, draft_id)
    assert draft.provider == "openai"
    for text in (draft.body, draft.summary, *draft.fix_steps[:1]):
        assert not PLACEHOLDER.search(text), text
        for kind in ("card", "iban", "password", "code", "key", "phone"):
            assert PERSONAL[kind] in text, (kind, text)
    assert PERSONAL["email"] in draft.body and PERSONAL["other_email"] in draft.body

    # the request log (the provider's, the OpenAI client's and its HTTP library's) shows
    # what was sent, and that is the redacted text
    logged = "\n".join(
        r.getMessage()
        for r in caplog.records
        if r.name.split(".")[0] in {"openai", "httpx", "httpcore"} or r.name.startswith("core.ai")
    )
    assert "[CARD_1]" in logged
    for kind, value in PERSONAL.items():
        assert value not in logged, kind


async def test_a_mailbox_switched_off_sends_the_originals(
    desk: Desk, api: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    mailbox = await smtp_mailbox(desk)
    assert await desk.mailboxes.set_ai_redact(mailbox.name, False, actor=Actor.worker())
    await _triage_with(desk, api, monkeypatch)
    _, draft_id = await drafted_ticket(
        desk, mailbox, sender=f"Jane Doe <{PERSONAL['email']}>", subject="Refund", body=BODY
    )
    [request] = [r for r in api.requests if r.path.endswith("/chat/completions")]
    sent = json.dumps(request.body, ensure_ascii=False)
    for kind, value in PERSONAL.items():
        assert value in sent, kind
    assert not PLACEHOLDER.search(sent)
    assert "placeholders" not in request.system_content
    assert (await draft_row(desk, draft_id)).provider == "openai"
