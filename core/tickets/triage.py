"""Turns queued customer messages into drafts through a triage provider.

The provider call happens outside any transaction; the result is stored with a
compare-and-set on the message (``queued -> done``), so two workers triaging the same
message store one draft. A newer pending draft supersedes an older one on the same ticket,
so a customer who writes three times in a row gets one answer, to the latest mail.

Each request carries what the escalation rules (``core.ai.escalation``) need of the
ticket's history that the mail does not hold: how often the customer reopened the ticket
(``reopens``: its ``ticket.reopened_by_customer`` audit events, written by the intake); and
the past replies people approved or rejected for mail like it, in its language
(``core.tickets.similar``): the examples a provider drafts from.

Prompt variants (``core.tickets.variants``) are read once per batch; each request carries
the instructions of the variant its ticket draws in each category, and the draft keeps the
name drawn for the category the provider chose (``drafts.prompt_variant``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from core.ai.provider import TriageProvider, triage_batch
from core.ai.result import ContextMessage, KnowledgeSource, Triaged, TriageRequest
from core.ai.variants import Variant, choices, choose
from core.audit import Actor, record, record_each
from core.errors import AIError
from core.inbound.attachments import AttachmentStore
from core.knowledge.retrieval import has_published, sources_for
from core.ticket_events import NO_EVENTS, TicketEvents, classified_all
from core.tickets.attachment_notes import attachment_infos_many
from core.tickets.similar import similar_outcomes_many
from core.tickets.variants import active_variants
from db.base import utcnow
from db.bulk import table_of
from db.models import AuditEvent, Draft, KbArticle, Mailbox, Message, Ticket
from db.session import SessionFactory, rows_changed

log = logging.getLogger(__name__)

# the intake's audit action when a customer writes to an answered, waiting or resolved
# ticket (core.inbound.store); each one is a reopen for the escalation rules
REOPENED_BY_CUSTOMER = "ticket.reopened_by_customer"
BATCH_SIZE = 500  # queued messages per batch: one read, one provider call, one commit


@dataclass
class TriageReport:
    drafted: list[int] = field(default_factory=list)
    superseded: int = 0
    failed: int = 0
    escalated: int = 0
    fallback: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "drafted": len(self.drafted),
            "superseded": self.superseded,
            "failed": self.failed,
            "escalated": self.escalated,
            "fallback": self.fallback,
        }


@dataclass(frozen=True, slots=True)
class Branding:
    company_name: str = "Support"
    signature: str = ""
    category_prompts: dict[str, str] = field(default_factory=dict)


class TriageService:
    def __init__(
        self,
        session_factory: SessionFactory,
        *,
        provider: TriageProvider,
        branding: Branding = Branding(),
        concurrency: int = 8,
        history_limit: int = 10,
        clock: Callable[[], datetime] = utcnow,
        events: TicketEvents = NO_EVENTS,
        sources: int = 3,
        attachments: AttachmentStore | None = None,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self.sessions = session_factory
        self.provider = provider
        self.events = events  # told of each ticket's category and urgency (SLA policy)
        self.branding = branding
        self.concurrency = concurrency
        self.history_limit = history_limit
        self.clock = clock
        self.sources = sources  # knowledge-base articles offered per mail (0: none)
        self.attachments = attachments  # to read text-like attachments (None: names only)
        self.batch_size = max(1, batch_size)  # messages read, triaged and stored together

    async def triage_queued(self, *, limit: int = 200) -> TriageReport:
        report = TriageReport()
        async with self.sessions() as session:
            queued = list(
                await session.scalars(
                    select(Message.id)
                    .where(Message.triage_status == "queued")
                    .order_by(Message.date, Message.id)
                    .limit(limit)
                )
            )
            variants = await active_variants(session) if queued else []
        for start in range(0, len(queued), self.batch_size):
            await self._triage_batch(queued[start : start + self.batch_size], report, variants)
        return report

    async def retriage_fallbacks(self, *, limit: int = 100) -> int:
        """Drafts written by the offline fallback while the main provider was down are
        triaged again once it answers. Only untouched pending drafts (version 1) change, and
        the version moves on, so an approver who saw the fallback text must look again."""
        async with self.sessions() as session:
            drafts = [
                d
                for d in await session.scalars(
                    select(Draft)
                    .where(Draft.status == "pending", Draft.version == 1)
                    .order_by(Draft.id.desc())
                    .limit(limit * 4)
                )
                if d.flags.get("fallback")
            ][:limit]
            variants = await active_variants(session) if drafts else []
        done = 0
        for draft in drafts:
            async with self.sessions() as session:
                msg = await session.get(Message, draft.in_reply_to_message_id or 0)
                if msg is None:
                    continue
                request = _with_variants(await self._request(session, msg), variants)
            try:
                triaged = await self.provider.triage(request)
            except AIError:
                return done  # still down; next cycle
            if triaged.result.flags.fallback:
                return done
            done += await self._replace(
                draft.id, draft.ticket_id, triaged, _variant_of(request, triaged, variants)
            )
        return done

    async def _replace(
        self, draft_id: int, ticket_id: int, triaged: Triaged, variant: str | None = None
    ) -> int:
        r, meta = triaged.result, triaged.meta
        async with self.sessions.begin() as session:
            result = await session.execute(
                update(Draft)
                .where(Draft.id == draft_id, Draft.status == "pending", Draft.version == 1)
                .values(version=2, prompt_variant=variant, **_draft_fields(triaged))
                .execution_options(synchronize_session=False)
            )
            if rows_changed(result) != 1:
                return 0
            await session.execute(
                update(Ticket)
                .where(Ticket.id == ticket_id)
                .values(**_ticket_fields(triaged))
                .execution_options(synchronize_session=False)
            )
            await _cite(session, r.citations, self.clock())
            record(
                session,
                Actor.worker(),
                "draft.retriaged",
                ticket_id=ticket_id,
                draft_id=draft_id,
                provider=meta.provider,
                confidence=r.confidence,
            )
            await self.events.classified(session, ticket_id, self.clock())
        return 1

    async def _triage_batch(
        self, message_ids: list[int], report: TriageReport, variants: list[Variant]
    ) -> None:
        async with self.sessions() as session:
            found = {
                m.id: m
                for m in await session.scalars(
                    select(Message).where(
                        Message.id.in_(message_ids), Message.triage_status == "queued"
                    )
                )
            }
            msgs = [found[i] for i in message_ids if i in found]
            newer = await _answered_later(session, msgs)
            stale = [m.id for m in msgs if m.id in newer]
            msgs = [m for m in msgs if m.id not in newer]
            requests = [_with_variants(r, variants) for r in await self._requests(session, msgs)]
        if stale:
            await self._finish_without_draft(stale, "superseded")
            report.superseded += len(stale)
        answers = await triage_batch(self.provider, requests, concurrency=self.concurrency)
        done: list[tuple[Message, Triaged, str | None]] = []
        for msg, request, answer in zip(msgs, requests, answers, strict=True):
            if isinstance(answer, AIError):
                log.warning("triage of message %s failed: %s", msg.id, answer)
                report.failed += 1  # stays queued; the next cycle tries again
                continue
            done.append((msg, answer, _variant_of(request, answer, variants)))
        for (_, triaged, _), draft_id in zip(done, await self._store_batch(done), strict=True):
            if draft_id is not None:
                report.drafted.append(draft_id)
                report.escalated += triaged.result.flags.escalation_required
                report.fallback += triaged.result.flags.fallback

    async def _request(self, session: AsyncSession, msg: Message) -> TriageRequest:
        """The provider's request for one message: a batch of one."""
        return (await self._requests(session, [msg]))[0]

    async def _requests(self, session: AsyncSession, msgs: list[Message]) -> list[TriageRequest]:
        """The provider's request for each message of a batch, in a few queries for the
        whole batch: its tickets, their messages (the history), the
        mailboxes, the reopen counts, whether any article is published, the attachments
        and the examples (each category and language read once). Only the knowledge
        retrieval, a full-text query on each mail's own words, runs per message."""
        if not msgs:
            return []
        ticket_ids = sorted({m.ticket_id for m in msgs})
        tickets = {
            t.id: t for t in await session.scalars(select(Ticket).where(Ticket.id.in_(ticket_ids)))
        }
        thread: dict[int, list[Any]] = {}
        for row in await session.execute(
            select(
                Message.id,
                Message.ticket_id,
                Message.date,
                Message.direction,
                Message.from_email,
                Message.reply_text,
                Message.body_text,
            ).where(Message.ticket_id.in_(list(tickets)))
        ):
            thread.setdefault(row.ticket_id, []).append(row)
        redact, desk_addresses = await _privacy_rows(session)
        reopens: dict[int | None, int] = {
            ticket_id: count
            for ticket_id, count in await session.execute(
                select(AuditEvent.ticket_id, func.count())
                .where(
                    AuditEvent.ticket_id.in_(list(tickets)),
                    AuditEvent.action == REOPENED_BY_CUSTOMER,
                )
                .group_by(AuditEvent.ticket_id)
            )
        }
        drafted = [m for m in msgs if m.ticket_id in tickets]
        examples = dict(
            zip(
                [m.id for m in drafted],
                await similar_outcomes_many(
                    session,
                    [(m.reply_text or m.body_text, tickets[m.ticket_id].language) for m in drafted],
                    category=None,
                    now=self.clock(),
                ),
                strict=True,
            )
        )
        files = await attachment_infos_many(session, [m.id for m in drafted], self.attachments)
        # no published article: no retrieval finds one (the same empty sources, unsearched)
        published = self.sources > 0 and await has_published(session)
        out: list[TriageRequest] = []
        for msg in msgs:
            if msg.ticket_id not in tickets:
                out.append(
                    TriageRequest(
                        subject=msg.subject,
                        text=msg.body_text,
                        sender_email=msg.from_email,
                        redact=redact.get(msg.mailbox_id, True),
                        desk_addresses=desk_addresses,
                    )
                )
                continue
            earlier = sorted(
                (m for m in thread.get(msg.ticket_id, []) if m.id != msg.id and m.date <= msg.date),
                key=lambda m: (m.date, m.id),
                reverse=True,
            )[: self.history_limit]
            sources = await self._sources(session, msg) if published else []
            out.append(
                TriageRequest(
                    subject=msg.subject,
                    text=msg.reply_text or msg.body_text,
                    sender_email=msg.from_email,
                    sender_name=msg.from_name,
                    ticket_id=msg.ticket_id,
                    history=[
                        ContextMessage(
                            direction=m.direction,
                            from_email=m.from_email,
                            text=m.reply_text or m.body_text,
                        )
                        for m in reversed(earlier)
                    ],
                    company_name=self.branding.company_name,
                    signature=self.branding.signature,
                    category_prompts=self.branding.category_prompts,
                    sources=sources,
                    knowledge_base=bool(sources) or published,
                    redact=redact.get(msg.mailbox_id, True),
                    desk_addresses=desk_addresses,
                    reopens=reopens.get(msg.ticket_id, 0),
                    examples=examples[msg.id],
                    attachments=files[msg.id],
                )
            )
        return out

    async def _sources(self, session: AsyncSession, msg: Message) -> list[KnowledgeSource]:
        """The published articles that fit the mail, for the provider to cite."""
        if self.sources < 1:
            return []
        found = await sources_for(
            session, msg.subject, msg.reply_text or msg.body_text, self.sources
        )
        return [
            KnowledgeSource(id=s.id, title=s.title, text=s.body, public_url=s.public_url)
            for s in found
        ]

    async def _finish_without_draft(self, message_ids: list[int], status: str) -> None:
        async with self.sessions.begin() as session:
            await session.execute(
                update(Message)
                .where(Message.id.in_(message_ids), Message.triage_status == "queued")
                .values(triage_status=status)
                .execution_options(synchronize_session=False)
            )

    async def _store_batch(
        self, items: list[tuple[Message, Triaged, str | None]]
    ) -> list[int | None]:
        """Store the drafts of a batch in one transaction, with ``_store``'s guarantees: a
        message another worker stored first gets no second draft (``queued -> done``
        compare-and-set), the ticket's older pending drafts are superseded. The draft id of
        each item, None where another worker won. A second message of one ticket in the
        batch, or a batch the database refuses, is stored item by item (each its own
        transaction: one bad item loses nothing of the others)."""
        first: dict[int, int] = {}  # ticket -> index of its first item
        for index, (msg, _, _) in enumerate(items):
            first.setdefault(msg.ticket_id, index)
        together = [i for i in range(len(items)) if first[items[i][0].ticket_id] == i]
        out: list[int | None] = [None] * len(items)
        alone = [i for i in range(len(items)) if i not in set(together)]
        try:
            stored = await self._store_together([items[i] for i in together])
        except SQLAlchemyError as exc:
            log.warning("storing %d drafts together failed (%s): one by one", len(together), exc)
            alone = list(range(len(items)))
        else:
            for i, draft_id in zip(together, stored, strict=True):
                out[i] = draft_id
        for i in alone:
            msg, triaged, variant = items[i]
            try:
                out[i] = await self._store(msg, triaged, variant)
            except SQLAlchemyError:
                log.exception("storing the draft of message %s failed: it stays queued", msg.id)
        return out

    async def _store_together(
        self, items: list[tuple[Message, Triaged, str | None]]
    ) -> list[int | None]:
        """``_store`` for items of distinct tickets, in one transaction and a few statements."""
        if not items:
            return []
        now = self.clock()
        async with self.sessions.begin() as session:
            won = set(
                (
                    await session.execute(
                        update(Message)
                        .where(
                            Message.id.in_([m.id for m, _, _ in items]),
                            Message.triage_status == "queued",
                        )
                        .values(triage_status="done")
                        .returning(Message.id)
                        .execution_options(synchronize_session=False)
                    )
                ).scalars()
            )
            mine = [item for item in items if item[0].id in won]
            if not mine:
                return [None] * len(items)
            superseded = await session.execute(
                update(Draft)
                .where(
                    Draft.ticket_id.in_([m.ticket_id for m, _, _ in mine]),
                    Draft.status == "pending",
                )
                .values(status="superseded")
                .returning(Draft.id, Draft.ticket_id)
                .execution_options(synchronize_session=False)
            )
            await record_each(
                session,
                Actor.worker(),
                "draft.superseded",
                [(ticket_id, old, {}) for old, ticket_id in sorted(superseded.tuples())],
            )
            # one multi-row INSERT, then the ids read back by ticket: the items are of
            # distinct tickets, whose earlier pending drafts were just superseded, so each
            # ticket's one pending draft is the one inserted here (ticket_id is indexed)
            await session.execute(
                insert(table_of(Draft)),  # Core: one executemany (the ORM splits the rows)
                [
                    {
                        "ticket_id": msg.ticket_id,
                        "in_reply_to_message_id": msg.id,
                        "status": "pending",
                        "created_at": now,
                        "prompt_variant": variant,
                        **_draft_fields(triaged),
                    }
                    for msg, triaged, variant in mine
                ],
            )
            by_ticket: dict[int, int] = {
                ticket_id: draft_id
                for draft_id, ticket_id in await session.execute(
                    select(Draft.id, Draft.ticket_id).where(
                        Draft.ticket_id.in_([m.ticket_id for m, _, _ in mine]),
                        Draft.status == "pending",
                    )
                )
            }
            ids = {m.id: by_ticket[m.ticket_id] for m, _, _ in mine}
            await session.execute(
                update(Message),
                [{"id": m.id, "draft_id": ids[m.id]} for m, _, _ in mine],
            )
            await session.execute(
                update(Ticket),
                [{"id": m.ticket_id, **_ticket_fields(t)} for m, t, _ in mine],
            )
            await _cite(session, sorted({c for _, t, _ in mine for c in t.result.citations}), now)
            await record_each(
                session,
                Actor.worker(),
                "draft.created",
                [
                    (
                        msg.ticket_id,
                        ids[msg.id],
                        {
                            "provider": triaged.meta.provider,
                            "confidence": triaged.result.confidence,
                            "escalation": triaged.result.flags.escalation_required,
                        },
                    )
                    for msg, triaged, _ in mine
                ],
            )
            await classified_all(self.events, session, [m.ticket_id for m, _, _ in mine], now)
            return [ids.get(m.id) for m, _, _ in items]

    async def _store(
        self, msg: Message, triaged: Triaged, variant: str | None = None
    ) -> int | None:
        """Store one message's draft: a batch of one, in its own transaction."""
        return (await self._store_together([(msg, triaged, variant)]))[0]


async def _privacy_rows(session: AsyncSession) -> tuple[dict[int | None, bool], list[str]]:
    """(whether each mailbox redacts, the desk's own addresses): one query for a batch."""
    rows = (await session.execute(select(Mailbox.id, Mailbox.address, Mailbox.ai_redact))).all()
    return (
        {id_: on for id_, _, on in rows},
        sorted({address.lower() for _, address, _ in rows if address}),
    )


async def _answered_later(session: AsyncSession, msgs: list[Message]) -> set[int]:
    """The messages of ``msgs`` that a later customer message needing a reply, on the same
    ticket, supersedes (one query for the batch)."""
    if not msgs:
        return set()
    later: dict[int, list[tuple[datetime, int]]] = {}
    for id_, ticket_id, date in await session.execute(
        select(Message.id, Message.ticket_id, Message.date).where(
            Message.ticket_id.in_({m.ticket_id for m in msgs}),
            Message.direction == "in",
            Message.needs_reply.is_(True),
        )
    ):
        later.setdefault(ticket_id, []).append((date, id_))
    return {
        m.id
        for m in msgs
        if any((date, id_) > (m.date, m.id) for date, id_ in later.get(m.ticket_id, []))
    }


async def _cite(session: AsyncSession, article_ids: list[int], now: datetime) -> None:
    """The articles a stored draft cites were last cited ``now`` (``kb_articles.last_cited_at``)."""
    if article_ids:
        await session.execute(
            update(KbArticle)
            .where(KbArticle.id.in_(article_ids))
            .values(last_cited_at=now)
            .execution_options(synchronize_session=False)
        )


def _with_variants(request: TriageRequest, variants: list[Variant]) -> TriageRequest:
    """``request`` with the instructions of the variants its ticket draws, per category."""
    if not variants or request.ticket_id is None:
        return request
    drawn = choices(request.ticket_id, variants)
    prompts = {c: ch.instructions for c, ch in drawn.items() if ch.instructions}
    return request.model_copy(update={"variant_prompts": prompts}) if prompts else request


def _variant_of(request: TriageRequest, triaged: Triaged, variants: list[Variant]) -> str | None:
    """The variant the ticket drew in the category the provider chose."""
    if not variants or request.ticket_id is None:
        return None
    return choose(request.ticket_id, triaged.result.category.value, variants).name


def _draft_fields(triaged: Triaged) -> dict[str, Any]:
    r, meta = triaged.result, triaged.meta
    return {
        "body": r.draft_reply,
        "ai_body": r.draft_reply,
        "category": r.category.value,
        "urgency": r.urgency.value,
        "summary": r.summary,
        "fix_steps": list(r.fix_steps),
        "citations": list(r.citations),
        "confidence": r.confidence,
        # the provider's own value, which a refit of the calibration reads
        "raw_confidence": r.confidence if meta.raw_confidence is None else meta.raw_confidence,
        "escalation_required": r.flags.escalation_required,
        "escalation_reason": r.flags.escalation_reason,
        "flags": r.flags.model_dump(mode="json"),
        "provider": meta.provider,
        "model": meta.model,
        "prompt_version": meta.prompt_version,
        "latency_ms": meta.latency_ms,
        "tokens_in": meta.tokens_in,
        "tokens_out": meta.tokens_out,
    }


def _ticket_fields(triaged: Triaged) -> dict[str, Any]:
    r = triaged.result
    return {
        "category": r.category.value,
        "urgency": r.urgency.value,
        "summary": r.summary,
        "escalation_required": r.flags.escalation_required,
        "ai_processed": True,
    }
