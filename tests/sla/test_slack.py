""" "Waiting on customer" from the draft card's menu, through signed Slack requests: the
ticket waits, the resolution clock pauses, the person is told; an agent may not set it on
someone else's ticket."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot import ids
from core.access.users import ensure_user
from core.audit import Actor
from core.workflow.calendar_store import CalendarService
from db.models import SlaClock, Ticket
from tests.core.flows import drafted_ticket, smtp_mailbox
from tests.support.slack_driver import SlackHarness


async def test_waiting_on_customer_from_the_card(slack: SlackHarness, smtp_server: Any) -> None:
    desk = slack.desk
    await CalendarService(desk.sessions).add("always", tz="UTC", hours="daily 00:00-24:00")
    await desk.sla_policies.add("any", calendar="always", first_response="8h", resolution="3d")
    mailbox = await smtp_mailbox(desk, smtp_server.host, smtp_server.port)
    ticket_id, draft_id = await drafted_ticket(desk, mailbox)
    (message,) = await slack.post(draft_id)
    more = next(
        e
        for b in message.blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == ids.MORE
    )
    assert "Waiting on customer" in [o["text"]["text"] for o in more["options"]]

    await slack.driver.click(
        slack.admin, message, ids.MORE, option_value=ids.more_value("status", draft_id, "waiting")
    )
    (told,) = await slack.fake.wait_for("chat.postEphemeral")
    assert f"Ticket #{ticket_id} is waiting on the customer" in told.body["text"]
    async with desk.sessions() as s:
        assert (await s.get(Ticket, ticket_id)).status == "waiting"  # type: ignore[union-attr]
        resolution = await s.scalar(
            select(SlaClock).where(SlaClock.ticket_id == ticket_id, SlaClock.metric == "resolution")
        )
    assert resolution is not None and resolution.paused_at is not None


async def test_an_agent_may_not_set_someone_elses_ticket(
    slack: SlackHarness, smtp_server: Any
) -> None:
    desk = slack.desk
    mailbox = await smtp_mailbox(desk, smtp_server.host, smtp_server.port)
    ticket_id, draft_id = await drafted_ticket(desk, mailbox)
    owner = await ensure_user(desk.sessions, "owner@team.test")
    await desk.assignments.assign(ticket_id, owner.id, Actor.system())
    bea = slack.user("UBEA00001", "bea")
    await slack.member(bea, "agent")
    (message,) = await slack.post(draft_id)
    await slack.driver.click(
        bea, message, ids.MORE, option_value=ids.more_value("status", draft_id, "waiting")
    )
    (told,) = await slack.fake.wait_for("chat.postEphemeral")
    assert "assigned to owner@team.test" in told.body["text"]
    async with desk.sessions() as s:
        assert (await s.get(Ticket, ticket_id)).status == "open"  # type: ignore[union-attr]
