"""Whether the articles a draft cited helped, counted when people decide the draft.

``count_decision`` runs in the transaction of the decision, once per draft (from
``core.tickets.outcomes.record_outcome``, which keeps one outcome per draft): a draft
approved unchanged or lightly edited (edit ratio < 0.3) counts as helpful for each article
it cites (``kb_articles.helpful_count``), one rejected or heavily edited as unhelpful
(``unhelpful_count``). An article deleted since is skipped. Increments are done by the
database (``SET helpful_count = helpful_count + 1``), so two decisions at once both count.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import KbArticle

HELPFUL_EDITS = ("unchanged", "light")


def helpful(decision: str, edit_class: str) -> bool:
    """Approved as written or with a light edit: helpful; rejected or heavily edited: not."""
    return decision == "approved" and edit_class in HELPFUL_EDITS


async def count_decision(
    session: AsyncSession, article_ids: Sequence[int], *, decision: str, edit_class: str
) -> None:
    ids = sorted({i for i in article_ids if isinstance(i, int) and not isinstance(i, bool)})
    if not ids:
        return
    column = "helpful_count" if helpful(decision, edit_class) else "unhelpful_count"
    counted = getattr(KbArticle, column)
    await session.execute(
        update(KbArticle)
        .where(KbArticle.id.in_(ids))
        .values({column: counted + 1})
        .execution_options(synchronize_session=False)
    )
