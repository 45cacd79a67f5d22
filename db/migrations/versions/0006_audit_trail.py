"""audit trail: who (user id), on what (target), from where (request id, client address),
what changed; append-only

``ticket_id`` and ``draft_id`` lose their foreign keys (``ON DELETE SET NULL`` would update
old events when a ticket is deleted); triggers then refuse every UPDATE and DELETE on
``audit_events``, on PostgreSQL (a plpgsql function that raises) and on SQLite (``BEFORE``
triggers that ``RAISE(ABORT)``). ``TRUNCATE`` (PostgreSQL) is a table owner's operation and
is not blocked; the test suite empties its tables with it. Existing events get the target
``ticket:<id>`` of their ticket and the id of the user whose email they name.

The downgrade drops the triggers and the new columns and puts the foreign keys back,
clearing the ticket and draft ids of events whose row is gone (what ``SET NULL`` would have
done).

Revision ID: 0006_audit_trail
Revises: 0005_api_tokens
Create Date: 2026-12-03 07:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_audit_trail"
down_revision = "0005_api_tokens"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_audit_events_at": ["at"],
    "ix_audit_events_actor": ["actor", "at"],
    "ix_audit_events_actor_id": ["actor_id", "at"],
    "ix_audit_events_action": ["action", "at"],
}
FOREIGN_KEYS = {"ticket_id": "tickets", "draft_id": "drafts"}

PG_FUNCTION = """
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END
$$
"""
PG_TRIGGER = (
    "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events"
    " FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"
)
SQLITE_TRIGGERS = {
    "audit_events_no_update": "UPDATE",
    "audit_events_no_delete": "DELETE",
}


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        for column in FOREIGN_KEYS:
            batch_op.drop_constraint(
                f"fk_audit_events_{column}_{FOREIGN_KEYS[column]}", type_="foreignkey"
            )
        batch_op.add_column(sa.Column("actor_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("target", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("request_id", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("client_addr", sa.String(length=100), nullable=True))
        batch_op.add_column(
            sa.Column("changes", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
        for name, columns in INDEXES.items():
            batch_op.create_index(name, columns, unique=False)
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.alter_column("changes", server_default=None)
    op.execute(
        "UPDATE audit_events SET target = 'ticket:' || CAST(ticket_id AS VARCHAR(20))"
        " WHERE ticket_id IS NOT NULL"
    )
    op.execute(
        "UPDATE audit_events SET actor_id ="
        " (SELECT MIN(users.id) FROM users WHERE lower(users.email) = lower(audit_events.actor))"
    )
    if _postgres():
        op.execute(PG_FUNCTION)
        op.execute(PG_TRIGGER)
    else:
        for name, operation in SQLITE_TRIGGERS.items():
            op.execute(
                f"CREATE TRIGGER {name} BEFORE {operation} ON audit_events BEGIN"
                f" SELECT RAISE(ABORT, 'audit_events is append-only: {operation} refused');"
                " END"
            )


def downgrade() -> None:
    if _postgres():
        op.execute("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS audit_events_append_only()")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    for column, table in FOREIGN_KEYS.items():
        op.execute(
            f"UPDATE audit_events SET {column} = NULL WHERE {column} IS NOT NULL"
            f" AND NOT EXISTS (SELECT 1 FROM {table} WHERE {table}.id = audit_events.{column})"
        )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        for name in INDEXES:
            batch_op.drop_index(name)
        for column in ("changes", "client_addr", "request_id", "target", "actor_id"):
            batch_op.drop_column(column)
        for column, table in FOREIGN_KEYS.items():
            batch_op.create_foreign_key(
                f"fk_audit_events_{column}_{table}",
                table,
                [column],
                ["id"],
                ondelete="SET NULL",
            )
