"""The SLA sweep over 100,000 open tickets on PostgreSQL.

    .venv/bin/python bench/sla.py [--tickets 100000] [--postgres URL] [--minutes 10]

Creates a scratch PostgreSQL database (TEST_DATABASE_URL, --postgres, or
postgresql://postgres@127.0.0.1/postgres), migrates it, and loads with COPY ``--tickets``
open tickets (20 agents, 2 managers) received over the last 24 business hours of a Berlin
Monday-to-Friday 9-17 calendar, each with its first response (8 h) and resolution (3 d)
clock as the sweep would have left them at the bench's fixed "now" (levels already passed
fired, breaches told). Then it runs the sweep once a minute of a fixed clock for
``--minutes`` minutes (each minute fires the warnings and breaches falling in it: the
worker's steady state) and, in the same run, a plain ``SELECT count(*)`` of the same open
tickets. Prints the median sweep time, what the sweeps fired, the median count(*) time
and the ratio. Exit 1 when the median sweep takes 1 s or more. The scratch database is
dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg  # noqa: E402
from sqlalchemy import text  # noqa: E402

from core.workflow.calendar_store import CalendarService  # noqa: E402
from core.workflow.calendars import BusinessCalendar, parse_hours  # noqa: E402
from core.workflow.notices import RecordingSink  # noqa: E402
from core.workflow.sla import BREACH_LEVEL, SlaClocks  # noqa: E402
from core.workflow.sla_policies import PolicyService  # noqa: E402
from core.workflow.sla_sweep import SlaSweep  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from db.session import create_engine, create_session_factory  # noqa: E402
from tests.support.db import scratch_postgres  # noqa: E402

DEFAULT_PG = "postgresql://postgres@127.0.0.1/postgres"
TARGET_SECONDS = 1.0
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 12, 9, 12, 0, tzinfo=BERLIN)  # a Wednesday: the bench's fixed clock
HOURS = "mon-fri 09:00-17:00"
TARGETS = {"first_response": 8 * 60, "resolution": 3 * 24 * 60}
LEVELS = (75, 90)

PEOPLE = """
INSERT INTO users (id, email, name, role, is_active, created_at)
SELECT g, 'user' || g || '@bench.test', 'User ' || g,
    CASE WHEN g > 20 THEN 'manager' ELSE 'agent' END, true, now()
FROM generate_series(1, 22) g;
SELECT setval('users_id_seq', 22);
INSERT INTO mailboxes (id, name, address, kind, imap_host, imap_port, imap_user, imap_tls,
    imap_folder, smtp_host, smtp_port, smtp_user, smtp_tls, fetch_interval_seconds,
    consecutive_failures, created_at)
VALUES (1, 'box', 'support@bench.test', 'maildir', '', 993, '', 'ssl', 'INBOX', '', 587, '',
    'starttls', 120, 0, now());
SELECT setval('mailboxes_id_seq', 1)
"""
TICKET_COLUMNS = (
    "id, mailbox_id, requester_email, requester_name, subject, status, thread_id, message_id,"
    " category, urgency, summary, escalation_required, ai_processed, assigned_to_id,"
    " received_at, last_message_at, first_response_at, resolved_at, created_at, updated_at"
)
CLOCK_COLUMNS = (
    "ticket_id, metric, cycle, policy_id, policy_version, target_minutes, started_at,"
    " resumed_at, elapsed_seconds, due_at, next_alert_at, paused_at, paused_seconds,"
    " stopped_at, stop_reason, breached_at, warned"
)


def clock_row(
    cal: BusinessCalendar, ticket_id: int, metric: str, policy_id: int, start: datetime
) -> tuple[Any, ...]:
    """A running clock as the sweep would have left it at NOW."""
    target = TARGETS[metric]
    due = cal.add(start, target)
    instants = {lv: cal.add_seconds(start, target * 60 * lv / 100) for lv in LEVELS}
    now = NOW.astimezone(UTC)
    warned = [lv for lv, at in instants.items() if at <= now]
    breached = due if due <= now else None
    if breached:
        warned = [*LEVELS, BREACH_LEVEL]
    pending = [at for lv, at in instants.items() if lv not in warned]
    next_alert = None if breached else min([*pending, due])
    return (
        ticket_id, metric, 0, policy_id, 1, target, start, start, 0, due, next_alert,
        None, 0, None, None, breached, json.dumps(warned),
    )  # fmt: skip


def starts(cal: BusinessCalendar, n: int) -> Iterator[tuple[int, datetime]]:
    """Ticket ids and arrival times spread over the 24 business hours before NOW."""
    first = NOW.astimezone(UTC)
    # walk back 24 business hours
    day_seconds = 24 * 3600
    span_start = first
    step = timedelta(minutes=1)
    while cal.between_seconds(span_start, first) < day_seconds:
        span_start -= step * 30
    for i in range(1, n + 1):
        yield i, cal.add_seconds(span_start, day_seconds * (i - 1) / n)


def load(url: str, n: int, policy_id: int, cal: BusinessCalendar) -> float:
    started = time.perf_counter()
    with psycopg.connect(url) as conn:
        with conn.cursor() as cur:
            for statement in PEOPLE.split(";\n"):
                cur.execute(statement)
        arrivals = list(starts(cal, n))
        with conn.cursor() as cur, cur.copy(f"COPY tickets ({TICKET_COLUMNS}) FROM STDIN") as copy:
            for tid, at in arrivals:
                copy.write_row(
                    (
                        tid, 1, f"c{tid}@cust.test", f"Customer {tid}", f"Question {tid}",
                        "open", f"<t{tid}@cust.test>", f"<t{tid}@cust.test>", "Technical",
                        "Medium", "summary", False, True, 1 + tid % 20, at, at, None, None,
                        at, at,
                    )
                )  # fmt: skip
        with (
            conn.cursor() as cur,
            cur.copy(f"COPY sla_clocks ({CLOCK_COLUMNS}) FROM STDIN") as copy,
        ):
            for tid, at in arrivals:
                for metric in TARGETS:
                    copy.write_row(clock_row(cal, tid, metric, policy_id, at))
        with conn.cursor() as cur:
            cur.execute(f"SELECT setval('tickets_id_seq', {n})")
            cur.execute("ANALYZE")
    return time.perf_counter() - started


class Minutes:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at.astimezone(UTC)


async def setup(url: str) -> int:
    engine = create_engine(url)
    sessions = create_session_factory(engine)
    await CalendarService(sessions).add("berlin", tz="Europe/Berlin", hours=HOURS)
    clock = Minutes(NOW)
    policies = PolicyService(sessions, clocks=SlaClocks(clock=clock), clock=clock)
    info = await policies.add(
        "standard", calendar="berlin", first_response="8h", resolution="3d", is_default=True
    )
    await engine.dispose()
    return info.policy.id


async def measure(url: str, minutes: int) -> tuple[list[float], list[float], dict[str, int]]:
    engine = create_engine(url)
    sessions = create_session_factory(engine)
    clock = Minutes(NOW)
    sink = RecordingSink()
    sweep = SlaSweep(sessions, sink, clock)
    fired = {"clocks": 0, "warnings": 0, "breaches": 0, "notices": 0}
    await sweep.run()  # at NOW: nothing is due yet (the load left the clocks so); warms up
    sweep_times, count_times = [], []
    for minute in range(1, minutes + 1):
        async with sessions() as session:
            started = time.perf_counter()
            await session.scalar(text("SELECT count(*) FROM tickets WHERE status = 'open'"))
            count_times.append(time.perf_counter() - started)
        clock.at = NOW + timedelta(minutes=minute)
        started = time.perf_counter()
        report = await sweep.run()
        sweep_times.append(time.perf_counter() - started)
        for key in fired:
            fired[key] += getattr(report, key)
    await engine.dispose()
    return sweep_times, count_times, fired


def fresh_database(pg_url: str) -> tuple[str, Callable[[], None]]:
    return scratch_postgres(pg_url, "desk_bench_sla")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--minutes", type=int, default=10)
    parser.add_argument(
        "--postgres", default=os.environ.get("TEST_DATABASE_URL") or DEFAULT_PG, metavar="URL"
    )
    args = parser.parse_args()
    url, drop = fresh_database(args.postgres)
    cal = BusinessCalendar("Europe/Berlin", parse_hours(HOURS))
    try:
        upgrade(url)
        policy_id = asyncio.run(setup(url))
        loaded = load(url, args.tickets, policy_id, cal)
        print(
            f"loaded {args.tickets:,} open tickets and {2 * args.tickets:,} clocks in {loaded:.1f} s"
        )
        sweep_times, count_times, fired = asyncio.run(measure(url, args.minutes))
    finally:
        drop()
    sweep_s, count_s = statistics.median(sweep_times), statistics.median(count_times)
    print(
        f"{args.minutes} sweeps, a minute apart: {fired['clocks']:,} clocks due, "
        f"{fired['warnings']:,} warnings, {fired['breaches']:,} breaches, "
        f"{fired['notices']:,} notices"
    )
    print(
        f"sweep, median of {args.minutes}: {sweep_s * 1000:.1f} ms (max {max(sweep_times) * 1000:.1f} ms)"
    )
    print(f"SELECT count(*) of the open tickets, median: {count_s * 1000:.1f} ms")
    print(f"ratio sweep / count(*): {sweep_s / count_s:.2f}x")
    ok = sweep_s < TARGET_SECONDS
    print(f"{'OK' if ok else 'TOO SLOW'}: target under {TARGET_SECONDS:.0f} s per sweep")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
