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


def test_0018_marks_every_article_manual_and_goes_down_in_place(tmp_path: Path) -> None:
    base = os.environ.get("TEST_DATABASE_URL")
    url, drop = (
        scratch_postgres(base, "desk_kb18") if base else (f"sqlite:///{tmp_path / 'kb18.db'}", None)
    )
    try:
        upgrade(url, "0017_sla_escalate_group")
        engine = create_engine(sync_url(url))
        try:
            with engine.begin() as conn:
                conn.execute(
                    text(
                        "INSERT INTO kb_articles (title, body, language, status, version,"
                        " source_ticket_ids, helpful_count, unhelpful_count, created_at,"
                        " updated_at) VALUES ('Refunds', 'Five days', 'en', 'published', 1,"
                        " '[]', 0, 0, '2026-01-01', '2026-01-01')"
                    )
                )
            upgrade(url)
            with engine.connect() as conn:
                assert conn.scalar(text("SELECT origin FROM kb_articles")) == "manual"
            tables = set(inspect(engine).get_table_names())
            assert {"kb_proposal_sources", "kb_proposal_posts"} <= tables
            downgrade(url, "0017_sla_escalate_group")
            tables = set(inspect(engine).get_table_names())
            assert not {"kb_proposal_sources", "kb_proposal_posts"} & tables
            columns = {c["name"] for c in inspect(engine).get_columns("kb_articles")}
            assert "origin" not in columns
            with engine.connect() as conn:
                assert conn.scalar(text("SELECT title FROM kb_articles")) == "Refunds"
        finally:
            engine.dispose()
    finally:
        if drop:
            drop()


def test_0021_adds_the_ai_draft_mark_and_goes_down_in_place(tmp_path: Path) -> None:
    """An article from before 0021 is not marked (the model redrafts only what resolving
    marks from now on); the downgrade drops both columns in place, keeping the article."""
    base = os.environ.get("TEST_DATABASE_URL")
    url, drop = (
        scratch_postgres(base, "desk_kb21") if base else (f"sqlite:///{tmp_path / 'kb21.db'}", None)
    )
    try:
        upgrade(url, "0021_kb_ai_draft-1")
        engine = create_engine(sync_url(url))
        try:
            with engine.begin() as conn:
                conn.execute(
                    text(
                        "INSERT INTO kb_articles (title, body, language, status, origin, version,"
                        " source_ticket_ids, helpful_count, unhelpful_count, created_at,"
                        " updated_at) VALUES ('Refunds', 'Five days', 'en', 'draft', 'proposal',"
                        " 1, '[]', 0, 0, '2026-01-01', '2026-01-01')"
                    )
                )
            upgrade(url)
            with engine.connect() as conn:
                row = conn.execute(
                    text("SELECT ai_draft_of, ai_draft_attempts FROM kb_articles")
                ).one()
            assert tuple(row) == (None, 0)
            downgrade(url, "0021_kb_ai_draft-1")
            columns = {c["name"] for c in inspect(engine).get_columns("kb_articles")}
            assert not {"ai_draft_of", "ai_draft_attempts"} & columns and "origin" in columns
            with engine.connect() as conn:
                assert conn.scalar(text("SELECT title FROM kb_articles")) == "Refunds"
            upgrade(url)
        finally:
            engine.dispose()
    finally:
        if drop:
            drop()
