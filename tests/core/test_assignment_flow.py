"""Assignment through the desk's real paths: the worker's triage step assigns new mail, the
intake notes a reply to a resolved ticket and the sweep gives it back to its owner, and
what people set (profiles, strategies) is checked and audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from core.access.permissions import Principal, principal_by_email
from core.audit import Actor
from core.errors import NotFound, PermissionDenied, ValidationError
from core.mail.transport import FetchedMail
from core.vocabulary import CATEGORIES
from core.workflow.assignment import AutoAssigner
from core.workflow.notices import RecordingSink
from db.models import AgentProfile, AuditEvent, ReopenedTicket, Ticket
from server.wiring import Desk
from server.worker import Worker
from tests.core.flows import agent, drafted_ticket, smtp_mailbox
from tests.support.mail import make_mail

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
OPERATOR = Principal.operator_of(Actor(name="cli", source="cli"))


async def _actions(desk: Desk, prefix: str) -> list[AuditEvent]:
    async with desk.sessions() as s:
        return [
            e
            for e in await s.scalars(select(AuditEvent).order_by(AuditEvent.id))
            if e.action.startswith(prefix)
        ]


async def test_the_worker_assigns_what_it_triages(desk: Desk) -> None:
    mailbox = await smtp_mailbox(desk)
    await agent(desk, "ann@team.test")
    ann = await desk.directory.by_email("ann@team.test")
    await desk.assignment_rules.change(OPERATOR, mailbox=None, strategy="balanced")
    await desk.agent_profiles.change(OPERATOR, ann.id, skills=list(CATEGORIES), capacity=5)
    item = desk.ingestor.parse_one(FetchedMail(uid=1, raw=make_mail(subject="Refund please")))
    await desk.ingestor.ingest_batch(mailbox, None, [item])

    await Worker(desk).process()

    async with desk.sessions() as s:
        [ticket] = list(await s.scalars(select(Ticket)))
    assert ticket.assigned_to_id == ann.id
    [event] = await _actions(desk, "ticket.assigned")
    assert event.data["reason"] == f"lowest load 0 of 5, skill {ticket.category}"
    assert event.source == "worker"


async def test_a_german_mail_goes_to_the_agent_who_speaks_german(desk: Desk) -> None:
    mailbox = await smtp_mailbox(desk)
    await desk.assignment_rules.change(OPERATOR, mailbox=None, strategy="balanced")
    for email, languages in (("ann@team.test", ["en"]), ("bea@team.test", ["en", "de-AT"])):
        await agent(desk, email)
        user = await desk.directory.by_email(email)
        await desk.agent_profiles.change(
            OPERATOR, user.id, skills=list(CATEGORIES), languages=languages
        )
    bea = await desk.directory.by_email("bea@team.test")
    body = "Guten Tag, meine Rechnung für Oktober wurde doppelt abgebucht. Bitte prüfen Sie das."
    item = desk.ingestor.parse_one(FetchedMail(uid=1, raw=make_mail(subject="Rechnung", body=body)))
    await desk.ingestor.ingest_batch(mailbox, None, [item])

    await Worker(desk).process()

    async with desk.sessions() as s:
        [ticket] = list(await s.scalars(select(Ticket)))
    assert (ticket.language, ticket.assigned_to_id) == ("de", bea.id)
    [event] = await _actions(desk, "ticket.assigned")
    assert event.data["reason"] == f"lowest load 0 of 15, skill {ticket.category}, language de"


async def test_a_reply_to_a_resolved_ticket_is_routed_by_the_sweep(desk: Desk) -> None:
    mailbox = await smtp_mailbox(desk)
    await agent(desk, "owner@team.test")
    owner = await desk.directory.by_email("owner@team.test")
    await desk.assignment_rules.change(OPERATOR, mailbox="support", strategy="balanced")
    await desk.agent_profiles.change(OPERATOR, owner.id, skills=list(CATEGORIES))
    ticket_id, _ = await drafted_ticket(desk, mailbox, message_id="first@cust.test")
    async with desk.sessions.begin() as s:
        await s.execute(
            update(Ticket)
            .where(Ticket.id == ticket_id)
            .values(status="resolved", resolved_at=T0 - timedelta(days=3), assigned_to_id=owner.id)
        )
    reply = make_mail(subject="Re: Help", in_reply_to="first@cust.test", body="Still broken.")
    item = desk.ingestor.parse_one(FetchedMail(uid=2, raw=reply))
    await desk.ingestor.ingest_batch(mailbox, None, [item])
    async with desk.sessions() as s:
        noted = await s.get(ReopenedTicket, ticket_id)
        ticket = await s.get(Ticket, ticket_id)
    assert noted is not None and noted.resolved_at == T0 - timedelta(days=3)
    assert ticket is not None and ticket.status == "open"

    sink = RecordingSink()
    report = await AutoAssigner(desk.sessions, sink, lambda: T0).sweep()

    assert report.kept_owner == [ticket_id]
    [notice] = sink.notices
    assert notice.user_id == owner.id and "back with you" in notice.text
    [event] = await _actions(desk, "ticket.assigned")
    assert event.data["reason"].startswith("customer replied 3 days after resolution")


async def test_profiles_are_checked_audited_and_set_by_the_right_people(desk: Desk) -> None:
    await agent(desk, "ann@team.test")
    ann = await desk.directory.by_email("ann@team.test")
    await desk.directory.add(OPERATOR, "boss@team.test", role="manager")
    boss = await principal_by_email(desk.sessions, "boss@team.test", "cli")
    me = await principal_by_email(desk.sessions, "ann@team.test", "slack")
    profiles = desk.agent_profiles

    fresh = await profiles.get(ann.id)
    assert (fresh.available, fresh.capacity, fresh.skills) == (False, 15, [])
    got = await profiles.change(
        boss, ann.id, skills=["billing", "Technical", "login"], languages=["EN", "pt-BR"]
    )
    assert got.skills == ["Billing", "Technical", "Login / Access"]
    assert got.languages == ["en", "pt-br"]
    assert got.available is True  # the first change makes a profile that takes tickets

    for bad, field in (
        ({"skills": ["Sales"]}, "category"),
        ({"languages": ["english!"]}, "languages"),
        ({"capacity": -1}, "capacity"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
    ):
        with pytest.raises(ValidationError) as err:
            await profiles.change(boss, ann.id, **bad)  # type: ignore[arg-type]
        assert err.value.data["field"] == field
    with pytest.raises(PermissionDenied):
        await profiles.change(me, ann.id, capacity=50)  # an agent's own capacity: no
    with pytest.raises(NotFound):
        await profiles.change(boss, 9999, capacity=3)

    clock = [T0]
    profiles.clock = lambda: clock[0]
    away = await profiles.change(me, ann.id, available=False, timezone="Europe/Berlin")
    assert (away.available, away.away_since, away.timezone) == (False, T0, "Europe/Berlin")
    clock[0] = T0 + timedelta(hours=1)
    back = await profiles.change(me, ann.id, available=True)
    assert (back.available, back.away_since) == (True, None)
    async with desk.sessions() as s:
        row = await s.get(AgentProfile, ann.id)
    assert row is not None and row.capacity == 15  # nothing the refusals asked was kept

    changes = [e.changes for e in await _actions(desk, "user.profile")]
    assert changes[0]["skills"] == [[], ["Billing", "Technical", "Login / Access"]]
    assert changes[1] == {"available": [True, False], "timezone": [None, "Europe/Berlin"]}
    assert changes[2] == {"available": [False, True]}
    assert len(changes) == 3


async def test_strategies_are_per_mailbox_and_only_admins_change_them(desk: Desk) -> None:
    await smtp_mailbox(desk, name="support")
    await smtp_mailbox(desk, name="billing")
    await desk.directory.add(OPERATOR, "boss@team.test", role="manager")
    boss = await principal_by_email(desk.sessions, "boss@team.test", "cli")
    rules = desk.assignment_rules

    assert [r.as_dict() for r in await rules.all()] == [
        {"mailbox": "billing", "strategy": "manual", "fallback": "any_agent"},
        {"mailbox": "support", "strategy": "manual", "fallback": "any_agent"},
    ]
    await rules.change(OPERATOR, mailbox=None, strategy="balanced")
    await rules.change(
        OPERATOR, mailbox="billing", strategy="round_robin", fallback="leave_unassigned"
    )
    assert [(r.mailbox, r.strategy, r.fallback) for r in await rules.all()] == [
        ("billing", "round_robin", "leave_unassigned"),
        ("support", "balanced", "any_agent"),
    ]
    with pytest.raises(ValidationError):
        await rules.change(OPERATOR, mailbox="support", strategy="random")
    with pytest.raises(ValidationError):
        await rules.change(OPERATOR, mailbox="support", strategy="manual", fallback="boss")
    with pytest.raises(NotFound):
        await rules.change(OPERATOR, mailbox="nope", strategy="manual")
    with pytest.raises(PermissionDenied):
        await rules.change(boss, mailbox="support", strategy="manual")
    events = await _actions(desk, "mailbox.assignment")
    assert [(e.target, e.changes) for e in events] == [
        ("mailbox:billing", {"strategy": ["manual", "balanced"]}),
        ("mailbox:support", {"strategy": ["manual", "balanced"]}),
        (
            "mailbox:billing",
            {
                "strategy": ["balanced", "round_robin"],
                "fallback": ["any_agent", "leave_unassigned"],
            },
        ),
    ]


async def test_the_tickets_history_shows_every_assignment_and_why(desk: Desk) -> None:
    from server.cli.tickets import render_ticket
    from tests.support.api import api_client, api_token

    mailbox = await smtp_mailbox(desk)
    await agent(desk, "ann@team.test")
    await agent(desk, "bob@team.test")
    ann = await desk.directory.by_email("ann@team.test")
    bob = await desk.directory.by_email("bob@team.test")
    await desk.assignment_rules.change(OPERATOR, mailbox=None, strategy="balanced")
    await desk.agent_profiles.change(OPERATOR, ann.id, skills=list(CATEGORIES), capacity=5)
    item = desk.ingestor.parse_one(FetchedMail(uid=1, raw=make_mail(subject="Refund please")))
    await desk.ingestor.ingest_batch(mailbox, None, [item])
    await Worker(desk).process()
    async with desk.sessions() as s:
        [ticket] = list(await s.scalars(select(Ticket)))
    await desk.directory.set_role(OPERATOR, ann.id, "manager")
    manager = await principal_by_email(desk.sessions, "ann@team.test", "slack")
    await desk.decisions.assign(manager, assignee_id=bob.id, ticket_id=ticket.id)

    view = await desk.tickets.get(ticket.id)

    auto, manual = view["assignments"]
    assert auto["action"] == "assigned" and auto["by"] == "worker"
    assert auto["assignee"] == "ann@team.test"
    assert auto["reason"] == f"lowest load 0 of 5, skill {ticket.category}"
    assert manual["action"] == "assigned" and manual["by"] == "ann@team.test"
    assert manual["assignee"] == "bob@team.test" and manual["reason"] is None
    text = render_ticket(view)
    assert "Assignment:" in text
    assert "assigned to ann@team.test by worker: lowest load 0 of 5" in text
    assert "assigned to bob@team.test by ann@team.test" in text
    token = await api_token(desk, "bob@team.test")
    async with api_client(desk, token) as c:
        got = (await c.get(f"/api/v1/tickets/{ticket.id}")).json()
    assert got["assignments"] == view["assignments"]
