"""mailboxes.active: a mailbox that holds tickets is deactivated (not polled) instead of
removed; every existing mailbox stays active

Revision ID: 0011_mailbox_active
Revises: 0010_ticket_language
Create Date: 2026-12-03 14:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db.columns import drop_column

revision = "0011_mailbox_active"
down_revision = "0010_ticket_language"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN on both databases (never a copy of the table: see downgrade)
    op.add_column(
        "mailboxes", sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False)
    )


def downgrade() -> None:
    drop_column("mailboxes", "active")  # in place: see db/columns.py
