"""core.reports never writes: not in its source, and not on a database while it runs.

The import contract keeps it away from the modules that decide and audit; this checks the
rest: no DML construct or session write in ``core/reports/*.py``, and every statement its
services send to a seeded database (both dialects) is a read, with no commit.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, insert
from sqlalchemy.ext.asyncio import AsyncEngine

from core.access.teams import team_mailbox_ids
from core.reports.analytics import PERIODS, TRENDS, AnalyticsService
from core.reports.charts import chart_for
from core.reports.headlines import StatsService
from db.models import AuditEvent
from server.wiring import Desk
from tests.analytics.data import NOW, seed
from tests.analytics.sla_data import seed_sla

REPORTS = Path(__file__).resolve().parents[2] / "core" / "reports"
# SQLAlchemy's writing constructs and raw SQL, wherever they would be imported from
WRITE_CONSTRUCTS = frozenset({"insert", "update", "delete", "text", "Insert", "Update", "Delete"})
# what a Session / Connection writes, commits or locks with
WRITE_METHODS = frozenset(
    {"add", "add_all", "delete", "merge", "flush", "commit", "begin", "begin_nested"}
    | {"bulk_save_objects", "bulk_insert_mappings", "bulk_update_mappings", "run_sync"}
    | {"exec_driver_sql", "with_for_update", "returning"}
)
# a read: SELECT, SHOW, or a SELECT behind a WITH (DML in a WITH is caught by DML below)
READ = re.compile(r"^\s*(SELECT|SHOW|WITH)\b", re.I)
DML = re.compile(
    r"\b(INSERT|UPDATE|DELETE|MERGE|TRUNCATE|CREATE|DROP|ALTER)\b|\bFOR\s+(UPDATE|SHARE)\b", re.I
)


def _sources() -> list[Path]:
    found = sorted(REPORTS.glob("*.py"))
    assert {p.name for p in found} >= {"analytics.py", "charts.py", "headlines.py"}
    return found


def _writes_in(source: str) -> list[str]:
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            found += [f"imports {a.name}" for a in node.names if a.name in WRITE_CONSTRUCTS]
        elif isinstance(node, ast.Import):  # sqlalchemy.insert(...) would pass the names
            found += [f"imports {a.name}" for a in node.names if a.name == "sqlalchemy"]
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in WRITE_METHODS:
                found.append(f"line {node.lineno}: .{func.attr}(...)")
            elif isinstance(func, ast.Name) and func.id in WRITE_CONSTRUCTS:
                found.append(f"line {node.lineno}: {func.id}(...)")
    return found


def test_the_source_check_finds_writes() -> None:
    source = (
        "from sqlalchemy import select, update\nimport sqlalchemy\n"
        "async def f(session):\n    session.add(1)\n    await session.commit()\n"
        "    async with session.begin():\n        pass\n"
    )
    assert len(_writes_in(source)) == 5


@pytest.mark.parametrize("path", _sources(), ids=lambda p: p.name)
def test_the_source_holds_no_write(path: Path) -> None:
    assert _writes_in(path.read_text(encoding="utf-8")) == [], path.name


class Recorder:
    """Every statement sent and every commit on an engine."""

    def __init__(self) -> None:
        self.statements: list[str] = []
        self.commits = 0

    def writes(self) -> list[str]:
        return [s for s in self.statements if not READ.match(s) or DML.search(s)]

    def on_statement(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.statements.append(statement)

    def on_commit(self, conn: Any) -> None:
        self.commits += 1


@contextmanager
def recording(engine: AsyncEngine) -> Iterator[Recorder]:
    rec, sync = Recorder(), engine.sync_engine
    event.listen(sync, "before_cursor_execute", rec.on_statement)
    event.listen(sync, "commit", rec.on_commit)
    try:
        yield rec
    finally:
        event.remove(sync, "before_cursor_execute", rec.on_statement)
        event.remove(sync, "commit", rec.on_commit)


async def test_the_recorder_sees_a_write(desk: Desk) -> None:
    """The check below is not vacuous: a write through the same engine is caught."""
    with recording(desk.engine) as rec:
        async with desk.sessions.begin() as s:
            await s.execute(insert(AuditEvent).values(actor="t", source="cli", action="x", data={}))
    assert rec.writes() and rec.commits == 1


async def test_the_services_only_read(desk: Desk) -> None:
    ids = await seed(desk)
    analytics = AnalyticsService(desk.sessions, clock=lambda: NOW)
    stats = StatsService(desk.sessions, clock=lambda: NOW)
    with recording(desk.engine) as rec:
        for period in PERIODS:
            for trend in TRENDS:
                for scope in (None, [ids["a"]], team_mailbox_ids("T_OTHER", None)):
                    report = await analytics.report(period, trend=trend, scope=scope)
                    report.to_csv()
            assert chart_for(report) and chart_for(report, by="category")
            assert chart_for(report, trend=True)
        await stats.queue_counts(team_id="T_HOME", home_team="T_HOME")
        await stats.queue_counts(team_id="T_OTHER", home_team="T_HOME")
    assert len(rec.statements) > 50  # the reports ran against the database
    assert rec.writes() == []
    assert rec.commits == 0


async def test_the_sla_figures_only_read(desk: Desk) -> None:
    ids = await seed_sla(desk)
    analytics = AnalyticsService(desk.sessions, clock=lambda: NOW)
    with recording(desk.engine) as rec:
        for period in PERIODS:
            for scope in (None, [ids["a"]]):
                report = await analytics.report(period, scope=scope)
                assert report.sla.clocks
                report.to_csv()
    assert any("sla_clocks" in s for s in rec.statements)
    assert rec.writes() == []
    assert rec.commits == 0
