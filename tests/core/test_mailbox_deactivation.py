"""A mailbox that holds tickets is deactivated by ``remove``, not deleted: over a real Dovecot,
mail that arrives while it is inactive is not fetched by any path (the worker's cycle and
its scheduled jobs, a fetch a person asks for, the poller itself) and is fetched once it is
active again; its tickets stay, each switch is audited once, and the status says so."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from core.audit import Actor
from core.errors import InvalidTransition
from core.inbound.poller import MailboxPoller
from core.locks import LockManager
from db.base import utcnow
from db.models import AuditEvent, Mailbox, Ticket
from server.wiring import Desk
from server.worker import Worker, fetch_asked, run_cycle
from tests.core.test_ingest import add_mailbox
from tests.support.mail import make_mail

pytestmark = pytest.mark.dovecot

ME = Actor(name="ann@team.test", source="cli")


async def count(desk: Desk, model: type, *where: object) -> int:
    async with desk.sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def actions(desk: Desk) -> list[str]:
    async with desk.sessions() as s:
        return list(
            await s.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.action.startswith("mailbox."))
                .order_by(AuditEvent.id)
            )
        )


async def test_an_inactive_mailbox_is_not_polled_until_it_is_active_again(
    desk: Desk, imap_account
) -> None:  # type: ignore[no-untyped-def]
    box = await add_mailbox(desk, imap_account)
    imap_account.append(make_mail(subject="Before"))
    first = await fetch_asked(desk)
    assert first.stored == 1 and await count(desk, Ticket) == 1

    removal = await desk.mailboxes.remove("support", actor=ME)
    assert (removal.outcome, removal.tickets) == ("deactivated", 1)
    assert await count(desk, Ticket) == 1 and await count(desk, Mailbox) == 1
    assert (await desk.mailboxes.get("support")).active is False

    imap_account.append(make_mail(subject="While inactive"))
    assert (await fetch_asked(desk)).polls == []
    assert (await run_cycle(desk))["fetched"] == {}
    assert await desk.fetcher.fetch_all() == []
    with pytest.raises(InvalidTransition, match="is inactive"):
        await fetch_asked(desk, mailbox="support")
    # a job that listed it before it was deactivated: the poller re-reads it and skips it
    poller = MailboxPoller(desk.sessions, fetcher=desk.fetcher, locks=LockManager(desk.engine))
    skipped = await poller.poll(box.id, force=True)
    assert skipped.skipped == "inactive" and not skipped.polled
    assert await count(desk, Ticket) == 1

    status = await desk.scheduler.status()
    [schedule] = status.mailboxes
    assert schedule.active is False and schedule.next_fetch_at is None
    assert status.as_dict()["mailboxes"][0]["active"] is False

    again = await desk.mailboxes.remove("support", actor=ME)
    assert again.outcome == "already inactive"
    async with desk.sessions.begin() as session:  # it had been failing before it went off
        await session.execute(
            update(Mailbox).values(consecutive_failures=3, last_fetch_at=utcnow())
        )
    assert await desk.mailboxes.set_active("support", True, actor=ME) is True
    assert await desk.mailboxes.set_active("support", True, actor=ME) is False
    back = await fetch_asked(desk)  # at once: turning it on cleared the back-off
    assert back.stored == 1 and await count(desk, Ticket) == 2
    assert (await desk.scheduler.status()).mailboxes[0].next_fetch_at is not None
    assert await actions(desk) == ["mailbox.deactivated", "mailbox.activated"]


async def test_the_worker_drops_and_takes_back_the_fetch_job(
    desk: Desk, imap_account, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    box = await add_mailbox(desk, imap_account)
    worker = Worker(desk, default_interval=60)
    job = f"fetch:{box.id}"
    await worker.tick()  # the scheduler is not started: jobs are scheduled, none runs
    assert worker.scheduler.get_job(job) is not None
    assert await desk.mailboxes.set_active("support", False, actor=ME) is True
    await worker.tick()
    assert worker.scheduler.get_job(job) is None
    await desk.mailboxes.set_active("support", True, actor=ME)
    await worker.tick()
    assert worker.scheduler.get_job(job) is not None


async def test_removing_a_mailbox_no_ticket_came_through_deletes_it(
    desk: Desk, imap_account
) -> None:  # type: ignore[no-untyped-def]
    await add_mailbox(desk, imap_account)
    assert (await fetch_asked(desk)).stored == 0  # an empty inbox
    removal = await desk.mailboxes.remove("support", actor=ME)
    assert (removal.outcome, removal.tickets) == ("removed", 0)
    assert await count(desk, Mailbox) == 0
    assert await actions(desk) == ["mailbox.removed"]
