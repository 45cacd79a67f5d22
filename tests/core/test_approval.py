"""Approve / edit / reject / send: compare-and-set, audit, and no unapproved word sent."""

from __future__ import annotations

import asyncio
from email import message_from_bytes

import pytest
from sqlalchemy import select

from core.errors import InvalidTransition, ValidationError
from db.models import AuditEvent, DraftEdit, Message, Ticket
from server.wiring import Desk
from tests.core.flows import agent, draft_row, drafted_ticket, smtp_mailbox
from tests.support.desk import SUPPORT


async def test_two_concurrent_approvals_one_wins_and_the_other_is_told_who(desk: Desk) -> None:
    mailbox = await smtp_mailbox(desk)
    _, draft_id = await drafted_ticket(desk, mailbox)
    ann, ben = await agent(desk, "ann@team.test"), await agent(desk, "ben@team.test")
    results = await asyncio.gather(
        desk.drafts.approve(draft_id, ann),
        desk.drafts.approve(draft_id, ben),
        return_exceptions=True,
    )
    wins = [r for r in results if not isinstance(r, BaseException)]
    losses = [r for r in results if isinstance(r, InvalidTransition)]
    assert len(wins) == 1 and len(losses) == 1, results
    assert wins[0].by in str(losses[0]) and "already approved" in str(losses[0])
    async with desk.sessions() as s:
        approvals = list(
            await s.scalars(select(AuditEvent).where(AuditEvent.action == "draft.approved"))
        )
    assert len(approvals) == 1 and approvals[0].actor == wins[0].by


async def test_approval_names_the_version_seen(desk: Desk) -> None:
    mailbox = await smtp_mailbox(desk)
    _, draft_id = await drafted_ticket(desk, mailbox)
    ann = await agent(desk, "ann@team.test")
    seen = (await draft_row(desk, draft_id)).version
    await desk.drafts.edit(draft_id, await agent(desk, "ben@team.test"), body="A better answer.")
    with pytest.raises(InvalidTransition, match="edited"):
        await desk.drafts.approve(draft_id, ann, version=seen)
    await desk.drafts.approve(draft_id, ann, version=seen + 1)
    async with desk.sessions() as s:
        edits = list(await s.scalars(select(DraftEdit)))
    assert len(edits) == 1 and edits[0].body_after == "A better answer."


async def test_reject_needs_a_reason_and_blocks_sending(desk: Desk, smtp_server) -> None:
    mailbox = await smtp_mailbox(desk, smtp_server.host, smtp_server.port)
    _, draft_id = await drafted_ticket(desk, mailbox)
    ann = await agent(desk, "ann@team.test")
    with pytest.raises(ValidationError):
        await desk.drafts.reject(draft_id, ann, reason="  ")
    await desk.drafts.reject(draft_id, ann, reason="wrong product")
    with pytest.raises(InvalidTransition, match="rejected by ann@team.test"):
        await desk.drafts.approve(draft_id, ann)
    report = await desk.sender.send_due(ignore_backoff=True)
    assert report.sent == [] and smtp_server.messages == []
    assert (await draft_row(desk, draft_id)).rejection_reason == "wrong product"


async def test_approved_reply_goes_out_threaded(desk: Desk, smtp_server) -> None:
    mailbox = await smtp_mailbox(desk, smtp_server.host, smtp_server.port)
    ticket_id, draft_id = await drafted_ticket(
        desk,
        mailbox,
        subject="Cannot export",
        message_id="cust-1@example.com",
        references=["older@example.com"],
    )
    await desk.drafts.approve(draft_id, await agent(desk, "ann@team.test"))
    report = await desk.sender.send_due()
    assert report.sent == [draft_id]
    [captured] = smtp_server.messages
    msg = message_from_bytes(captured.raw)
    assert msg["In-Reply-To"] == "<cust-1@example.com>"
    assert (
        "<older@example.com>" in msg["References"] and "<cust-1@example.com>" in msg["References"]
    )
    assert msg["Subject"].startswith("Re: ") and f"[#{ticket_id}]" in msg["Subject"]
    assert captured.rcpt_tos == ["alice@example.com"] and SUPPORT in msg["From"]
    draft = await draft_row(desk, draft_id)
    assert draft.status == "sent" and msg["Message-ID"] == f"<{draft.outgoing_message_id}>"
    async with desk.sessions() as s:
        ticket = await s.get(Ticket, ticket_id)
        out = await s.scalar(select(Message).where(Message.direction == "out"))
    assert (
        ticket is not None and ticket.status == "answered" and ticket.first_response_at is not None
    )
    assert out is not None and out.message_id == draft.outgoing_message_id
    # a second send pass sends nothing again
    assert (await desk.sender.send_due(ignore_backoff=True)).sent == []
    assert len(smtp_server.messages) == 1


async def test_concurrent_senders_send_once(desk: Desk, smtp_server) -> None:
    mailbox = await smtp_mailbox(desk, smtp_server.host, smtp_server.port)
    _, draft_id = await drafted_ticket(desk, mailbox)
    await desk.drafts.approve(draft_id, await agent(desk, "ann@team.test"))
    reports = await asyncio.gather(*(desk.sender.send_due() for _ in range(4)))
    assert sum(len(r.sent) for r in reports) == 1
    assert len(smtp_server.messages) == 1


async def test_temporary_then_permanent_smtp_failure(desk: Desk, smtp_flaky_server) -> None:
    server = smtp_flaky_server(["451 4.3.0 try again later", "550 5.1.1 no such user"])
    mailbox = await smtp_mailbox(desk, server.host, server.port)
    _, draft_id = await drafted_ticket(desk, mailbox)
    await desk.drafts.approve(draft_id, await agent(desk, "ann@team.test"))
    first = await desk.sender.send_due()
    assert first.retrying == [draft_id]
    d = await draft_row(desk, draft_id)
    assert d.status == "approved" and "451" in (d.failure_reason or "") and d.send_attempts == 1
    message_id = d.outgoing_message_id
    second = await desk.sender.send_due(ignore_backoff=True)
    assert second.failed == [draft_id]
    d = await draft_row(desk, draft_id)
    assert d.status == "failed" and "550" in (d.failure_reason or "")
    assert d.outgoing_message_id == message_id  # the retry reused the pre-generated id
    # a person can retry a failed send; it keeps the same Message-ID
    await desk.drafts.retry(draft_id, await agent(desk, "ann@team.test"))
    assert (await draft_row(desk, draft_id)).status == "approved"


async def test_text_changed_behind_the_engines_back_is_not_sent(desk: Desk, smtp_server) -> None:
    mailbox = await smtp_mailbox(desk, smtp_server.host, smtp_server.port)
    _, draft_id = await drafted_ticket(desk, mailbox)
    await desk.drafts.approve(draft_id, await agent(desk, "ann@team.test"))
    from db.models import Draft

    async with desk.sessions.begin() as s:
        (await s.get(Draft, draft_id)).body = "Something nobody approved"
    report = await desk.sender.send_due()
    assert report.failed == [draft_id] and smtp_server.messages == []


async def test_new_customer_mail_supersedes_the_pending_draft(desk: Desk) -> None:
    mailbox = await smtp_mailbox(desk)
    ticket_id, first = await drafted_ticket(desk, mailbox, message_id="m1@example.com")
    _, second = await drafted_ticket(
        desk, mailbox, in_reply_to="m1@example.com", subject="Re: Help"
    )
    assert (await draft_row(desk, first)).status == "superseded"
    assert (await draft_row(desk, second)).status == "pending"
    with pytest.raises(InvalidTransition):
        await desk.drafts.approve(first, await agent(desk, "ann@team.test"))


async def test_outgoing_mail_is_throttled_per_ticket_and_held_not_dropped(
    desk: Desk, smtp_server
) -> None:
    from dataclasses import replace

    desk.sender.limits = replace(desk.sender.limits, per_ticket_hour=1)
    mailbox = await smtp_mailbox(desk, smtp_server.host, smtp_server.port)
    ann = await agent(desk, "ann@team.test")
    ticket_id, first = await drafted_ticket(desk, mailbox, message_id="t1@example.com")
    await desk.drafts.approve(first, ann)
    assert (await desk.sender.send_due()).sent == [first]
    _, second = await drafted_ticket(
        desk, mailbox, in_reply_to="t1@example.com", subject="Re: more"
    )
    await desk.drafts.approve(second, ann)
    report = await desk.sender.send_due()
    assert report.throttled == [second] and len(smtp_server.messages) == 1
    held = await draft_row(desk, second)
    assert (
        held.status == "approved" and held.next_attempt_at is not None and held.send_attempts == 0
    )


async def test_undeliverable_recipient_is_not_mailed_again(desk: Desk, smtp_server) -> None:
    from db.models import Recipient

    mailbox = await smtp_mailbox(desk, smtp_server.host, smtp_server.port)
    _, draft_id = await drafted_ticket(desk, mailbox, sender="gone@example.com")
    async with desk.sessions.begin() as s:
        s.add(
            Recipient(
                email="gone@example.com", undeliverable=True, bounce_reason="5.1.1 user unknown"
            )
        )
    await desk.drafts.approve(draft_id, await agent(desk, "ann@team.test"))
    report = await desk.sender.send_due()
    assert report.failed == [draft_id] and smtp_server.messages == []
    assert "undeliverable" in (await draft_row(desk, draft_id)).failure_reason


async def test_an_edit_with_nul_bytes_is_stored_without_them(desk: Desk) -> None:
    mailbox = await smtp_mailbox(desk)
    _, draft_id = await drafted_ticket(desk, mailbox)
    draft = await desk.drafts.edit(
        draft_id, await agent(desk, "ann@team.test"), body="Hi\x00 there"
    )
    assert draft.body == "Hi there"
