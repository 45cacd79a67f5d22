"""tickets.language: the ISO 639-1 code of the language the customer wrote in (NULL when
unknown, and for the tickets stored before it)

Revision ID: 0010_ticket_language
Revises: 0009_notifications
Create Date: 2026-12-03 14:05:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db.columns import drop_column

revision = "0010_ticket_language"
down_revision = "0009_notifications"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN on both databases (never a copy of the table: see downgrade)
    op.add_column("tickets", sa.Column("language", sa.String(length=8), nullable=True))


def downgrade() -> None:
    drop_column("tickets", "language")  # in place: see db/columns.py
