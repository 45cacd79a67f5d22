"""The status counts the database keeps (0023): after every kind of change to tickets and
drafts, the kept counts equal a recount from the rows, on SQLite and PostgreSQL; folding
keeps them; ``counts_by_status`` reads them."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, select, update

from db import status_counts
from db.models import Draft, Mailbox, StatusCount, Ticket
from server.wiring import Desk

WHEN = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def _same(desk: Desk) -> dict[tuple[str, int, str], int]:
    async with desk.sessions() as s:
        kept, recount = await status_counts.kept(s), await status_counts.recount(s)
    assert kept == recount
    return kept


def _ticket(box: int, i: int, status: str) -> Ticket:
    return Ticket(
        mailbox_id=box,
        requester_email=f"c{i}@example.com",
        subject=f"Subject {i}",
        status=status,
        received_at=WHEN,
        last_message_at=WHEN,
    )


def _draft(ticket_id: int, status: str) -> Draft:
    return Draft(ticket_id=ticket_id, status=status, body="Hi", ai_body="Hi")


async def test_the_kept_counts_follow_every_change(desk: Desk) -> None:
    async with desk.sessions() as s, s.begin():
        a, b = Mailbox(name="a", address="a@desk.test"), Mailbox(name="b", address="b@desk.test")
        s.add_all([a, b])
        await s.flush()
        box_a, box_b = a.id, b.id
        tickets = [
            _ticket(box_a if i % 3 else box_b, i, ("open", "answered")[i % 2]) for i in range(12)
        ]
        s.add_all(tickets)  # one statement: PostgreSQL's statement trigger counts it at once
        await s.flush()
        ids = [t.id for t in tickets]
    counts = await _same(desk)
    assert counts[("ticket", box_a, "open")] + counts[("ticket", box_b, "open")] == 6
    assert not any(kind == "draft" for kind, _, _ in counts)

    async with desk.sessions() as s, s.begin():
        s.add_all([_draft(t, "pending") for t in ids[:8]])
    assert sum(n for (k, _, st), n in (await _same(desk)).items() if k == "draft") == 8

    async with desk.sessions() as s, s.begin():  # a newer mail: the old draft superseded
        await s.execute(update(Draft).where(Draft.ticket_id == ids[0]).values(status="superseded"))
        s.add(_draft(ids[0], "pending"))
        # approved, then sent; a rejection with a newer draft after it
        await s.execute(update(Draft).where(Draft.ticket_id == ids[1]).values(status="approved"))
        await s.execute(update(Draft).where(Draft.ticket_id == ids[2]).values(status="rejected"))
        s.add(_draft(ids[2], "pending"))
        s.add(_draft(ids[9], "superseded"))  # a superseded draft alone counts for nothing
        escalated = _draft(ids[10], "pending")
        escalated.escalation_required = True
        s.add(escalated)
    counts = await _same(desk)
    assert sum(n for (k, _, st), n in counts.items() if k == "escalated") == 1

    async with desk.sessions() as s, s.begin():  # flagged, and unflagged
        await s.execute(
            update(Draft).where(Draft.ticket_id == ids[6]).values(escalation_required=True)
        )
        await s.execute(
            update(Draft).where(Draft.ticket_id == ids[10]).values(escalation_required=False)
        )
    counts = await _same(desk)
    assert [(k, st) for (k, _, st), n in counts.items() if k == "escalated"] == [
        ("escalated", "pending")
    ]

    async with desk.sessions() as s, s.begin():
        await s.execute(update(Draft).where(Draft.ticket_id == ids[1]).values(status="sent"))
        # the newest of ticket 2 superseded: its older rejected draft is the latest again
        newest = await s.scalar(
            select(Draft.id).where(Draft.ticket_id == ids[2]).order_by(Draft.id.desc())
        )
        await s.execute(update(Draft).where(Draft.id == newest).values(status="superseded"))
        await s.execute(update(Ticket).where(Ticket.id.in_(ids[:4])).values(status="resolved"))
        await s.execute(update(Ticket).where(Ticket.id == ids[5]).values(mailbox_id=box_b))
        await s.execute(delete(Draft).where(Draft.ticket_id == ids[3]))
    counts = await _same(desk)
    assert counts[("draft", box_a, "rejected")] == 1

    async with desk.sessions() as s, s.begin():  # a ticket goes, its drafts with it (cascade)
        await s.execute(delete(Ticket).where(Ticket.id == ids[4]))
    await _same(desk)
    async with desk.sessions() as s, s.begin():  # a mailbox goes, its tickets with it
        await s.execute(delete(Mailbox).where(Mailbox.id == box_b))
    counts = await _same(desk)
    assert {box for _, box, _ in counts} == {box_a}


async def test_folding_keeps_the_counts_in_one_row_per_key(desk: Desk) -> None:
    async with desk.sessions() as s, s.begin():
        box = Mailbox(name="a", address="a@desk.test")
        s.add(box)
        await s.flush()
        for i in range(5):  # one statement each: five rows of deltas for one key
            t = _ticket(box.id, i, "open")
            s.add(t)
            await s.flush()
            s.add(_draft(t.id, "pending"))
            await s.flush()
        await s.execute(update(Ticket).values(status="resolved"))
    before = await _same(desk)
    async with desk.sessions() as s, s.begin():
        folded, written = await status_counts.compact(s)
    assert folded > written == len(before) == 3  # resolved tickets, pending drafts (twice)
    assert (
        await _same(desk)
        == before
        == {
            ("ticket", box.id, "resolved"): 5,
            ("draft", box.id, "pending"): 5,
            ("drafts", box.id, "pending"): 5,
        }
    )
    async with desk.sessions() as s:
        assert len((await s.scalars(select(StatusCount))).all()) == 3
        await status_counts.rebuild(s)
        await s.commit()
    assert await _same(desk) == before


async def test_counts_by_status_reads_the_kept_counts(desk: Desk) -> None:
    async with desk.sessions() as s, s.begin():
        box = Mailbox(name="a", address="a@desk.test")
        s.add(box)
        await s.flush()
        tickets = [_ticket(box.id, i, st) for i, st in enumerate(("open", "open", "waiting"))]
        s.add_all(tickets)
        await s.flush()
        s.add_all([_draft(tickets[0].id, "pending"), _draft(tickets[1].id, "failed")])
    counts = await desk.tickets.counts_by_status()
    assert counts["open"] == 2 and counts["waiting"] == 1 and counts["total"] == 3
    assert counts["draft_pending"] == 1 and counts["draft_failed"] == 1
    assert counts["draft_sent"] == 0 and counts["resolved"] == 0


async def test_the_worker_folds_the_deltas_every_minute(desk: Desk) -> None:
    from server.worker import COUNTS_SECONDS, Worker

    async with desk.sessions() as s, s.begin():
        box = Mailbox(name="a", address="a@desk.test")
        s.add(box)
        await s.flush()
        for i in range(3):
            s.add(_ticket(box.id, i, "open"))
            await s.flush()
    worker = Worker(desk, control_seconds=60)
    await worker.tick()
    job = worker.scheduler.get_job("counts")
    assert job is not None and job.trigger.interval.total_seconds() == COUNTS_SECONDS
    await worker.fold_counts()
    async with desk.sessions() as s:
        rows = (await s.scalars(select(StatusCount))).all()
    assert [(r.kind, r.status, r.n) for r in rows] == [("ticket", "open", 3)]
