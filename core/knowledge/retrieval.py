"""The published articles that fit a mail: what the triager will offer a provider as
numbered sources (issue 13), so a draft can cite them.

A mail is not a search box: its distinctive words (no stopwords of the five drafting
languages, none shorter than three letters unless it holds a digit, like ``INV-2291``)
become one ``or`` query, at most ``MAX_TERMS`` of them, subject first. Any shared word
would make every article a hit, so a hit is kept only when it shares at least
``min_shared`` of the mail's words with the article (by a crude five-letter stem, so
``refunds`` meets ``refund``), or one token with a digit (an invoice or order number).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.knowledge.query_text import MAX_TERMS
from core.knowledge.search import search
from core.knowledge.text_search import MAX_K
from db.models import KbArticle

MAX_MAIL_CHARS = 5_000  # of the text: the opening says what the mail is about
_TOKEN = re.compile(r"\w[\w@.+\-]*\w|\w")
_STOPWORDS_BY_LANGUAGE = {
    "en": "the and are you your for with this that not have was can please thanks thank "
    "hello dear from but our all any has had been will would could should there their what "
    "when how why which who get got just also into about after before again still regards",
    "de": "der die das und ist ich nicht mit mein meine ein eine sie für bitte wir auf den "
    "von dem des ihr ihre sind war haben hat wie was wenn aber auch noch nur schon danke "
    "hallo grüße freundlichen",
    "es": "los las que por para con una del hola gracias está mis sus pero como cuando este "
    "esta saludos",
    "fr": "les est pas pour avec une vous nous des bonjour merci mon mes ses mais comme dans "
    "sur cordialement",
    "pt": "que não para com uma meu minha sua olá obrigado está por mas como quando este esta "
    "atenciosamente",
}
STOPWORDS = frozenset(w for words in _STOPWORDS_BY_LANGUAGE.values() for w in words.split())


@dataclass(frozen=True, slots=True)
class Source:
    """An article offered to a provider (``public_url``: a link a reply may give)."""

    id: int
    title: str
    body: str
    public_url: str | None
    score: float


def _stem(word: str) -> str:
    return word[:5]


def mail_terms(subject: str, text: str) -> list[str]:
    """The mail's distinctive words, lower-cased, in order, each once."""
    seen: dict[str, None] = {}
    for token in _TOKEN.findall(f"{subject}\n{text[:MAX_MAIL_CHARS]}"):
        word = token.lower()
        has_digit = any(c.isdigit() for c in word)
        if word in STOPWORDS or (len(word) < 3 and not has_digit):
            continue
        seen.setdefault(word, None)
        if len(seen) >= MAX_TERMS:
            break
    return list(seen)


def query_from_mail(subject: str, text: str) -> str:
    """One ``or`` query of the mail's distinctive words (empty: nothing to look for)."""
    return " or ".join(f'"{term}"' for term in mail_terms(subject, text))


def _shares(terms: list[str], article_text: str, min_shared: int) -> bool:
    words = {w.lower() for w in _TOKEN.findall(article_text)}
    stems = {_stem(w) for w in words}
    shared = {_stem(t) for t in terms if _stem(t) in stems}
    exact = any(any(c.isdigit() for c in t) and t in words for t in terms)
    return exact or len(shared) >= min_shared


async def has_published(session: AsyncSession) -> bool:
    """Whether the desk has any published article to retrieve from."""
    found = await session.scalar(
        select(KbArticle.id).where(KbArticle.status == "published").limit(1)
    )
    return found is not None


async def sources_for(
    session: AsyncSession,
    subject: str,
    text: str,
    k: int = 3,
    *,
    language: str | None = None,
    min_shared: int = 2,
) -> list[Source]:
    """Up to ``k`` published articles for a mail, best first (``language``: only those)."""
    terms = mail_terms(subject, text)
    if not terms or k < 1:
        return []
    query = " or ".join(f'"{term}"' for term in terms)
    hits = await search(session, query, min(MAX_K, 3 * k), language=language)
    if not hits:
        return []
    rows = await session.execute(
        select(KbArticle.id, KbArticle.title, KbArticle.body, KbArticle.public_url).where(
            KbArticle.id.in_([h.id for h in hits])
        )
    )
    found = {row.id: row for row in rows}
    sources = []
    for hit in hits:
        row = found.get(hit.id)
        if row is not None and _shares(terms, f"{row.title}\n{row.body}", min_shared):
            sources.append(Source(row.id, row.title, row.body, row.public_url, hit.score))
    return sources[:k]
