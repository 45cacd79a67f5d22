"""One ranked full-text query over any ``db.fulltext.TextIndex``, on either database.

- PostgreSQL: the row's ``search_vector`` ``@@ websearch_to_tsquery`` in the row's language
  configuration, written as one condition per configuration (``core.knowledge.text_sql``)
  so each can use the GIN index; ordered by ``ts_rank_cd`` (normalised by the document's length), the snippet by
  ``ts_headline``, computed for the ``k`` hits only.
- SQLite: the FTS5 table ``MATCH``, ordered by ``bm25`` with the fields' weights, the
  snippet by ``snippet()``.

A score is higher for a better hit on both (``-bm25`` on SQLite); scores of the two
databases are not comparable with each other. Callers add their own conditions on the
indexed table (alias ``t``) as SQL text with named parameters; none comes from a person.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from core.knowledge.query_text import TextQuery
from core.knowledge.text_sql import (
    ELLIPSIS,
    MARKS,
    SNIPPET_WORDS,
    bm25_weights,
    pg_config,
    pg_match,
)
from db.fulltext import TextIndex
from db.session import is_postgres

MAX_K = 100


@dataclass(frozen=True, slots=True)
class TextHit:
    key: int
    score: float
    snippet: str


def _pg_sql(index: TextIndex, where: str, language: str | None) -> str:
    config = pg_config(index)
    snippet = (
        f'\'StartSel="{MARKS[0]}", StopSel="{MARKS[1]}", MaxWords={SNIPPET_WORDS}, '
        f'MinWords={SNIPPET_WORDS // 3}, MaxFragments=2, FragmentDelimiter=" {ELLIPSIS} "\''
    )
    return (
        f"SELECT hits.key, hits.score, ts_headline(hits.config, t.{index.snippet}, "
        f"websearch_to_tsquery(hits.config, :q), {snippet}) AS snippet"
        f" FROM (SELECT t.{index.key} AS key, {config} AS config,"
        f" ts_rank_cd(t.{index.vector}, websearch_to_tsquery({config}, :q), 1) AS score"
        f" FROM {index.table} t WHERE {pg_match(index, language)}{where}"
        f" ORDER BY score DESC, t.{index.key} LIMIT :k) hits"
        f" JOIN {index.table} t ON t.{index.key} = hits.key"
        " ORDER BY hits.score DESC, hits.key"
    )


def _sqlite_sql(index: TextIndex, where: str, language: str | None) -> str:
    weights = bm25_weights(index)
    fts = index.fts
    column = index.column_number(index.snippet)
    if language is not None and index.language is not None:
        where += f" AND lower(t.{index.language}) = :language"
    return (
        f"SELECT t.{index.key} AS key, -bm25({fts}, {weights}) AS score,"
        f" snippet({fts}, {column}, '{MARKS[0]}', '{MARKS[1]}', '{ELLIPSIS}', {SNIPPET_WORDS})"
        f" AS snippet FROM {fts} JOIN {index.table} t ON t.{index.key} = {fts}.rowid"
        f" WHERE {fts} MATCH :q{where}"
        f" ORDER BY bm25({fts}, {weights}), t.{index.key} LIMIT :k"
    )


def statement(
    index: TextIndex, *, postgres: bool, where: str = "", language: str | None = None
) -> str:
    """The SQL ``find`` runs (binds ``:q``, ``:k``, ``:language`` when given, and those of
    ``where``); ``tests`` read its plan."""
    extra = f" AND ({where})" if where else ""
    return (_pg_sql if postgres else _sqlite_sql)(index, extra, language)


async def find(
    session: AsyncSession,
    index: TextIndex,
    query: TextQuery,
    k: int,
    *,
    where: str = "",
    params: Mapping[str, Any] | None = None,
    language: str | None = None,
) -> list[TextHit]:
    """The ``k`` best rows of ``index`` for ``query``, best first. ``where``: more
    conditions on ``t`` (``"t.status = :status"``), with their ``params``; ``language``:
    only rows in that language, searched in its configuration."""
    if query.empty or k < 1:
        return []
    k = min(k, MAX_K)
    binds: dict[str, Any] = {**(params or {}), "k": k}
    if language is not None:
        binds["language"] = language.lower()
    postgres = is_postgres(session)
    sql = statement(index, postgres=postgres, where=where, language=language)
    binds["q"] = query.websearch() if postgres else query.fts5()
    rows = (await session.execute(text(sql), binds)).all()
    # one word in two lexemes (INV-2291 on PostgreSQL) is marked once, not twice in a row
    join = MARKS[1] + MARKS[0]
    return [
        TextHit(int(key), float(score), (snippet or "").replace(join, ""))
        for key, score, snippet in rows
    ]
