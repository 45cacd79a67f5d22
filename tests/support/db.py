"""Database fixtures: SQLite by default, PostgreSQL when TEST_DATABASE_URL says so.

The schema is built once per session with the real Alembic migrations; each test starts from
empty tables (a fresh copy of the migrated SQLite file, or TRUNCATE on PostgreSQL).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from db.base import Base
from db.migrate import upgrade
from db.session import SessionFactory, create_engine, create_session_factory, sync_url


def _pg_admin_url(url: str) -> str:
    return make_url(url).set(database="postgres").render_as_string(hide_password=False)


def scratch_postgres(base_url: str, prefix: str) -> tuple[str, Callable[[], None]]:
    """Create an empty database on ``base_url``'s server; return its URL and a function that
    drops it (for the suite and for bench/)."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_sync_engine(sync_url(_pg_admin_url(base_url)), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(base_url).set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database; yields its URL. PostgreSQL gets a throwaway database."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        path = tmp_path_factory.mktemp("db") / "template.db"
        url = f"sqlite:///{path}"
        upgrade(url)
        yield url
        return
    url, drop = scratch_postgres(base, "desk_test")
    try:
        upgrade(url)
        yield url
    finally:
        drop()


@pytest.fixture()
def database_url(database_template: str, tmp_path: Path) -> Iterator[str]:
    """An empty migrated database for one test."""
    u = make_url(database_template)
    if u.get_backend_name() == "sqlite":
        path = tmp_path / "desk.db"
        shutil.copyfile(u.database or "", path)
        yield f"sqlite:///{path}"
        return
    _truncate_all(database_template)
    yield database_template


def _truncate_all(url: str) -> None:
    """Empty every table. A connection left open by an earlier test would make TRUNCATE wait
    for ever, so wait a little and then fail naming the session that holds the lock."""
    eng = create_sync_engine(sync_url(url))
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    try:
        with eng.begin() as conn:
            conn.execute(text("SET LOCAL lock_timeout = '15s'"))
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    except OperationalError as exc:
        with eng.connect() as conn:
            holders = conn.execute(
                text(
                    "SELECT pid, application_name, state, xact_start, left(query, 200)"
                    " FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).all()
        raise AssertionError(
            "an earlier test left a transaction open; sessions on the test database:\n"
            + "\n".join(map(str, holders))
        ) from exc
    finally:
        eng.dispose()


@pytest.fixture()
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    eng = create_engine(database_url)
    yield eng
    await eng.dispose()


@pytest.fixture()
def session_factory(engine: AsyncEngine) -> SessionFactory:
    return create_session_factory(engine)
