"""assignment: agent profiles, per-mailbox strategy, reopened tickets to route

``agent_profiles``: one row per desk user who takes automatic assignments (skills,
languages, capacity, availability, shift calendar (a business calendar of
``sla_calendars``), time zone, when last assigned);
``mailbox_assignment``: a mailbox's strategy (balanced, round_robin, manual; no row is
manual) and its fallback when nobody has the skill; ``reopened_tickets``: a resolved ticket
a customer wrote to again, with when it had been resolved, until the assigner routes it.
An index on ``tickets (assigned_to_id, status)`` serves agents' loads and the queue.

Revision ID: 0008_assignment
Revises: 0007_sla
Create Date: 2026-12-03 08:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.base  # noqa: F401  (column types)

revision = "0008_assignment"
down_revision = "0007_sla"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agent_profiles",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("available", sa.Boolean(), nullable=False),
        sa.Column("away_since", db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("shift_calendar_id", sa.Integer(), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("last_assigned_at", db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_agent_profiles_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shift_calendar_id"],
            ["sla_calendars.id"],
            name=op.f("fk_agent_profiles_shift_calendar_id_sla_calendars"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_agent_profiles")),
    )
    op.create_table(
        "mailbox_assignment",
        sa.Column("mailbox_id", sa.Integer(), nullable=False),
        sa.Column("strategy", sa.String(length=12), nullable=False),
        sa.Column("fallback", sa.String(length=20), nullable=False),
        sa.Column("updated_at", db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["mailbox_id"],
            ["mailboxes.id"],
            name=op.f("fk_mailbox_assignment_mailbox_id_mailboxes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("mailbox_id", name=op.f("pk_mailbox_assignment")),
    )
    op.create_table(
        "reopened_tickets",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("resolved_at", db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reopened_at", db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_reopened_tickets_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("ticket_id", name=op.f("pk_reopened_tickets")),
    )
    op.create_index(
        "ix_tickets_assignee_status", "tickets", ["assigned_to_id", "status"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_tickets_assignee_status", table_name="tickets")
    op.drop_table("reopened_tickets")
    op.drop_table("mailbox_assignment")
    op.drop_table("agent_profiles")
