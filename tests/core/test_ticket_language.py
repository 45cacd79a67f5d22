"""A ticket's language: set from the customer's first mail when the ingest stores it,
kept by their follow-ups, none for mail nobody answers, and read (NULL too) by the list and
the ticket view."""

from __future__ import annotations

from sqlalchemy import select, update

from core.errors import NotFound
from core.mail.transport import FetchedMail
from core.tickets.listing import TicketQuery
from db.models import Ticket
from server.wiring import Desk
from tests.core.flows import smtp_mailbox
from tests.support.mail import make_mail

GERMAN = "Guten Tag, meine Rechnung für Oktober wurde doppelt abgebucht. Bitte prüfen Sie das."
ENGLISH = "Hello, I was charged twice for my October invoice. Could you check it, please?"


def _with_language(raw: bytes, tag: str) -> bytes:
    """``raw`` with a Content-Language header (EmailMessage drops one set before its body)."""
    return raw.replace(b"MIME-Version:", f"Content-Language: {tag}\r\nMIME-Version:".encode(), 1)


async def _store(desk: Desk, *raws: bytes) -> None:
    """One batch into the mailbox "support" (made on first use)."""
    try:
        mailbox = await desk.mailboxes.get("support")
    except NotFound:
        mailbox = await smtp_mailbox(desk)
    items = [desk.ingestor.parse_one(FetchedMail(uid=n, raw=raw)) for n, raw in enumerate(raws)]
    await desk.ingestor.ingest_batch(mailbox, None, items)


async def _languages(desk: Desk) -> dict[str, str | None]:
    async with desk.sessions() as s:
        return {
            subject: lang
            for subject, lang in await s.execute(select(Ticket.subject, Ticket.language))
        }


async def test_the_first_mail_says_the_language_and_follow_ups_keep_it(desk: Desk) -> None:
    first = make_mail(subject="Rechnung Oktober", body=GERMAN, message_id="de-1@example.com")
    english = make_mail(subject="Double charge", body=ENGLISH)
    short = _with_language(make_mail(subject="", body="ok"), "pt-BR")
    await _store(desk, first, english, short)
    assert await _languages(desk) == {"Rechnung Oktober": "de", "Double charge": "en", "": "pt"}

    # the customer writes again, in English this time: the ticket keeps its language
    reply = make_mail(subject="Re: Rechnung Oktober", body=ENGLISH, in_reply_to="de-1@example.com")
    await _store(desk, reply)
    assert (await _languages(desk))["Rechnung Oktober"] == "de"


async def test_mail_nobody_answers_and_mail_too_short_have_none(desk: Desk) -> None:
    auto = make_mail(
        subject="Automatische Antwort", body=GERMAN, headers={"Auto-Submitted": "auto-replied"}
    )
    await _store(desk, auto, make_mail(subject="", body="?"))
    assert set((await _languages(desk)).values()) == {None}


async def test_readers_give_the_language_and_old_tickets_read_as_none(desk: Desk) -> None:
    await _store(
        desk,
        make_mail(subject="Rechnung", body=GERMAN),
        make_mail(subject="Invoice", body=ENGLISH),
    )
    async with desk.sessions.begin() as s:  # a ticket stored before migration 0010
        await s.execute(update(Ticket).where(Ticket.subject == "Invoice").values(language=None))

    listed = {t["subject"]: t["language"] for t in await desk.tickets.list(TicketQuery())}
    assert listed == {"Rechnung": "de", "Invoice": None}
    german = await desk.tickets.list(TicketQuery(language="de"))
    assert [t["subject"] for t in german] == ["Rechnung"]
    assert await desk.tickets.count(TicketQuery(language="DE")) == 1
    for t in await desk.tickets.list(TicketQuery()):
        assert (await desk.tickets.get(t["id"]))["language"] == t["language"]
