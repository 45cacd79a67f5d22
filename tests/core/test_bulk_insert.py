"""db.bulk.bulk_insert (COPY on PostgreSQL, a driver-level executemany on SQLite) stores
what an ORM insert stores: UTC datetimes, JSON, booleans, NULLs and column defaults."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from core.inbound.mailboxes import MailboxSpec
from db.bulk import bulk_insert, bulk_insert_ids, one_of, table_of
from db.models import AuditEvent, Ticket
from db.session import SessionFactory, is_postgres
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


async def test_bulk_insert_ids_returns_the_new_rows_ids_in_row_order(desk: Desk) -> None:
    """An older row with the same key is not mistaken for a new one (the key is unique only
    among the rows inserted together)."""
    mailbox_id = await _mailbox_id(desk)
    now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)

    def ticket(key: str) -> dict[str, object]:
        return {
            "mailbox_id": mailbox_id, "requester_email": "a@x.test", "requester_name": "",
            "subject": key, "status": "open", "resolved_at": None, "thread_id": key,
            "message_id": key, "received_at": now, "last_message_at": now, "created_at": now,
            "updated_at": now,
        }  # fmt: skip

    async with desk.sessions.begin() as session:
        assert await bulk_insert_ids(session, table_of(Ticket), [], key="message_id") == []
        [old] = await bulk_insert_ids(session, table_of(Ticket), [ticket("b")], key="message_id")
    async with desk.sessions.begin() as session:
        ids = await bulk_insert_ids(
            session, table_of(Ticket), [ticket(k) for k in "cab"], key="message_id"
        )
    assert len(set(ids)) == 3 and old not in ids and min(ids) > old
    async with desk.sessions.begin() as session:  # given a lower bound, the same answer
        [again] = await bulk_insert_ids(
            session, table_of(Ticket), [ticket("d")], key="message_id", above=max(ids)
        )
    assert again > max(ids)
    async with desk.sessions() as session:
        subjects = dict((await session.execute(select(Ticket.id, Ticket.subject))).all())
    assert [subjects[i] for i in ids] == ["c", "a", "b"] and subjects[old] == "b"
    assert subjects[again] == "d"


async def test_one_of_matches_exactly_the_values_given(desk: Desk) -> None:
    """Strings go to PostgreSQL as one text it splits; values it could not split that way
    (an empty one, one holding the separator) and integers go as an array."""
    mailbox_id = await _mailbox_id(desk)
    now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    keys = ["a@x.test", "b@x.test", "", "line\nbreak@x.test", "c, d@x.test"]
    async with desk.sessions.begin() as session:
        ids = await bulk_insert_ids(
            session,
            table_of(Ticket),
            [
                {"mailbox_id": mailbox_id, "requester_email": "r@x.test", "requester_name": "",
                 "subject": "s", "status": "open", "resolved_at": None, "thread_id": key,
                 "message_id": key, "received_at": now, "last_message_at": now,
                 "created_at": now, "updated_at": now}
                for key in keys
            ],
            key="message_id",
        )  # fmt: skip
    pg = desk.sessions.kw["bind"].dialect.name == "postgresql"

    async def matching(values: list[str] | list[int], column=Ticket.message_id) -> set[str]:  # type: ignore[no-untyped-def]
        async with desk.sessions() as session:
            found = await session.scalars(
                select(Ticket.message_id).where(one_of(column, values, pg=pg))
            )
            return set(found)

    assert await matching(["a@x.test", "c, d@x.test", "nope@x.test"]) == {"a@x.test", "c, d@x.test"}
    assert await matching(["", "b@x.test"]) == {"", "b@x.test"}
    assert await matching(["line\nbreak@x.test"]) == {"line\nbreak@x.test"}
    assert await matching(["line", "break@x.test"]) == set()
    assert await matching([ids[0], ids[3]], Ticket.id) == {"a@x.test", "line\nbreak@x.test"}
    assert await matching([]) == set()


async def test_is_postgres_answers_alike_for_every_kind_of_bind(
    engine: AsyncEngine, session_factory: SessionFactory, database_url: str
) -> None:
    """The one dialect check: an engine, its connection (async and sync), a session, a
    session factory's bind; a session without a bind is not PostgreSQL."""
    expected = database_url.startswith("postgresql")
    assert is_postgres(engine) is expected
    assert is_postgres(engine.sync_engine) is expected
    assert is_postgres(session_factory.kw.get("bind")) is expected
    async with session_factory() as session:
        assert is_postgres(session) is expected
        connection = await session.connection()
        assert is_postgres(connection) is expected
        assert is_postgres(connection.sync_connection) is expected
    assert is_postgres(AsyncSession()) is False
    assert is_postgres(None) is False
