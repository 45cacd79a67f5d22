"""Dropping a column in a migration's downgrade, in place on every database.

On SQLite, Alembic's batch mode drops a column by copying the table and dropping the old
one; with foreign keys on (``db.session.install_sqlite_pragmas``), that DROP TABLE deletes
every row that refers to the old table (``ON DELETE CASCADE``): a downgrade of
``tickets.language`` deleted every message and draft. SQLite 3.35+ drops a column in place,
so the migrations that add a column with a plain ADD COLUMN drop it with ``drop_column``.
"""

from __future__ import annotations

from alembic import op


def drop_column(table: str, column: str) -> None:
    """``ALTER TABLE table DROP COLUMN column`` in place, never a copy of the table."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
    else:
        op.drop_column(table, column)
