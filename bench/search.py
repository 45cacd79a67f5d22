"""Search benchmark: ticket searches and a filtered list on PostgreSQL at scale, against a
primary-key look-up in the same run.

Creates a scratch database on the server (``--postgres``, else TEST_DATABASE_URL, else the
local server), migrates it, and loads ``--tickets N`` tickets (default 1,000,000) with about
two messages each (1-2 KB of support-mail text in English, German, Spanish, French,
Portuguese or an unknown language; order numbers, invoice numbers and addresses in them) by
COPY (each message's search document generated as it is stored, 0020). Then, for each query,
20 runs (``--runs``) of what ``desk tickets`` / ``GET /api/v1/tickets`` do for one page: the
page (50 rows), its capped total and its snippets, through the CLI's plain driver
(``db.lite``), each run next to a primary-key look-up of one ticket (``listing.one``); it
prints p50/p95 of both and their ratio, and how many tickets matched. Last, the size on
disk per 100,000 tickets with and without the indexes and the documents 0020 adds. The
database is dropped at the end unless ``--keep``.

``--reads``: instead, App Home's reads for one agent (with and without its pending filter),
the status counts and ``/desk stats`` over 30 days and all time, through the services
(``read_surfaces``); the tickets carry drafts and are assigned to ``AGENTS`` people. All
time is measured twice: as a person reads it (the report computed ahead, which the first,
warming run computes and keeps: ``core.workflow.reports_ahead``) and computed now (``fresh``:
what the worker's ``reports`` job spends every five minutes).

    .venv/bin/python bench/search.py [--tickets 1000000] [--runs 20] [--postgres URL] [--keep]
    .venv/bin/python bench/search.py --tickets N --measure URL   (a kept database, again)
    .venv/bin/python bench/search.py --tickets N --reads [--keep | --measure URL]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.tickets import listing  # noqa: E402
from core.tickets.listing import TicketQuery  # noqa: E402
from db.lite import LiteReader, reading  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from tests.support.db import scratch_postgres  # noqa: E402

START = datetime(2025, 1, 1, tzinfo=UTC)
CATEGORIES = ("Billing", "Technical", "Login / Access", "Feature Request", "General")
STATUSES = ("open", "answered", "resolved", "resolved", "resolved", "waiting")
URGENCIES = ("High", "Medium", "Low", "Low")
LANGUAGES = ("en", "en", "en", "de", "es", "fr", "pt", None)
FIRST = ("anna", "ben", "carla", "dieter", "erin", "frank", "gina", "hugo", "ines", "jonas")
LAST = ("weber", "smith", "garcia", "martin", "silva", "rossi", "novak", "kowalski", "jensen")
DOMAINS = ("example.com", "acme-corp.test", "shop.example", "mail.test", "beispiel.de")
TEXT = {
    "en": (
        "Hello team, I was charged twice for my subscription this month and would like a refund"
        " of the second charge. My account shows both payments. I tried the password reset but"
        " the email never arrived, so I cannot log in to check the invoice. The order was placed"
        " last week and the parcel has not been delivered yet; tracking shows no update. Could"
        " you please look into this and let me know what happens next? The app crashes when I"
        " open the settings page on my phone. Thanks for your help and kind regards."
    ),
    "de": (
        "Hallo, mir wurde die Rechnung für mein Abonnement doppelt abgebucht und ich bitte um"
        " Erstattung. Das Passwort lässt sich nicht zurücksetzen, die E-Mail kommt nie an. Die"
        " Bestellung wurde letzte Woche aufgegeben, das Paket ist noch nicht angekommen. Bitte"
        " prüfen Sie mein Konto und melden Sie sich. Vielen Dank und freundliche Grüße."
    ),
    "es": (
        "Hola, me cobraron dos veces la suscripción este mes y quiero un reembolso. No puedo"
        " restablecer la contraseña porque el correo nunca llega. El pedido se hizo la semana"
        " pasada y el paquete no ha llegado. Por favor revisen mi cuenta. Gracias y saludos."
    ),
    "fr": (
        "Bonjour, j'ai été facturé deux fois pour mon abonnement ce mois-ci et je souhaite un"
        " remboursement. Je ne peux pas réinitialiser mon mot de passe, le courriel n'arrive"
        " jamais. La commande a été passée la semaine dernière et le colis n'est pas arrivé."
        " Merci de vérifier mon compte. Cordialement."
    ),
    "pt": (
        "Olá, fui cobrado duas vezes pela assinatura este mês e gostaria de um reembolso. Não"
        " consigo redefinir a senha, o e-mail nunca chega. O pedido foi feito na semana passada"
        " e o pacote ainda não chegou. Por favor verifiquem a minha conta. Obrigado."
    ),
}
TEXT[None] = TEXT["en"]  # type: ignore[index]
SUBJECTS = (
    "Charged twice this month",
    "Cannot log in",
    "Parcel not delivered",
    "Refund request",
    "App crashes on settings",
    "Question about my invoice",
    "Feature request: dark mode",
    "Rechnung doppelt",
    "Pedido no llegó",
)
RARE = "xylophone"  # in one ticket of 20,000
ORDER_EVERY = 3  # one ticket in three names its invoice number


def _sentences(rng: random.Random, language: str | None, size: int) -> str:
    words = TEXT[language].split()  # type: ignore[index]
    out: list[str] = []
    total = 0
    while total < size:
        start = rng.randrange(len(words))
        chunk = " ".join(words[start : start + rng.randint(6, 18)])
        out.append(chunk)
        total += len(chunk) + 1
    return " ".join(out)


def _copy_text(value: object) -> str:
    if value is None:
        return "\\N"
    s = str(value)
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _rows(values: Iterator[tuple[object, ...]]) -> Iterator[bytes]:
    for row in values:
        yield ("\t".join(_copy_text(v) for v in row) + "\n").encode()


Row = tuple[object, ...]


AGENTS = 20  # users 1..AGENTS; four tickets in five are assigned to one of them
SUPERSEDED_EVERY = 5  # one ticket in five has an older, superseded draft too


def _drafts(i: int, status: str, when: datetime, rng: random.Random) -> list[Row]:
    """Ticket ``i``'s drafts, its latest last: an open ticket's waits (pending, now and then
    approved, failed or rejected), any other's was sent."""
    latest = (
        rng.choice(("pending",) * 8 + ("approved", "failed", "rejected"))
        if status == "open"
        else "sent"
    )
    approver = i % AGENTS + 1
    out: list[Row] = []
    if i % SUPERSEDED_EVERY == 0:
        out.append(
            (
                i,
                "superseded",
                1,
                "Older reply.",
                "Older reply.",
                "f",
                0,
                when,
                None,
                None,
                None,
                "[]",
                "{}",
            )
        )
    sent = latest == "sent"
    approved = latest in ("approved", "failed", "sent")
    out.append(
        (
            i, latest, 1, "Thanks, we are on it.", "Thanks, we are on it.",
            "t" if i % 11 == 0 else "f", 0, when + timedelta(minutes=1),
            approver if approved else None, when + timedelta(minutes=2) if approved else None,
            when + timedelta(minutes=3) if sent else None, "[]", "{}",
        )
    )  # fmt: skip
    return out


def generate(first_id: int, n: int, rng: random.Random) -> tuple[list[Row], list[Row], list[Row]]:
    """Tickets ``first_id`` .. ``first_id + n - 1``, their messages and drafts, as COPY rows."""
    tickets: list[Row] = []
    messages: list[Row] = []
    drafts: list[Row] = []
    for i in range(first_id, first_id + n):
        language = rng.choice(LANGUAGES)
        first, last = FIRST[i // 7 % len(FIRST)], LAST[i % len(LAST)]
        email = f"{first}.{last}{i % 7919}@{rng.choice(DOMAINS)}"
        when = START + timedelta(minutes=i * 5)
        subject = rng.choice(SUBJECTS)
        if i % ORDER_EVERY == 0:
            subject = f"{subject} (order 55-{i:07d})"
        status = rng.choice(STATUSES)
        assignee = i % (AGENTS + AGENTS // 4) + 1
        tickets.append(
            (
                i, 1, email, f"{first.title()} {last.title()}", subject, status,
                f"<t{i}@bench>", f"<t{i}@bench>", rng.choice(CATEGORIES), rng.choice(URGENCIES),
                language, "f", "t", when, when, when, when,
                assignee if assignee <= AGENTS else None,
            )
        )  # fmt: skip
        drafts.extend(_drafts(i, status, when, rng))
        for m in range(rng.choice((1, 2, 2, 2, 3))):
            body = _sentences(rng, language, rng.randint(1000, 2000))
            if m == 0 and i % ORDER_EVERY == 0:
                body += f" Invoice INV-{i:07d}, reply to {first}{i}@{rng.choice(DOMAINS)}."
            if i % 20_000 == 7:
                body += f" The {RARE} icon is missing."
            messages.append(
                (
                    i, 1, "in" if m != 1 else "out", "customer", f"<t{i}.{m}@bench>", "f", "[]",
                    email, first.title(), "[]", "[]", subject, when, when, body, "", len(body),
                    "", "[]", "[]", "f", "done", language,
                )
            )  # fmt: skip
    return tickets, messages, drafts


TICKET_COLUMNS = (
    "id, mailbox_id, requester_email, requester_name, subject, status, thread_id, message_id,"
    " category, urgency, language, escalation_required, ai_processed, received_at,"
    " last_message_at, created_at, updated_at, assigned_to_id"
)
DRAFT_COLUMNS = (
    "ticket_id, status, version, body, ai_body, escalation_required, send_attempts, created_at,"
    " approved_by_id, approved_at, sent_at, fix_steps, flags"
)
MESSAGE_COLUMNS = (
    'ticket_id, mailbox_id, direction, kind, message_id, synthetic_message_id, "references",'
    " from_email, from_name, to_addrs, cc_addrs, subject, date, received_at, body_text,"
    " reply_text, raw_size, raw_sha256, defects, notes, needs_reply, triage_status, language"
)
CHUNK = 50_000  # tickets per COPY


def load(url: str, n: int, seed: int) -> None:
    import psycopg
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from db.models import Mailbox, User
    from db.session import sync_url

    engine = create_engine(sync_url(url))
    with Session(engine) as s, s.begin():
        s.add(Mailbox(id=1, name="bench", address="support@bench.test"))
        s.add_all(
            User(id=u, email=f"agent{u}@bench.test", name=f"Agent {u}")
            for u in range(1, AGENTS + 1)
        )
    engine.dispose()
    rng = random.Random(seed)
    started = time.perf_counter()
    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo, autocommit=True) as conn:
        # the triggers of the status counts (0023) would count row by row; counted once after
        conn.execute("SET session_replication_role = replica")
        for lo in range(1, n + 1, CHUNK):
            count = min(CHUNK, n + 1 - lo)
            tickets, messages, drafts = generate(lo, count, rng)
            with conn.cursor() as cur:
                with cur.copy(f"COPY tickets ({TICKET_COLUMNS}) FROM STDIN") as copy:
                    for chunk in _rows(iter(tickets)):
                        copy.write(chunk)
                with cur.copy(f"COPY messages ({MESSAGE_COLUMNS}) FROM STDIN") as copy:
                    for chunk in _rows(iter(messages)):
                        copy.write(chunk)
                with cur.copy(f"COPY drafts ({DRAFT_COLUMNS}) FROM STDIN") as copy:
                    for chunk in _rows(iter(drafts)):
                        copy.write(chunk)
            print(f"  loaded {lo + count - 1:,} tickets ({time.perf_counter() - started:.0f} s)")
        conn.execute("SELECT setval('tickets_id_seq', (SELECT max(id) FROM tickets))")
        conn.execute("SELECT setval('drafts_id_seq', (SELECT max(id) FROM drafts))")
        conn.execute("SELECT setval('users_id_seq', (SELECT max(id) FROM users))")
        conn.execute("SELECT setval('mailboxes_id_seq', (SELECT max(id) FROM mailboxes))")
        conn.execute("SET session_replication_role = DEFAULT")
        asyncio.run(_count(url))
        conn.execute("VACUUM ANALYZE")
    print(f"loaded {n:,} tickets in {time.perf_counter() - started:.0f} s")


async def _count(url: str) -> None:
    """The status counts of what COPY loaded (``db.status_counts.rebuild``)."""
    from db import status_counts
    from db.session import create_engine, create_session_factory

    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session, session.begin():
            await status_counts.rebuild(session)
    finally:
        await engine.dispose()


def queries(n: int) -> dict[str, TicketQuery]:
    order = (n // 2) // ORDER_EVERY * ORDER_EVERY or ORDER_EVERY
    return {
        "rare word": TicketQuery(q=RARE),
        "common word": TicketQuery(q="account"),
        "two words": TicketQuery(q="refund subscription"),
        "quoted phrase": TicketQuery(q='"password reset"'),
        "order number": TicketQuery(q=f"INV-{order:07d}"),
        "sender substring": TicketQuery(q=f"{LAST[order % len(LAST)]}{order % 7919}@"),
        "status+category by urgency": TicketQuery(
            status="open", category="billing", sort="-urgency"
        ),
    }


def one_page(reader: LiteReader, query: TicketQuery) -> tuple[int, int, bool]:
    """What a list surface does for one page: the page, its capped total, its snippets."""
    page = listing.page(query, postgres=True)
    rows = reader.rows(page.sql, page.params)
    told = listing.page_total(rows)  # a ranked search's, from its own page
    if told is None:
        total = listing.count(query, postgres=True)
        n = int(reader.rows(total.sql, total.params)[0]["n"])
        told = min(n, listing.COUNT_CAP), n > listing.COUNT_CAP
    marks = listing.snippets([r["id"] for r in rows], query, postgres=True)
    if marks is not None:
        reader.rows(marks.sql, marks.params)
    return len(rows), *told


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def measure(url: str, n: int, runs: int, seed: int) -> None:
    rng = random.Random(seed + 1)
    with reading(url) as reader:
        print(
            f"\n{'query':28} {'p50 ms':>8} {'p95 ms':>8} {'pk p50':>7} {'pk p95':>7}"
            f" {'p50/pk':>7} {'page':>5} {'total':>7}"
        )
        for name, query in queries(n).items():
            query = query.validated()
            one_page(reader, query)  # warm
            took: list[float] = []
            pk: list[float] = []
            for _ in range(runs):
                look = listing.one(rng.randint(1, n))
                pk.append(timed(lambda look=look: reader.rows(look.sql, look.params)))  # type: ignore[misc]
                took.append(timed(lambda query=query: one_page(reader, query)))  # type: ignore[misc]
            shown, total, capped = one_page(reader, query)
            told = f"{total:,}+" if capped else f"{total:,}"
            print(
                f"{name:28} {statistics.median(took):8.1f} {p95(took):8.1f}"
                f" {statistics.median(pk):7.2f} {p95(pk):7.2f}"
                f" {statistics.median(took) / statistics.median(pk):7.0f} {shown:5} {told:>7}"
            )


TEAM = "T1"  # the app's home workspace: the bench mailbox is bound to none


def read_surfaces(url: str, n: int) -> dict[str, Callable[[], Awaitable[object]]]:
    """What App Home reads for one agent (``bot.handlers.events.publish_home``: the queue's
    counts, the agent's open tickets, the oldest pending ones, the SLA sections, the 7-day
    headline and the bulk list; with the pending filter its list instead of the SLA
    sections), the status counts (``desk stats`` / ``GET /api/v1/stats``) and ``/desk
    stats`` over 30 days and all time, through the services themselves."""
    from bot.handlers import events
    from core.access.teams import team_mailbox_ids
    from core.reports.analytics import AnalyticsService
    from core.reports.headlines import StatsService
    from core.tickets.queries import TeamQuery, TeamTicketReader
    from core.workflow.reports_ahead import ReportsAhead
    from db.session import create_engine, create_session_factory

    sessions = create_session_factory(create_engine(url))
    now = START + timedelta(minutes=n * 5, hours=1)  # just after the newest ticket
    tickets = TeamTicketReader(sessions)
    stats = StatsService(sessions, clock=lambda: now)
    analytics = ReportsAhead(AnalyticsService(sessions, clock=lambda: now))
    scope = team_mailbox_ids(TEAM, TEAM)

    def query(**filters: Any) -> TeamQuery:
        return TeamQuery(team_id=TEAM, home_team=TEAM, **filters)

    async def home(filter_name: str | None) -> object:
        await stats.queue_counts(team_id=TEAM, home_team=TEAM)
        if filter_name:
            size = events.FILTER_SIZE
            await tickets.list(query(**events.FILTERS[filter_name], sort="date", limit=size))
        mine = query(assigned_to_id=1, status="open", sort="-urgency", limit=events.LIST_SIZE)
        await tickets.list(mine)
        await tickets.list(query(status="pending", sort="date", limit=events.LIST_SIZE))
        if not filter_name:
            await tickets.list(query(sla="breached", sort="due", limit=events.SLA_SIZE))
            await tickets.list(query(sla="at_risk", sort="due", limit=events.SLA_SIZE))
        await analytics.report("7d", scope=scope)
        return await tickets.list(query(status="pending", sort="date", limit=events.BULK_SIZE))

    return {
        "App Home (one agent)": lambda: home(None),
        "App Home, pending filter": lambda: home("pending"),
        "status counts": tickets.counts_by_status,
        "/desk stats 30d": lambda: analytics.report("30d", scope=scope),
        "/desk stats all": lambda: analytics.report("all", scope=scope),
        "/desk stats all, fresh": lambda: analytics.report("all", scope=scope, fresh=True),
    }


def measure_reads(url: str, n: int, runs: int, seed: int) -> None:
    """``--reads``: each read surface ``runs`` times, each run next to a primary-key look-up."""
    rng = random.Random(seed + 2)
    surfaces = read_surfaces(url, n)

    async def timed_async(fn: Callable[[], Awaitable[object]]) -> float:
        started = time.perf_counter()
        await fn()
        return (time.perf_counter() - started) * 1000

    async def run() -> None:
        with reading(url) as reader:
            print(
                f"\n{'read':28} {'p50 ms':>8} {'p95 ms':>8} {'pk p50':>7} {'pk p95':>7}"
                f" {'p50/pk':>7}"
            )
            for name, fn in surfaces.items():
                await fn()  # warm
                took: list[float] = []
                pk: list[float] = []
                for _ in range(runs):
                    look = listing.one(rng.randint(1, n))
                    pk.append(timed(lambda look=look: reader.rows(look.sql, look.params)))  # type: ignore[misc]
                    took.append(await timed_async(fn))
                print(
                    f"{name:28} {statistics.median(took):8.1f} {p95(took):8.1f}"
                    f" {statistics.median(pk):7.2f} {p95(pk):7.2f}"
                    f" {statistics.median(took) / statistics.median(pk):7.0f}"
                )

    asyncio.run(run())


NEW_INDEXES = (
    "ix_messages_search_vector",
    "ix_tickets_requester_email_trgm",
    "ix_tickets_requester_name_trgm",
    "ix_tickets_subject_trgm",
    "ix_tickets_status_category_received",
    "ix_tickets_status_category_urgency",
)


def sizes(url: str, n: int) -> None:
    with reading(url) as reader:
        whole = int(reader.rows("SELECT pg_database_size(current_database()) AS b", {})[0]["b"])
        names = ", ".join(f"'{i}'" for i in NEW_INDEXES)
        indexes = int(
            reader.rows(
                f"SELECT coalesce(sum(pg_relation_size(c.oid)), 0) AS b FROM pg_class c"
                f" WHERE c.relname IN ({names})",
                {},
            )[0]["b"]
        )
        vectors = int(
            reader.rows(
                "SELECT coalesce(sum(pg_column_size(search_vector)), 0) AS b FROM messages", {}
            )[0]["b"]
        )
        tables = reader.rows(
            "SELECT relname, pg_total_relation_size(oid) AS b FROM pg_class"
            " WHERE relname IN ('tickets', 'messages') ORDER BY relname",
            {},
        )
    per = 100_000 / n
    mb = 1024 * 1024
    print(f"\nsize on disk per 100,000 tickets (database {whole / mb:,.0f} MB for {n:,}):")
    print(f"  with the 0020 indexes and documents:    {whole * per / mb:8,.0f} MB")
    print(
        f"  without them:                           {(whole - indexes - vectors) * per / mb:8,.0f} MB"
    )
    print(
        f"  of which the new indexes {indexes * per / mb:,.0f} MB, the documents {vectors * per / mb:,.0f} MB"
    )
    for row in tables:
        print(
            f"  {row['relname']} (with its indexes and TOAST): {int(row['b']) * per / mb:,.0f} MB"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument(
        "--reads",
        action="store_true",
        help="measure App Home, the status counts and /desk stats instead of the searches",
    )
    parser.add_argument(
        "--measure",
        metavar="URL",
        help="only measure a database an earlier --keep run loaded (--tickets as it had)",
    )
    args = parser.parse_args()
    if args.measure:
        if args.reads:
            measure_reads(args.measure, args.tickets, args.runs, args.seed)
            return
        measure(args.measure, args.tickets, args.runs, args.seed)
        sizes(args.measure, args.tickets)
        return
    url, drop = scratch_postgres(args.postgres, "desk_bench_search")
    print(f"scratch database: {url}")
    try:
        upgrade(url)
        load(url, args.tickets, args.seed)
        if args.reads:
            measure_reads(url, args.tickets, args.runs, args.seed)
        else:
            measure(url, args.tickets, args.runs, args.seed)
            sizes(url, args.tickets)
    finally:
        if args.keep:
            print(f"kept {url}")
        else:
            drop()


if __name__ == "__main__":
    main()
