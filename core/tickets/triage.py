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

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.ai.provider import TriageProvider
from core.ai.result import ContextMessage, KnowledgeSource, Triaged, TriageRequest
from core.ai.variants import Variant, choices, choose
from core.audit import Actor, record
from core.errors import AIError
from core.inbound.attachments import AttachmentStore
from core.knowledge.retrieval import has_published, sources_for
from core.ticket_events import NO_EVENTS, TicketEvents
from core.tickets.attachment_notes import attachment_infos
from core.tickets.similar import similar_outcomes
from core.tickets.variants import active_variants
from db.base import utcnow
from db.models import AuditEvent, Draft, KbArticle, Mailbox, Message, Ticket
from db.session import SessionFactory, rows_changed

log = logging.getLogger(__name__)

# the intake's audit action when a customer writes to an answered, waiting or resolved
# ticket (core.inbound.store); each one is a reopen for the escalation rules
REOPENED_BY_CUSTOMER = "ticket.reopened_by_customer"


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
        sem = asyncio.Semaphore(self.concurrency)

        async def one(message_id: int) -> None:
            async with sem:
                await self._triage_message(message_id, report, variants)

        await asyncio.gather(*(one(m) for m in queued))
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

    async def _triage_message(
        self, message_id: int, report: TriageReport, variants: list[Variant]
    ) -> None:
        async with self.sessions() as session:
            msg = await session.get(Message, message_id)
            if msg is None or msg.triage_status != "queued":
                return
            newer = await session.scalar(
                select(Message.id)
                .where(
                    Message.ticket_id == msg.ticket_id,
                    Message.direction == "in",
                    Message.needs_reply.is_(True),
                    Message.id != msg.id,
                    (Message.date > msg.date)
                    | ((Message.date == msg.date) & (Message.id > msg.id)),
                )
                .limit(1)
            )
            if newer is not None:
                await self._finish_without_draft(message_id, "superseded")
                report.superseded += 1
                return
            request = _with_variants(await self._request(session, msg), variants)
        try:
            triaged = await self.provider.triage(request)
        except AIError as exc:
            log.warning("triage of message %s failed: %s", message_id, exc)
            report.failed += 1
            return  # stays queued; the next cycle tries again
        draft_id = await self._store(msg, triaged, _variant_of(request, triaged, variants))
        if draft_id is not None:
            report.drafted.append(draft_id)
            report.escalated += triaged.result.flags.escalation_required
            report.fallback += triaged.result.flags.fallback

    async def _request(self, session: AsyncSession, msg: Message) -> TriageRequest:
        ticket = await session.get(Ticket, msg.ticket_id)
        earlier = list(
            await session.scalars(
                select(Message)
                .where(
                    Message.ticket_id == msg.ticket_id,
                    Message.id != msg.id,
                    Message.date <= msg.date,
                )
                .order_by(Message.date.desc())
                .limit(self.history_limit)
            )
        )
        redact, desk_addresses = await _privacy(session, msg.mailbox_id)
        reopens = await session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.ticket_id == msg.ticket_id,
                AuditEvent.action == REOPENED_BY_CUSTOMER,
            )
        )
        text = msg.reply_text or msg.body_text
        examples = (
            await similar_outcomes(
                session, text, category=None, language=ticket.language, now=self.clock()
            )
            if ticket
            else []
        )
        sources = await self._sources(session, msg) if ticket else []
        # a source found proves there is a knowledge base; else ask whether any is published
        has_kb = bool(sources) or (
            ticket is not None and self.sources > 0 and await has_published(session)
        )
        return (
            TriageRequest(
                subject=msg.subject,
                text=text,
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
                knowledge_base=has_kb,
                redact=redact,
                desk_addresses=desk_addresses,
                reopens=reopens or 0,
                examples=examples,
                attachments=await attachment_infos(session, msg.id, self.attachments),
            )
            if ticket
            else TriageRequest(
                subject=msg.subject,
                text=msg.body_text,
                sender_email=msg.from_email,
                redact=redact,
                desk_addresses=desk_addresses,
            )
        )

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

    async def _finish_without_draft(self, message_id: int, status: str) -> None:
        async with self.sessions.begin() as session:
            await session.execute(
                update(Message)
                .where(Message.id == message_id, Message.triage_status == "queued")
                .values(triage_status=status)
                .execution_options(synchronize_session=False)
            )

    async def _store(
        self, msg: Message, triaged: Triaged, variant: str | None = None
    ) -> int | None:
        r, meta = triaged.result, triaged.meta
        now = self.clock()
        async with self.sessions.begin() as session:
            won = await session.execute(
                update(Message)
                .where(Message.id == msg.id, Message.triage_status == "queued")
                .values(triage_status="done")
                .execution_options(synchronize_session=False)
            )
            if rows_changed(won) != 1:
                return None
            superseded = await session.execute(
                update(Draft)
                .where(Draft.ticket_id == msg.ticket_id, Draft.status == "pending")
                .values(status="superseded")
                .returning(Draft.id)
            )
            for old in superseded.scalars():
                record(
                    session,
                    Actor.worker(),
                    "draft.superseded",
                    ticket_id=msg.ticket_id,
                    draft_id=old,
                )
            draft = Draft(
                ticket_id=msg.ticket_id,
                in_reply_to_message_id=msg.id,
                status="pending",
                created_at=now,
                prompt_variant=variant,
                **_draft_fields(triaged),
            )
            session.add(draft)
            await session.flush()
            await session.execute(
                update(Message)
                .where(Message.id == msg.id)
                .values(draft_id=draft.id)
                .execution_options(synchronize_session=False)
            )
            await session.execute(
                update(Ticket)
                .where(Ticket.id == msg.ticket_id)
                .values(**_ticket_fields(triaged))
                .execution_options(synchronize_session=False)
            )
            await _cite(session, r.citations, now)
            record(
                session,
                Actor.worker(),
                "draft.created",
                ticket_id=msg.ticket_id,
                draft_id=draft.id,
                provider=meta.provider,
                confidence=r.confidence,
                escalation=r.flags.escalation_required,
            )
            await self.events.classified(session, msg.ticket_id, now)
            return draft.id


async def _privacy(session: AsyncSession, mailbox_id: int | None) -> tuple[bool, list[str]]:
    """(whether the mail's mailbox redacts personal data for an external AI provider, the
    desk's own addresses, which it keeps): unknown mailbox -> redact."""
    rows = (await session.execute(select(Mailbox.id, Mailbox.address, Mailbox.ai_redact))).all()
    redact = next((on for id_, _, on in rows if id_ == mailbox_id), True)
    return redact, sorted({address.lower() for _, address, _ in rows if address})


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
