"""prompt_variants (A/B prompt instructions per category with a traffic share),
ai_calibrations (a provider's raw confidence fitted against people's decisions), and on
drafts the variant drawn (prompt_variant) and the provider's raw confidence (raw_confidence;
NULL on older drafts, whose confidence is raw)

Revision ID: 0019_prompt_variants
Revises: 0018_kb_proposals
Create Date: 2026-12-04 01:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.base
from db.columns import drop_column

revision = "0019_prompt_variants"
down_revision = "0018_kb_proposals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "prompt_variants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("share", sa.Integer(), nullable=False),
        sa.Column("instructions", sa.Text(), nullable=False),
        sa.Column("is_control", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("paused_reason", sa.Text(), nullable=True),
        sa.Column("paused_at", db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prompt_variants")),
        sa.UniqueConstraint("name", name=op.f("uq_prompt_variants_name")),
    )
    op.create_table(
        "ai_calibrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=50), nullable=False),
        sa.Column("fitted_at", db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("points", sa.JSON(), nullable=False),
        sa.Column("ece_before", sa.Float(), nullable=False),
        sa.Column("ece_after", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ai_calibrations")),
    )
    op.create_index(
        "ix_ai_calibrations_provider", "ai_calibrations", ["provider", "fitted_at"], unique=False
    )
    # plain ADD COLUMNs on both databases (never a copy of the table: see downgrade)
    op.add_column("drafts", sa.Column("prompt_variant", sa.String(50), nullable=True))
    op.add_column("drafts", sa.Column("raw_confidence", sa.Float(), nullable=True))


def downgrade() -> None:
    drop_column("drafts", "raw_confidence")  # in place: see db/columns.py
    drop_column("drafts", "prompt_variant")
    op.drop_index("ix_ai_calibrations_provider", table_name="ai_calibrations")
    op.drop_table("ai_calibrations")
    op.drop_table("prompt_variants")
