"""Knowledge-base proposals: kb_articles.origin ('manual' for every existing article, or
'proposal': drafted by the desk from a resolved ticket), kb_proposal_sources (each resolved
ticket the desk proposed from, once: the article it made or joined) and
kb_proposal_posts (where the Slack app posted each proposal)

Revision ID: 0018_kb_proposals
Revises: 0017_sla_escalate_group
Create Date: 2026-12-04 01:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db.base import UTCDateTime
from db.columns import drop_column

revision = "0018_kb_proposals"
down_revision = "0017_sla_escalate_group"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN on both databases (never a copy of the table: see downgrade)
    op.add_column(
        "kb_articles",
        sa.Column("origin", sa.String(10), server_default="manual", nullable=False),
    )
    op.create_table(
        "kb_proposal_sources",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("similarity", sa.Float(), nullable=True),
        sa.Column("proposed_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_kb_proposal_sources_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["kb_articles.id"],
            name=op.f("fk_kb_proposal_sources_article_id_kb_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("ticket_id", name=op.f("pk_kb_proposal_sources")),
    )
    op.create_index(
        op.f("ix_kb_proposal_sources_article_id"),
        "kb_proposal_sources",
        ["article_id"],
        unique=False,
    )
    op.create_table(
        "kb_proposal_posts",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("ts", sa.String(32), nullable=True),
        sa.Column("rendered_version", sa.Integer(), nullable=True),
        sa.Column("rendered_status", sa.String(10), nullable=True),
        sa.Column("rendered_sources", sa.Integer(), nullable=True),
        sa.Column("claimed_at", UTCDateTime(), nullable=False),
        sa.Column("posted_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["kb_articles.id"],
            name=op.f("fk_kb_proposal_posts_article_id_kb_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_kb_proposal_posts")),
    )


def downgrade() -> None:
    op.drop_table("kb_proposal_posts")
    op.drop_index("ix_kb_proposal_sources_article_id", table_name="kb_proposal_sources")
    op.drop_table("kb_proposal_sources")
    drop_column("kb_articles", "origin")  # in place: see db/columns.py
