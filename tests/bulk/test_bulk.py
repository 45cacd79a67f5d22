"""Bulk approve / reject / send / assign: each ticket through the single-click CAS path,
with a summary of what was done and what was skipped and why."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select, update

from core.access.members import Member
from core.access.permissions import principal_for
from core.access.users import ensure_user
from core.errors import InvalidTransition, ValidationError
from core.tickets.queries import TicketQuery
from db.models import AuditEvent, Draft, DraftOutcome, Ticket
from server.wiring import Desk
from tests.core.flows import agent, draft_row, drafted_ticket, smtp_mailbox


async def _tickets(desk: Desk, mailbox, n: int) -> list[tuple[int, int]]:  # type: ignore[no-untyped-def]
    return [
        await drafted_ticket(
            desk,
            mailbox,
            sender=f"Customer {i} <c{i}@cust.test>",
            subject=f"Refund {i}",
            body=f"I was charged twice for order {1000 + i}, please refund one payment.",
        )
        for i in range(n)
    ]


async def _escalate(desk: Desk, draft_id: int) -> None:
    async with desk.sessions.begin() as s:
        await s.execute(update(Draft).where(Draft.id == draft_id).values(escalation_required=True))


async def test_bulk_approve_by_filter_skips_escalated_and_decided(desk: Desk) -> None:
    mailbox = await smtp_mailbox(desk)
    (t1, d1), (t2, d2), (t3, d3), (t4, d4) = await _tickets(desk, mailbox, 4)
    for d in (d1, d2, d3, d4):
        async with desk.sessions.begin() as s:
            await s.execute(update(Draft).where(Draft.id == d).values(escalation_required=False))
    await _escalate(desk, d3)
    ann, ben = await agent(desk, "ann@team.test"), await agent(desk, "ben@team.test")
    await desk.drafts.approve(d4, ben)

    preview = await desk.bulk.preview(TicketQuery(status="pending"), "approve")
    assert [t.ticket_id for t in preview.act_on] == [t2, t1]  # newest first, like search
    assert [(i.ticket_id, i.reason) for i in preview.skip] == [(t3, "escalated")]

    result = await desk.bulk.approve([t1, t2, t3, t4, 9999], ann)
    assert [i.ticket_id for i in result.done] == [t1, t2]
    skipped = {i.ticket_id: (i.reason, i.detail) for i in result.skipped}
    assert skipped[t3][0] == "escalated"
    assert skipped[t4][0] == "already_decided" and "approved by ben@team.test" in skipped[t4][1]
    assert skipped[9999][0] == "not_found"
    assert (
        result.summary()
        == "approved 2; skipped 3: 1 already decided, 1 flagged for escalation, 1 not found"
    )
    assert (await draft_row(desk, d1)).approved_by_id == ann.user_id
    assert (await draft_row(desk, d3)).status == "pending"

    again = await desk.bulk.approve([t3], ann, include_escalated=True)
    assert [i.ticket_id for i in again.done] == [t3]
    async with desk.sessions() as s:
        events = list(
            await s.scalars(select(AuditEvent).where(AuditEvent.action == "bulk.approve"))
        )
    assert [e.data["done"] for e in events] == [[t1, t2], [t3]]
    assert events[1].data["include_escalated"] is True


async def test_a_bulk_approve_and_a_click_race_one_winner_each_ticket(desk: Desk) -> None:
    mailbox = await smtp_mailbox(desk)
    pairs = await _tickets(desk, mailbox, 6)
    for _, d in pairs:
        async with desk.sessions.begin() as s:
            await s.execute(update(Draft).where(Draft.id == d).values(escalation_required=False))
    ann, ben = await agent(desk, "ann@team.test"), await agent(desk, "ben@team.test")

    async def clicks() -> int:
        won = 0
        for _, d in reversed(pairs):
            try:
                await desk.drafts.approve(d, ben)
                won += 1
            except InvalidTransition:
                pass
        return won

    result, ben_won = await asyncio.gather(desk.bulk.approve([t for t, _ in pairs], ann), clicks())
    assert len(result.done) + ben_won == 6
    assert {i.reason for i in result.skipped} <= {"already_decided"}
    async with desk.sessions() as s:
        n = len(
            list(await s.scalars(select(AuditEvent).where(AuditEvent.action == "draft.approved")))
        )
    assert n == 6  # one approval per draft, whoever won it
    async with desk.sessions() as s:  # and one learning record, in the winner's name
        kept = (
            await s.execute(
                select(DraftOutcome.draft_id, DraftOutcome.decided_by_id, Draft.approved_by_id)
                .join(Draft, Draft.id == DraftOutcome.draft_id)
                .where(DraftOutcome.decision == "approved")
            )
        ).all()
    assert sorted(d for d, _, _ in kept) == sorted(d for _, d in pairs)
    assert all(by == approver for _, by, approver in kept)


async def test_an_edit_after_the_confirmation_is_not_approved_unseen(desk: Desk) -> None:
    mailbox = await smtp_mailbox(desk)
    [(t1, d1)] = await _tickets(desk, mailbox, 1)
    async with desk.sessions.begin() as s:
        await s.execute(update(Draft).where(Draft.id == d1).values(escalation_required=False))
    ann = await agent(desk, "ann@team.test")
    preview = await desk.bulk.preview([t1], "approve")
    seen = {t.draft_id: t.draft_version for t in preview.act_on}
    await desk.drafts.edit(d1, await agent(desk, "ben@team.test"), body="A different answer.")
    result = await desk.bulk.approve([t1], ann, versions=seen)  # type: ignore[arg-type]
    assert [i.reason for i in result.skipped] == ["edited"]


async def test_bulk_reject_with_one_reason(desk: Desk) -> None:
    mailbox = await smtp_mailbox(desk)
    (t1, d1), (t2, d2) = await _tickets(desk, mailbox, 2)
    ann = await agent(desk, "ann@team.test")
    with pytest.raises(ValidationError):
        await desk.bulk.reject([t1, t2], ann, reason="   ")
    result = await desk.bulk.reject(TicketQuery(q="refund"), ann, reason="duplicate of #1")
    assert sorted(i.ticket_id for i in result.done) == [t1, t2]
    for d in (d1, d2):
        row = await draft_row(desk, d)
        assert (row.status, row.rejection_reason) == ("rejected", "duplicate of #1")
    again = await desk.bulk.reject([t1], ann, reason="x")
    assert (
        again.skipped[0].reason == "already_decided"
        and "rejected by ann" in again.skipped[0].detail
    )


async def test_bulk_send_sends_each_approved_reply_once(desk: Desk, smtp_flaky_server) -> None:
    server = smtp_flaky_server(["550 5.1.1 no such user"])
    mailbox = await smtp_mailbox(desk, server.host, server.port)
    pairs = await _tickets(desk, mailbox, 4)
    ann = await agent(desk, "ann@team.test")
    for _, d in pairs[:3]:
        await desk.drafts.approve(d, ann)
    ids = [t for t, _ in pairs]
    first, second = await asyncio.gather(desk.bulk.send(ids, ann), desk.bulk.send(ids, ann))
    done = [i.ticket_id for r in (first, second) for i in r.done]
    assert len(done) == 2 and len(set(done)) == 2  # one failed, one pending, none twice
    assert len(server.messages) == 2
    reasons = [i.reason for r in (first, second) for i in r.skipped]
    assert reasons.count("send_failed") == 1
    assert reasons.count("not_approved") == 2  # the pending one, seen by both runs
    failed = next(i for r in (first, second) for i in r.skipped if i.reason == "send_failed")
    assert "no such user" in failed.detail
    third = await desk.bulk.send(ids, ann)
    assert third.done == [] and len(server.messages) == 2
    assert {i.reason for i in third.skipped} == {"already_decided", "not_approved"}


async def test_temporary_failure_is_deferred(desk: Desk) -> None:
    mailbox = await smtp_mailbox(desk, "127.0.0.1", 9)  # nobody listens: a connection error
    [(t1, d1)] = await _tickets(desk, mailbox, 1)
    await desk.drafts.approve(d1, await agent(desk, "ann@team.test"))
    result = await desk.bulk.send([t1], await agent(desk, "ann@team.test"))
    assert [i.reason for i in result.skipped] == ["send_deferred"]
    assert (await draft_row(desk, d1)).status == "approved"  # waits for its retry


async def test_bulk_assign_and_role_checks(desk: Desk) -> None:
    mailbox = await smtp_mailbox(desk)
    (t1, _), (t2, _), (t3, _) = await _tickets(desk, mailbox, 3)
    boss = await ensure_user(desk.sessions, "boss@team.test", role="manager")
    ann = await agent(desk, "ann@team.test")
    boss_actor = await agent(desk, "boss@team.test")
    with pytest.raises(ValidationError):
        await desk.bulk.assign([t1], boss_actor, assignee_id=99999)
    result = await desk.bulk.assign(
        [t1, t2],
        boss_actor,
        assignee_id=ann.user_id,
        check=await principal_for(desk.sessions, boss_actor),
    )
    assert sorted(i.ticket_id for i in result.done) == [t1, t2]
    again = await desk.bulk.assign([t1], boss_actor, assignee_id=ann.user_id)  # type: ignore[arg-type]
    assert again.skipped[0].reason == "already_assigned"

    # an agent may take free tickets for themselves, not give tickets to others
    ann_check = await principal_for(desk.sessions, ann)
    res = await desk.bulk.assign([t3], ann, assignee_id=boss.id, check=ann_check)
    assert res.skipped[0].reason == "not_permitted"
    res = await desk.bulk.assign([t3], ann, assignee_id=ann.user_id, check=ann_check)  # type: ignore[arg-type]
    assert [i.ticket_id for i in res.done] == [t3]
    # ... nor decide tickets assigned to someone else
    ben = await agent(desk, "ben@team.test")
    res = await desk.bulk.reject(
        [t1, t2], ben, reason="no", check=await principal_for(desk.sessions, ben)
    )
    assert [i.reason for i in res.skipped] == ["not_permitted", "not_permitted"]
    async with desk.sessions() as s:
        assert {t.assigned_to_id for t in await s.scalars(select(Ticket))} == {ann.user_id}


async def test_slack_member_check_keeps_other_workspaces_out(desk: Desk) -> None:
    mailbox = await smtp_mailbox(desk)
    [(t1, _)] = await _tickets(desk, mailbox, 1)
    user = await ensure_user(desk.sessions, "mgr@team.test", role="manager")
    outsider = Member(user.id, user.email, "Mgr", "manager", team_id="T_OTHER", slack_user_id="U1")
    insider = Member(user.id, user.email, "Mgr", "manager", team_id="T_HOME", slack_user_id="U1")
    res = await desk.bulk.approve(
        [t1],
        outsider.principal(home_team="T_HOME"),
        include_escalated=True,
    )
    assert (
        res.skipped[0].reason == "not_permitted"
        and "another Slack workspace" in res.skipped[0].detail
    )
    res = await desk.bulk.approve(
        [t1],
        insider.principal(home_team="T_HOME"),
        include_escalated=True,
    )
    assert [i.ticket_id for i in res.done] == [t1]
