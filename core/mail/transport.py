"""The seams between the engine and mail servers. Implementations: core.mail.imap (IMAP),
core.mail.maildir (local Maildir inbox and outbox), core.mail.smtp (SMTP).

Implementations translate their library's errors into ``core.errors.Mail*`` errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage, Message
from typing import Literal, Protocol

TlsMode = Literal["ssl", "starttls", "none"]  # implicit TLS, STARTTLS, or plain (tests only)
TLS_MODES: tuple[TlsMode, ...] = ("ssl", "starttls", "none")


@dataclass(slots=True)
class FetchedMail:
    uid: int
    raw: bytes
    # the library's already-parsed message when it has one (saves parsing twice)
    obj: Message | None = None


class MailSource(Protocol):
    """A folder of incoming mail addressed by UID, as IMAP does it."""

    def open_folder(self, folder: str) -> int:
        """Select ``folder``; return its UIDVALIDITY."""
        ...

    def fetch_after(self, last_uid: int, *, limit: int) -> list[FetchedMail]:
        """The next ``limit`` messages with UID > ``last_uid``, in UID order, unchanged flags."""
        ...

    def backlog(self, after_uid: int) -> int | None:
        """How many messages with UID > ``after_uid`` the source already knows of (from
        its last look at the folder: mail delivered since is not counted), or None when
        it cannot tell without asking the server."""
        ...

    def mark_seen(self, uids: list[int]) -> None: ...

    def close(self) -> None: ...


class Mailer(Protocol):
    """Sends one composed message. Raises MailTemporaryError / MailPermanentError."""

    async def send(self, message: EmailMessage) -> None: ...
