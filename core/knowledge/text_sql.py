"""The SQL text of a full-text match over a ``db.fulltext.TextIndex``, for either database,
importing no SQLAlchemy: ``core.knowledge.text_search`` runs it through a session, and the
ticket list (``core.tickets.listing``) writes it into the one statement the CLI's quick read
runs through the plain driver too.

- PostgreSQL: the row's configuration (``pg_config``: a CASE over the language column) and
  the condition ``pg_match``, one arm per configuration (``language = 'de' AND vector @@
  websearch_to_tsquery('german', :q)``, ...) so each arm can use the GIN index;
- SQLite: the bm25 weights of the index's fields (``bm25_weights``), in the FTS5 table's
  column order.

Table alias ``t`` unless ``alias`` names another; the query text binds as ``:q``, a
language as ``:language``.
"""

from __future__ import annotations

from db.fulltext import FALLBACK_CONFIG, LANGUAGE_CONFIGS, WEIGHTS, TextIndex, config_of

SNIPPET_WORDS = 24
MARKS = ("**", "**")  # around matched words in a snippet (Markdown bold)
ELLIPSIS = "…"


def pg_config(index: TextIndex, *, alias: str = "t") -> str:
    """The row's configuration as an SQL expression."""
    if index.language is None:
        return f"'{FALLBACK_CONFIG}'::regconfig"
    arms = " ".join(
        f"WHEN '{code}' THEN '{config}'::regconfig" for code, config in LANGUAGE_CONFIGS.items()
    )
    return f"CASE lower({alias}.{index.language}) {arms} ELSE '{FALLBACK_CONFIG}'::regconfig END"


def pg_match(
    index: TextIndex,
    language: str | None,
    *,
    q: str = "q",
    lowered: bool = False,
    alias: str = "t",
) -> str:
    """The WHERE condition, one arm per configuration (each can use the GIN index);
    ``language`` given: only rows in that language (bound as ``:language``). ``lowered``:
    the language column holds lower-case codes already, compared as it is (its statistics
    then tell the planner how many rows each arm has; ``lower(column)`` has none, and the
    planner takes each arm for 0.5% of the rows)."""
    vector = f"{alias}.{index.vector}"
    if index.language is None:
        return f"{vector} @@ websearch_to_tsquery('{FALLBACK_CONFIG}', :{q})"
    column = f"{alias}.{index.language}" if lowered else f"lower({alias}.{index.language})"
    if language is not None:
        return f"{column} = :language AND {vector} @@ websearch_to_tsquery('{config_of(language)}', :{q})"
    arms = [
        f"({column} = '{code}' AND {vector} @@ websearch_to_tsquery('{config}', :{q}))"
        for code, config in LANGUAGE_CONFIGS.items()
    ]
    known = ", ".join(f"'{code}'" for code in LANGUAGE_CONFIGS)
    arms.append(
        f"(({column} NOT IN ({known}) OR {alias}.{index.language} IS NULL)"
        f" AND {vector} @@ websearch_to_tsquery('{FALLBACK_CONFIG}', :{q}))"
    )
    return "(" + " OR ".join(arms) + ")"


def pg_match_one_scan(
    index: TextIndex, language: str | None, *, q: str = "q", alias: str = "t"
) -> str:
    # the language column holds lower-case ISO codes (``core.vocabulary.language_of``)
    """``pg_match`` behind one condition the GIN index answers in one scan: the vector
    against the OR of every configuration's query (a superset), the arms rechecking it.
    For a query the planner also weighs against other indexes (a sorted page), where one
    bitmap per configuration would cost it six."""
    if index.language is None or language is not None:
        return pg_match(index, language, q=q, lowered=True, alias=alias)
    configs = dict.fromkeys([*LANGUAGE_CONFIGS.values(), FALLBACK_CONFIG])
    union = " || ".join(f"websearch_to_tsquery('{c}', :{q})" for c in configs)
    arms = pg_match(index, None, q=q, lowered=True, alias=alias)
    return f"({alias}.{index.vector} @@ ({union}) AND {arms})"


def bm25_weights(index: TextIndex) -> str:
    """The weights of ``bm25(fts, ...)``: the fields' in their order (the ranks of
    PostgreSQL's A-D)."""
    return ", ".join(str(WEIGHTS[weight]) for _, weight in index.fields)
