"""draft_outcomes: what people made of each AI draft (approved as written, edited, or
rejected with a reason), once per draft, read back as examples for similar mail

Revision ID: 0015_draft_outcomes
Revises: 0014_ai_privacy
Create Date: 2026-12-03 14:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.base

revision = "0015_draft_outcomes"
down_revision = "0014_ai_privacy"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "draft_outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("edit_ratio", sa.Float(), nullable=False),
        sa.Column("edit_class", sa.String(length=10), nullable=False),
        sa.Column("ai_text", sa.Text(), nullable=False),
        sa.Column("final_text", sa.Text(), nullable=False),
        sa.Column("rejection_reason", sa.Text(), nullable=True),
        sa.Column("category", sa.String(length=30), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("prompt_variant", sa.String(length=50), nullable=True),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("customer_text", sa.Text(), nullable=False),
        sa.Column("customer_name", sa.String(length=200), nullable=False),
        sa.Column("customer_email", sa.String(length=320), nullable=False),
        sa.Column("from_template", sa.Boolean(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["draft_id"],
            ["drafts.id"],
            name=op.f("fk_draft_outcomes_draft_id_drafts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_draft_outcomes_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["response_templates.id"],
            name=op.f("fk_draft_outcomes_template_id_response_templates"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_draft_outcomes_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draft_outcomes")),
        sa.UniqueConstraint("draft_id", name=op.f("uq_draft_outcomes_draft_id")),
    )
    op.create_index(
        "ix_draft_outcomes_lookup",
        "draft_outcomes",
        ["category", "language", "decided_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_draft_outcomes_lookup", table_name="draft_outcomes")
    op.drop_table("draft_outcomes")
