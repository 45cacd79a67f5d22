"""Status counts kept by the database: ``status_counts`` holds signed deltas per (kind,
mailbox, status), written by triggers on tickets and drafts, so the queue's counts are a sum
over a few rows instead of a pass over every ticket

kind ``ticket``: tickets by status. kind ``draft``: tickets by the status of their latest
draft that is not superseded (what ``TicketReader.counts_by_status`` reports as
``draft_<status>``). kind ``drafts``: drafts by status; kind ``escalated``: the drafts
flagged for escalation, by status (App Home's queue counts). Every insert, delete and change of status on tickets or drafts adds
rows of -1/+1 (a ticket insert statement one row per status on PostgreSQL, through its
transition table); ``db.status_counts.compact`` folds them into one row per key. The
draft triggers read the ticket's other drafts through ``ix_drafts_latest`` and never lock
the ticket. The upgrade counts what is there (a pass over every ticket, once).

Revision ID: 0023_status_counts
Revises: 0022_read_indexes
Create Date: 2026-12-04 19:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023_status_counts"
down_revision = "0022_read_indexes"
branch_labels = None
depends_on = None

# the latest draft of the ticket that is not superseded, the changed draft left out: on
# PostgreSQL into (lid, ls) in the trigger function, on SQLite a one-row join
_OTHERS = (
    "SELECT id, status FROM drafts WHERE ticket_id = {t} AND id <> {d}"
    " AND status <> 'superseded' ORDER BY id DESC LIMIT 1"
)

PG_FUNCTIONS = (
    """
CREATE FUNCTION status_counts_tickets_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO status_counts (kind, mailbox_id, status, n)
  SELECT 'ticket', mailbox_id, status, count(*) FROM new_rows GROUP BY mailbox_id, status;
  RETURN NULL;
END $$""",
    """
CREATE FUNCTION status_counts_tickets_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO status_counts (kind, mailbox_id, status, n)
  VALUES ('ticket', OLD.mailbox_id, OLD.status, -1);
  IF TG_OP = 'UPDATE' THEN
    INSERT INTO status_counts (kind, mailbox_id, status, n)
    VALUES ('ticket', NEW.mailbox_id, NEW.status, 1);
    INSERT INTO status_counts (kind, mailbox_id, status, n)
    SELECT 'draft', box, status, n FROM drafts,
      (VALUES (OLD.mailbox_id, -1), (NEW.mailbox_id, 1)) AS moved (box, n)
     WHERE ticket_id = OLD.id AND status <> 'superseded'
       AND OLD.mailbox_id IS DISTINCT FROM NEW.mailbox_id
       AND id = (SELECT max(id) FROM drafts WHERE ticket_id = OLD.id AND status <> 'superseded');
    INSERT INTO status_counts (kind, mailbox_id, status, n)
    SELECT k.kind, box, d.status, m.n * count(*) FROM drafts d,
      (VALUES ('drafts'), ('escalated')) AS k (kind),
      (VALUES (OLD.mailbox_id, -1), (NEW.mailbox_id, 1)) AS m (box, n)
     WHERE d.ticket_id = OLD.id AND OLD.mailbox_id IS DISTINCT FROM NEW.mailbox_id
       AND (k.kind = 'drafts' OR d.escalation_required)
     GROUP BY k.kind, box, d.status, m.n;
    RETURN NULL;
  END IF;
  -- a delete, BEFORE it: the latest draft's count goes now (a cascade removes the drafts
  -- after the ticket, when their own trigger no longer finds it)
  INSERT INTO status_counts (kind, mailbox_id, status, n)
  SELECT 'draft', OLD.mailbox_id, status, -1 FROM drafts
   WHERE ticket_id = OLD.id AND status <> 'superseded' ORDER BY id DESC LIMIT 1;
  INSERT INTO status_counts (kind, mailbox_id, status, n)
  SELECT k.kind, OLD.mailbox_id, d.status, -count(*) FROM drafts d,
    (VALUES ('drafts'), ('escalated')) AS k (kind)
   WHERE d.ticket_id = OLD.id AND (k.kind = 'drafts' OR d.escalation_required)
   GROUP BY k.kind, d.status;
  RETURN OLD;
END $$""",
    """
CREATE FUNCTION status_counts_drafts() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  d drafts%ROWTYPE;
  lid integer;
  ls varchar;
  before varchar;
  after varchar;
  box integer;
BEGIN
  IF TG_OP = 'DELETE' THEN d := OLD; ELSE d := NEW; END IF;
  SELECT mailbox_id INTO box FROM tickets WHERE id = d.ticket_id;
  IF box IS NULL THEN  -- the ticket is going (a cascade): its trigger took its counts
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO status_counts (kind, mailbox_id, status, n) VALUES ('drafts', box, OLD.status, -1);
    IF OLD.escalation_required THEN
      INSERT INTO status_counts (kind, mailbox_id, status, n)
      VALUES ('escalated', box, OLD.status, -1);
    END IF;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO status_counts (kind, mailbox_id, status, n) VALUES ('drafts', box, NEW.status, 1);
    IF NEW.escalation_required THEN
      INSERT INTO status_counts (kind, mailbox_id, status, n)
      VALUES ('escalated', box, NEW.status, 1);
    END IF;
  END IF;
  SELECT id, status INTO lid, ls FROM drafts
   WHERE ticket_id = d.ticket_id AND id <> d.id AND status <> 'superseded'
   ORDER BY id DESC LIMIT 1;
  before := ls;
  after := ls;
  IF TG_OP <> 'INSERT' AND OLD.status <> 'superseded' AND (lid IS NULL OR OLD.id > lid) THEN
    before := OLD.status;
  END IF;
  IF TG_OP <> 'DELETE' AND NEW.status <> 'superseded' AND (lid IS NULL OR NEW.id > lid) THEN
    after := NEW.status;
  END IF;
  IF before IS NOT DISTINCT FROM after THEN
    RETURN NULL;
  END IF;
  IF before IS NOT NULL THEN
    INSERT INTO status_counts (kind, mailbox_id, status, n) VALUES ('draft', box, before, -1);
  END IF;
  IF after IS NOT NULL THEN
    INSERT INTO status_counts (kind, mailbox_id, status, n) VALUES ('draft', box, after, 1);
  END IF;
  RETURN NULL;
END $$""",
)

PG_TRIGGERS = (
    "CREATE TRIGGER status_counts_tickets_insert AFTER INSERT ON tickets"
    " REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT"
    " EXECUTE FUNCTION status_counts_tickets_insert()",
    "CREATE TRIGGER status_counts_tickets_update AFTER UPDATE OF status, mailbox_id ON tickets"
    " FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status"
    " OR OLD.mailbox_id IS DISTINCT FROM NEW.mailbox_id)"
    " EXECUTE FUNCTION status_counts_tickets_row()",
    "CREATE TRIGGER status_counts_tickets_delete BEFORE DELETE ON tickets"
    " FOR EACH ROW EXECUTE FUNCTION status_counts_tickets_row()",
    "CREATE TRIGGER status_counts_drafts_insert AFTER INSERT OR DELETE ON drafts"
    " FOR EACH ROW EXECUTE FUNCTION status_counts_drafts()",
    "CREATE TRIGGER status_counts_drafts_update AFTER UPDATE OF status, escalation_required"
    " ON drafts FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status"
    " OR OLD.escalation_required IS DISTINCT FROM NEW.escalation_required)"
    " EXECUTE FUNCTION status_counts_drafts()",
)


def _sqlite_draft_delta(event: str) -> str:
    """The SQLite trigger body for a draft ``event``: the same before/after as the
    PostgreSQL function, as two INSERT ... SELECTs over a one-row join of the ticket's
    other latest draft (SQLite triggers have no variables and no WITH)."""
    row = "OLD" if event == "DELETE" else "NEW"
    others = _OTHERS.format(t=f"{row}.ticket_id", d=f"{row}.id")
    before = (
        "l.status"
        if event == "INSERT"
        else "CASE WHEN OLD.status <> 'superseded' AND (l.id IS NULL OR OLD.id > l.id)"
        " THEN OLD.status ELSE l.status END"
    )
    after = (
        "l.status"
        if event == "DELETE"
        else "CASE WHEN NEW.status <> 'superseded' AND (l.id IS NULL OR NEW.id > l.id)"
        " THEN NEW.status ELSE l.status END"
    )
    pair = (
        f"SELECT {before} AS b, {after} AS a, t.mailbox_id AS box"
        f" FROM tickets t LEFT JOIN ({others}) l ON 1 WHERE t.id = {row}.ticket_id"
    )
    own = ""  # the draft's own counts: by status, and escalated by status
    for side, sign in (("OLD", -1), ("NEW", 1)):
        if (side == "OLD" and event == "INSERT") or (side == "NEW" and event == "DELETE"):
            continue
        own += (
            "INSERT INTO status_counts (kind, mailbox_id, status, n)"
            f" SELECT k.kind, t.mailbox_id, {side}.status, {sign} FROM tickets t,"
            " (SELECT 'drafts' AS kind UNION ALL SELECT 'escalated') k"
            f" WHERE t.id = {row}.ticket_id AND (k.kind = 'drafts' OR {side}.escalation_required);"
        )
    return (
        own + "INSERT INTO status_counts (kind, mailbox_id, status, n)"
        f" SELECT 'draft', box, b, -1 FROM ({pair}) WHERE b IS NOT NULL AND b IS NOT a;"
        " INSERT INTO status_counts (kind, mailbox_id, status, n)"
        f" SELECT 'draft', box, a, 1 FROM ({pair}) WHERE a IS NOT NULL AND b IS NOT a;"
    )


SQLITE_TRIGGERS = (
    "CREATE TRIGGER status_counts_tickets_insert AFTER INSERT ON tickets BEGIN"
    " INSERT INTO status_counts (kind, mailbox_id, status, n)"
    " VALUES ('ticket', NEW.mailbox_id, NEW.status, 1); END",
    "CREATE TRIGGER status_counts_tickets_update AFTER UPDATE OF status, mailbox_id ON tickets"
    " WHEN OLD.status IS NOT NEW.status OR OLD.mailbox_id IS NOT NEW.mailbox_id BEGIN"
    " INSERT INTO status_counts (kind, mailbox_id, status, n)"
    " VALUES ('ticket', OLD.mailbox_id, OLD.status, -1);"
    " INSERT INTO status_counts (kind, mailbox_id, status, n)"
    " VALUES ('ticket', NEW.mailbox_id, NEW.status, 1);"
    " INSERT INTO status_counts (kind, mailbox_id, status, n)"
    " SELECT 'draft', m.box, d.status, m.n FROM drafts d,"
    " (SELECT OLD.mailbox_id AS box, -1 AS n UNION ALL SELECT NEW.mailbox_id, 1) m"
    " WHERE OLD.mailbox_id IS NOT NEW.mailbox_id AND d.id = (SELECT max(id) FROM drafts"
    " WHERE ticket_id = OLD.id AND status <> 'superseded');"
    " INSERT INTO status_counts (kind, mailbox_id, status, n)"
    " SELECT k.kind, m.box, d.status, m.n * count(*) FROM drafts d,"
    " (SELECT 'drafts' AS kind UNION ALL SELECT 'escalated') k,"
    " (SELECT OLD.mailbox_id AS box, -1 AS n UNION ALL SELECT NEW.mailbox_id, 1) m"
    " WHERE d.ticket_id = OLD.id AND OLD.mailbox_id IS NOT NEW.mailbox_id"
    " AND (k.kind = 'drafts' OR d.escalation_required) GROUP BY k.kind, m.box, d.status, m.n;"
    " END",
    # BEFORE: a draft's counts go with the ticket before a cascade removes the drafts
    "CREATE TRIGGER status_counts_tickets_delete BEFORE DELETE ON tickets BEGIN"
    " INSERT INTO status_counts (kind, mailbox_id, status, n)"
    " VALUES ('ticket', OLD.mailbox_id, OLD.status, -1);"
    " INSERT INTO status_counts (kind, mailbox_id, status, n)"
    " SELECT 'draft', OLD.mailbox_id, status, -1 FROM drafts"
    " WHERE ticket_id = OLD.id AND status <> 'superseded' ORDER BY id DESC LIMIT 1;"
    " INSERT INTO status_counts (kind, mailbox_id, status, n)"
    " SELECT k.kind, OLD.mailbox_id, d.status, -count(*) FROM drafts d,"
    " (SELECT 'drafts' AS kind UNION ALL SELECT 'escalated') k"
    " WHERE d.ticket_id = OLD.id AND (k.kind = 'drafts' OR d.escalation_required)"
    " GROUP BY k.kind, d.status; END",
    f"CREATE TRIGGER status_counts_drafts_insert AFTER INSERT ON drafts BEGIN"
    f" {_sqlite_draft_delta('INSERT')} END",
    f"CREATE TRIGGER status_counts_drafts_update AFTER UPDATE OF status, escalation_required"
    f" ON drafts WHEN OLD.status IS NOT NEW.status"
    f" OR OLD.escalation_required IS NOT NEW.escalation_required"
    f" BEGIN {_sqlite_draft_delta('UPDATE')} END",
    f"CREATE TRIGGER status_counts_drafts_delete AFTER DELETE ON drafts BEGIN"
    f" {_sqlite_draft_delta('DELETE')} END",
)

TRIGGERS = (
    "status_counts_tickets_insert",
    "status_counts_tickets_update",
    "status_counts_tickets_delete",
    "status_counts_drafts_insert",
    "status_counts_drafts_update",
    "status_counts_drafts_delete",
)
FUNCTIONS = ("status_counts_tickets_insert", "status_counts_tickets_row", "status_counts_drafts")

# what is there when the table arrives: one pass over the tickets and their latest drafts
BACKFILL = (
    "INSERT INTO status_counts (kind, mailbox_id, status, n)"
    " SELECT 'ticket', mailbox_id, status, count(*) FROM tickets GROUP BY mailbox_id, status",
    "INSERT INTO status_counts (kind, mailbox_id, status, n)"
    " SELECT 'draft', t.mailbox_id, d.status, count(*) FROM drafts d"
    " JOIN (SELECT ticket_id, max(id) AS id FROM drafts WHERE status <> 'superseded'"
    " GROUP BY ticket_id) l ON l.id = d.id JOIN tickets t ON t.id = d.ticket_id"
    " GROUP BY t.mailbox_id, d.status",
    "INSERT INTO status_counts (kind, mailbox_id, status, n)"
    " SELECT 'drafts', t.mailbox_id, d.status, count(*) FROM drafts d"
    " JOIN tickets t ON t.id = d.ticket_id GROUP BY t.mailbox_id, d.status",
    "INSERT INTO status_counts (kind, mailbox_id, status, n)"
    " SELECT 'escalated', t.mailbox_id, d.status, count(*) FROM drafts d"
    " JOIN tickets t ON t.id = d.ticket_id WHERE d.escalation_required"
    " GROUP BY t.mailbox_id, d.status",
)


def upgrade() -> None:
    op.create_table(
        "status_counts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("mailbox_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_counts")),
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in (*PG_FUNCTIONS, *PG_TRIGGERS) if postgres else SQLITE_TRIGGERS:
        op.execute(statement)
    for statement in BACKFILL:
        op.execute(statement)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for name in TRIGGERS:
        if postgres:
            table = "tickets" if "tickets" in name else "drafts"
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    if postgres:
        for name in FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    op.drop_table("status_counts")
