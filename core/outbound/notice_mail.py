"""Notification mail out: through the desk's own SMTP (its first mailbox's mailer), never
threaded into a ticket (``core.mail.notice``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select

from core.errors import MailPermanentError
from core.mail.notice import build_notice
from core.mail.transport import Mailer
from db.base import utcnow
from db.models import Mailbox
from db.session import SessionFactory


class NoticeMailer:
    def __init__(
        self,
        sessions: SessionFactory,
        *,
        mailer_for: Callable[[Mailbox], Mailer],
        from_name: str = "Support desk",
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.mailer_for = mailer_for
        self.from_name = from_name
        self.clock = clock

    async def send_notice(self, *, to: str, subject: str, body: str, kind: str) -> None:
        """Raises ``MailError`` (``MailPermanentError`` when the desk has no mailbox)."""
        async with self.sessions() as session:
            mailbox = await session.scalar(  # the first active one; else an inactive one
                select(Mailbox).order_by(Mailbox.active.desc(), Mailbox.id).limit(1)
            )
        if mailbox is None:
            raise MailPermanentError("the desk has no mailbox to send notifications from")
        message = build_notice(
            from_addr=mailbox.address,
            from_name=self.from_name,
            to=to,
            subject=subject,
            body=body,
            kind=kind,
            date=self.clock(),
        )
        await self.mailer_for(mailbox).send(message)
