"""ticket search kept by the database: one full-text document per ticket (subject, requester,
every message's text), trigram indexes for substrings of sender and subject, and the composite
indexes of the status+category lists; existing tickets are backfilled

PostgreSQL: ``tickets.search_vector``, a weighted ``tsvector`` (subject A, requester B, message
text C) in the configuration of the ticket's language, with a GIN index. It cannot be a
generated column (the text is in ``messages``), so triggers keep it: a ticket's header is
written when it is stored or its subject, requester or language changes; a statement-level
trigger on ``messages`` appends the new messages' vectors in one UPDATE per batch (a COPY of
the ingest is one statement); a message changed, moved or deleted recomputes its tickets'
document. Each message counts with its own text (``reply_text``: without the quoted
history and signature; its whole text when that is empty), its first 20,000 characters, and
a document already past 500 kB takes no more (a tsvector holds at most 1 MB: a long thread
never fails a store).
``pg_trgm`` GIN indexes on ``lower()`` of the requester's address and name and of the subject
answer ``LIKE '%x%'``.

SQLite: ``tickets_fts``, an FTS5 table holding its own copy of the document (rowid = the
ticket's id; not an external-content table as for articles, since the document spans two
tables), kept by triggers on tickets and messages. Substrings read the tickets table.

Both: ``(status, category, received_at, id)`` and ``(status, category, <urgency rank>, id)``
for a filtered list sorted by date or urgency.

Revision ID: 0020_ticket_search
Revises: 0017_sla_escalate_group
Create Date: 2026-12-04 02:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0020_ticket_search"
down_revision = "0017_sla_escalate_group"
branch_labels = None
depends_on = None

MESSAGE_CHARS = 20_000  # of each message's text in the document
# a message's own text: what it says without the quoted history and signature
# (``reply_text``, the AI's input), its whole text when that is empty; a reply quoting the
# thread would otherwise index every earlier message again (and cost the store its parse)
PG_TEXT = "coalesce(nullif({m}.reply_text, ''), {m}.body_text)"
FULL_BYTES = 500_000  # a document this large takes no more messages (a tsvector: <= 1 MB)

# db.fulltext.LANGUAGE_CONFIGS, written out (frozen with this migration)
PG_CONFIG_FUNCTION = """
CREATE OR REPLACE FUNCTION ticket_search_config(language text) RETURNS regconfig
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE lower(language)
    WHEN 'en' THEN 'english'::regconfig
    WHEN 'de' THEN 'german'::regconfig
    WHEN 'es' THEN 'spanish'::regconfig
    WHEN 'fr' THEN 'french'::regconfig
    WHEN 'pt' THEN 'portuguese'::regconfig
    ELSE 'simple'::regconfig END
$$"""
PG_HEADER_FUNCTION = """
CREATE OR REPLACE FUNCTION ticket_search_header(cfg regconfig, subject text, email text, name text)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT setweight(to_tsvector(cfg, left(coalesce(subject, ''), 10000)), 'A')
    || setweight(to_tsvector(cfg, coalesce(email, '') || ' ' || left(coalesce(name, ''), 1000)), 'B')
$$"""
PG_BODY_FUNCTION = f"""
CREATE OR REPLACE FUNCTION ticket_search_body(cfg regconfig, ticket integer)
RETURNS tsvector LANGUAGE sql STABLE AS $$
SELECT coalesce(setweight(to_tsvector(cfg, string_agg(left({PG_TEXT.format(m="m")},
    {MESSAGE_CHARS}), ' ' ORDER BY m.id)), 'C'), ''::tsvector)
FROM messages m WHERE m.ticket_id = ticket
$$"""
PG_TICKET_TRIGGER_FUNCTION = """
CREATE OR REPLACE FUNCTION tickets_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE cfg regconfig := ticket_search_config(NEW.language);
BEGIN
    NEW.search_vector := ticket_search_header(
        cfg, NEW.subject, NEW.requester_email, NEW.requester_name);
    IF TG_OP = 'UPDATE' THEN
        NEW.search_vector := NEW.search_vector || ticket_search_body(cfg, NEW.id);
    END IF;
    RETURN NEW;
END $$"""
PG_MESSAGES_INSERT_FUNCTION = f"""
CREATE OR REPLACE FUNCTION messages_search_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tickets t SET search_vector = coalesce(t.search_vector, ''::tsvector) || d.vector
    FROM (
        SELECT n.ticket_id, setweight(to_tsvector(ticket_search_config(k.language),
            string_agg(left({PG_TEXT.format(m="n")}, {MESSAGE_CHARS}), ' ' ORDER BY n.id)),
            'C') AS vector
        FROM new_messages n JOIN tickets k ON k.id = n.ticket_id
        GROUP BY n.ticket_id, k.language
    ) d
    WHERE t.id = d.ticket_id AND coalesce(pg_column_size(t.search_vector), 0) < {FULL_BYTES};
    RETURN NULL;
END $$"""
PG_MESSAGES_CHANGE_FUNCTION = """
CREATE OR REPLACE FUNCTION messages_search_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tickets t SET search_vector = ticket_search_header(ticket_search_config(t.language),
            t.subject, t.requester_email, t.requester_name)
        || ticket_search_body(ticket_search_config(t.language), t.id)
    WHERE t.id = OLD.ticket_id OR (TG_OP = 'UPDATE' AND t.id = NEW.ticket_id);
    RETURN NULL;
END $$"""
PG_TRIGGERS = {
    "tickets_search_insert": (
        "CREATE TRIGGER tickets_search_insert BEFORE INSERT ON tickets"
        " FOR EACH ROW EXECUTE FUNCTION tickets_search_vector()"
    ),
    "tickets_search_update": (
        "CREATE TRIGGER tickets_search_update"
        " BEFORE UPDATE OF subject, requester_email, requester_name, language ON tickets"
        " FOR EACH ROW WHEN (OLD.subject IS DISTINCT FROM NEW.subject"
        " OR OLD.requester_email IS DISTINCT FROM NEW.requester_email"
        " OR OLD.requester_name IS DISTINCT FROM NEW.requester_name"
        " OR OLD.language IS DISTINCT FROM NEW.language)"
        " EXECUTE FUNCTION tickets_search_vector()"
    ),
    "messages_search_insert": (
        "CREATE TRIGGER messages_search_insert AFTER INSERT ON messages"
        " REFERENCING NEW TABLE AS new_messages"
        " FOR EACH STATEMENT EXECUTE FUNCTION messages_search_insert()"
    ),
    "messages_search_update": (
        "CREATE TRIGGER messages_search_update"
        " AFTER UPDATE OF body_text, reply_text, ticket_id ON messages"
        " FOR EACH ROW WHEN (OLD.body_text IS DISTINCT FROM NEW.body_text"
        " OR OLD.reply_text IS DISTINCT FROM NEW.reply_text"
        " OR OLD.ticket_id IS DISTINCT FROM NEW.ticket_id)"
        " EXECUTE FUNCTION messages_search_change()"
    ),
    "messages_search_delete": (
        "CREATE TRIGGER messages_search_delete AFTER DELETE ON messages"
        " FOR EACH ROW EXECUTE FUNCTION messages_search_change()"
    ),
}
PG_TRIGGER_TABLES = {
    "tickets_search_insert": "tickets",
    "tickets_search_update": "tickets",
    "messages_search_insert": "messages",
    "messages_search_update": "messages",
    "messages_search_delete": "messages",
}
PG_FUNCTIONS = (
    "messages_search_change()",
    "messages_search_insert()",
    "tickets_search_vector()",
    "ticket_search_body(regconfig, integer)",
    "ticket_search_header(regconfig, text, text, text)",
    "ticket_search_config(text)",
)
PG_BACKFILL = (
    "UPDATE tickets SET search_vector = ticket_search_header(ticket_search_config(language),"
    " subject, requester_email, requester_name) || ticket_search_body(ticket_search_config(language), id)"
)
PG_INDEXES = {
    "ix_tickets_search_vector": "ON tickets USING gin (search_vector)",
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

SQLITE_FTS = (
    "CREATE VIRTUAL TABLE tickets_fts USING fts5(subject, requester, body,"
    " tokenize='unicode61 remove_diacritics 2')"
)
_SQLITE_BODY = (
    "coalesce((SELECT group_concat(b, ' ') FROM (SELECT"
    " substr(coalesce(nullif(reply_text, ''), body_text), 1,"
    f" {MESSAGE_CHARS}) AS b FROM messages WHERE ticket_id = {{ticket}} ORDER BY id)), '')"
)
SQLITE_TRIGGERS = {
    "tickets_fts_insert": (
        "CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets BEGIN"
        " INSERT INTO tickets_fts(rowid, subject, requester, body) VALUES (new.id,"
        " new.subject, new.requester_email || ' ' || new.requester_name, ''); END"
    ),
    "tickets_fts_update": (
        "CREATE TRIGGER tickets_fts_update"
        " AFTER UPDATE OF subject, requester_email, requester_name ON tickets BEGIN"
        " UPDATE tickets_fts SET subject = new.subject,"
        " requester = new.requester_email || ' ' || new.requester_name WHERE rowid = new.id; END"
    ),
    "tickets_fts_delete": (
        "CREATE TRIGGER tickets_fts_delete AFTER DELETE ON tickets BEGIN"
        " DELETE FROM tickets_fts WHERE rowid = old.id; END"
    ),
    "messages_fts_insert": (
        "CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN"
        " UPDATE tickets_fts SET body = body || ' ' ||"
        " substr(coalesce(nullif(new.reply_text, ''), new.body_text), 1,"
        f" {MESSAGE_CHARS}) WHERE rowid = new.ticket_id; END"
    ),
    "messages_fts_update": (
        "CREATE TRIGGER messages_fts_update"
        " AFTER UPDATE OF body_text, reply_text, ticket_id ON messages"
        " BEGIN UPDATE tickets_fts SET body = "
        + _SQLITE_BODY.format(ticket="tickets_fts.rowid")
        + " WHERE rowid IN (old.ticket_id, new.ticket_id); END"
    ),
    "messages_fts_delete": (
        "CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN"
        " UPDATE tickets_fts SET body = "
        + _SQLITE_BODY.format(ticket="tickets_fts.rowid")
        + " WHERE rowid = old.ticket_id; END"
    ),
}
SQLITE_BACKFILL = (
    "INSERT INTO tickets_fts(rowid, subject, requester, body) SELECT t.id, t.subject,"
    " t.requester_email || ' ' || t.requester_name, "
    + _SQLITE_BODY.format(ticket="t.id")
    + " FROM tickets t"
)


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    for name, definition in BOTH_INDEXES.items():
        op.execute(f"CREATE INDEX {name} {definition}")
    if _postgres():
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("ALTER TABLE tickets ADD COLUMN search_vector tsvector")
        for ddl in (
            PG_CONFIG_FUNCTION,
            PG_HEADER_FUNCTION,
            PG_BODY_FUNCTION,
            PG_TICKET_TRIGGER_FUNCTION,
            PG_MESSAGES_INSERT_FUNCTION,
            PG_MESSAGES_CHANGE_FUNCTION,
        ):
            op.execute(ddl)
        op.execute(PG_BACKFILL)
        for ddl in PG_TRIGGERS.values():
            op.execute(ddl)
        for name, definition in PG_INDEXES.items():
            op.execute(f"CREATE INDEX {name} {definition}")
    else:
        op.execute(SQLITE_FTS)
        op.execute(SQLITE_BACKFILL)
        for ddl in SQLITE_TRIGGERS.values():
            op.execute(ddl)


def downgrade() -> None:
    if _postgres():
        for name in PG_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
        for name, table in PG_TRIGGER_TABLES.items():
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        for function in PG_FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {function}")
        op.execute("ALTER TABLE tickets DROP COLUMN IF EXISTS search_vector")
        # pg_trgm stays: other schemas on the server may use it
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS tickets_fts")
    for name in BOTH_INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
