"""The reads every screen makes are index-backed (0022): App Home's lists of one agent and
of the pending drafts, and the status counts of every ticket's latest draft. PostgreSQL
(the plans of SQLite's few rows say nothing): over ``FILLER`` tickets with drafts,
vacuumed and analysed, with the planner's defaults (nothing disabled), a dropped index or
a query no index answers fails them. The status counts are the ones the database kept
(0023), equal to a recount."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.dialects import postgresql

from core.reports.workload import sla_counts_query
from core.tickets import listing
from core.tickets.listing import TicketQuery
from core.workflow.assignment import open_loads_query
from core.workflow.sla_sweep import due_clocks
from db import status_counts
from db.models import Mailbox
from db.session import is_postgres
from server.wiring import Desk

FILLER = 100_000  # the planner weighs a walk by date against the queue's few drafts
QUEUE = 300  # the pending drafts: of the newest open tickets, as a desk's queue is
AGENTS = 20


async def _filler(desk: Desk) -> None:
    """``FILLER`` tickets in four statuses, four in five assigned to one of ``AGENTS``
    people, with one draft each (a sixth are open: the newest ``QUEUE`` of them pending,
    the others' approved, failed or rejected; any other's was sent) and, for one in five,
    an older superseded draft and, for one in 50, an older rejected one; then VACUUM
    ANALYZE."""
    async with desk.sessions() as s, s.begin():
        if await s.scalar(select(func.count()).select_from(Mailbox)) == 0:
            s.add(Mailbox(name="plans", address="plans@desk.test"))
            await s.flush()
        await s.execute(
            text(
                "INSERT INTO users (email, name, role, is_active, created_at)"
                " SELECT 'agent' || g || '@plans.test', 'Agent ' || g, 'agent', true,"
                " TIMESTAMPTZ '2026-01-01 00:00+00' FROM generate_series(1, :n) g"
            ),
            {"n": AGENTS},
        )
        await s.execute(
            text(
                "INSERT INTO tickets (mailbox_id, requester_email, requester_name, subject,"
                " status, thread_id, message_id, category, urgency, escalation_required,"
                " ai_processed, assigned_to_id, received_at, last_message_at, created_at,"
                " updated_at)"
                " SELECT (SELECT min(id) FROM mailboxes), 'p' || g || '@bulk.test', 'P ' || g,"
                " 'Subject ' || g, (ARRAY['open', 'answered', 'resolved', 'resolved',"
                " 'resolved', 'waiting'])[g % 6 + 1], '', '', 'Billing',"
                " (ARRAY['High', 'Medium', 'Low'])[g % 3 + 1], false, true,"
                " CASE WHEN g % 5 = 0 THEN NULL ELSE"
                " (SELECT min(id) FROM users WHERE email LIKE '%@plans.test') + g % :agents END,"
                " w, w, w, w FROM generate_series(1, :n) g,"
                " LATERAL (SELECT TIMESTAMPTZ '2025-01-01 00:00+00' + g * INTERVAL '5 minutes')"
                " AS x(w)"
            ),
            {"n": FILLER, "agents": AGENTS},
        )
        for which, status in (
            ("id % 5 = 0", "'superseded'"),
            ("id % 50 = 1", "'rejected'"),
            (
                "true",
                "CASE WHEN status <> 'open' THEN 'sent' WHEN id > :queue THEN 'pending'"
                " WHEN id % 36 = 6 THEN 'approved' WHEN id % 36 = 12 THEN 'failed'"
                " ELSE 'rejected' END",
            ),
        ):
            await s.execute(
                text(
                    "INSERT INTO drafts (ticket_id, status, version, body, ai_body, fix_steps,"
                    " flags, escalation_required, send_attempts, created_at)"
                    f" SELECT id, {status}, 1, 'Reply', 'Reply', '[]', '{{}}', id % 11 = 0, 0,"
                    f" received_at FROM tickets WHERE requester_email LIKE '%@bulk.test'"
                    f" AND {which}"
                ),
                {"queue": await s.scalar(text("SELECT max(id) FROM tickets")) - QUEUE * 6},
            )
        # SLA clocks as a desk keeps them: every ticket's first-response clock, stopped by
        # the reply, but the queue's (the newest open tickets, as for the pending drafts),
        # whose resolution clock runs too, the next alert due over the coming days (a few
        # already due)
        await s.execute(
            text(
                "INSERT INTO sla_clocks (ticket_id, metric, cycle, policy_version,"
                " target_minutes, started_at, resumed_at, elapsed_seconds, due_at,"
                " next_alert_at, paused_seconds, stopped_at, stop_reason, warned)"
                " SELECT id, m.metric, 0, 1, 60, received_at, received_at, 0,"
                " received_at + INTERVAL '1 hour',"
                " CASE WHEN q.running THEN TIMESTAMPTZ '2026-01-01 00:00+00'"
                " + (id % 5000) * INTERVAL '1 minute' END, 0,"
                " CASE WHEN q.running THEN NULL ELSE received_at + INTERVAL '30 minutes' END,"
                " CASE WHEN q.running THEN NULL ELSE 'reply' END, '[]'"
                " FROM tickets, (VALUES ('first_response'), ('resolution')) AS m (metric),"
                " LATERAL (SELECT status = 'open' AND id > :queue) AS q (running)"
                " WHERE requester_email LIKE '%@bulk.test'"
                " AND (m.metric = 'first_response' OR q.running)"
            ),
            {"queue": await s.scalar(text("SELECT max(id) FROM tickets")) - QUEUE * 6},
        )
    async with desk.engine.connect() as conn:
        auto = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await auto.execute(text("VACUUM ANALYZE"))


async def _plan(desk: Desk, sql: str, params: dict[str, object]) -> str:
    async with desk.sessions() as session:
        rows = await session.execute(text(f"EXPLAIN {sql}"), params)
        return "\n".join(str(r[0]) for r in rows)


def _no_seq_scan(plan: str) -> None:
    assert "Seq Scan on tickets" not in plan, plan
    assert "Seq Scan on drafts" not in plan, plan


@pytest.fixture
async def filled(desk: Desk) -> Desk:
    if not is_postgres(desk.engine):
        pytest.skip("plans at scale: PostgreSQL (TEST_DATABASE_URL)")
    await _filler(desk)
    return desk


WORKSPACE = listing.Workspace("T1", home=True)  # the unbound mailbox: the home workspace's


async def test_app_home_s_pending_lists_start_from_the_pending_drafts(filled: Desk) -> None:
    """The oldest pending tickets (10), the bulk list (30) and the pending filter (25, by
    date): the drafts in that status (``ix_drafts_status_ticket``), not a walk of every
    ticket by date, each checked for its latest draft."""
    for sort, limit in (("date", 10), ("date", 30), ("-date", 25)):
        query = TicketQuery(status="pending", sort=sort, limit=limit).validated()
        page = listing.page(query, workspace=WORKSPACE, postgres=True)
        plan = await _plan(filled, page.sql, page.params)
        assert "ix_drafts_status_ticket" in plan, plan
        _no_seq_scan(plan)


async def test_app_home_s_own_open_tickets_read_the_assignee_index(filled: Desk) -> None:
    """One agent's open tickets, most urgent first: ``ix_tickets_assignee_status``, each
    row's latest draft from ``ix_drafts_latest``."""
    async with filled.sessions() as s:
        agent = await s.scalar(text("SELECT min(id) FROM users WHERE email LIKE '%@plans.test'"))
    query = TicketQuery(assigned_to_id=agent, status="open", sort="-urgency", limit=10)
    page = listing.page(query.validated(), workspace=WORKSPACE, postgres=True)
    plan = await _plan(filled, page.sql, page.params)
    assert "ix_tickets_assignee_status" in plan, plan
    assert "ix_drafts_latest" in plan, plan
    _no_seq_scan(plan)


def _sql(statement: object) -> str:
    compiled = statement.compile(  # type: ignore[attr-defined]
        dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
    )
    return str(compiled)


async def test_the_kept_status_counts_equal_a_recount(filled: Desk) -> None:
    """The counts 0023's triggers kept while the filler's statements ran (tickets by status,
    tickets by their latest draft, where tickets have superseded and rejected older drafts)
    are what a pass over the rows finds; the status counts read them, not the rows."""
    async with filled.sessions() as s:
        kept, recount = await status_counts.kept(s), await status_counts.recount(s)
    assert kept == recount
    drafts = {status: n for (kind, _, status), n in kept.items() if kind == "draft"}
    assert set(drafts) == {"pending", "approved", "failed", "rejected", "sent"}, drafts
    assert sum(drafts.values()) == FILLER
    counts = await filled.tickets.counts_by_status()
    assert counts["total"] == FILLER and counts["draft_pending"] == drafts["pending"]


async def test_the_sla_sweep_reads_the_clocks_due_from_their_index(filled: Desk) -> None:
    """The sweep's clocks due: the few whose next alert has come (``ix_sla_clocks_alert``),
    not every running clock."""
    due = due_clocks(datetime(2026, 1, 1, 0, 30, tzinfo=UTC), 200)
    plan = await _plan(filled, _sql(due), {})
    assert "ix_sla_clocks_alert" in plan, plan
    assert "Seq Scan on sla_clocks" not in plan, plan


async def test_the_assigner_s_loads_read_the_assignee_index(filled: Desk) -> None:
    async with filled.sessions() as s:
        agents = list(
            await s.scalars(text("SELECT id FROM users WHERE email LIKE '%@plans.test' LIMIT 5"))
        )
    plan = await _plan(filled, _sql(open_loads_query(agents)), {})
    assert "ix_tickets_assignee_status" in plan, plan
    _no_seq_scan(plan)


async def test_the_workload_s_sla_counts_start_from_the_running_clocks(filled: Desk) -> None:
    """Per owner, the running clocks of tickets not resolved: the running clocks from
    their partial index, each one's ticket by its key."""
    plan = await _plan(filled, _sql(sla_counts_query()), {})
    assert "ix_sla_clocks_open_due" in plan, plan
    assert "Seq Scan on sla_clocks" not in plan, plan
    _no_seq_scan(plan)
