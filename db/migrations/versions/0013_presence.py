"""agent_profiles.availability_source: who set an agent's availability, a person or Slack
presence (presence brings back only the agents it sent away); every existing profile was
set by a person

Revision ID: 0013_presence
Revises: 0012_knowledge
Create Date: 2026-12-03 15:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db.columns import drop_column

revision = "0013_presence"
down_revision = "0012_knowledge"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN on both databases (never a copy of the table)
    op.add_column(
        "agent_profiles",
        sa.Column("availability_source", sa.String(20), server_default="person", nullable=False),
    )


def downgrade() -> None:
    drop_column("agent_profiles", "availability_source")  # in place: see db/columns.py
