"""sla_policies.escalate_to_group: on breach, reassign to a group ("managers": the
least-loaded available manager or admin) instead of one user; NULL for every existing policy

Revision ID: 0017_sla_escalate_group
Revises: 0016_draft_citations
Create Date: 2026-12-03 15:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db.columns import drop_column

revision = "0017_sla_escalate_group"
down_revision = "0016_draft_citations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN on both databases (never a copy of the table: see downgrade)
    op.add_column("sla_policies", sa.Column("escalate_to_group", sa.String(20), nullable=True))


def downgrade() -> None:
    drop_column("sla_policies", "escalate_to_group")  # in place: see db/columns.py
