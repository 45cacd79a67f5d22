"""Indexes for the reads every screen makes: drafts by status and ticket (App Home's
pending lists and queue counts), and each ticket's latest draft (the latest not superseded,
read from the index alone: every list row's draft and the status counts)

Revision ID: 0022_read_indexes
Revises: 0021_kb_ai_draft
Create Date: 2026-12-04 03:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0022_read_indexes"
down_revision = "0021_kb_ai_draft"
branch_labels = None
depends_on = None

# the same definitions on both databases (both take a partial index's WHERE)
INDEXES = {
    "ix_drafts_status_ticket": "ON drafts (status, ticket_id)",
    "ix_drafts_latest": "ON drafts (ticket_id, id, status) WHERE status <> 'superseded'",
}


def upgrade() -> None:
    for name, definition in INDEXES.items():
        op.execute(f"CREATE INDEX {name} {definition}")


def downgrade() -> None:
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
