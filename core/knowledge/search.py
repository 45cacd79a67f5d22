"""Searching the knowledge base: ``search(session, query, k)``, one function for both
databases (``text_search`` over ``db.fulltext.KB_ARTICLES``).

    hits = await search(session, 'refund "double charge" -paypal', 5)

Published articles by default; ``status=None`` searches every status. A title hit ranks
above a body hit (weights A and B). Bad input (a NUL, too long, ``k`` out of 1..100, an
unknown status) is a ``ValidationError``; a query of punctuation finds nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import ValidationError
from core.knowledge.query_text import parse
from core.knowledge.text_search import MAX_K, find
from core.vocabulary import category_of
from db.fulltext import KB_ARTICLES
from db.models import KbArticle
from db.models.knowledge import ARTICLE_STATUSES


@dataclass(frozen=True, slots=True)
class ArticleHit:
    id: int
    title: str
    score: float
    snippet: str
    language: str
    category: str | None
    status: str

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "score": self.score, "snippet": self.snippet}


_LANGUAGE = re.compile(r"[a-z]{2,3}")


def language_code(value: str) -> str:
    """An ISO 639 code (``en``, ``de``), lower-cased, or a ValidationError."""
    code = value.strip().lower()
    if not _LANGUAGE.fullmatch(code):
        raise ValidationError(
            f"a language is an ISO 639 code like en, de, es, fr, pt; not {value!r:.30}",
            field="language",
        )
    return code


def check_k(k: int) -> int:
    if not 1 <= k <= MAX_K:
        raise ValidationError(f"k is the number of results, 1 to {MAX_K}; not {k}", field="k")
    return k


def check_status(status: str | None) -> str | None:
    if status is not None and status not in ARTICLE_STATUSES:
        raise ValidationError(
            f"unknown status {status!r:.50}; use one of {', '.join(ARTICLE_STATUSES)}",
            field="status",
        )
    return status


async def search(
    session: AsyncSession,
    query: str,
    k: int = 5,
    *,
    status: str | None = "published",
    language: str | None = None,
    category: str | None = None,
) -> list[ArticleHit]:
    """The ``k`` best articles for ``query``, best first (``status`` None: any status;
    ``language``: only articles in it; ``category``: only that category's)."""
    parsed = parse(query)
    check_k(k)
    conditions, params = [], {}
    if check_status(status) is not None:
        conditions.append("t.status = :status")
        params["status"] = status
    if category is not None:
        conditions.append("t.category = :category")
        params["category"] = category_of(category)
    hits = await find(
        session,
        KB_ARTICLES,
        parsed,
        k,
        where=" AND ".join(conditions),
        params=params,
        language=None if language is None else language_code(language),
    )
    if not hits:
        return []
    rows = await session.execute(
        select(
            KbArticle.id, KbArticle.title, KbArticle.language, KbArticle.category, KbArticle.status
        ).where(KbArticle.id.in_([h.key for h in hits]))
    )
    found = {row.id: row for row in rows}
    return [
        ArticleHit(
            id=h.key,
            title=found[h.key].title,
            score=h.score,
            snippet=h.snippet,
            language=found[h.key].language,
            category=found[h.key].category,
            status=found[h.key].status,
        )
        for h in hits
        if h.key in found
    ]
