"""Proposals redrafted by the desk's AI provider, outside the transaction that resolved
the ticket.

Resolving a ticket proposes an article at once, extractively (``core.knowledge.proposals``,
in the resolution's transaction, no network), and marks it: ``kb_articles.ai_draft_of``
holds the version of that extractive draft. The worker's ``kb-drafts`` job
(``server.worker``) then runs ``ProposalDrafter.run``; for each marked proposal:

- still open (``draft``) and still at the marked version (nobody edited it), the ticket's
  conversation is read again (the customer's question without greeting and signature, the
  approved reply that was sent), scrubbed (``core.knowledge.scrub``: the names of the
  customer and of the approving agent, email addresses, phone numbers, postal addresses,
  order, invoice and card numbers, IBANs), and the session is closed before the provider
  is called: no transaction waits on a model;
- the provider (``OpenAIProvider.draft_article``: ``core.ai.article_prompt``, structured
  output) redacts it once more through ``core.ai.privacy`` when the ticket's mailbox has
  ``ai_redact`` on, and answers with a title and a Markdown body, which are scrubbed again
  (a model may echo or invent personal data) and validated like a person's article;
- stored by compare-and-set on the marked version, status ``draft`` and the mark: a
  person's edit (which moves the version on) or a publish or discard meanwhile wins, and the
  model's draft is dropped; the version goes up, so the Slack message is re-rendered at
  the next sync (``bot.proposals``). Audited ``kb.proposal_drafted`` (provider, model,
  prompt version).

When the provider fails (outage, timeout, refusal, bad JSON, an article that does not
validate) the extractive draft stays, the failure is logged, and the proposal is tried
again on a later run, ``MAX_ATTEMPTS`` times in all. With the offline provider (``writer``
None) nothing is sent anywhere: the marks are cleared and the extractive drafts stay.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.ai.article_prompt import ModelArticle
from core.audit import Actor, record
from core.knowledge.articles import ArticleSpec
from core.knowledge.proposal_text import BODY_CHARS, TITLE_CHARS, problem_of
from core.knowledge.proposals import conversation
from core.knowledge.scrub import scrub
from db.models import KbArticle, KbProposalSource, Mailbox
from db.session import SessionFactory

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # runs a failing proposal is tried on before its extractive draft is final
BATCH = 20  # proposals redrafted per run, the oldest first


class ArticleWriter(Protocol):
    """What drafts an article from a conversation (``core.ai.openai_provider``)."""

    name: str

    async def draft_article(
        self,
        *,
        question: str,
        reply: str,
        language: str,
        redact: bool = True,
        keep: tuple[str, ...] = (),
    ) -> ModelArticle: ...


@dataclass
class RedraftReport:
    drafted: list[int] = field(default_factory=list)  # the model's draft stored
    failed: list[int] = field(default_factory=list)  # the provider failed: extractive kept
    skipped: list[int] = field(default_factory=list)  # edited, decided, or no AI provider

    def as_dict(self) -> dict[str, int]:
        return {
            "drafted": len(self.drafted),
            "failed": len(self.failed),
            "skipped": len(self.skipped),
        }


@dataclass(frozen=True, slots=True)
class _Job:
    article_id: int
    version: int
    attempts: int
    ticket_id: int
    question: str
    reply: str
    language: str
    names: list[str]
    redact: bool
    keep: tuple[str, ...]


def _fit(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters, cut at a line (else a word) with ``…``."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    cut = cut.rsplit("\n", 1)[0] if "\n" in cut[limit // 2 :] else cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "…"


class ProposalDrafter:
    def __init__(
        self,
        session_factory: SessionFactory,
        *,
        writer: ArticleWriter | None,
        clock: Callable[[], datetime],
        max_attempts: int = MAX_ATTEMPTS,
        batch: int = BATCH,
    ) -> None:
        self.sessions = session_factory
        self.writer = writer
        self.clock = clock
        self.max_attempts = max_attempts
        self.batch = batch

    async def pending(self) -> list[int]:
        async with self.sessions() as session:
            return list(
                await session.scalars(
                    select(KbArticle.id)
                    .where(KbArticle.ai_draft_of.is_not(None))
                    .order_by(KbArticle.id)
                    .limit(self.batch)
                )
            )

    async def run(self) -> RedraftReport:
        report = RedraftReport()
        pending = await self.pending()
        if not pending:
            return report
        if self.writer is None:  # offline: nothing leaves the desk, the extractive drafts stay
            async with self.sessions.begin() as session:
                await session.execute(
                    update(KbArticle)
                    .where(KbArticle.id.in_(pending))
                    .values(ai_draft_of=None)
                    .execution_options(synchronize_session=False)
                )
            report.skipped.extend(pending)
            return report
        for article_id in pending:
            await self._redraft(self.writer, article_id, report)
        return report

    async def _redraft(self, writer: ArticleWriter, article_id: int, report: RedraftReport) -> None:
        job = await self._job(article_id)
        if job is None:
            report.skipped.append(article_id)
            return
        try:  # no session is open here: the model never holds a transaction
            written = await writer.draft_article(
                question=job.question,
                reply=job.reply,
                language=job.language,
                redact=job.redact,
                keep=job.keep,
            )
            spec = ArticleSpec(
                title=_fit(scrub(written.title, names=job.names), TITLE_CHARS),
                body=_fit(scrub(written.body, names=job.names), BODY_CHARS),
                language=job.language,
            ).validated()
        except Exception as exc:  # the extractive draft stays; the proposal is never lost
            final = job.attempts + 1 >= self.max_attempts
            log.warning(
                "the AI draft of proposal %s failed (attempt %d/%d%s): %s",
                article_id,
                job.attempts + 1,
                self.max_attempts,
                ", the extractive draft stays" if final else "",
                exc,
            )
            async with self.sessions.begin() as session:
                await session.execute(
                    update(KbArticle)
                    .where(KbArticle.id == article_id, KbArticle.ai_draft_of == job.version)
                    .values(
                        ai_draft_attempts=job.attempts + 1,
                        ai_draft_of=None if final else job.version,
                    )
                    .execution_options(synchronize_session=False)
                )
            report.failed.append(article_id)
            return
        await self._store(job, spec, written, report)

    async def _job(self, article_id: int) -> _Job | None:
        """What to send for ``article_id``; None (its mark cleared) when it is no longer
        the extractive draft of an open proposal."""
        async with self.sessions.begin() as session:
            article = await session.get(KbArticle, article_id)
            if article is None or article.ai_draft_of is None:
                return None
            marked = article.ai_draft_of
            ticket_id = await session.scalar(
                select(KbProposalSource.ticket_id)
                .where(
                    KbProposalSource.article_id == article_id,
                    KbProposalSource.similarity.is_(None),  # the ticket that made it
                )
                .order_by(KbProposalSource.proposed_at, KbProposalSource.ticket_id)
                .limit(1)
            )
            found = await conversation(session, ticket_id) if ticket_id is not None else None
            if article.status != "draft" or article.version != marked or found is None:
                await _unmark(session, article_id, marked)
                return None
            redact, keep = await _privacy(session, found.ticket.mailbox_id)
            return _Job(
                article_id=article_id,
                version=marked,
                attempts=article.ai_draft_attempts or 0,
                ticket_id=found.ticket.id,
                question=scrub(problem_of(found.question), names=found.names),
                reply=scrub(found.draft.body, names=found.names),
                language=article.language,
                names=found.names,
                redact=redact,
                keep=keep,
            )

    async def _store(
        self, job: _Job, spec: ArticleSpec, written: ModelArticle, report: RedraftReport
    ) -> None:
        now = self.clock()
        async with self.sessions.begin() as session:
            done = await session.execute(
                update(KbArticle)
                .where(
                    KbArticle.id == job.article_id,
                    KbArticle.version == job.version,  # a person's edit meanwhile wins
                    KbArticle.status == "draft",
                    KbArticle.ai_draft_of == job.version,
                )
                .values(
                    title=spec.title,
                    body=spec.body,
                    version=job.version + 1,
                    updated_at=now,
                    ai_draft_of=None,
                )
                .execution_options(synchronize_session=False)
            )
            if getattr(done, "rowcount", 1) != 1:
                await _unmark(session, job.article_id, job.version)
                report.skipped.append(job.article_id)
                return
            record(
                session,
                Actor.worker(),
                "kb.proposal_drafted",
                ticket_id=job.ticket_id,
                target=f"kb:{job.article_id}",
                at=now,
                article_id=job.article_id,
                provider=written.provider,
                model=written.model,
                prompt_version=written.prompt_version,
                version=job.version + 1,
                title=spec.title,
            )
        report.drafted.append(job.article_id)


async def _unmark(session: AsyncSession, article_id: int, marked: int) -> None:
    await session.execute(
        update(KbArticle)
        .where(KbArticle.id == article_id, KbArticle.ai_draft_of == marked)
        .values(ai_draft_of=None)
        .execution_options(synchronize_session=False)
    )


async def _privacy(session: AsyncSession, mailbox_id: int | None) -> tuple[bool, tuple[str, ...]]:
    """(whether the ticket's mailbox redacts for an external model: unknown -> yes, the
    desk's own addresses, which redaction keeps)."""
    rows = (await session.execute(select(Mailbox.id, Mailbox.address, Mailbox.ai_redact))).all()
    redact = next((bool(on) for id_, _, on in rows if id_ == mailbox_id), True)
    return redact, tuple(sorted({address.lower() for _, address, _ in rows if address}))
