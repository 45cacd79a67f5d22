"""The desk learns from people's decisions (issue 13): every approved, edited and rejected
draft is kept once, in the decision's transaction, and the next similar mail of the same
category and language is drafted from it; old outcomes, other categories and languages and
deactivated templates do not count. End to end: ingest, triage, the decision path."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from core.access.permissions import Principal, principal_by_email
from core.access.users import ensure_user
from core.ai.config import AISettings
from core.ai.offline import LEARNED_VERSION
from core.ai.prompts import PROMPT_VERSION
from core.ai.service import build_triager
from core.mail.transport import FetchedMail
from core.tickets.outcomes import edit_class, record_outcome
from core.tickets.similar import similar_outcomes
from core.tickets.triage import TriageService
from core.vocabulary import USER_TEMPLATE_VERSION
from db.models import Draft, DraftOutcome, Mailbox, ResponseTemplate
from server.wiring import Desk
from tests.core.flows import draft_row, smtp_mailbox
from tests.support.fake_openai import FakeOpenAI
from tests.support.mail import make_mail

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
ADDED = "Refunds reach your card within five business days of our confirmation."
CHARGED = (
    "Hello, I was charged twice for invoice {ref} this month. Please refund the duplicate "
    "charge on my credit card, the second payment should not have happened."
)
GERMAN = (
    "Guten Tag, meine Rechnung {ref} wurde diesen Monat doppelt abgebucht. Bitte erstatten "
    "Sie die doppelte Zahlung auf meine Kreditkarte."
)
_uid = iter(range(1, 1_000_000))


def at(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


async def _mail_in(desk: Desk, mailbox: Mailbox, service: TriageService, **mail: object) -> Draft:
    item = desk.ingestor.parse_one(FetchedMail(uid=next(_uid), raw=make_mail(**mail)))  # type: ignore[arg-type]
    await desk.ingestor.ingest_batch(mailbox, None, [item])
    report = await service.triage_queued()
    assert len(report.drafted) == 1, report
    return await draft_row(desk, report.drafted[0])


async def _offline(desk: Desk, now: datetime) -> TriageService:
    service = await desk.triage_service()
    service.clock = at(now)
    return service


async def _agent(desk: Desk, email: str = "ann@team.test") -> Principal:
    await ensure_user(desk.sessions, email, role="agent")
    return await principal_by_email(desk.sessions, email, "api")


def _with_sentence(body: str, sentence: str) -> str:
    """``body`` with ``sentence`` as a paragraph of its own after the first one."""
    paragraphs = body.split("\n\n")
    return "\n\n".join([*paragraphs[:2], sentence, *paragraphs[2:]])


async def _outcomes(desk: Desk) -> list[DraftOutcome]:
    async with desk.sessions() as s:
        return list(await s.scalars(select(DraftOutcome).order_by(DraftOutcome.id)))


@pytest.fixture()
async def learned(desk: Desk) -> AsyncIterator[tuple[Mailbox, Draft, str]]:
    """Anna's double charge, drafted offline, edited by an agent who adds a sentence (and
    Anna's ticket number) and approves it at T0: (mailbox, her draft, the approved text)."""
    mailbox = await smtp_mailbox(desk)
    desk.drafts.clock = at(T0)
    first = await _mail_in(
        desk,
        mailbox,
        await _offline(desk, T0),
        sender="Anna Berg <anna@example.com>",
        subject="Charged twice",
        body=CHARGED.format(ref="INV-1001"),
    )
    assert first.category == "Billing" and ADDED not in first.body
    text = _with_sentence(first.body, f"{ADDED} Your case is ticket #{first.ticket_id}.")
    edited = await desk.decisions.edit(
        await _agent(desk), body=text, draft_id=first.id, then_approve=True
    )
    assert edited.status == "approved"
    yield mailbox, first, text


async def test_an_added_sentence_reaches_the_next_similar_mail(
    desk: Desk, learned: tuple[Mailbox, Draft, str]
) -> None:
    mailbox, first, text = learned
    [kept] = await _outcomes(desk)
    assert (kept.draft_id, kept.decision, kept.final_text) == (first.id, "approved", text)
    assert kept.ai_text == first.ai_body and kept.edit_class == edit_class(kept.edit_ratio)
    assert kept.edit_class in ("light", "heavy") and kept.edit_ratio >= 0.05
    assert (kept.category, kept.language, kept.prompt_variant) == ("Billing", "en", None)
    assert "INV-1001" in kept.customer_text and kept.subject == "Charged twice"
    assert kept.decided_at == T0
    assert kept.rejection_reason is None and not kept.from_template

    later = T0 + timedelta(days=30)
    second = await _mail_in(
        desk,
        mailbox,
        await _offline(desk, later),
        sender="Bob Stone <bob@example.org>",
        subject="Double charge",
        body=CHARGED.format(ref="INV-2002"),
    )
    assert second.prompt_version == LEARNED_VERSION
    assert ADDED in second.body  # the agent's sentence
    assert (
        f"ticket #{second.ticket_id}." in second.body and f"#{first.ticket_id}" not in second.body
    )
    assert "Bob" in second.body and "Anna" not in second.body
    assert "Double charge" in second.body and "Charged twice" not in second.body
    assert "INV-2002" in second.body and "INV-1001" not in second.body


async def test_other_languages_categories_and_old_outcomes_do_not_count(
    desk: Desk, learned: tuple[Mailbox, Draft, str]
) -> None:
    mailbox, _, _ = learned
    text = CHARGED.format(ref="INV-3003")
    async with desk.sessions() as s:

        async def found(**kw: object) -> int:
            args: dict[str, object] = {"category": "Billing", "language": "en", "now": T0}
            return len(await similar_outcomes(s, text, **{**args, **kw}))  # type: ignore[arg-type]

        assert await found() == 1
        assert await found(now=T0 + timedelta(days=179)) == 1
        assert await found(now=T0 + timedelta(days=181)) == 0  # the 180-day window
        assert await found(now=T0 - timedelta(minutes=1)) == 0  # not decided yet then
        assert await found(category="Technical") == 0
        assert await found(language="de") == 0
        assert await found(language=None) == 0
        assert await found(category=None) == 1  # every category: the triager's question
        assert (
            await similar_outcomes(
                s,
                "My printer makes a strange noise at night.",
                category=None,
                language="en",
                now=T0,
            )
            == []
        )  # nothing alike

    german = await _mail_in(
        desk,
        mailbox,
        await _offline(desk, T0 + timedelta(days=1)),
        sender="Jürgen Brandt <j@example.de>",
        subject="Doppelte Abbuchung",
        body=GERMAN.format(ref="RE-4004"),
    )
    assert ADDED not in german.body and german.prompt_version != LEARNED_VERSION
    stale = await _mail_in(
        desk,
        mailbox,
        await _offline(desk, T0 + timedelta(days=181)),
        sender="Cleo Park <cleo@example.net>",
        subject="Charged twice",
        body=CHARGED.format(ref="INV-5005"),
    )
    assert ADDED not in stale.body and stale.prompt_version != LEARNED_VERSION


async def test_an_outcome_from_a_deactivated_template_stops_counting(
    desk: Desk, learned: tuple[Mailbox, Draft, str]
) -> None:
    async with desk.sessions.begin() as s:
        template = ResponseTemplate(name="refund", category="Billing", body="Hello {{ x }}")
        s.add(template)
        await s.flush()
        await s.execute(update(DraftOutcome).values(from_template=True, template_id=template.id))
    text = CHARGED.format(ref="INV-3003")
    async with desk.sessions() as s:
        kw = {"category": "Billing", "language": "en", "now": T0}
        assert len(await similar_outcomes(s, text, **kw)) == 1  # type: ignore[arg-type]
    async with desk.sessions.begin() as s:
        await s.execute(update(ResponseTemplate).values(is_active=False))
    async with desk.sessions() as s:
        assert await similar_outcomes(s, text, **kw) == []  # type: ignore[arg-type]
    async with desk.sessions.begin() as s:
        await s.execute(
            update(ResponseTemplate).values(is_active=True)
        )  # and a deleted template does not count either
        await s.execute(ResponseTemplate.__table__.delete())
    async with desk.sessions() as s:
        assert await similar_outcomes(s, text, **kw) == []  # type: ignore[arg-type]


async def test_a_rejection_is_kept_once_and_is_an_avoid_note_for_openai(
    desk: Desk, learned: tuple[Mailbox, Draft, str]
) -> None:
    mailbox, _, _ = learned
    desk.drafts.clock = at(T0 + timedelta(days=1))
    bad = await _mail_in(
        desk,
        mailbox,
        await _offline(desk, T0 + timedelta(days=1)),
        sender="Dana Roe <dana@example.com>",
        subject="Refund please",
        body=CHARGED.format(ref="INV-6006"),
    )
    reason = "Never promise a refund date before billing has checked the charge"
    await desk.decisions.reject(await _agent(desk), reason=reason, draft_id=bad.id)
    rejected = (await _outcomes(desk))[-1]
    assert (rejected.draft_id, rejected.decision, rejected.rejection_reason) == (
        bad.id,
        "rejected",
        reason,
    )
    assert rejected.final_text == bad.body and rejected.edit_class == "unchanged"
    async with desk.sessions.begin() as s:  # once per draft
        draft = await s.get(Draft, bad.id)
        assert draft is not None
        assert not await record_outcome(s, draft, decision="approved", at=T0, by_id=None)
    async with desk.sessions() as s:
        count = await s.scalar(
            select(func.count()).select_from(DraftOutcome).where(DraftOutcome.draft_id == bad.id)
        )
    assert count == 1

    with FakeOpenAI(api_key="k") as api:
        ai = AISettings(provider="openai", api_key="k", base_url=api.base_url, max_retries=0)
        service = TriageService(
            desk.sessions, provider=build_triager(ai), clock=at(T0 + timedelta(days=2))
        )
        drafted = await _mail_in(
            desk,
            mailbox,
            service,
            sender="Eve Moss <eve@example.com>",
            subject="Charged twice",
            body=CHARGED.format(ref="INV-7007"),
        )
        sent = api.requests[-1].user_content
    assert drafted.prompt_version == PROMPT_VERSION
    assert "Replies your team sent to similar mail" in sent and ADDED in sent
    assert "Avoid: drafts your team rejected for similar mail" in sent
    assert reason in sent and "INV-6006" in sent and "category Billing" in sent
    assert "Hi [customer name]," in sent and "Anna" not in sent  # the old customer's name
    assert sent.index(ADDED) > sent.index("<<<EXAMPLES")


async def test_the_three_most_similar_of_each_kind_are_given(
    desk: Desk, learned: tuple[Mailbox, Draft, str]
) -> None:
    _, first, _ = learned
    words = CHARGED.format(ref="INV-1").split()
    async with desk.sessions.begin() as s:
        for n, decision in [(n, "approved") for n in range(1, 6)] + [(9, "rejected")]:
            draft = Draft(ticket_id=first.ticket_id, status=decision, body=f"reply {n}")
            s.add(draft)
            await s.flush()
            s.add(
                DraftOutcome(
                    draft_id=draft.id,
                    ticket_id=first.ticket_id,
                    decision=decision,
                    edit_class="unchanged",
                    final_text=f"reply {n}",
                    rejection_reason="too vague" if decision == "rejected" else None,
                    category="Billing",
                    language="en",
                    customer_text=" ".join(words[: len(words) - 2 * n]),  # less alike as n grows
                    decided_at=T0,
                )
            )
    async with desk.sessions() as s:
        found = await similar_outcomes(
            s, CHARGED.format(ref="INV-9"), category="Billing", language="en", now=T0
        )
    approved = [e.reply_text for e in found if e.kind == "approved"]
    assert approved[0] == text_of(learned) and approved[1:] == ["reply 1", "reply 2"]
    assert [(e.reply_text, e.reason) for e in found if e.kind == "rejected"] == [
        ("reply 9", "too vague")
    ]
    assert [e.similarity for e in found] == sorted((e.similarity for e in found), reverse=True)


def text_of(learned: tuple[Mailbox, Draft, str]) -> str:
    return learned[2]


async def test_a_draft_written_from_a_template_names_it_and_goes_with_it(desk: Desk) -> None:
    mailbox = await smtp_mailbox(desk)
    async with desk.sessions.begin() as s:
        template = ResponseTemplate(
            name="billing-ai",
            category="Billing",
            body="Hello {{ customer_first_name }},\n\nBilling will check it.\n\n{{ signature }}",
            ai_draft=True,
        )
        s.add(template)
    desk.drafts.clock = at(T0)
    drafted = await _mail_in(
        desk,
        mailbox,
        await _offline(desk, T0),
        sender="Anna Berg <anna@example.com>",
        subject="Charged twice",
        body=CHARGED.format(ref="INV-1001"),
    )
    assert drafted.prompt_version == USER_TEMPLATE_VERSION
    await desk.decisions.approve(await _agent(desk), draft_id=drafted.id)
    [kept] = await _outcomes(desk)
    assert (kept.from_template, kept.template_id, kept.edit_class) == (
        True,
        template.id,
        "unchanged",
    )
    async with desk.sessions() as s:
        kw = {"category": "Billing", "language": "en", "now": T0}
        assert len(await similar_outcomes(s, CHARGED, **kw)) == 1  # type: ignore[arg-type]
    async with desk.sessions.begin() as s:
        await s.execute(update(ResponseTemplate).values(is_active=False))
    async with desk.sessions() as s:
        assert await similar_outcomes(s, CHARGED, **kw) == []  # type: ignore[arg-type]
