"""A notification service on a fixed clock, with the Slack app's real notifier as its
port (against the fake Slack) and the desk's SMTP mailbox on aiosmtpd."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from core.outbound.notice_mail import NoticeMailer
from core.workflow.alerts import NotificationService
from core.workflow.notification_sweep import NotificationSweep
from core.workflow.preferences import PreferenceStore
from db.models import NotificationSent, User
from server.wiring import Desk
from tests.core.flows import smtp_mailbox
from tests.support.fake_slack import FakeSlack
from tests.support.slack_driver import SlackHarness
from tests.support.smtp import SmtpTestServer

# Thursday 3 December 2026, 10:00 UTC (11:00 in Berlin)
THURSDAY = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime = THURSDAY) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def at(self, when: datetime) -> None:
        self.now = when

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Notify:
    desk: Desk
    fake: FakeSlack
    smtp: SmtpTestServer
    clock: Clock
    service: NotificationService
    sweep: NotificationSweep

    async def person(
        self,
        name: str,
        *,
        slack_id: str | None = None,
        tz: str | None = "Europe/Berlin",
        role: str = "agent",
    ) -> int:
        """A desk user; with ``slack_id`` also a Slack user the fake knows, in ``tz``."""
        email = f"{name}@desk.test"
        if slack_id:
            self.fake.add_user(slack_id, email, name)
            if tz:
                self.fake.users[slack_id]["tz"] = tz
        async with self.desk.sessions.begin() as s:
            user = User(
                email=email,
                name=name,
                role=role,
                slack_team_id=self.fake.team_id if slack_id else None,
                slack_user_id=slack_id,
            )
            s.add(user)
            await s.flush()
            return user.id

    async def only(self, user_id: int, *kinds: str) -> None:
        """Let ``user_id`` hear of ``kinds`` only (the others turned off)."""
        from core.audit import Actor
        from core.workflow.notices import KINDS
        from core.workflow.preferences import PreferenceChange

        channels = {k: ("slack" if k in kinds else "none") for k in KINDS}
        await self.service.preferences.update(
            user_id, PreferenceChange(channels=channels), actor=Actor("test", "test")
        )

    async def records(self, **where: object) -> list[NotificationSent]:
        async with self.desk.sessions() as s:
            q = select(NotificationSent).order_by(NotificationSent.id)
            for name, value in where.items():
                q = q.where(getattr(NotificationSent, name) == value)
            return list(await s.scalars(q))

    def dms(self, slack_id: str) -> list[object]:
        channel = "D" + slack_id[1:]
        return self.fake.calls_to("chat.postMessage", lambda c: c.body.get("channel") == channel)


@pytest.fixture
async def notify(slack: SlackHarness, smtp_server: SmtpTestServer) -> Notify:
    await smtp_mailbox(slack.desk, smtp_server.host, smtp_server.port)
    clock = Clock()
    prefs = PreferenceStore(slack.desk.sessions, clock=clock)
    service = NotificationService(
        slack.desk.sessions,
        port=slack.runtime.notifier,
        mailer=NoticeMailer(
            slack.desk.sessions, mailer_for=slack.desk.mailboxes.mailer, clock=clock
        ),
        clock=clock,
        preferences=prefs,
    )
    sweep = NotificationSweep(slack.desk.sessions, service=service, clock=clock)
    return Notify(slack.desk, slack.fake, smtp_server, clock, service, sweep)
