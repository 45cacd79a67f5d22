"""Helpers to bring a desk to a given state through its real services."""

from __future__ import annotations

from sqlalchemy import select

from core.access.users import actor_for
from core.audit import Actor
from core.inbound.mailboxes import MailboxSpec
from core.mail.transport import FetchedMail
from db.models import Draft, Mailbox
from server.wiring import Desk
from tests.support.desk import SUPPORT
from tests.support.mail import make_mail


async def smtp_mailbox(
    desk: Desk, host: str = "127.0.0.1", port: int = 9, *, name: str = "support"
) -> Mailbox:
    return await desk.mailboxes.add(
        MailboxSpec(
            name=name,
            address=SUPPORT,
            imap_host="127.0.0.1",
            imap_port=143,
            imap_user="x",
            imap_tls="none",
            smtp_host=host,
            smtp_port=port,
            smtp_user="",
            smtp_tls="none",
            password="unused",
        )
    )


_uid = iter(range(1, 1_000_000))


async def drafted_ticket(desk: Desk, mailbox: Mailbox, **mail: object) -> tuple[int, int]:
    """Ingest one customer mail and triage it; return (ticket_id, draft_id)."""
    item = desk.ingestor.parse_one(FetchedMail(uid=next(_uid), raw=make_mail(**mail)))  # type: ignore[arg-type]
    await desk.ingestor.ingest_batch(mailbox, None, [item])
    report = await (await desk.triage_service()).triage_queued()
    assert len(report.drafted) == 1, report
    async with desk.sessions() as s:
        draft = await s.get(Draft, report.drafted[0])
    assert draft is not None
    return draft.ticket_id, draft.id


async def agent(desk: Desk, email: str) -> Actor:
    return await actor_for(desk.sessions, email, "cli")


async def draft_row(desk: Desk, draft_id: int) -> Draft:
    async with desk.sessions() as s:
        d = await s.scalar(select(Draft).where(Draft.id == draft_id))
    assert d is not None
    return d
