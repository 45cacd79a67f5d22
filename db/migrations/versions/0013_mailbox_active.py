"""mailboxes.active: a mailbox that holds tickets is deactivated (not polled) instead of
removed; every existing mailbox stays active

Revision ID: 0013_mailbox_active
Revises: 0009_notifications
Create Date: 2026-12-03 14:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_mailbox_active"
down_revision = "0009_notifications"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mailboxes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("mailboxes", schema=None) as batch_op:
        batch_op.drop_column("active")
