"""Ticket search (0020, ``core.tickets.listing``): the same tickets found on SQLite and on
PostgreSQL for every kind of query (ranking may differ), exact tokens as typed, substrings of
sender and subject, relevance order, a capped total, snippets, each message's document kept
by the database as messages come, change and go (all the words of a query in one message),
and plans that use their indexes."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import delete, text, update

from core.tickets import listing
from core.tickets.listing import TicketQuery
from db import gin_upkeep
from db.models import Mailbox, Message, Ticket
from db.session import is_postgres
from server.wiring import Desk

ON_POSTGRES = bool(os.environ.get("TEST_DATABASE_URL"))


@dataclass(frozen=True)
class Spec:
    key: str
    subject: str
    email: str
    name: str
    language: str | None
    bodies: tuple[str, ...]
    status: str = "open"
    category: str | None = None
    urgency: str | None = None


TICKETS = (
    Spec(
        "refund",
        "Refund for a double charge",
        "jane.doe@example.com",
        "Jane Doe",
        "en",
        (
            "I was charged twice for my subscription, invoice INV-2291. Please refund the"
            " second charge.",
            "Any news about the refund?",
        ),
        category="Billing",
        urgency="High",
    ),
    Spec(
        "login",
        "Login locked",
        "bob@acme-corp.test",
        "Bob Stone",
        "en",
        ("My account is locked after three attempts. The password reset email never arrives.",),
        category="Login / Access",
        urgency="Medium",
    ),
    Spec(
        "parcel",
        "Order not delivered",
        "carla@shop.test",
        "Carla Ruiz",
        None,
        ("The parcel for order 55-1234 has not arrived.", "Tracking shows nothing yet."),
        category="Billing",
        urgency="Low",
    ),
    Spec(
        "rechnung",
        "Doppelt abgebucht",
        "dieter@beispiel.test",
        "Dieter Maier",
        "de",
        ("Die Rechnung wurde doppelt abgebucht.",),
        status="answered",
    ),
    Spec(
        "dark",
        "Dark mode request",
        "erin@example.com",
        "Erin West",
        "en",
        (
            "Please add a dark mode; the account page hurts my eyes at night.",
            "Reply to erin.backup@example.org instead, thanks.",
        ),
        category="Feature Request",
        urgency="Low",
    ),
    Spec(
        "copy",
        "Invoice copy",
        "frank@acme-corp.test",
        "Frank Hill",
        "en",
        ("Could you send a copy of invoice INV-2292? I need it for my account records.",),
        category="Billing",
        urgency="High",
    ),
)

# query -> the tickets it finds, on both databases
CASES = {
    "rare word": ("parcel", {"parcel"}),
    "common word": ("account", {"login", "dark", "copy"}),
    "two words": ("refund charge", {"refund"}),
    "quoted phrase": ('"password reset"', {"login"}),
    "-word": ("account -locked", {"dark", "copy"}),
    "or": ("parcel or rechnung", {"parcel", "rechnung"}),
    "order number INV": ("INV-2291", {"refund"}),
    "order number digits": ("55-1234", {"parcel"}),
    "email address in a message": ("erin.backup@example.org", {"dark"}),
    "email address of the sender": ("jane.doe@example.com", {"refund"}),
    "sender substring": ("ob@acme", {"login"}),
    "sender domain": ("acme-corp", {"login", "copy"}),
    "subject substring": ("oppelt abge", {"rechnung"}),
    "no word at all": ("-parcel", set()),
    "nothing": ("zebra", set()),
}


async def _store(desk: Desk, specs: tuple[Spec, ...] = TICKETS) -> dict[str, int]:
    ids: dict[str, int] = {}
    async with desk.sessions() as s, s.begin():
        mailbox = Mailbox(name="support", address="support@desk.test")
        s.add(mailbox)
        await s.flush()
        for n, spec in enumerate(specs):
            ticket = Ticket(
                mailbox_id=mailbox.id,
                requester_email=spec.email,
                requester_name=spec.name,
                subject=spec.subject,
                language=spec.language,
                status=spec.status,
                category=spec.category,
                urgency=spec.urgency,
            )
            s.add(ticket)
            await s.flush()
            ids[spec.key] = ticket.id
            for m, body in enumerate(spec.bodies):
                s.add(
                    Message(
                        ticket_id=ticket.id,
                        mailbox_id=mailbox.id,
                        direction="in",
                        message_id=f"<{n}.{m}@x.test>",
                        from_email=spec.email,
                        from_name=spec.name,
                        subject=spec.subject if m == 0 else f"Re: {spec.subject}",
                        language=spec.language,
                        body_text=body,
                    )
                )
    return ids


async def _found(desk: Desk, q: str, **filters: object) -> list[int]:
    views = await desk.tickets.list(TicketQuery(q=q, **filters))  # type: ignore[arg-type]
    return [v["id"] for v in views]


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
async def test_the_same_tickets_on_both_databases(desk: Desk, case: str) -> None:
    ids = await _store(desk)
    q, expected = CASES[case]
    found = await _found(desk, q)
    assert sorted(found) == sorted(ids[k] for k in expected), (q, found)
    assert len(found) == len(set(found))
    total = await desk.tickets.total(TicketQuery(q=q))
    assert (total.n, total.capped) == (len(expected), False)
    assert await desk.tickets.count(TicketQuery(q=q)) == len(expected)
    views, told = await desk.tickets.list_and_total(TicketQuery(q=q))  # from the page's rows
    assert sorted(v["id"] for v in views) == sorted(found) and told == total


async def test_a_ranked_page_tells_the_capped_total_count_would(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ranked page's window is one more than the cap: the rows ``count`` counts, so
    its total is the same, capped or not; past its last row the page cannot tell, and the
    count runs."""
    await _store(desk)
    monkeypatch.setattr(listing, "COUNT_CAP", 2)
    monkeypatch.setattr(listing, "RANK_WINDOW", 3)
    query = TicketQuery(q="account", limit=1)
    rows = await desk.tickets._rows(listing.page(query.validated(), postgres=_pg(desk)))
    assert listing.page_total(rows, cap=2) == (2, True)
    views, total = await desk.tickets.list_and_total(query, cap=2)
    assert (total.n, total.capped, len(views)) == (2, True, 1)
    assert total == await desk.tickets.total(query, cap=2)
    past = TicketQuery(q="account", offset=10)
    assert await desk.tickets.list_and_total(past, cap=2) == (
        [],
        await desk.tickets.total(past, cap=2),
    )
    monkeypatch.setattr(listing, "RANK_WINDOW", 10)
    monkeypatch.setattr(listing, "COUNT_CAP", 9)
    assert (await desk.tickets.list_and_total(query, cap=9))[1].n == 3  # "account": three


def _pg(desk: Desk) -> bool:
    return is_postgres(desk.engine)


async def test_filters_and_language_narrow_a_search(desk: Desk) -> None:
    ids = await _store(desk)
    assert await _found(desk, "account", category="billing") == [ids["copy"]]
    assert await _found(desk, "rechnung", language="de") == [ids["rechnung"]]
    assert await _found(desk, "rechnung", language="en") == []
    assert await _found(desk, "refund", status="answered") == []


async def test_a_subject_hit_ranks_above_a_message_hit_without_a_sort(desk: Desk) -> None:
    """Subject weight A over message text C (ts_rank_cd / bm25); a sort given wins."""
    ids = await _store(desk)
    assert await _found(desk, "invoice") == [ids["copy"], ids["refund"]]
    assert await _found(desk, "invoice", sort="date") == [ids["refund"], ids["copy"]]


async def test_the_total_stops_at_its_cap(desk: Desk) -> None:
    await _store(desk)
    capped = await desk.tickets.total(TicketQuery(q="account"), cap=2)
    assert (capped.n, capped.capped, str(capped)) == (2, True, "2+")
    whole = await desk.tickets.total(TicketQuery(q="account"), cap=3)
    assert (whole.n, whole.capped, str(whole)) == (3, False, "3")
    assert (await desk.tickets.total(TicketQuery())).n == len(TICKETS)


async def test_snippets_mark_the_words_of_the_page(desk: Desk) -> None:
    ids = await _store(desk)
    (view,) = await desk.tickets.list(TicketQuery(q="parcel"))
    assert view["id"] == ids["parcel"] and "**parcel**" in view["snippet"], view["snippet"]
    (view,) = await desk.tickets.list(TicketQuery(q="INV-2291"))
    assert "**INV-2291**" in view["snippet"], view["snippet"]
    (view,) = await desk.tickets.list(TicketQuery(q="ob@acme"))  # a substring: no words
    assert view["snippet"] is None
    assert {v["snippet"] for v in await desk.tickets.list(TicketQuery())} == {None}


async def test_the_database_keeps_each_message_s_document(desk: Desk) -> None:
    """A message added is found, one edited is found by its new words only, one deleted is
    gone; the words of a query must all be in one message (with its subject and sender)."""
    ids = await _store(desk)
    async with desk.sessions() as s, s.begin():
        s.add(
            Message(
                ticket_id=ids["login"],
                mailbox_id=(await s.get(Ticket, ids["login"])).mailbox_id,  # type: ignore[union-attr]
                direction="in",
                message_id="<late@x.test>",
                subject="Re: Login locked",
                body_text="Still no giraffe in my inbox.",
            )
        )
    assert await _found(desk, "giraffe") == [ids["login"]]
    assert await _found(desk, "giraffe locked") == [ids["login"]]  # its own subject
    assert await _found(desk, "giraffe password") == []  # the words of two messages
    async with desk.sessions() as s, s.begin():
        await s.execute(
            update(Message)
            .where(Message.message_id == "<late@x.test>")
            .values(body_text="Still no zebra in my inbox.")
        )
    assert await _found(desk, "zebra") == [ids["login"]]
    assert await _found(desk, "giraffe") == []
    async with desk.sessions() as s, s.begin():
        await s.execute(delete(Message).where(Message.message_id == "<late@x.test>"))
    assert await _found(desk, "zebra") == []
    assert await _found(desk, "password") == [ids["login"]]
    async with desk.sessions() as s, s.begin():
        await s.execute(
            update(Ticket).where(Ticket.id == ids["parcel"]).values(subject="Okapi sighting")
        )
    assert await _found(desk, "okapi") == [ids["parcel"]]  # the ticket's subject: a substring
    assert await _found(desk, "parcel") == [ids["parcel"]]  # its messages still count


FILLER = 20_000  # PostgreSQL: tickets enough for the planner to prefer an index


async def _filler(desk: Desk) -> None:
    """PostgreSQL: ``FILLER`` more tickets (one SQL statement) in three statuses and four
    categories, a message each (their documents generated), then VACUUM ANALYZE."""
    if not is_postgres(desk.engine):
        return
    async with desk.sessions() as s, s.begin():
        await s.execute(
            text(
                "INSERT INTO tickets (mailbox_id, requester_email, requester_name, subject,"
                " status, thread_id, message_id, category, urgency, escalation_required,"
                " ai_processed, received_at, last_message_at, created_at, updated_at)"
                " SELECT (SELECT min(id) FROM mailboxes), 'filler' || g || '@bulk.test',"
                " 'Filler ' || g, 'Filler subject number ' || g,"
                " (ARRAY['open', 'answered', 'resolved'])[r % 3 + 1], '', '',"
                " (ARRAY['Billing', 'Technical', 'Feature Request', 'Login / Access'])[r / 3 % 4 + 1],"
                " (ARRAY['High', 'Medium', 'Low'])[r / 12 % 3 + 1], false, false, w, w, w, w"
                " FROM generate_series(1, :n) g, LATERAL (SELECT"
                " TIMESTAMPTZ '2026-01-01 00:00+00' - (r % 100000) * INTERVAL '1 minute', r"
                # a fixed spread of statuses, categories and times (md5: no clock, no seed)
                " FROM (SELECT abs(('x' || substr(md5(g::text), 1, 8))::bit(32)::int)) AS h(r)"
                ") AS x(w, r)"
            ),
            {"n": FILLER},
        )
        await s.execute(
            text(
                "INSERT INTO messages (ticket_id, mailbox_id, direction, kind, message_id,"
                ' synthetic_message_id, "references", from_email, from_name, to_addrs,'
                " cc_addrs, subject, date, received_at, body_text, reply_text, raw_size,"
                " raw_sha256, defects, notes, needs_reply, triage_status, language)"
                " SELECT id, mailbox_id, 'in', 'customer', '<f' || id || '@bulk.test>', false,"
                " '[]', requester_email, requester_name, '[]', '[]', subject, received_at,"
                " received_at, 'Filler text about the account of customer ' || id"
                " || CASE WHEN id % 7 = 0 THEN ' and a refund' ELSE '' END, '', 10, '', '[]',"
                " '[]', false, 'done', 'en' FROM tickets WHERE requester_email LIKE '%@bulk.test'"
            )
        )
    async with desk.engine.connect() as conn:  # VACUUM: GIN's pending list into the index
        auto = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await auto.execute(text("VACUUM ANALYZE"))


def _explain(postgres: bool, sql: str) -> str:
    return f"EXPLAIN {sql}" if postgres else f"EXPLAIN QUERY PLAN {sql}"


async def _plan(desk: Desk, statement: listing.Statement) -> str:
    postgres = is_postgres(desk.engine)
    async with desk.sessions() as session:
        rows = await session.execute(text(_explain(postgres, statement.sql)), statement.params)
        return "\n".join(str(r[0] if postgres else r[-1]) for r in rows)


@pytest.mark.parametrize(
    ("sort", "index"),
    [
        ("-urgency", "ix_tickets_status_category_urgency"),
        ("urgency", "ix_tickets_status_category_urgency"),
        ("-date", "ix_tickets_status_category_received"),
        ("date", "ix_tickets_status_category_received"),
    ],
)
async def test_a_status_and_category_list_reads_its_index(
    desk: Desk, sort: str, index: str
) -> None:
    """The page of a status+category list, sorted by urgency or date, walks the composite
    index in order: no sort of the rows (an ascending sort, whose ties still go newest id
    first, is an Incremental Sort of the index's presorted key, not a sort of the rows).
    PostgreSQL: over ``FILLER`` tickets, vacuumed and analysed, with the planner's defaults
    (nothing disabled): a dropped index, or a query no index answers
    in order, fails it."""
    await _store(desk)
    await _filler(desk)
    query = TicketQuery(status="open", category="billing", sort=sort, limit=20).validated()
    plan = await _plan(desk, listing.page(query, postgres=is_postgres(desk.engine)))
    assert index in plan, plan
    if is_postgres(desk.engine):
        assert f"using {index} on tickets t" in plan, plan
        assert "Seq Scan on tickets" not in plan, plan
        assert not re.search(r"(^|->)\s*Sort\s+\(", plan, re.MULTILINE), plan
    else:
        assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan


async def test_a_search_reads_its_indexes(desk: Desk) -> None:
    """PostgreSQL: over ``FILLER`` tickets, vacuumed and analysed, with the planner's
    defaults (nothing disabled): the words are a Bitmap Index Scan on the GIN index of the
    messages' documents, each substring arm one on a trigram index, and neither the tickets
    nor the messages are read whole, for the page and for the capped count. SQLite: FTS5
    answers the MATCH."""
    await _store(desk)
    await _filler(desk)
    postgres = is_postgres(desk.engine)
    query = TicketQuery(q="refund charge").validated()
    for statement in (
        listing.page(query, postgres=postgres),
        listing.count(query, postgres=postgres),
    ):
        plan = await _plan(desk, statement)
        if postgres:
            assert "Bitmap Index Scan on ix_messages_search_vector" in plan, plan
            for trigram in (
                "ix_tickets_requester_email_trgm",
                "ix_tickets_requester_name_trgm",
                "ix_tickets_subject_trgm",
            ):
                assert f"Bitmap Index Scan on {trigram}" in plan, plan
            assert "Seq Scan on tickets" not in plan, plan
            assert "Seq Scan on messages" not in plan, plan
        else:
            assert "VIRTUAL TABLE INDEX" in plan and "messages_fts" in plan, plan


_OLD_ROWS = (
    "INSERT INTO mailboxes (id, name, address, kind, imap_host, imap_port, imap_user, imap_tls,"
    " imap_folder, smtp_host, smtp_port, smtp_user, smtp_tls, fetch_interval_seconds,"
    " consecutive_failures, created_at) VALUES (1, 'm', 'm@x.test', 'imap', 'h', 993, 'u',"
    " 'ssl', 'INBOX', 'h', 465, 'u', 'ssl', 60, 0, '2026-01-01 00:00:00+00')",
    "INSERT INTO tickets (id, mailbox_id, requester_email, requester_name, subject, status,"
    " thread_id, message_id, language, escalation_required, ai_processed, received_at,"
    " last_message_at, created_at, updated_at) VALUES (7, 1, 'carla@shop.test', 'Carla',"
    " 'Order not delivered', 'open', '<t7@x>', '<t7@x>', 'en', false, false,"
    " '2026-01-01 00:00:00+00', '2026-01-01 00:00:00+00', '2026-01-01 00:00:00+00',"
    " '2026-01-01 00:00:00+00')",
    "INSERT INTO messages (ticket_id, mailbox_id, direction, kind, message_id,"
    ' synthetic_message_id, "references", from_email, from_name, to_addrs, cc_addrs, subject,'
    " date, received_at, body_text, reply_text, raw_size, raw_sha256, defects, notes,"
    " needs_reply, triage_status) VALUES (7, 1, 'in', 'customer', '<t7@x>', false, '[]',"
    " 'carla@shop.test', 'Carla', '[]', '[]', 'Order not delivered', '2026-01-01 00:00:00+00',"
    " '2026-01-01 00:00:00+00', 'The parcel for order INV-2291 has not arrived.', '', 10, '',"
    " '[]', '[]', false, 'done')",
)


def test_the_migration_backfills_the_tickets_there_are(tmp_path: Path) -> None:
    """0020 on a database with tickets (rows written as SQL into the schema before it):
    they are found by their subject's and their messages' words, and exact tokens; down
    and up again keeps every ticket."""
    from sqlalchemy import create_engine

    from db.migrate import downgrade, upgrade
    from db.session import sync_url
    from tests.support.db import scratch_postgres

    base = os.environ.get("TEST_DATABASE_URL")
    url, drop = (
        scratch_postgres(base, "desk_search_migrate")
        if base
        else (f"sqlite:///{tmp_path / 'old.db'}", lambda: None)
    )
    engine = create_engine(sync_url(url))
    try:
        upgrade(url, "0020_ticket_search-1")
        with engine.begin() as conn:
            for sql in _OLD_ROWS:
                conn.execute(text(sql))
        upgrade(url)
        postgres = url.startswith("postgresql")

        def found(q: str) -> list[int]:
            page = listing.page(TicketQuery(q=q).validated(), postgres=postgres)
            with engine.connect() as conn:
                return [r.id for r in conn.execute(text(page.sql), page.params)]

        assert found("parcel") == found("delivered") == found("INV-2291") == [7]
        assert found("zebra") == []
        downgrade(url, "0020_ticket_search-1")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM messages")).scalar_one() == 1
        upgrade(url)
        assert found("parcel") == [7]
    finally:
        engine.dispose()
        drop()


def test_slack_search_shows_the_snippet_and_a_capped_total() -> None:
    from bot.blocks.lists import TicketLine, search_blocks

    line = TicketLine.from_view(
        {"id": 3, "subject": "Order", "status": "open", "snippet": "the **parcel** is late"},
        None,
    )
    blocks = search_blocks(
        [line], total=1000, offset=0, text="parcel", page_size=10, total_capped=True
    )
    assert "1 of 1,000+ tickets" in blocks[0]["text"]["text"]
    assert "> the *parcel* is late" in blocks[1]["text"]["text"]
    exact = search_blocks([line], total=1, offset=0, text="parcel", page_size=10)
    assert "1–1 of 1 ticket" in exact[0]["text"]["text"]


async def test_the_api_gives_snippets_and_says_when_the_total_is_capped(desk: Desk) -> None:
    from tests.support.api import api_client, api_token

    ids = await _store(desk)
    async with api_client(desk, await api_token(desk, "ann@team.test", scopes="read")) as c:
        body = (await c.get("/api/v1/tickets", params={"q": "INV-2291"})).json()
        assert [i["id"] for i in body["items"]] == [ids["refund"]]
        assert (body["total"], body["total_capped"]) == (1, False)
        assert "**INV-2291**" in body["items"][0]["snippet"]
        listed = (await c.get("/api/v1/tickets")).json()
        assert (listed["total"], listed["total_capped"]) == (len(TICKETS), False)
        assert {i["snippet"] for i in listed["items"]} == {None}


async def test_a_message_counts_with_its_own_text_not_the_history_it_quotes(desk: Desk) -> None:
    """``reply_text`` (quotes and signature stripped) is what a message adds to the
    document; a message without one counts with its whole text."""
    ids = await _store(desk)
    async with desk.sessions() as s, s.begin():
        s.add(
            Message(
                ticket_id=ids["dark"],
                mailbox_id=(await s.get(Ticket, ids["dark"])).mailbox_id,  # type: ignore[union-attr]
                direction="in",
                message_id="<quoting@x.test>",
                body_text="Thanks, that helps!\n> On Monday you wrote: the quokka form",
                reply_text="Thanks, that helps!",
            )
        )
    assert await _found(desk, "helps") == [ids["dark"]]
    assert await _found(desk, "quokka") == []


async def test_mail_nobody_answers_counts_with_its_subject_and_sender(desk: Desk) -> None:
    """A newsletter (``kind`` bulk, 0020's ``NOISE_KINDS``) is found by its subject and its
    sender, not by its text; a customer's mail by its text."""
    ids = await _store(desk)
    async with desk.sessions() as s, s.begin():
        s.add(
            Message(
                ticket_id=ids["dark"],
                mailbox_id=(await s.get(Ticket, ids["dark"])).mailbox_id,  # type: ignore[union-attr]
                direction="in",
                kind="bulk",
                message_id="<news@x.test>",
                subject="Weekly platypus digest",
                from_email="news@letters.test",
                body_text="This week: the wombat sale.",
            )
        )
    assert await _found(desk, "platypus") == [ids["dark"]]
    assert await _found(desk, "news@letters.test") == [ids["dark"]]
    assert await _found(desk, "wombat") == []
    async with desk.sessions() as s, s.begin():  # told a customer's after all: its text counts
        await s.execute(
            update(Message).where(Message.message_id == "<news@x.test>").values(kind="customer")
        )
    assert await _found(desk, "wombat") == [ids["dark"]]


async def test_the_worker_moves_the_search_indexes_pending_entries_into_them(desk: Desk) -> None:
    """New mail waits in the GIN indexes' pending lists (every search reads them in full)
    until it is moved into the index (``db.gin_upkeep``, the worker's minute job); the
    search finds it either way."""
    if not is_postgres(desk.engine):
        pytest.skip("GIN pending lists: PostgreSQL")
    from server.worker import Worker

    ids = await _store(desk)
    async with desk.sessions() as s, s.begin():
        moved = await gin_upkeep.flush(s)
    assert moved["ix_messages_search_vector"] > 0 and moved["ix_tickets_subject_trgm"] > 0
    async with desk.sessions() as s, s.begin():
        assert not any((await gin_upkeep.flush(s)).values())  # nothing new: nothing pending
    assert await _found(desk, "parcel") == [ids["parcel"]]
    async with desk.sessions() as s, s.begin():  # more mail, then the worker's round
        box = await s.scalar(text("SELECT min(id) FROM mailboxes"))
        ticket = Ticket(mailbox_id=box, requester_email="z@example.com", subject="Kettle")
        s.add(ticket)
        await s.flush()
        s.add(
            Message(
                ticket_id=ticket.id,
                mailbox_id=box,
                direction="in",
                message_id="<kettle@x.test>",
                from_email="z@example.com",
                subject="Kettle",
                language="en",
                body_text="The kettle switches itself off after two seconds.",
            )
        )
    await Worker(desk, control_seconds=60).fold_counts()
    async with desk.sessions() as s, s.begin():
        assert not any((await gin_upkeep.flush(s)).values())  # the worker moved them
    assert await _found(desk, "kettle") == [ticket.id]
