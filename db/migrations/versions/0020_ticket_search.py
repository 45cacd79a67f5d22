"""ticket search kept by the database: one full-text document per message (its subject, its
sender, its own text), trigram indexes for substrings of a ticket's sender and subject, and
the composite indexes of the status+category lists; existing rows are backfilled

A ticket matches when one of its messages does (all the words of a query in one message,
with its subject and sender), or the query as typed is inside its requester's address or
name or its subject. No trigger writes to ``tickets``: storing a message costs its own row's
document only (the per-ticket document of a first version of this revision rewrote the
ticket, and all its indexes, for every stored message: a store 2.5 times slower).

``messages.language`` (new): the message's language as detected when it is stored
(``core.mail.language``; the one that sets a new ticket's), backfilled from the ticket's.

PostgreSQL: ``messages.search_vector``, a STORED generated ``tsvector`` built from the row
alone: subject (weight A) in the configuration of the message's language, sender's address
and name (B, ``simple``), the message's own text (C: ``reply_text``, without the quoted
history and signature; its whole text when that is empty), its first 20,000 characters (a
tsvector holds at most 1 MB); mail nobody answers (``NOISE_KINDS``) counts with its subject
and sender only. A GIN index on it. ``pg_trgm`` GIN indexes on ``lower()`` of
the ticket's requester address and name and of its subject answer ``LIKE '%x%'``.

SQLite: ``messages_fts``, an FTS5 table with external content (rowid = the message's id;
columns subject, sender, text read from the view ``messages_fts_source`` over ``messages``,
since sender and text are expressions), kept by triggers on ``messages``' own rows as the
articles' are (0012).

Both: ``(status, category, received_at, id)`` and ``(status, category, <urgency rank>, id)``
for a filtered list sorted by date or urgency.

Revision ID: 0020_ticket_search
Revises: 0019_prompt_variants
Create Date: 2026-12-04 02:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db.columns import drop_column

revision = "0020_ticket_search"
down_revision = "0019_prompt_variants"
branch_labels = None
depends_on = None

MESSAGE_CHARS = 20_000  # of each message's text in its document (a tsvector: <= 1 MB)
SUBJECT_CHARS = 10_000
SENDER_CHARS = 1_000
# a message's own text: what it says without the quoted history and signature
# (``reply_text``, the AI's input), its whole text when that is empty; a reply quoting the
# thread would otherwise index every earlier message again. ``{cut}``: the dialect's
# prefix function (``left(x, n)`` / ``substr(x, 1, n)``)
# core.inbound.store.NOISE_KINDS, written out: mail nobody answers (newsletters, notices,
# auto-replies, bounces, the desk's own) is found by its subject and sender, not its text;
# it was 85% of the text of a mailbox's 4,000 mails (bench/ingest.py), and tokenising and
# indexing it the store's largest cost (NOISE_CHARS = MESSAGE_CHARS would index it too)
NOISE_KINDS = ("auto", "bulk", "bounce", "own")
NOISE_CHARS = 0
_KINDS = ", ".join(f"'{k}'" for k in NOISE_KINDS)
TEXT = (
    "{cut}(coalesce(nullif({m}reply_text, ''), {m}body_text, '')"
    + f"{{n}}CASE WHEN {{m}}kind IN ({_KINDS}) THEN {NOISE_CHARS} ELSE {MESSAGE_CHARS} END)"
)
SENDER = (
    "{cut}(coalesce({m}from_email, '') || ' ' || coalesce({m}from_name, '')"
    + f"{{n}}{SENDER_CHARS})"
)
SUBJECT = "{cut}(coalesce({m}subject, '')" + f"{{n}}{SUBJECT_CHARS})"


def _pg(expression: str) -> str:
    return expression.format(cut="left", m="", n=", ")


def _lite(expression: str, m: str) -> str:
    return expression.format(cut="substr", m=m, n=", 1, ")


# the message's language -> its configuration (db.fulltext.LANGUAGE_CONFIGS, written out: a
# generated column needs an immutable expression, so no text::regconfig cast)
PG_CONFIG = (
    "CASE language"
    " WHEN 'en' THEN 'english'::regconfig"
    " WHEN 'de' THEN 'german'::regconfig"
    " WHEN 'es' THEN 'spanish'::regconfig"
    " WHEN 'fr' THEN 'french'::regconfig"
    " WHEN 'pt' THEN 'portuguese'::regconfig"
    " ELSE 'simple'::regconfig END"
)
PG_VECTOR = (
    "ALTER TABLE messages ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    f"setweight(to_tsvector({PG_CONFIG}, {_pg(SUBJECT)}), 'A') || "
    f"setweight(to_tsvector('simple'::regconfig, {_pg(SENDER)}), 'B') || "
    f"setweight(to_tsvector({PG_CONFIG}, {_pg(TEXT)}), 'C')) STORED"
)
PG_INDEXES = {
    "ix_messages_search_vector": "ON messages USING gin (search_vector)",
    "ix_tickets_requester_email_trgm": "ON tickets USING gin (lower(requester_email) gin_trgm_ops)",
    "ix_tickets_requester_name_trgm": "ON tickets USING gin (lower(requester_name) gin_trgm_ops)",
    "ix_tickets_subject_trgm": "ON tickets USING gin (lower(subject) gin_trgm_ops)",
}

# core.tickets.listing.SORT_KEYS["urgency"], written out: the index must repeat the expression
URGENCY_RANK = "CASE urgency WHEN 'High' THEN 3 WHEN 'Medium' THEN 2 WHEN 'Low' THEN 1 ELSE 0 END"
BOTH_INDEXES = {
    "ix_tickets_status_category_received": "ON tickets (status, category, received_at, id)",
    "ix_tickets_status_category_urgency": f"ON tickets (status, category, ({URGENCY_RANK}), id)",
}

# existing messages: their ticket's language (what the store would have told for the first)
BACKFILL_LANGUAGE = (
    "UPDATE messages SET language = (SELECT t.language FROM tickets t"
    " WHERE t.id = messages.ticket_id)"
)

# SQLite: what the FTS5 table indexes, as a view its external content is read from
SQLITE_SOURCE = (
    f"CREATE VIEW messages_fts_source AS SELECT id, {_lite(SUBJECT, '')} AS subject,"
    f" {_lite(SENDER, '')} AS sender, {_lite(TEXT, '')} AS text FROM messages"
)
SQLITE_FTS = (
    "CREATE VIRTUAL TABLE messages_fts USING fts5(subject, sender, text,"
    " content='messages_fts_source', content_rowid='id',"
    " tokenize='unicode61 remove_diacritics 2')"
)


def _row(m: str) -> str:
    return f"{_lite(SUBJECT, m)}, {_lite(SENDER, m)}, {_lite(TEXT, m)}"


_INSERT = f"INSERT INTO messages_fts(rowid, subject, sender, text) VALUES (new.id, {_row('new.')});"
_DELETE = (
    "INSERT INTO messages_fts(messages_fts, rowid, subject, sender, text)"
    f" VALUES ('delete', old.id, {_row('old.')});"
)
SQLITE_TRIGGERS = {
    "messages_fts_insert": f"CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN {_INSERT} END",
    "messages_fts_delete": f"CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN {_DELETE} END",
    "messages_fts_update": (
        "CREATE TRIGGER messages_fts_update"
        " AFTER UPDATE OF subject, from_email, from_name, body_text, reply_text, kind ON messages"
        f" BEGIN {_DELETE} {_INSERT} END"
    ),
}
SQLITE_BACKFILL = "INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')"


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    for name, definition in BOTH_INDEXES.items():
        op.execute(f"CREATE INDEX {name} {definition}")
    op.add_column("messages", sa.Column("language", sa.String(length=8), nullable=True))
    op.execute(BACKFILL_LANGUAGE)
    if _postgres():
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(PG_VECTOR)  # computed for every existing message as it is added
        for name, definition in PG_INDEXES.items():
            op.execute(f"CREATE INDEX {name} {definition}")
    else:
        op.execute(SQLITE_SOURCE)
        op.execute(SQLITE_FTS)
        op.execute(SQLITE_BACKFILL)
        for ddl in SQLITE_TRIGGERS.values():
            op.execute(ddl)


def downgrade() -> None:
    if _postgres():
        for name in PG_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
        op.execute("ALTER TABLE messages DROP COLUMN IF EXISTS search_vector")
        # pg_trgm stays: other schemas on the server may use it
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS messages_fts")
        op.execute("DROP VIEW IF EXISTS messages_fts_source")
    drop_column("messages", "language")
    for name in BOTH_INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
