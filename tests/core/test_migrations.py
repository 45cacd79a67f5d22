"""Migrations on the test database: the mail text columns get LZ4 on PostgreSQL, the newest
migration goes down and up again, and the models match the migrated schema."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from db.base import Base
from db.fulltext import include_object
from db.migrate import downgrade, upgrade
from db.session import sync_url
from tests.support.db import scratch_postgres


def _fresh_database(tmp_path: Path) -> tuple[str, Callable[[], None]]:
    base = os.environ.get("TEST_DATABASE_URL")
    if base:
        return scratch_postgres(base, "desk_migrate")
    return f"sqlite:///{tmp_path / 'migrate.db'}", lambda: None


def _compression(url: str) -> dict[str, str]:
    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT attname, attcompression FROM pg_attribute"
                    " WHERE attrelid = 'messages'::regclass"
                    " AND attname IN ('body_text', 'reply_text')"
                )
            ).all()
        return {name: str(method) for name, method in rows}
    finally:
        engine.dispose()


def test_migrations_round_trip_and_match_the_models(tmp_path: Path) -> None:
    url, drop = _fresh_database(tmp_path)
    try:
        upgrade(url)
        pg = url.startswith("postgresql")
        if pg:
            assert _compression(url) == {"body_text": "l", "reply_text": "l"}
        downgrade(url, "0003_productivity")
        if pg:
            assert set(_compression(url).values()) == {"p"}
        upgrade(url)
        engine = create_engine(sync_url(url))
        try:
            with engine.connect() as conn:
                context = MigrationContext.configure(conn, opts={"include_object": include_object})
                diff = compare_metadata(context, Base.metadata)
        finally:
            engine.dispose()
        assert diff == [], diff
    finally:
        drop()
