"""The worker's ``notify`` job: scheduled a minute after start and every minute, it runs
the desk's notification sweep (here on a fixed clock), whose mail goes out through the
desk's SMTP mailbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from core.outbound.notice_mail import NoticeMailer
from core.workflow.alerts import NotificationService
from core.workflow.notification_sweep import NotificationSweep
from db.models import Ticket, User
from server.wiring import Desk
from server.worker import NOTIFY_SECONDS, Worker
from tests.core.flows import drafted_ticket, smtp_mailbox
from tests.notifications.conftest import Clock
from tests.support.smtp import SmtpTestServer


async def test_the_notify_job_runs_the_desks_sweep(desk: Desk, smtp_server: SmtpTestServer) -> None:
    assert isinstance(desk.notifications.mailer, NoticeMailer)
    assert desk.notification_sweep.service is desk.notifications
    mailbox = await smtp_mailbox(desk, smtp_server.host, smtp_server.port)
    clock = Clock(datetime(2026, 12, 3, 6, 0, tzinfo=UTC))
    ticket_id, _ = await drafted_ticket(desk, mailbox, subject="Everything is down")
    async with desk.sessions.begin() as s:
        s.add(User(email="mona@desk.test", name="mona", role="manager"))
        await s.execute(
            update(Ticket)
            .where(Ticket.id == ticket_id)
            .values(urgency="High", received_at=clock() - timedelta(minutes=2))
        )
    service = NotificationService(
        desk.sessions,
        port=None,
        mailer=NoticeMailer(desk.sessions, mailer_for=desk.mailboxes.mailer, clock=clock),
        clock=clock,
    )
    desk.__dict__["notification_sweep"] = NotificationSweep(
        desk.sessions, service=service, clock=clock
    )
    worker = Worker(desk, control_seconds=60)

    await worker.tick()
    job = worker.scheduler.get_job("notify")
    assert job is not None and job.trigger.interval.total_seconds() == NOTIFY_SECONDS
    await worker.notify()
    await worker.notify()

    (mail,) = smtp_server.messages
    assert mail.rcpt_tos == ["mona@desk.test"]
    assert f"#{ticket_id} High urgency: Everything is down" in mail.message()["Subject"]
