"""Analytics on 100,000 tickets: the `/desk stats` figures for 30 days, computed in SQL.

    .venv/bin/python bench/analytics.py [--tickets 100000] [--postgres URL] [--runs 5]

Creates a scratch PostgreSQL database (TEST_DATABASE_URL, --postgres, or
postgresql://postgres@127.0.0.1/postgres), migrates it, generates tickets over the last
year (each with its customer message and an AI draft: sent, rejected, pending, some edited,
some escalated, 20 agents, 3 mailboxes) with server-side ``generate_series``, and times
``AnalyticsService.report("30d")`` (every figure /desk stats shows: response and resolution
times with medians, categories, urgencies, approval/edit/escalation rates, agents, the daily
trend, template usage, and the SLA compliance of two clocks a ticket with their
percentiles) against a plain ``SELECT count(*) FROM tickets`` in the same run.
Prints the median time of ``--runs`` runs of each and the ratio. Exit 1 above 1 s.
The scratch database is dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine as create_sync_engine  # noqa: E402
from sqlalchemy import text  # noqa: E402

from core.reports.analytics import Analytics, AnalyticsService  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from db.session import create_engine, create_session_factory, sync_url  # noqa: E402
from tests.support.db import scratch_postgres  # noqa: E402

DEFAULT_PG = "postgresql://postgres@127.0.0.1/postgres"
TARGET_SECONDS = 1.0

SEED = """
INSERT INTO users (id, email, name, role, is_active, created_at)
SELECT g, 'agent' || g || '@bench.test', 'Agent ' || g, 'agent', true, now()
FROM generate_series(1, 20) g;

INSERT INTO mailboxes (id, name, address, kind, imap_host, imap_port, imap_user, imap_tls,
    imap_folder, smtp_host, smtp_port, smtp_user, smtp_tls, fetch_interval_seconds,
    consecutive_failures, created_at)
SELECT g, 'box' || g, 'support' || g || '@bench.test', 'maildir', '', 993, '', 'ssl', 'INBOX',
    '', 587, '', 'starttls', 120, 0, now()
FROM generate_series(1, 3) g;

INSERT INTO tickets (id, mailbox_id, requester_email, requester_name, subject, status,
    thread_id, message_id, category, urgency, summary, escalation_required, ai_processed,
    assigned_to_id, received_at, last_message_at, first_response_at, resolved_at,
    created_at, updated_at)
SELECT g, 1 + g % 3, 'c' || g || '@cust.test', 'Customer ' || g, 'Question ' || g,
    CASE WHEN g % 3 = 0 AND g % 5 <> 0 THEN 'resolved'
         WHEN g % 5 <> 0 THEN 'answered' ELSE 'open' END,
    '<t' || g || '@cust.test>', '<t' || g || '@cust.test>',
    (ARRAY['Billing','Technical','Login / Access','Feature Request','General Inquiry','Other'])
        [1 + (g * 7) % 6],
    (ARRAY['Low','Medium','High'])[1 + (g * 13) % 3],
    'summary', g % 17 = 0, true,
    CASE WHEN g % 4 = 0 THEN 1 + g % 20 END,
    r.at, r.at,
    CASE WHEN g % 5 <> 0 THEN r.at + (60 + (g * 37) % 14400) * interval '1 second' END,
    CASE WHEN g % 3 = 0 AND g % 5 <> 0
         THEN r.at + (3600 + (g * 53) % 259200) * interval '1 second' END,
    r.at, r.at
FROM generate_series(1, :n) g,
LATERAL (SELECT now() - (g * 365.0 / :n) * interval '1 day' AS at) r;

INSERT INTO messages (id, ticket_id, mailbox_id, direction, kind, message_id,
    synthetic_message_id, "references", from_email, from_name, to_addrs, cc_addrs, subject,
    date, received_at, body_text, reply_text, raw_size, raw_sha256, defects, notes,
    needs_reply, triage_status)
SELECT t.id, t.id, t.mailbox_id, 'in', 'customer', t.message_id, false, '[]'::json,
    t.requester_email, t.requester_name, '[]'::json, '[]'::json, t.subject,
    t.received_at, t.received_at, 'Hello, I need help with question ' || t.id, '', 0, '',
    '[]'::json, '[]'::json, true, 'done'
FROM tickets t;

INSERT INTO drafts (id, ticket_id, in_reply_to_message_id, status, version, body, ai_body,
    edit_ratio, category, urgency, summary, fix_steps, confidence, escalation_required,
    flags, provider, model, prompt_version, created_at, approved_by_id, approved_at,
    approved_body_sha256, rejected_by_id, rejected_at, rejection_reason,
    outgoing_message_id, send_attempts, sent_at)
SELECT t.id, t.id, t.id,
    CASE WHEN t.first_response_at IS NOT NULL THEN 'sent'
         WHEN t.id % 11 = 0 THEN 'rejected' ELSE 'pending' END,
    CASE WHEN t.id % 7 = 0 THEN 2 ELSE 1 END,
    CASE WHEN t.id % 7 = 0 THEN 'Edited reply ' || t.id ELSE 'AI reply ' || t.id END,
    'AI reply ' || t.id,
    CASE WHEN t.id % 7 = 0 THEN ((t.id * 29) % 100) / 100.0 END,
    t.category, t.urgency, 'summary', '[]'::json, 0.8, t.escalation_required, '{}'::json,
    'offline', 'tfidf-logreg-v1', 'offline-templates-v1',
    t.received_at + interval '5 seconds',
    CASE WHEN t.first_response_at IS NOT NULL THEN 1 + (t.id * 3) % 20 END,
    CASE WHEN t.first_response_at IS NOT NULL
         THEN t.received_at + (t.first_response_at - t.received_at) / 2 END,
    CASE WHEN t.first_response_at IS NOT NULL THEN 'sha' END,
    CASE WHEN t.first_response_at IS NULL AND t.id % 11 = 0 THEN 1 + t.id % 20 END,
    CASE WHEN t.first_response_at IS NULL AND t.id % 11 = 0
         THEN t.received_at + interval '10 minutes' END,
    CASE WHEN t.first_response_at IS NULL AND t.id % 11 = 0 THEN 'not for us' END,
    CASE WHEN t.first_response_at IS NOT NULL THEN '<r' || t.id || '@bench.test>' END,
    CASE WHEN t.first_response_at IS NOT NULL THEN 1 ELSE 0 END,
    t.first_response_at
FROM tickets t;

INSERT INTO response_templates (id, name, category, description, body, is_active, ai_draft,
    created_at, updated_at)
SELECT g, 'template ' || g, NULL, '', 'Hi {{ customer_name }}', true, false, now(), now()
FROM generate_series(1, 10) g;

INSERT INTO template_uses (template_id, ticket_id, used_by_id, source, used_at)
SELECT 1 + t.id % 10, t.id, 1 + t.id % 20, 'slack', t.received_at + interval '1 minute'
FROM tickets t WHERE t.id % 9 = 0;

-- two SLA clocks a ticket (first response: 4 h, resolution: 3 days), stopped where the
-- ticket was answered or resolved, every seventh open one's resolution paused
INSERT INTO sla_clocks (ticket_id, metric, cycle, policy_id, policy_version, target_minutes,
    started_at, resumed_at, elapsed_seconds, due_at, next_alert_at, paused_at,
    paused_seconds, stopped_at, stop_reason, breached_at, warned)
SELECT t.id, m.metric, 0, NULL, 1, m.target, t.received_at, t.received_at,
    COALESCE(EXTRACT(EPOCH FROM (m.stopped - t.received_at))::int, 0),
    t.received_at + m.target * interval '1 minute', NULL,
    CASE WHEN m.stopped IS NULL AND m.metric = 'resolution' AND t.id % 7 = 0
         THEN t.received_at + interval '1 hour' END,
    0, m.stopped, CASE WHEN m.stopped IS NOT NULL THEN m.reason END,
    CASE WHEN m.stopped - t.received_at > m.target * interval '1 minute'
         THEN t.received_at + m.target * interval '1 minute' END,
    '[]'::json
FROM tickets t,
LATERAL (VALUES ('first_response', 240, t.first_response_at, 'reply'),
                ('resolution', 4320, t.resolved_at, 'resolved'))
    AS m(metric, target, stopped, reason);

ANALYZE;
"""


def fresh_database(pg_url: str) -> tuple[str, Callable[[], None]]:
    return scratch_postgres(pg_url, "desk_bench_analytics")


def seed(url: str, n: int) -> float:
    started = time.perf_counter()
    engine = create_sync_engine(sync_url(url))
    with engine.begin() as conn:
        for statement in SEED.split(";\n"):
            if statement.strip():
                conn.execute(text(statement), {"n": n} if ":n" in statement else {})
    engine.dispose()
    return time.perf_counter() - started


async def measure(url: str, runs: int) -> tuple[list[float], list[float], Analytics]:
    engine = create_engine(url)
    sessions = create_session_factory(engine)
    service = AnalyticsService(sessions)
    report = await service.report("30d", trend="day")  # warm the pool and the cache once
    stats_times, count_times = [], []
    for _ in range(runs):
        started = time.perf_counter()
        async with sessions() as session:
            await session.scalar(text("SELECT count(*) FROM tickets"))
        count_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        report = await service.report("30d", trend="day")
        stats_times.append(time.perf_counter() - started)
    await engine.dispose()
    return stats_times, count_times, report


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--postgres", default=os.environ.get("TEST_DATABASE_URL") or DEFAULT_PG, metavar="URL"
    )
    args = parser.parse_args()
    url, drop = fresh_database(args.postgres)
    try:
        upgrade(url)
        seeded = seed(url, args.tickets)
        print(f"seeded {args.tickets:,} tickets (+ messages, drafts, SLA clocks) in {seeded:.1f} s")
        stats_times, count_times, report = asyncio.run(measure(url, args.runs))
    finally:
        drop()
    stats_s, count_s = statistics.median(stats_times), statistics.median(count_times)
    a = report
    print(
        f"30-day figures: {a.tickets:,} tickets, first response median "
        f"{a.first_response.median_seconds or 0:.0f} s, approval rate {a.approval_rate or 0:.2f}, "
        f"{len(a.agents)} agents, {len(a.trend)} days"
    )
    first = a.sla.metrics["first_response"]
    print(
        f"30-day SLA: first response {first.met:,} met, {first.breached:,} breached, "
        f"p90 {first.p90_seconds or 0:.0f} s; {len(a.sla.by_agent)} assignees"
    )
    print(f"/desk stats (30d), median of {args.runs}: {stats_s * 1000:.1f} ms")
    print(f"SELECT count(*) FROM tickets, median of {args.runs}: {count_s * 1000:.1f} ms")
    print(f"ratio stats / count(*): {stats_s / count_s:.1f}x")
    ok = stats_s < TARGET_SECONDS
    print(f"{'OK' if ok else 'TOO SLOW'}: target under {TARGET_SECONDS:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
