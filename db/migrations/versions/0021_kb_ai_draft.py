"""Proposals the AI provider is to redraft: kb_articles.ai_draft_of (the version of the
extractive draft waiting for the model's; NULL: nothing to do) and ai_draft_attempts (how
many times the model failed on it)

Revision ID: 0021_kb_ai_draft
Revises: 0020_ticket_search
Create Date: 2026-12-04 02:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db.columns import drop_column

revision = "0021_kb_ai_draft"
down_revision = "0020_ticket_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ADD COLUMNs on both databases (never a copy of the table: see downgrade)
    op.add_column("kb_articles", sa.Column("ai_draft_of", sa.Integer(), nullable=True))
    op.add_column(
        "kb_articles",
        sa.Column("ai_draft_attempts", sa.Integer(), server_default="0", nullable=False),
    )


def downgrade() -> None:
    drop_column("kb_articles", "ai_draft_attempts")  # in place: see db/columns.py
    drop_column("kb_articles", "ai_draft_of")
