"""Escalation rules through the real desk: mail ingested and triaged by the offline
provider, the reason on the draft, on its Slack card and in the ticket view; the second
reopen counted from the audit trail; the refund limit and VIP list kept in the settings
store, audited, and read by the next triage."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import select

from bot.blocks.draft import draft_message
from core.ai import escalation
from core.audit import Actor
from core.errors import ConfigError, NotFound, ValidationError
from core.tickets.draft_details import DraftCardReader
from core.tickets.status import StatusService
from db.models import AuditEvent
from server.wiring import Desk
from tests.core.flows import draft_row, drafted_ticket, smtp_mailbox

ADMIN = Actor(name="ann@team.test", source="cli")


def _card_text(blocks: list[dict]) -> str:  # type: ignore[type-arg]
    return json.dumps(blocks, ensure_ascii=False)


async def test_a_customer_asking_for_a_person_escalates_with_the_reason_on_the_card(
    desk: Desk,
) -> None:
    mailbox = await smtp_mailbox(desk)
    ticket_id, draft_id = await drafted_ticket(
        desk,
        mailbox,
        subject="Still no invoice",
        body="Your replies do not help. I want to speak to a real person about my invoice.",
    )
    draft = await draft_row(desk, draft_id)
    assert draft.escalation_required
    assert 'customer asks for a human: "speak to a real person"' in (draft.escalation_reason or "")
    assert "asks_for_human" in draft.flags["escalation_rules"]

    card = await DraftCardReader(desk.sessions).get(draft_id)
    text = _card_text(draft_message(card).main.blocks)
    assert ":rotating_light: *Escalation*: " in text
    assert 'customer asks for a human: \\"speak to a real person\\"' in text

    view = await desk.tickets.get(ticket_id)
    assert view["escalation_required"] is True
    assert 'customer asks for a human: "speak to a real person"' in view["escalation_reason"]


async def test_a_near_miss_mail_is_not_escalated_by_the_rules(desk: Desk) -> None:
    mailbox = await smtp_mailbox(desk)
    _, draft_id = await drafted_ticket(
        desk,
        mailbox,
        subject="HR export",
        body="Our human resources team cannot open the payroll export. Please help.",
    )
    assert (await draft_row(desk, draft_id)).flags["escalation_rules"] == []


async def test_the_second_reopen_by_the_customer_escalates(desk: Desk) -> None:
    mailbox = await smtp_mailbox(desk)
    statuses = StatusService(desk.sessions)
    first = "reopen-first@example.com"
    ticket_id, _ = await drafted_ticket(
        desk, mailbox, message_id=first, subject="Export broken", body="The export is empty."
    )
    rules = []
    for n in (1, 2):
        await statuses.set(ticket_id, "resolved", ADMIN)
        again, draft_id = await drafted_ticket(
            desk,
            mailbox,
            message_id=f"reopen-{n}@example.com",
            in_reply_to=first,
            subject="Re: Export broken",
            body="It is still empty.",
        )
        assert again == ticket_id
        draft = await draft_row(desk, draft_id)
        rules.append(draft.flags["escalation_rules"])
    assert "repeated_reopen" not in rules[0]
    assert "repeated_reopen" in rules[1]
    assert "reopened by the customer 2 times" in (draft.escalation_reason or "")
    async with desk.sessions() as s:
        reopened = list(
            await s.scalars(
                select(AuditEvent.ticket_id).where(
                    AuditEvent.action == "ticket.reopened_by_customer"
                )
            )
        )
    assert reopened == [ticket_id, ticket_id]


async def test_vip_list_and_refund_limit_are_stored_audited_and_applied(desk: Desk) -> None:
    settings = desk.escalation
    assert (await settings.current()).refund_limit == Decimal(500)
    assert await settings.add_vip("@Acme.com", actor=ADMIN) == ("acme.com", True)
    assert await settings.add_vip("acme.com", actor=ADMIN) == ("acme.com", False)
    assert await settings.add_vip("boss@example.org", actor=ADMIN) == ("boss@example.org", True)
    assert (await settings.current()).vip == ["acme.com", "boss@example.org"]
    assert await settings.remove_vip("BOSS@example.org", actor=ADMIN) == "boss@example.org"
    with pytest.raises(NotFound, match="not on the VIP list"):
        await settings.remove_vip("boss@example.org", actor=ADMIN)
    with pytest.raises(ValidationError, match="not an email address or a domain"):
        await settings.add_vip("acme", actor=ADMIN)
    assert await settings.set_refund_limit("1,000", actor=ADMIN) == Decimal(1000)
    assert (await settings.current()).as_dict() == {
        "refund_limit": "1000",
        "vip": ["acme.com"],
        "rules": [name for name, _ in escalation.RULES],
    }
    async with desk.sessions() as s:
        changes = [
            (e.actor, e.target, e.changes["value"])
            for e in await s.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == "setting.changed")
                .order_by(AuditEvent.id)
            )
        ]
    # the second add of acme.com and the refused changes wrote nothing
    assert changes == [
        ("ann@team.test", "setting:escalation.vip", [None, '["acme.com"]']),
        (
            "ann@team.test",
            "setting:escalation.vip",
            ['["acme.com"]', '["acme.com", "boss@example.org"]'],
        ),
        (
            "ann@team.test",
            "setting:escalation.vip",
            ['["acme.com", "boss@example.org"]', '["acme.com"]'],
        ),
        ("ann@team.test", "setting:escalation.refund_limit", [None, "1000"]),
    ]

    mailbox = await smtp_mailbox(desk)
    _, vip_draft = await drafted_ticket(
        desk, mailbox, sender="Jo <jo@eu.acme.com>", body="The export button does nothing."
    )
    assert "VIP sender (domain acme.com)" in (
        (await draft_row(desk, vip_draft)).escalation_reason or ""
    )
    _, refund_draft = await drafted_ticket(
        desk, mailbox, body="Please refund the €800,00 you charged twice for my plan."
    )
    assert (
        "refund_above_limit" not in (await draft_row(desk, refund_draft)).flags["escalation_rules"]
    )
    await settings.set_refund_limit("500", actor=ADMIN)
    _, refund_draft = await drafted_ticket(
        desk, mailbox, body="Please refund the €800,00 you charged twice for my plan."
    )
    refund = await draft_row(desk, refund_draft)
    assert "refund of €800,00 above the limit of 500" in (refund.escalation_reason or "")


async def test_a_damaged_vip_setting_is_named_and_never_overwritten(desk: Desk) -> None:
    await desk.store.set(escalation.VIP_KEY, "acme.com")  # not JSON
    with pytest.raises(ConfigError, match="escalation.vip"):
        await desk.escalation.add_vip("example.org", actor=ADMIN)
    assert await desk.store.get(escalation.VIP_KEY) == "acme.com"


async def test_vip_entries_added_at_once_are_all_kept(desk: Desk) -> None:
    import asyncio

    await desk.escalation.add_vip("first.test", actor=ADMIN)  # the row exists: no insert race
    await asyncio.gather(*(desk.escalation.add_vip(f"n{i}.test", actor=ADMIN) for i in range(5)))
    assert (await desk.escalation.current()).vip == sorted(
        ["first.test", *(f"n{i}.test" for i in range(5))]
    )
