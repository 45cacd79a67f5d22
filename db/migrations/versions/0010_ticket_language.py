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
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("language", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("language")
