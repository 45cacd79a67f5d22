"""drafts.citations: the ids of the knowledge-base articles a draft cites; every existing
draft cites none

Revision ID: 0016_draft_citations
Revises: 0015_draft_outcomes
Create Date: 2026-12-03 15:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db.columns import drop_column

revision = "0016_draft_citations"
down_revision = "0015_draft_outcomes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN on both databases (never a copy of the table: see downgrade)
    op.add_column(
        "drafts",
        sa.Column("citations", sa.JSON(), server_default=sa.text("'[]'"), nullable=False),
    )


def downgrade() -> None:
    drop_column("drafts", "citations")  # in place: see db/columns.py
