"""notifications: each user's preferences per kind and settings (zone, quiet hours,
digest days), and every notice sent, claimed by its unique key

Revision ID: 0009_notifications
Revises: 0008_assignment
Create Date: 2026-12-03 08:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.base

revision = "0009_notifications"
down_revision = "0008_assignment"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notification_prefs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notification_prefs_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_prefs")),
        sa.UniqueConstraint("user_id", "kind", name=op.f("uq_notification_prefs_user_id_kind")),
    )
    op.create_table(
        "notification_settings",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("tz", sa.String(length=64), nullable=True),
        sa.Column("quiet_start", sa.String(length=5), nullable=True),
        sa.Column("quiet_end", sa.String(length=5), nullable=True),
        sa.Column("business_days", sa.String(length=40), nullable=False),
        sa.Column("draft_waiting_minutes", sa.Integer(), nullable=False),
        sa.Column("updated_at", db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notification_settings_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_notification_settings")),
    )
    op.create_table(
        "notifications_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("result", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("at", db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("done_at", db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notifications_sent_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications_sent")),
        sa.UniqueConstraint("key", name=op.f("uq_notifications_sent_key")),
    )
    op.create_index(
        "ix_notifications_sent_result", "notifications_sent", ["result", "user_id"], unique=False
    )
    op.create_index(
        "ix_notifications_sent_user_at", "notifications_sent", ["user_id", "at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_notifications_sent_user_at", table_name="notifications_sent")
    op.drop_index("ix_notifications_sent_result", table_name="notifications_sent")
    op.drop_table("notifications_sent")
    op.drop_table("notification_settings")
    op.drop_table("notification_prefs")
