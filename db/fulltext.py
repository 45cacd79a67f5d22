"""Full-text indexes the database keeps itself, described once for the queries and for
Alembic's comparison of the models with the schema.

A ``TextIndex`` names a table's searchable text columns with their weights (A highest,
as PostgreSQL's ``setweight``) and where each dialect keeps the index:

- PostgreSQL: a generated ``tsvector`` column (``vector``) with a GIN index, built in
  the text search configuration of the row's language (``language``: a column holding an
  ISO 639-1 code, mapped by ``LANGUAGE_CONFIGS``, ``simple`` otherwise);
- SQLite: an FTS5 external-content table (``fts``, rowid = the table's ``key``) with the
  same columns in the same order, kept in step by triggers, tokenizer
  ``unicode61 remove_diacritics 2``.

Tickets are searched through their messages (``MESSAGES``, 0020): one document per message
(its subject, its sender, its own text), in the message's language; a ticket matches when
one of its messages does. Its SQLite columns are expressions over ``messages``, so the FTS5
table's external content is the view ``messages_fts_source``.

Migrations create them (their SQL is written out there, frozen); ``core.knowledge.text_search``
queries any ``TextIndex`` and ``core.knowledge.text_sql`` writes the SQL of a match, so the
knowledge base's articles and tickets share one search. ``include_object`` keeps Alembic from
taking these objects, and the expression indexes of ``UNMODELLED_INDEXES``, for strays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# ISO 639-1 code -> PostgreSQL text search configuration; any other language: "simple"
LANGUAGE_CONFIGS: dict[str, str] = {
    "en": "english",
    "de": "german",
    "es": "spanish",
    "fr": "french",
    "pt": "portuguese",
}
FALLBACK_CONFIG = "simple"
# PostgreSQL's default ts_rank weights {D, C, B, A}; SQLite's bm25 gets the same ratios
WEIGHTS = {"A": 1.0, "B": 0.4, "C": 0.2, "D": 0.1}


@dataclass(frozen=True, slots=True)
class TextIndex:
    table: str
    fields: tuple[tuple[str, str], ...]  # (column, weight A-D), in the FTS5 table's order
    snippet: str  # the column a hit's snippet is cut from
    key: str = "id"
    language: str | None = None  # a column with the row's language code; None: "simple"

    @property
    def vector(self) -> str:
        """PostgreSQL: the generated tsvector column."""
        return "search_vector"

    @property
    def gin_index(self) -> str:
        return f"ix_{self.table}_{self.vector}"

    @property
    def fts(self) -> str:
        """SQLite: the FTS5 table."""
        return f"{self.table}_fts"

    def column_number(self, column: str) -> int:
        """The FTS5 column index of ``column`` (for ``snippet()``)."""
        return [name for name, _ in self.fields].index(column)


KB_ARTICLES = TextIndex(
    table="kb_articles",
    fields=(("title", "A"), ("body", "B")),
    snippet="body",
    language="language",
)

MESSAGES = TextIndex(
    table="messages",
    fields=(("subject", "A"), ("sender", "B"), ("text", "C")),
    snippet="text",
    language="language",
)

INDEXES: tuple[TextIndex, ...] = (KB_ARTICLES, MESSAGES)

# indexes on expressions, which the models do not describe (0020 creates them): trigram GIN
# indexes for substrings (PostgreSQL) and a status+category list sorted by urgency rank
UNMODELLED_INDEXES = (
    "ix_tickets_requester_email_trgm",
    "ix_tickets_requester_name_trgm",
    "ix_tickets_subject_trgm",
    "ix_tickets_status_category_urgency",
)


def config_of(language: str | None) -> str:
    """The PostgreSQL configuration for a language code."""
    return LANGUAGE_CONFIGS.get((language or "").lower(), FALLBACK_CONFIG)


def kept_by_database(name: str | None, type_: str, parent: str | None = None) -> bool:
    """Whether a reflected schema object is one of the full-text objects above: an FTS5
    table or its shadow tables, a ``search_vector`` column, its GIN index, or one of
    ``UNMODELLED_INDEXES``."""
    if type_ == "index" and name in UNMODELLED_INDEXES:
        return True
    for index in INDEXES:
        if (
            type_ == "table"
            and name is not None
            and (name == index.fts or name.startswith(f"{index.fts}_"))
        ):
            return True
        if type_ == "column" and parent == index.table and name == index.vector:
            return True
        if type_ == "index" and name == index.gin_index:
            return True
    return False


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic's ``include_object`` hook: leave the database's own full-text objects out."""
    parent = getattr(getattr(obj, "table", None), "name", None)
    return not (reflected and compare_to is None and kept_by_database(name, type_, parent))
