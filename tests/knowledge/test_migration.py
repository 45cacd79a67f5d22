"""Migration 0012: the full-text objects of each database come and go with the table."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import create_engine, inspect, text

from db.migrate import downgrade, upgrade
from db.session import sync_url
from tests.support.db import scratch_postgres


def test_upgrade_builds_and_downgrade_removes_the_text_index(tmp_path: Path) -> None:
    base = os.environ.get("TEST_DATABASE_URL")
    url, drop = (
        scratch_postgres(base, "desk_kb") if base else (f"sqlite:///{tmp_path / 'kb.db'}", None)
    )
    try:
        upgrade(url)
        engine = create_engine(sync_url(url))
        try:
            with engine.begin() as conn:
                conn.execute(
                    text(
                        "INSERT INTO kb_articles (title, body, language, status, version,"
                        " source_ticket_ids, helpful_count, unhelpful_count, created_at,"
                        " updated_at) VALUES ('Rechnungen', 'Doppelt', 'de', 'draft', 1, '[]',"
                        " 0, 0, '2026-01-01', '2026-01-01')"
                    )
                )
                if base:
                    vector = conn.scalar(text("SELECT search_vector::text FROM kb_articles"))
                    assert vector == "'doppelt':2B 'rechnung':1A"
                else:
                    found = conn.scalar(
                        text(
                            "SELECT rowid FROM kb_articles_fts WHERE kb_articles_fts MATCH 'doppelt'"
                        )
                    )
                    assert found == 1
            downgrade(url, "0012_knowledge-1")
            tables = set(inspect(engine).get_table_names())
            assert not {t for t in tables if t.startswith("kb_")}
            upgrade(url)
            assert "kb_articles" in inspect(engine).get_table_names()
        finally:
            engine.dispose()
    finally:
        if drop:
            drop()
