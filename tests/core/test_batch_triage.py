"""Triage in batches (issue 14): the requests of a batch are read together and equal the
ones the per-mail path builds; the offline provider classifies a batch in one model call;
the drafts of a batch are stored in one transaction, a failing mail keeps the others, and
two workers triaging the same batch at once store one draft per message. Both databases."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.permissions import Principal, principal_by_email
from core.access.users import ensure_user
from core.ai.config import AISettings
from core.ai.offline import OfflineProvider
from core.ai.result import Triaged, TriageRequest
from core.ai.service import Triager
from core.errors import AIError, AIUnavailable
from core.knowledge.articles import ArticleSpec, KnowledgeBase
from core.mail.transport import FetchedMail
from core.tickets.triage import TriageService
from db.models import AuditEvent, Draft, Mailbox, Message, Ticket
from server.wiring import Desk
from tests.core.flows import smtp_mailbox
from tests.support.mail import make_mail

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
LATER = T0 + timedelta(days=20)
CHARGED = (
    "Hello, I was charged twice for invoice {ref} this month. Please refund the duplicate "
    "charge on my credit card, the second payment should not have happened."
)
GERMAN = (
    "Guten Tag, meine Rechnung {ref} wurde diesen Monat doppelt abgebucht. Bitte erstatten "
    "Sie die doppelte Zahlung auf meine Kreditkarte."
)
LOG = b"2026-03-03T10:01:07Z ERROR POST /api/reports/upload HTTP/1.1 413 Payload Too Large\n"
_uid = iter(range(1, 1_000_000))


def at(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


async def _ingest(desk: Desk, mailbox: Mailbox, *mails: bytes) -> None:
    items = [desk.ingestor.parse_one(FetchedMail(uid=next(_uid), raw=m)) for m in mails]  # type: ignore[arg-type]
    await desk.ingestor.ingest_batch(mailbox, None, items)


async def _agent(desk: Desk) -> Principal:
    await ensure_user(desk.sessions, "ann@team.test", role="manager")
    return await principal_by_email(desk.sessions, "ann@team.test", "api")


async def _queued(session: AsyncSession) -> list[Message]:
    return list(
        await session.scalars(
            select(Message).where(Message.triage_status == "queued").order_by(Message.id)
        )
    )


async def _history(desk: Desk) -> tuple[Mailbox, TriageService]:
    """A desk with what a request is built from: an approved (edited) and a rejected
    outcome in English, a published article, a resolved ticket its customer writes to
    again (a reopen, a history), a mail with a text attachment, a German one, one with no
    words to compare; the last ones queued at ``LATER``."""
    mailbox = await smtp_mailbox(desk)
    async with desk.sessions.begin() as s:
        await s.execute(update(Mailbox).values(ai_redact=False))
    who = await _agent(desk)
    kb = KnowledgeBase(desk.sessions, clock=at(T0))
    await kb.create(
        who,
        ArticleSpec("Refund policy", "A double charge is refunded to the card within five days."),
        publish=True,
    )
    service = await desk.triage_service()
    service.clock = at(T0)
    desk.drafts.clock = at(T0)
    await _ingest(
        desk,
        mailbox,
        make_mail(
            sender="Anna Berg <anna@example.com>",
            subject="Payment question",
            body="Hello, my card statement shows something odd, I will check and write again.",
            message_id="anna-0@example.com",
        ),
        make_mail(
            sender="Anna Berg <anna@example.com>",
            subject="Charged twice",
            body=CHARGED.format(ref="INV-1001"),
            message_id="anna-1@example.com",
            in_reply_to="anna-0@example.com",
        ),
        make_mail(
            sender="Carl Roth <carl@example.com>",
            subject="Double payment",
            body=CHARGED.format(ref="INV-1002") + " Also cancel my account.",
        ),
    )
    report = await service.triage_queued()
    assert len(report.drafted) == 2 and report.superseded == 1, report
    first, second = sorted(report.drafted)
    await desk.decisions.edit(
        who, body="We refunded the duplicate charge today.", draft_id=first, then_approve=True
    )
    await desk.decisions.reject(who, reason="wrong tone", draft_id=second)
    async with desk.sessions.begin() as s:
        await s.execute(update(Ticket).values(status="resolved"))
    await _ingest(
        desk,
        mailbox,
        make_mail(
            sender="Anna Berg <anna@example.com>",
            subject="Re: Charged twice",
            body="The refund has not arrived yet, I was still charged twice for INV-1001.",
            in_reply_to="anna-1@example.com",
        ),
        make_mail(
            sender="Bob Stone <bob@example.org>",
            subject="Double charge",
            body=CHARGED.format(ref="INV-2002"),
        ),
        make_mail(
            sender="Dora Klein <dora@example.de>",
            subject="Doppelte Abbuchung",
            body=GERMAN.format(ref="RE-3003"),
        ),
        make_mail(
            sender="Eve <eve@example.com>",
            subject="Upload fails",
            body="Hi, the upload of my report fails every time. The log is attached.",
            attachment=("upload.log", "text/plain", LOG),
        ),
        make_mail(sender="Finn <finn@example.com>", subject="?", body="123 456"),
    )
    service.clock = at(LATER)
    service.history_limit = 1  # Anna's ticket has two earlier mails: the latest counts
    return mailbox, service


async def test_the_batched_requests_equal_the_per_mail_ones(desk: Desk) -> None:
    _, service = await _history(desk)
    async with desk.sessions() as s:
        msgs = await _queued(s)
        assert len(msgs) == 5
        one_by_one = [await service._request(s, m) for m in msgs]
    async with desk.sessions() as s:
        batched = await service._requests(s, await _queued(s))
    assert batched == one_by_one
    # the fixed data reaches every part of a request, so a difference would show
    assert any(r.reopens for r in batched)
    [anna] = [r for r in batched if r.history]
    assert [m.text[:20] for m in anna.history] == [CHARGED[:20]]
    assert any(r.examples for r in batched) and any(r.sources for r in batched)
    assert any(r.attachments and r.attachments[0].excerpt for r in batched)
    assert all(r.knowledge_base for r in batched) and not any(r.redact for r in batched)
    kinds = {e.kind for r in batched for e in r.examples}
    assert kinds == {"approved", "rejected"}


async def test_a_batch_is_classified_in_one_model_call(desk: Desk) -> None:
    _, service = await _history(desk)
    offline = OfflineProvider()
    calls: list[int] = []
    predict = offline.predict

    def counting(requests: Sequence[TriageRequest]):  # type: ignore[no-untyped-def]
        calls.append(len(requests))
        return predict(requests)

    offline.predict = counting  # type: ignore[method-assign]
    service.provider = Triager(offline, settings=AISettings())
    async with desk.sessions() as s:
        requests = await service._requests(s, await _queued(s))
    report = await service.triage_queued()
    assert calls == [5] and len(report.drafted) == 5, report
    # the same answers as one mail at a time (the time taken aside)
    answers = await offline.triage_batch(requests)
    for request, answer in zip(requests, answers, strict=True):
        assert isinstance(answer, Triaged)
        assert answer.result == offline.triage_sync(request).result


class Failing:
    """Answers as ``inner`` does, except an AIUnavailable for mail with ``subject``."""

    name = "primary"

    def __init__(self, inner: OfflineProvider, subject: str) -> None:
        self.inner, self.subject = inner, subject

    async def triage(self, request: TriageRequest) -> Triaged:
        raise AssertionError("the batch path is used")

    async def triage_batch(self, requests: Sequence[TriageRequest]) -> list[Triaged | AIError]:
        answers = await self.inner.triage_batch(requests)
        return [
            AIUnavailable("down for this one") if r.subject == self.subject else a
            for r, a in zip(requests, answers, strict=True)
        ]


async def _drafts_by_message(desk: Desk) -> dict[int, int]:
    async with desk.sessions() as s:
        rows = await s.execute(
            select(Draft.in_reply_to_message_id, func.count()).group_by(
                Draft.in_reply_to_message_id
            )
        )
        return {m: n for m, n in rows.tuples() if m is not None}


async def _status_of(desk: Desk, subject: str) -> tuple[str, int | None]:
    async with desk.sessions() as s:
        row = (
            await s.execute(
                select(Message.triage_status, Message.draft_id).where(Message.subject == subject)
            )
        ).one()
    return row[0], row[1]


async def test_a_provider_error_for_one_mail_keeps_the_others(desk: Desk) -> None:
    _, service = await _history(desk)
    service.provider = Triager(Failing(OfflineProvider(), "Upload fails"), settings=AISettings())
    report = await service.triage_queued()
    assert (len(report.drafted), report.failed) == (4, 1), report
    assert await _status_of(desk, "Upload fails") == ("queued", None)
    assert (await _status_of(desk, "Double charge"))[0] == "done"
    # the next cycle tries it again; with the offline fallback it is drafted at once
    service.provider = Triager(
        Failing(OfflineProvider(), "Upload fails"),
        settings=AISettings(),
        fallback=OfflineProvider(),
    )
    again = await service.triage_queued()
    assert (len(again.drafted), again.failed, again.fallback) == (1, 0, 1), again
    async with desk.sessions() as s:
        flags = await s.scalar(select(Draft.flags).where(Draft.id == again.drafted[0]))
    assert flags["fallback"] and flags["fallback_reason"].startswith("primary: ")
    assert set((await _drafts_by_message(desk)).values()) == {1}


class RefusingEvents:
    """The SLA port, refusing the transaction that classifies ``ticket_id``."""

    def __init__(self, ticket_id: int) -> None:
        self.ticket_id = ticket_id
        self.calls = 0

    async def opened(self, session: AsyncSession, tickets: object) -> None: ...
    async def customer_wrote(self, session: AsyncSession, tickets: object) -> None: ...
    async def reply_sent(self, session: AsyncSession, ticket_id: int, at: datetime) -> None: ...
    async def status_changed(
        self, session: AsyncSession, ticket_id: int, status: str, at: datetime
    ) -> None: ...

    async def classified(self, session: AsyncSession, ticket_id: int, at: datetime) -> None:
        self.calls += 1
        if ticket_id == self.ticket_id:
            raise OperationalError("UPDATE sla_clocks", {}, Exception("refused"))


async def test_a_draft_the_database_refuses_stores_nothing_of_it_and_keeps_the_others(
    desk: Desk,
) -> None:
    _, service = await _history(desk)
    async with desk.sessions() as s:
        bob = await s.scalar(select(Message.ticket_id).where(Message.subject == "Double charge"))
        created = await s.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "draft.created")
        )
    assert bob is not None
    service.events = RefusingEvents(bob)  # type: ignore[assignment]
    report = await service.triage_queued()
    # the batch's transaction was refused as a whole, then each stored alone
    assert (len(report.drafted), report.failed) == (4, 0), report
    assert await _status_of(desk, "Double charge") == ("queued", None)
    async with desk.sessions() as s:
        ticket = await s.get(Ticket, bob)
        assert ticket is not None and not ticket.ai_processed
        assert await s.scalar(select(func.count()).where(Draft.ticket_id == bob)) == 0
        assert (
            await s.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "draft.created")
            )
        ) == (created or 0) + 4
    assert set((await _drafts_by_message(desk)).values()) == {1}


class Gate:
    """The offline provider, answering a batch only once both workers have read theirs."""

    name = "offline"

    def __init__(self, barrier: asyncio.Barrier) -> None:
        self.inner, self.barrier = OfflineProvider(), barrier
        self.sizes: list[int] = []

    async def triage(self, request: TriageRequest) -> Triaged:
        raise AssertionError("the batch path is used")

    async def triage_batch(self, requests: Sequence[TriageRequest]) -> list[Triaged | AIError]:
        self.sizes.append(len(requests))
        await asyncio.wait_for(self.barrier.wait(), 30)
        return await self.inner.triage_batch(requests)


async def test_two_workers_triaging_the_same_batch_store_one_draft_per_message(
    desk: Desk, database_url: str, tmp_path: object
) -> None:
    from pathlib import Path

    from server.wiring import build_desk
    from tests.support.desk import settings_for

    mailbox, _ = await _history(desk)
    await _ingest(
        desk,
        mailbox,
        *(
            make_mail(sender=f"c{n}@cust.test", subject=f"Order {n} is late", body=f"Order {n}?")
            for n in range(20)
        ),
    )
    other = build_desk(settings_for(database_url, Path(str(tmp_path)) / "other"))
    try:
        barrier = asyncio.Barrier(2)
        workers = [await desk.triage_service(), await other.triage_service()]
        gates = [Gate(barrier), Gate(barrier)]
        for worker, gate in zip(workers, gates, strict=True):
            worker.provider = gate
            worker.clock = at(LATER)
        reports = await asyncio.gather(*(w.triage_queued() for w in workers))
    finally:
        await other.close()
    assert [g.sizes for g in gates] == [[25], [25]]  # both triaged the whole batch
    drafted = [d for r in reports for d in r.drafted]
    assert len(drafted) == len(set(drafted)) == 25, reports
    assert all(r.failed == 0 for r in reports)
    by_message = await _drafts_by_message(desk)
    assert set(by_message.values()) == {1}
    async with desk.sessions() as s:
        assert await s.scalar(select(func.count()).where(Message.triage_status == "queued")) == 0
        pending = await s.scalar(select(func.count()).where(Draft.status == "pending"))
        events = await s.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "draft.created", AuditEvent.draft_id.in_(drafted))
        )
    assert pending == 25 and events == 25  # the earlier two were decided
