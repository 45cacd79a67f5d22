"""core.tickets.decisions: one path per decision, whichever surface asks. The role rules
(core.access.permissions) apply to a REST caller as to a Slack member; the CLI operator is
trusted; a Slack member is kept to their workspace; every decision is audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from core.access.members import Member
from core.access.permissions import Principal, principal_by_email, principal_for
from core.access.users import actor_for, ensure_user
from core.errors import InvalidTransition, NotFound, PermissionDenied
from core.tickets.queries import TicketQuery
from db.models import AuditEvent, Draft, Mailbox, Ticket, User
from server.wiring import Desk
from tests.core.flows import draft_row, drafted_ticket, smtp_mailbox


async def _rest(desk: Desk, email: str, role: str = "agent") -> Principal:
    """A REST caller: the ``by`` email resolved to a desk user with a role, no workspace."""
    await ensure_user(desk.sessions, email, role=role)
    return await principal_by_email(desk.sessions, email, "api")


async def test_an_agent_decides_free_tickets_and_not_anothers(desk: Desk) -> None:
    mailbox = await smtp_mailbox(desk)
    t1, d1 = await drafted_ticket(desk, mailbox, subject="one")
    t2, d2 = await drafted_ticket(desk, mailbox, subject="two")
    ann, ben = await _rest(desk, "ann@team.test"), await _rest(desk, "ben@team.test")
    boss = await _rest(desk, "boss@team.test", role="manager")
    decisions = desk.decisions

    # an agent takes a free ticket for herself, not for someone else
    with pytest.raises(PermissionDenied, match="only take unassigned tickets for themselves"):
        await decisions.assign(ann, ticket_id=t1, assignee_id=ben.user_id)  # type: ignore[arg-type]
    taken = await decisions.assign(ann, ticket_id=t1, assignee_id=ann.user_id)  # type: ignore[arg-type]
    assert taken.changed and taken.assignee_email == "ann@team.test"

    # ... and then nobody else of her role may decide it
    for decide in (
        decisions.approve(ben, ticket_id=t1),
        decisions.reject(ben, ticket_id=t1, reason="no"),
        decisions.edit(ben, ticket_id=t1, body="Hello"),
        decisions.recategorise(ben, ticket_id=t1, urgency="High"),
    ):
        with pytest.raises(PermissionDenied, match="assigned to ann@team.test"):
            await decide
    assert (await draft_row(desk, d1)).status == "pending"

    # a manager decides any ticket; an agent a free one
    done = await decisions.approve(boss, ticket_id=t1)
    assert (done.draft_id, done.status, done.by) == (d1, "approved", "boss@team.test")
    rejected = await decisions.reject(ben, draft_id=d2, reason="duplicate")
    assert rejected.status == "rejected"
    async with desk.sessions() as s:
        events = [
            (e.action, e.source, e.actor)
            for e in await s.scalars(
                select(AuditEvent)
                .where(
                    AuditEvent.action.in_(("ticket.assigned", "draft.approved", "draft.rejected"))
                )
                .order_by(AuditEvent.id)
            )
        ]
    assert events == [
        ("ticket.assigned", "api", "ann@team.test"),
        ("draft.approved", "api", "boss@team.test"),
        ("draft.rejected", "api", "ben@team.test"),
    ]


async def test_an_inactive_user_may_do_nothing_and_the_operator_anything(desk: Desk) -> None:
    mailbox = await smtp_mailbox(desk)
    t1, d1 = await drafted_ticket(desk, mailbox)
    gone = await _rest(desk, "gone@team.test")
    async with desk.sessions.begin() as s:
        await s.execute(update(User).where(User.id == gone.user_id).values(is_active=False))
    gone = await principal_for(desk.sessions, gone.actor)
    with pytest.raises(PermissionDenied, match="not an active desk user"):
        await desk.decisions.approve(gone, ticket_id=t1)

    owner = await _rest(desk, "owner@team.test")
    await desk.decisions.assign(owner, ticket_id=t1, assignee_id=owner.user_id)  # type: ignore[arg-type]
    # the CLI: the operator decides as any desk user, whatever the assignment
    cli = Principal.operator_of(await actor_for(desk.sessions, "ops@team.test", "cli"))
    edited = await desk.decisions.edit(cli, ticket_id=t1, body="New text", then_approve=True)
    assert (edited.draft_id, edited.version, edited.status) == (d1, 2, "approved")
    assert edited.approved is not None and edited.approved.by == "ops@team.test"


async def test_a_slack_member_is_kept_to_their_workspace(desk: Desk) -> None:
    ours = await smtp_mailbox(desk)
    theirs = await smtp_mailbox(desk, name="theirs")
    async with desk.sessions.begin() as s:
        await s.execute(update(Mailbox).where(Mailbox.id == theirs.id).values(slack_team_id="T_B"))
    _t1, our_draft = await drafted_ticket(desk, ours, subject="ours")
    _t2, their_draft = await drafted_ticket(desk, theirs, subject="theirs")
    user = await ensure_user(desk.sessions, "mgr@team.test", role="manager")
    member = Member(user.id, user.email, "Mgr", "manager", team_id="T_HOME", slack_user_id="U1")
    who = member.principal(home_team="T_HOME")
    with pytest.raises(PermissionDenied, match="another Slack workspace"):
        await desk.decisions.approve(who, draft_id=their_draft)
    with pytest.raises(PermissionDenied, match="is not part of ticket"):
        await desk.decisions.approve(who, draft_id=their_draft, ticket_id=_t1)
    assert (await desk.decisions.approve(who, draft_id=our_draft)).status == "approved"
    assert (await draft_row(desk, their_draft)).status == "pending"


async def test_an_edit_from_a_stale_version_and_a_missing_ticket_are_refused(desk: Desk) -> None:
    mailbox = await smtp_mailbox(desk)
    t1, d1 = await drafted_ticket(desk, mailbox)
    ann = await _rest(desk, "ann@team.test")
    await desk.decisions.edit(ann, ticket_id=t1, body="first edit", version=1)
    with pytest.raises(InvalidTransition, match="changed while you edited it"):
        await desk.decisions.edit(ann, draft_id=d1, body="second edit", version=1)
    assert (await draft_row(desk, d1)).body == "first edit"
    with pytest.raises(NotFound, match="ticket 999999 not found"):
        await desk.decisions.approve(ann, ticket_id=999999)
    async with desk.sessions.begin() as s:
        await s.execute(update(Ticket).where(Ticket.id == t1).values(urgency="Low"))
    changed = await desk.decisions.recategorise(ann, draft_id=d1, urgency="High")
    assert changed.ticket_id == t1 and changed.changed == {"urgency": "High"}


async def test_home_filters_are_query_fields(desk: Desk) -> None:
    """App Home's "escalated" and "unassigned" lists are filtered by the database."""
    mailbox = await smtp_mailbox(desk)
    t1, _ = await drafted_ticket(desk, mailbox, subject="one")
    t2, _ = await drafted_ticket(desk, mailbox, subject="two")
    t3, _ = await drafted_ticket(desk, mailbox, subject="three")
    ann = await ensure_user(desk.sessions, "ann@team.test")
    async with desk.sessions.begin() as s:
        await s.execute(update(Ticket).values(escalation_required=False))
        await s.execute(update(Ticket).where(Ticket.id == t2).values(escalation_required=True))
        await s.execute(update(Draft).where(Draft.ticket_id == t2).values(escalation_required=True))
        await s.execute(update(Ticket).where(Ticket.id == t3).values(assigned_to_id=ann.id))

    async def ids(**filters: object) -> list[int]:
        rows = await desk.tickets.list(TicketQuery(status="pending", sort="date", **filters))  # type: ignore[arg-type]
        return [r["id"] for r in rows]

    assert await ids(escalated=True) == [t2]
    assert await ids(escalated=False) == [t1, t3]
    assert await ids(unassigned=True) == [t1, t2]
    assert await ids(unassigned=True, escalated=False) == [t1]
    assert await desk.tickets.count(TicketQuery(status="pending", unassigned=True)) == 2


async def test_a_reassignment_between_the_check_and_the_write_wins(desk: Desk) -> None:
    """An agent's check passes on a free ticket; a manager assigns it to someone else
    before the agent's write lands. The agent's decision must fail, not override: the
    compare-and-set carries the premise of the check (order of events, no timing)."""
    mailbox = await smtp_mailbox(desk)
    ticket, draft = await drafted_ticket(desk, mailbox, subject="raced")
    ann, ben = await _rest(desk, "ann@team.test"), await _rest(desk, "ben@team.test")
    boss = await _rest(desk, "boss@team.test", role="manager")
    decisions = desk.decisions
    checked = decisions.guard.check

    async def check_then_reassign(*args: object, **kwargs: object) -> object:
        access = await checked(*args, **kwargs)  # type: ignore[arg-type]
        await desk.assignments.assign(ticket, ben.user_id, boss.actor)  # type: ignore[arg-type]
        return access

    decisions.guard.check = check_then_reassign  # type: ignore[method-assign]
    for decide in (
        lambda: decisions.approve(ann, ticket_id=ticket),
        lambda: decisions.reject(ann, ticket_id=ticket, reason="no"),
        lambda: decisions.edit(ann, ticket_id=ticket, body="Hello"),
    ):
        async with desk.sessions.begin() as s:  # free again before each attempt
            await s.execute(update(Ticket).where(Ticket.id == ticket).values(assigned_to_id=None))
        with pytest.raises(PermissionDenied, match="assigned to ben@team.test meanwhile"):
            await decide()
        assert (await draft_row(desk, draft)).status == "pending"
        assert (await draft_row(desk, draft)).version == 1

    # two agents taking the same free ticket: the second take loses
    async with desk.sessions.begin() as s:
        await s.execute(update(Ticket).where(Ticket.id == ticket).values(assigned_to_id=None))

    async def check_then_taken(*args: object, **kwargs: object) -> object:
        access = await checked(*args, **kwargs)  # type: ignore[arg-type]
        await desk.assignments.assign(ticket, ben.user_id, ben.actor)  # type: ignore[arg-type]
        return access

    decisions.guard.check = check_then_taken  # type: ignore[method-assign]
    with pytest.raises(PermissionDenied, match="taken by someone else meanwhile"):
        await decisions.assign(ann, ticket_id=ticket, assignee_id=ann.user_id)  # type: ignore[arg-type]
    async with desk.sessions() as s:
        assert await s.scalar(select(Ticket.assigned_to_id).where(Ticket.id == ticket)) == (
            ben.user_id
        )

    # a manager's decision does not rest on the assignment: it goes through
    decisions.guard.check = check_then_reassign  # type: ignore[method-assign]
    assert (await decisions.approve(boss, ticket_id=ticket)).status == "approved"
