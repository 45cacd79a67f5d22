"""mailboxes.ai_redact: personal data is replaced by placeholders before a mail's text goes
to an external AI provider; on for every mailbox there is

Revision ID: 0014_ai_privacy
Revises: 0013_presence
Create Date: 2026-12-03 15:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db.columns import drop_column

revision = "0014_ai_privacy"
down_revision = "0013_presence"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN on both databases (never a copy of the table: see downgrade)
    op.add_column(
        "mailboxes",
        sa.Column("ai_redact", sa.Boolean(), server_default=sa.true(), nullable=False),
    )


def downgrade() -> None:
    drop_column("mailboxes", "ai_redact")  # in place: see db/columns.py
