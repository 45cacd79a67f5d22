"""tickets.language: the ISO 639-1 code of the language the customer wrote in (NULL when
unknown, and for the tickets stored before it)

Revision ID: 0010_ticket_language
Revises: 0009_notifications
Create Date: 2026-12-03 14:05:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_ticket_language"
down_revision = "0009_notifications"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN on both databases (never a copy of the table: see downgrade)
    op.add_column("tickets", sa.Column("language", sa.String(length=8), nullable=True))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite 3.35+ drops the column in place. Batch mode would copy the table and drop
        # the old one, and with foreign keys on, that drop deletes every message and draft
        # of every ticket (CASCADE).
        op.execute("ALTER TABLE tickets DROP COLUMN language")
    else:
        op.drop_column("tickets", "language")
