"""Bounces and the undeliverable mark: permanent ones mark, temporary ones do not, and an
agent can take the mark off so a failed reply can be retried."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.errors import NotFound, ValidationError
from core.mail.transport import FetchedMail
from db.models import AuditEvent, Mailbox, Recipient
from server.wiring import Desk
from tests.core.flows import agent, draft_row, drafted_ticket, smtp_mailbox
from tests.support.mail import make_dsn


async def _ingest(desk: Desk, mailbox: Mailbox, raw: bytes, uid: int) -> None:
    item = desk.ingestor.parse_one(FetchedMail(uid=uid, raw=raw))
    report = await desk.ingestor.ingest_batch(mailbox, None, [item])
    assert report.bounces == 1


async def _actions(desk: Desk) -> list[str]:
    async with desk.sessions() as s:
        return list(await s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


async def test_a_temporary_bounce_does_not_mark_the_address(desk: Desk, smtp_server) -> None:
    mailbox = await smtp_mailbox(desk, smtp_server.host, smtp_server.port)
    # a mailbox that is full: the MTA gave up on this mail, the address itself is fine
    await _ingest(desk, mailbox, make_dsn("pat@example.com", status="4.2.2", n=1), 800001)
    async with desk.sessions() as s:
        assert await s.get(Recipient, "pat@example.com") is None
    assert "recipient.bounced_temporarily" in await _actions(desk)
    assert await desk.recipients.undeliverable() == []


async def test_a_permanent_bounce_marks_and_an_agent_clears_the_mark(
    desk: Desk, smtp_server
) -> None:
    mailbox = await smtp_mailbox(desk, smtp_server.host, smtp_server.port)
    _, draft_id = await drafted_ticket(desk, mailbox, sender="Pat <pat@example.com>")
    await _ingest(desk, mailbox, make_dsn("pat@example.com", status="5.1.1", n=2), 800002)
    [marked] = await desk.recipients.undeliverable()
    assert marked.email == "pat@example.com" and "5.1.1" in (marked.reason or "")
    assert marked.as_dict()["bounced_at"]

    ann = await agent(desk, "ann@team.test")
    await desk.drafts.approve(draft_id, ann)
    assert (await desk.sender.send_due()).failed == [draft_id]  # refused: marked
    assert smtp_server.messages == []

    cleared = await desk.recipients.clear(" Pat@Example.com ", ann)
    assert cleared.email == "pat@example.com"
    assert await desk.recipients.undeliverable() == []
    assert "recipient.cleared" in await _actions(desk)
    with pytest.raises(NotFound):
        await desk.recipients.clear("pat@example.com", ann)  # nothing left to clear
    with pytest.raises(ValidationError):
        await desk.recipients.clear("not an address", ann)

    await desk.drafts.retry(draft_id, ann)
    assert (await desk.sender.send_due()).sent == [draft_id]
    assert (await draft_row(desk, draft_id)).status == "sent"
    assert len(smtp_server.messages) == 1
