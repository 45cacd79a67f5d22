"""Past replies to mail like a new one: the examples the triager drafts from.

``similar_outcomes(session, text, category=..., language=..., k=3, now=...)`` reads the
candidates, the most recent outcomes (``draft_outcomes``) of that category and language
decided within the last 180 days, by the indexed (category, language, decided_at) query, at
most ``CANDIDATES`` per category; outcomes drafted from, or written with, a response template
that has been deactivated or deleted since are left out. It scores each in Python with
``similarity`` (token-set cosine over the customers' texts, portable to both databases) and
keeps, per category, the ``k`` most similar approved replies (edited or not) and the ``k``
most similar rejected drafts, each at least ``MIN_SIMILARITY`` alike. ``category=None``
gives that for every category: the triager retrieves before a provider has classified the
mail, and each provider takes the examples of the category it gives it.

A mail whose language is unknown gets no examples (nothing says they would read right).
``similar_outcomes_many`` does the same for a batch of mails (triage's batches): each
(category, language) read once, the chosen outcomes of the batch in one query.
``_candidates`` is the one read; a full-text search may replace it without changing the rest.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.ai.result import Example
from core.vocabulary import Category
from db.models import DraftOutcome, ResponseTemplate

WINDOW = timedelta(days=180)
CANDIDATES = 200  # per category read, newest first
MIN_SIMILARITY = 0.2
EXAMPLE_CHARS = 2_000  # of each text handed on
SCORED_CHARS = 1_500  # of each candidate's mail compared (the new mail's too)

_WORD = re.compile(r"[^\W\d_]{2,}")  # letters only: ids, amounts and dates do not count
_STOPWORD_TEXT = """
    the and for you your are was were have has had this that with from not but can could
    would will please thanks thank hello dear regards our out all any just also get got
    der die das und ist ich sie mir mich mein meine ein eine nicht mit für auf bitte danke
    hallo den dem des von wie wir ihr ihre es zu im am
    el la los las que por para con una uno mis mi es en del se lo le al gracias hola
    le la les et est je vous mon ma mes une un pas pour avec sur que qui merci bonjour de du
    os as um uma não com por para que meu minha obrigado obrigada olá em do da no na
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())  # the commonest words of en, de, es, fr, pt


def tokens(text: str) -> frozenset[str]:
    """The distinct content words of ``text``, lower-cased."""
    return frozenset(w for w in _WORD.findall(text.casefold()) if w not in _STOPWORDS)


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Cosine of two token sets: |a ∩ b| / sqrt(|a| |b|); 0.0 when either is empty."""
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))


async def similar_outcomes(
    session: AsyncSession,
    text: str,
    *,
    category: str | None,
    language: str | None,
    now: datetime,
    k: int = 3,
) -> list[Example]:
    """Up to ``k`` approved and ``k`` rejected past replies per category (one category, or
    all for None) to mail like ``text``, most similar first."""
    [found] = await similar_outcomes_many(
        session, [(text, language)], category=category, now=now, k=k
    )
    return found


async def similar_outcomes_many(
    session: AsyncSession,
    mails: Sequence[tuple[str, str | None]],
    *,
    category: str | None,
    now: datetime,
    k: int = 3,
) -> list[list[Example]]:
    """``similar_outcomes`` for each (text, language) of a batch, in order, with the same
    results: the candidates of a (category, language) are read once for the batch (they
    depend on nothing else), and the chosen outcomes of every mail in one query."""
    categories = [category] if category is not None else [c.value for c in Category]
    candidates: dict[tuple[str, str], list[tuple[int, str, frozenset[str]]]] = {}
    picks: list[dict[int, float]] = []
    for text, language in mails:
        wanted = tokens(text[:SCORED_CHARS]) if language is not None and k >= 1 else frozenset()
        chosen: dict[int, float] = {}
        picks.append(chosen)
        if not wanted or language is None:
            continue
        for name in categories:
            if (name, language) not in candidates:
                candidates[name, language] = [
                    (outcome_id, decision, tokens(mail))
                    for outcome_id, decision, mail in await _candidates(
                        session, category=name, language=language, now=now
                    )
                ]
            scored = sorted(
                (
                    (similarity(wanted, mail), outcome_id, decision)
                    for outcome_id, decision, mail in candidates[name, language]
                ),
                key=lambda row: (-row[0], -row[1]),
            )
            for kind in ("approved", "rejected"):
                best = [(s, i) for s, i, d in scored if d == kind and s >= MIN_SIMILARITY][:k]
                chosen.update((i, s) for s, i in best)
    wanted_ids = {i for chosen in picks for i in chosen}
    if not wanted_ids:
        return [[] for _ in mails]
    rows = {
        row.id: row
        for row in await session.scalars(
            select(DraftOutcome).where(DraftOutcome.id.in_(wanted_ids))
        )
    }
    out: list[list[Example]] = []
    for chosen in picks:
        present = [rows[i] for i in chosen if i in rows]
        ordered = sorted(
            present, key=lambda row: (-chosen[row.id], -row.id)
        )  # newest first on a tie
        out.append([_example(row, chosen[row.id]) for row in ordered])
    return out


async def _candidates(
    session: AsyncSession, *, category: str, language: str, now: datetime
) -> list[tuple[int, str, str]]:
    """The outcomes that may count, as (id, decision, the customer's text): this category
    and language, decided in the window, not from a template that is deactivated or gone;
    newest first, at most CANDIDATES (only what scoring reads: the chosen few are loaded
    whole afterwards)."""
    query = (
        select(
            DraftOutcome.id,
            DraftOutcome.decision,
            func.substr(DraftOutcome.customer_text, 1, SCORED_CHARS),
        )
        .outerjoin(ResponseTemplate, ResponseTemplate.id == DraftOutcome.template_id)
        .where(
            DraftOutcome.category == category,
            DraftOutcome.language == language,
            DraftOutcome.decided_at >= now - WINDOW,
            DraftOutcome.decided_at <= now,
            or_(DraftOutcome.from_template.is_(False), ResponseTemplate.is_active.is_(True)),
        )
        .order_by(DraftOutcome.decided_at.desc())
        .limit(CANDIDATES)
    )
    return [(i, d, t or "") for i, d, t in (await session.execute(query)).all()]


def _example(row: DraftOutcome, score: float) -> Example:
    return Example(
        kind=row.decision,
        category=row.category or "",
        similarity=round(min(1.0, score), 4),
        subject=row.subject,
        customer_text=row.customer_text[:EXAMPLE_CHARS],
        reply_text=row.final_text[:EXAMPLE_CHARS],  # as sent, or as it was rejected
        reason=row.rejection_reason,
        edit_class=row.edit_class,
        customer_name=row.customer_name,
        customer_email=row.customer_email,
        ticket_id=row.ticket_id,
    )
