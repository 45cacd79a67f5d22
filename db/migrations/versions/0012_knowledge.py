"""knowledge base: articles, with full text kept by the database (a weighted tsvector in
the article's language and a GIN index on PostgreSQL, an FTS5 table and its triggers on
SQLite)

Revision ID: 0012_knowledge
Revises: 0011_mailbox_active
Create Date: 2026-12-03 14:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.base

revision = "0012_knowledge"
down_revision = "0011_mailbox_active"
branch_labels = None
depends_on = None

# the article's language -> its text search configuration (db.fulltext.LANGUAGE_CONFIGS,
# written out: a generated column needs an immutable expression, so no text::regconfig cast)
PG_CONFIG = (
    "CASE lower(language)"
    " WHEN 'en' THEN 'english'::regconfig"
    " WHEN 'de' THEN 'german'::regconfig"
    " WHEN 'es' THEN 'spanish'::regconfig"
    " WHEN 'fr' THEN 'french'::regconfig"
    " WHEN 'pt' THEN 'portuguese'::regconfig"
    " ELSE 'simple'::regconfig END"
)
PG_VECTOR = (
    "ALTER TABLE kb_articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    f"setweight(to_tsvector({PG_CONFIG}, coalesce(title, '')), 'A') || "
    f"setweight(to_tsvector({PG_CONFIG}, coalesce(body, '')), 'B')) STORED"
)
PG_INDEX = "CREATE INDEX ix_kb_articles_search_vector ON kb_articles USING gin (search_vector)"

SQLITE_FTS = (
    "CREATE VIRTUAL TABLE kb_articles_fts USING fts5("
    "title, body, content='kb_articles', content_rowid='id',"
    " tokenize='unicode61 remove_diacritics 2')"
)
SQLITE_TRIGGERS = {
    "kb_articles_fts_insert": (
        "CREATE TRIGGER kb_articles_fts_insert AFTER INSERT ON kb_articles BEGIN"
        " INSERT INTO kb_articles_fts(rowid, title, body)"
        " VALUES (new.id, new.title, new.body); END"
    ),
    "kb_articles_fts_delete": (
        "CREATE TRIGGER kb_articles_fts_delete AFTER DELETE ON kb_articles BEGIN"
        " INSERT INTO kb_articles_fts(kb_articles_fts, rowid, title, body)"
        " VALUES ('delete', old.id, old.title, old.body); END"
    ),
    "kb_articles_fts_update": (
        "CREATE TRIGGER kb_articles_fts_update AFTER UPDATE OF title, body ON kb_articles"
        " BEGIN"
        " INSERT INTO kb_articles_fts(kb_articles_fts, rowid, title, body)"
        " VALUES ('delete', old.id, old.title, old.body);"
        " INSERT INTO kb_articles_fts(rowid, title, body)"
        " VALUES (new.id, new.title, new.body); END"
    ),
}


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    op.create_table(
        "kb_articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=True),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("source_ticket_ids", sa.JSON(), nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("helpful_count", sa.Integer(), nullable=False),
        sa.Column("unhelpful_count", sa.Integer(), nullable=False),
        sa.Column("last_cited_at", db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("public_url", sa.String(length=500), nullable=True),
        sa.Column("created_at", db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", db.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'published', 'archived')", name=op.f("ck_kb_articles_status")
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"],
            ["users.id"],
            name=op.f("fk_kb_articles_reviewed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_articles")),
    )
    op.create_index("ix_kb_articles_status", "kb_articles", ["status", "updated_at"])
    if _postgres():
        op.execute(PG_VECTOR)
        op.execute(PG_INDEX)
    else:
        op.execute(SQLITE_FTS)
        for ddl in SQLITE_TRIGGERS.values():
            op.execute(ddl)


def downgrade() -> None:
    if _postgres():
        op.execute("DROP INDEX IF EXISTS ix_kb_articles_search_vector")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS kb_articles_fts")
    op.drop_index("ix_kb_articles_status", table_name="kb_articles")
    op.drop_table("kb_articles")
