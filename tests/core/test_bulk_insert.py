"""db.bulk.bulk_insert (COPY on PostgreSQL, a driver-level executemany on SQLite) stores
what an ORM insert stores: UTC datetimes, JSON, booleans, NULLs and column defaults."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from core.mailboxes import MailboxSpec
from db.bulk import bulk_insert, reserve_ids, table_of
from db.models import AuditEvent, Ticket
from server.wiring import Desk
from tests.support.desk import SUPPORT


async def _mailbox_id(desk: Desk) -> int:
    spec = MailboxSpec(
        name="bulk", address=SUPPORT, imap_host="127.0.0.1", imap_port=1, imap_user="u",
        imap_tls="none", smtp_host="127.0.0.1", smtp_port=1, smtp_user="u", smtp_tls="none",
        password="p",
    )  # fmt: skip
    await desk.mailboxes.add(spec)
    return (await desk.mailboxes.get("bulk")).id


async def test_rows_read_back_as_the_orm_wrote_them(desk: Desk) -> None:
    mailbox_id = await _mailbox_id(desk)
    paris = timezone(timedelta(hours=1))
    received = datetime(2026, 11, 24, 10, 30, 15, 123456, tzinfo=paris)
    now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    rows = [
        {
            "mailbox_id": mailbox_id,
            "requester_email": f"c{i}@x.test",
            "requester_name": 'Zoë "quoted"\ttab\nnewline \\ backslash',
            "subject": "Ünïcode ✓",
            "status": "open",
            "resolved_at": None,
            "thread_id": f"t{i}@x.test",
            "message_id": f"m{i}@x.test",
            "received_at": received,
            "last_message_at": received,
            "created_at": now,
            "updated_at": now,
        }
        for i in range(3)
    ]
    async with desk.sessions.begin() as session:
        await bulk_insert(session, table_of(Ticket), rows)
        tickets = (await session.scalars(select(Ticket).order_by(Ticket.id))).all()
        await bulk_insert(
            session,
            table_of(AuditEvent),
            [
                {"actor": "system", "source": "system", "action": "ticket.created",
                 "ticket_id": t.id, "draft_id": None, "data": {"n": [1, "two"], "ok": True}}
                for t in tickets
            ],
        )  # fmt: skip
    async with desk.sessions() as session:
        tickets = (await session.scalars(select(Ticket).order_by(Ticket.id))).all()
        events = (await session.scalars(select(AuditEvent).order_by(AuditEvent.id))).all()
    assert [t.requester_email for t in tickets] == ["c0@x.test", "c1@x.test", "c2@x.test"]
    first = tickets[0]
    assert first.requester_name == rows[0]["requester_name"]
    assert first.subject == "Ünïcode ✓"
    assert first.received_at == received and first.received_at.tzinfo is not None
    assert first.resolved_at is None
    assert first.escalation_required is False and first.ai_processed is False  # defaults
    assert [e.ticket_id for e in events] == [t.id for t in tickets]
    assert events[0].data == {"n": [1, "two"], "ok": True}
    assert events[0].at is not None  # a callable default, applied per insert


async def test_naive_datetime_is_refused(desk: Desk) -> None:
    row = {
        "actor": "system", "source": "system", "action": "x", "ticket_id": None,
        "draft_id": None, "data": {}, "at": datetime(2026, 11, 24, 9, 0),
    }  # fmt: skip
    with pytest.raises(Exception, match="naive datetime"):
        async with desk.sessions.begin() as session:
            await bulk_insert(session, table_of(AuditEvent), [row])


async def test_reserved_ids_are_new_ascending_and_never_handed_out_again(desk: Desk) -> None:
    """PostgreSQL: ids from the table's sequence, so a bulk insert carries them (no read-back
    by another key); SQLite has no sequence and says so with None."""
    mailbox_id = await _mailbox_id(desk)
    async with desk.sessions.begin() as session:
        first = await reserve_ids(session, table_of(Ticket), 3)
        if first is None:
            assert session.bind.dialect.name == "sqlite"
            return
        second = await reserve_ids(session, table_of(Ticket), 2)
        assert first == sorted(set(first)) and len(first) == 3
        assert min(second) > max(first) and await reserve_ids(session, table_of(Ticket), 0) == []
        now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
        await bulk_insert(
            session,
            table_of(Ticket),
            [
                {"id": tid, "mailbox_id": mailbox_id, "requester_email": "a@x.test",
                 "requester_name": "", "subject": "s", "status": "open", "resolved_at": None,
                 "thread_id": f"t{tid}", "message_id": f"m{tid}", "received_at": now,
                 "last_message_at": now, "created_at": now, "updated_at": now}
                for tid in second
            ],
        )  # fmt: skip
    async with desk.sessions() as session:
        assert list(await session.scalars(select(Ticket.id).order_by(Ticket.id))) == second
    async with desk.sessions.begin() as session:  # the sequence moved past what was taken
        [after] = await reserve_ids(session, table_of(Ticket), 1) or [0]
    assert after > max(second)
