"""Articles the desk proposes from resolved tickets, for a person to publish or discard.

When a person resolves a ticket (``core.tickets.status``, which tells its ``TicketEvents``
in the same transaction) and an approved reply was sent on it, ``Proposer`` drafts an
article from the conversation (``core.knowledge.proposal_text``: the customer's question
and that reply, extractive, personal data scrubbed, the customer's and the approving
agent's names included) and stores it as a ``draft`` with ``origin = 'proposal'``:

- once per ticket: ``kb_proposal_sources`` keeps each ticket proposed from (its primary
  key), so a ticket resolved, reopened and resolved again proposes nothing more;
- a near-duplicate joins the proposal it is like instead of making one: an earlier proposal
  of the same category and language (open, published or discarded: one already published
  or discarded needs no second review) whose words' Jaccard similarity with the new draft's
  is at least ``SIMILAR_AT`` (0.5) takes the ticket into its ``source_ticket_ids``;
- it runs in a savepoint: a failure to propose is logged and never undoes the resolution;
- a new proposal is marked for the AI provider (``ai_draft_of``: its version), which
  redrafts it later, outside this transaction (``core.knowledge.ai_drafts``): no model is
  called while the resolution's transaction is open.

A proposal's state follows its status: ``draft`` is ``open``, ``published`` is
``published``, ``archived`` is ``discarded`` (the article is kept, so the same question is
not proposed again). Nothing is published without a person (``KnowledgeBase.publish``
names the reviewer). ``ProposalService`` lists them and publishes or discards one.
Audited: ``kb.proposed`` (a new proposal), ``kb.proposal_joined`` (a ticket joined one).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.permissions import Principal
from core.audit import Actor, record
from core.errors import InvalidTransition, NotFound, ValidationError
from core.knowledge.articles import MAX_PAGE, MAX_SOURCES, ArticleView, KnowledgeBase
from core.knowledge.proposal_text import draft_article, jaccard, tokens
from core.knowledge.scrub import names_of
from core.knowledge.search import language_code
from core.ticket_events import NoEvents
from db.base import storable_id
from db.models import Draft, KbArticle, KbProposalSource, Message, Ticket, User
from db.session import SessionFactory

log = logging.getLogger(__name__)

SIMILAR_AT = 0.5  # token Jaccard of title + body at or above which a draft joins a proposal
CANDIDATES = 200  # the most recent proposals of the category and language compared with
PROPOSAL = "proposal"
STATES = {"draft": "open", "published": "published", "archived": "discarded"}
STATUS_OF_STATE = {state: status for status, state in STATES.items()}


def state_of(status: str) -> str:
    return STATES.get(status, status)


@dataclass(frozen=True, slots=True)
class Proposed:
    """What resolving a ticket proposed: the article, and whether the ticket joined it."""

    article_id: int
    ticket_id: int
    joined: bool
    similarity: float | None = None


@dataclass(frozen=True, slots=True)
class ProposalView:
    id: int
    title: str
    category: str | None
    language: str
    source_ticket_ids: list[int]
    state: str
    created_at: datetime
    updated_at: datetime
    version: int
    reviewed_by_id: int | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "category": self.category,
            "language": self.language,
            "source_ticket_ids": self.source_ticket_ids,
            "state": self.state,
            "version": self.version,
            "reviewed_by_id": self.reviewed_by_id,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }


def _proposal_view(a: KbArticle) -> ProposalView:
    return ProposalView(
        id=a.id,
        title=a.title,
        category=a.category,
        language=a.language,
        source_ticket_ids=list(a.source_ticket_ids or []),
        state=state_of(a.status),
        created_at=a.created_at,
        updated_at=a.updated_at,
        version=a.version,
        reviewed_by_id=a.reviewed_by_id,
    )


class Proposer(NoEvents):
    """A ``core.ticket_events.TicketEvents`` that proposes an article when a ticket is
    resolved; every other event is none of its business (``NoEvents``'s)."""

    def __init__(self, *, similar_at: float = SIMILAR_AT) -> None:
        self.similar_at = similar_at

    async def status_changed(
        self, session: AsyncSession, ticket_id: int, status: str, at: datetime
    ) -> None:
        if status != "resolved":
            return
        try:
            async with session.begin_nested():
                await self.propose(session, ticket_id, at)
        except Exception:  # a proposal never undoes the resolution it came from
            log.exception("proposing an article from ticket %s failed", ticket_id)

    async def propose(self, session: AsyncSession, ticket_id: int, at: datetime) -> Proposed | None:
        """Propose from ``ticket_id`` in ``session``'s transaction; None when it proposed
        already, or no approved reply was sent on it."""
        known = await session.scalar(
            select(KbProposalSource.article_id).where(KbProposalSource.ticket_id == ticket_id)
        )
        if known is not None:
            return None
        found = await conversation(session, ticket_id)
        if found is None:
            return None
        ticket, draft = found.ticket, found.draft
        drafted = draft_article(
            subject=found.subject, question=found.question, reply=draft.body, names=found.names
        )
        language = _language(ticket.language)
        words = tokens(f"{drafted.title}\n{drafted.body}")
        similar, similarity = await self._similar(session, ticket.category, language, words)
        if similar is not None:
            sources = sorted({*(similar.source_ticket_ids or []), ticket_id})[:MAX_SOURCES]
            await session.execute(
                update(KbArticle)
                .where(KbArticle.id == similar.id)
                .values(source_ticket_ids=sources)
                .execution_options(synchronize_session=False)
            )
            session.add(
                KbProposalSource(
                    ticket_id=ticket_id,
                    article_id=similar.id,
                    similarity=similarity,
                    proposed_at=at,
                )
            )
            record(
                session,
                Actor.worker(),
                "kb.proposal_joined",
                ticket_id=ticket_id,
                target=f"kb:{similar.id}",
                at=at,
                article_id=similar.id,
                similarity=round(similarity, 3),
            )
            return Proposed(similar.id, ticket_id, joined=True, similarity=similarity)
        article = KbArticle(
            title=drafted.title,
            body=drafted.body,
            category=ticket.category,
            language=language,
            status="draft",
            origin=PROPOSAL,
            version=1,
            source_ticket_ids=[ticket_id],
            ai_draft_of=1,  # for the AI provider to redraft, outside this transaction
            helpful_count=0,
            unhelpful_count=0,
            created_at=at,
            updated_at=at,
        )
        session.add(article)
        await session.flush()
        session.add(KbProposalSource(ticket_id=ticket_id, article_id=article.id, proposed_at=at))
        record(
            session,
            Actor.worker(),
            "kb.proposed",
            ticket_id=ticket_id,
            target=f"kb:{article.id}",
            at=at,
            article_id=article.id,
            draft_id=draft.id,
            title=article.title,
        )
        return Proposed(article.id, ticket_id, joined=False)

    async def _similar(
        self, session: AsyncSession, category: str | None, language: str, words: frozenset[str]
    ) -> tuple[KbArticle | None, float]:
        q = select(KbArticle).where(KbArticle.origin == PROPOSAL, KbArticle.language == language)
        q = q.where(
            KbArticle.category.is_(None) if category is None else KbArticle.category == category
        )
        best: KbArticle | None = None
        best_score = 0.0
        for article in await session.scalars(q.order_by(KbArticle.id.desc()).limit(CANDIDATES)):
            score = jaccard(words, tokens(f"{article.title}\n{article.body}"))
            if score >= self.similar_at and score > best_score:
                best, best_score = article, score
        return best, best_score


@dataclass(frozen=True, slots=True)
class Conversation:
    """What a proposal is drafted from: the ticket, its last sent (approved) reply, the
    customer's mail that reply answered, and the names of the people in it."""

    ticket: Ticket
    draft: Draft
    subject: str
    question: str
    names: list[str]


async def conversation(session: AsyncSession, ticket_id: int) -> Conversation | None:
    """``ticket_id``'s conversation; None when no approved reply was sent on it."""
    ticket = await session.get(Ticket, ticket_id)
    draft = await session.scalar(
        select(Draft)
        .where(Draft.ticket_id == ticket_id, Draft.status == "sent")
        .order_by(Draft.sent_at.desc(), Draft.id.desc())
        .limit(1)
    )
    if ticket is None or draft is None:  # sent: approved by a person (no path sends else)
        return None
    question = await _question(session, draft)
    agent = await session.get(User, draft.approved_by_id) if draft.approved_by_id else None
    names = names_of(
        ticket.requester_name,
        ticket.requester_email,
        question.from_name if question else None,
        question.from_email if question else None,
        agent.name if agent else None,
        agent.email if agent else None,
    )
    return Conversation(
        ticket=ticket,
        draft=draft,
        subject=ticket.subject or (question.subject if question else ""),
        question=(question.reply_text or question.body_text or "") if question else "",
        names=names,
    )


async def _question(session: AsyncSession, draft: Draft) -> Message | None:
    """The customer's mail the reply answered (else the ticket's first incoming one)."""
    if draft.in_reply_to_message_id is not None:
        message = await session.get(Message, draft.in_reply_to_message_id)
        if message is not None:
            return message
    return await session.scalar(
        select(Message)
        .where(Message.ticket_id == draft.ticket_id, Message.direction == "in")
        .order_by(Message.id)
        .limit(1)
    )


def _language(value: str | None) -> str:
    try:
        return language_code(value or "en")
    except ValidationError:
        return "en"


class ProposalService:
    """The proposals people review: listed, published (by a manager or an admin, named as
    the reviewer) or discarded (archived: kept, and not proposed again)."""

    def __init__(self, session_factory: SessionFactory, knowledge: KnowledgeBase) -> None:
        self.sessions = session_factory
        self.knowledge = knowledge

    async def list(
        self, *, state: str | None = None, limit: int = 100, offset: int = 0
    ) -> list[ProposalView]:
        """Proposals, the newest first; ``state`` (open, published, discarded): only those."""
        if state is not None and state not in STATUS_OF_STATE:
            raise ValidationError(
                f"unknown state {state!r:.30}; use one of {', '.join(STATUS_OF_STATE)}",
                field="state",
            )
        if not 1 <= limit <= MAX_PAGE or not 0 <= offset <= 2**31 - 1:
            raise ValidationError(f"limit is 1 to {MAX_PAGE}, offset 0 or more", field="limit")
        q = select(KbArticle).where(KbArticle.origin == PROPOSAL)
        if state is not None:
            q = q.where(KbArticle.status == STATUS_OF_STATE[state])
        q = q.order_by(KbArticle.created_at.desc(), KbArticle.id.desc()).limit(limit).offset(offset)
        async with self.sessions() as session:
            return [_proposal_view(a) for a in await session.scalars(q)]

    async def count(self, *, state: str | None = None) -> int:
        q = select(func.count()).select_from(KbArticle).where(KbArticle.origin == PROPOSAL)
        if state is not None:
            q = q.where(KbArticle.status == STATUS_OF_STATE.get(state, state))
        async with self.sessions() as session:
            return int(await session.scalar(q) or 0)

    async def get(self, article_id: int) -> ProposalView:
        async with self.sessions() as session:
            article = await session.get(KbArticle, article_id) if storable_id(article_id) else None
            if article is None or article.origin != PROPOSAL:
                raise NotFound(f"proposal {article_id} not found", article_id=article_id)
            return _proposal_view(article)

    async def publish(self, who: Principal, article_id: int) -> ArticleView:
        """An open proposal goes public (compare-and-set on ``draft``: one discarded
        meanwhile stays discarded)."""
        await self._open(article_id)
        return await self.knowledge.publish(who, article_id, frm=("draft",))

    async def discard(self, who: Principal, article_id: int) -> ArticleView:
        await self._open(article_id)
        return await self.knowledge.archive(who, article_id, frm=("draft",))

    async def _open(self, article_id: int) -> None:
        proposal = await self.get(article_id)
        if proposal.state != "open":
            raise InvalidTransition(
                f"proposal {article_id} is {proposal.state} already", current=proposal.state
            )
