"""Attachments reach the triage providers (issue 13): each file's name, and an excerpt of a
text-like one read from the attachment store. The offline draft names the log and the
error it shows; the OpenAI prompt lists them inside the email's markers, redacted like the
rest of the mail. Both databases."""

from __future__ import annotations

import json

import pytest

from core.ai.config import AISettings
from core.ai.service import build_triager
from core.tickets.triage import TriageService
from server.wiring import Desk
from tests.core.flows import draft_row, drafted_ticket, smtp_mailbox
from tests.support.fake_openai import FakeOpenAI, Reply, completion_body, triage_content

LOG = (
    b"2026-03-03T10:01:06Z INFO starting upload of report.pdf (48 MB)\n"
    b"2026-03-03T10:01:07Z ERROR POST /api/reports/upload HTTP/1.1 413 Payload Too Large\n"
    b"2026-03-03T10:01:07Z INFO contact: jane.doe@example.com\n"
)
MAIL = {
    "sender": "Jane Doe <jane.doe@example.com>",
    "subject": "Upload of my report fails",
    "body": "Hi,\n\nthe upload of my report fails every time. The log is attached.\n\nJane",
    "attachment": ("upload.log", "text/plain", LOG),
}


async def test_the_offline_draft_names_the_log_and_its_error(desk: Desk) -> None:
    mailbox = await smtp_mailbox(desk)
    _, draft_id = await drafted_ticket(desk, mailbox, **MAIL)  # the desk's own wiring
    draft = await draft_row(desk, draft_id)
    assert draft.provider == "offline"
    assert "upload.log" in draft.body and "413 Payload Too Large" in draft.body
    assert "log file" not in draft.body.lower()
    assert any("upload.log" in step and "413" in step for step in draft.fix_steps)


async def test_a_binary_attachment_gives_its_name_only(desk: Desk) -> None:
    seen = []

    class Recording:
        name = "recording"

        def __init__(self) -> None:
            self.inner = build_triager(AISettings(provider="offline"))

        async def triage(self, request):  # type: ignore[no-untyped-def]
            seen.append(request)
            return await self.inner.triage(request)

    mailbox = await smtp_mailbox(desk)
    triage = TriageService(
        desk.sessions, provider=Recording(), attachments=desk.ingestor.attachments
    )  # type: ignore[arg-type]

    async def service() -> TriageService:
        return triage

    desk.triage_service = service  # type: ignore[method-assign]
    await drafted_ticket(
        desk, mailbox, **{**MAIL, "attachment": ("report.pdf", "application/pdf", b"%PDF-1.7 413")}
    )
    [request] = seen
    [info] = request.attachments
    assert (info.name, info.content_type, info.excerpt) == ("report.pdf", "application/pdf", "")
    assert info.size == len(b"%PDF-1.7 413")


@pytest.fixture()
def api() -> FakeOpenAI:
    content = triage_content(category="Technical", draft_reply="Hello,\n\nWe are on it.\n\nAcme")
    with FakeOpenAI(api_key="k", responder=lambda _r: Reply(body=completion_body(content))) as s:
        yield s


async def test_the_openai_prompt_lists_the_attachment_redacted(
    desk: Desk, api: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    ai = AISettings(
        provider="openai", api_key="k", base_url=api.base_url, timeout_seconds=3, max_retries=0
    )
    triage = TriageService(
        desk.sessions, provider=build_triager(ai), attachments=desk.ingestor.attachments
    )

    async def service() -> TriageService:
        return triage

    monkeypatch.setattr(desk, "triage_service", service)
    mailbox = await smtp_mailbox(desk)
    await drafted_ticket(desk, mailbox, **MAIL)
    [request] = [r for r in api.requests if r.path.endswith("/chat/completions")]
    sent = json.dumps(request.body, ensure_ascii=False)
    assert "upload.log (text/plain" in request.user_content
    assert "413 Payload Too Large" in request.user_content
    assert "jane.doe@example.com" not in sent  # the excerpt is redacted with the mail
    email_block = request.user_content.split("<<<END EMAIL")[0]
    assert "Attachments:" in email_block  # inside the untrusted email's markers
