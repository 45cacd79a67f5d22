from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, utcnow


class Mailbox(Base):
    """A support mailbox: where mail comes from (IMAP or a local Maildir) and goes out."""

    __tablename__ = "mailboxes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    address: Mapped[str] = mapped_column(String(320))
    kind: Mapped[str] = mapped_column(String(10), default="imap")  # imap|maildir
    slack_team_id: Mapped[str | None] = mapped_column(String(32))

    imap_host: Mapped[str] = mapped_column(String(255), default="")
    imap_port: Mapped[int] = mapped_column(Integer, default=993)
    imap_user: Mapped[str] = mapped_column(String(320), default="")
    imap_tls: Mapped[str] = mapped_column(String(10), default="ssl")  # ssl|starttls|none
    imap_folder: Mapped[str] = mapped_column(String(200), default="INBOX")
    sent_folder: Mapped[str | None] = mapped_column(String(200))
    # Fernet tokens; see core.secrets. Never plain text.
    password_enc: Mapped[str | None] = mapped_column(Text)
    smtp_password_enc: Mapped[str | None] = mapped_column(Text)

    smtp_host: Mapped[str] = mapped_column(String(255), default="")
    smtp_port: Mapped[int] = mapped_column(Integer, default=587)
    smtp_user: Mapped[str] = mapped_column(String(320), default="")
    smtp_tls: Mapped[str] = mapped_column(String(10), default="starttls")

    maildir_path: Mapped[str | None] = mapped_column(String(500))
    outbox_path: Mapped[str | None] = mapped_column(String(500))

    fetch_interval_seconds: Mapped[int] = mapped_column(Integer, default=120)
    last_fetch_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    # an inactive mailbox is not polled; its tickets stay, and replies to them still go
    # out through it (`desk mailbox remove` on a mailbox holding tickets deactivates it)
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
    # personal data replaced by placeholders before text goes to an external AI provider
    # (core.ai.privacy); off: the originals are sent (migration 0014)
    ai_redact: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FolderState(Base):
    """UIDVALIDITY and progress per mailbox folder.

    ``last_uid`` moves in the same transaction that stores the messages; ``seen_uid`` after
    ``\\Seen`` was set on the server. A crash between the two is healed on the next fetch.
    """

    __tablename__ = "folder_states"
    __table_args__ = (UniqueConstraint("mailbox_id", "folder"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mailbox_id: Mapped[int] = mapped_column(ForeignKey("mailboxes.id", ondelete="CASCADE"))
    folder: Mapped[str] = mapped_column(String(200))
    uidvalidity: Mapped[int | None] = mapped_column(BigInteger)
    last_uid: Mapped[int] = mapped_column(BigInteger, default=0)
    seen_uid: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Message(Base):
    """One email in a ticket's conversation, incoming or outgoing."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("mailbox_id", "message_id"),
        Index("ix_messages_ticket", "ticket_id", "date"),
        Index("ix_messages_from", "from_email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    mailbox_id: Mapped[int] = mapped_column(ForeignKey("mailboxes.id", ondelete="CASCADE"))
    direction: Mapped[str] = mapped_column(String(3))  # in|out
    # customer|auto|bulk|bounce|own|reply (our reply) -- see core.mail.loopguard
    kind: Mapped[str] = mapped_column(String(10), default="customer")
    message_id: Mapped[str] = mapped_column(String(998))
    synthetic_message_id: Mapped[bool] = mapped_column(default=False)
    in_reply_to: Mapped[str | None] = mapped_column(String(998))
    references: Mapped[list[str]] = mapped_column(default=list)
    from_email: Mapped[str] = mapped_column(String(320), default="")
    from_name: Mapped[str] = mapped_column(String(320), default="")
    to_addrs: Mapped[list[str]] = mapped_column(default=list)
    cc_addrs: Mapped[list[str]] = mapped_column(default=list)
    subject: Mapped[str] = mapped_column(Text, default="")
    date: Mapped[datetime] = mapped_column(default=utcnow)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    body_text: Mapped[str] = mapped_column(Text, default="")
    reply_text: Mapped[str] = mapped_column(Text, default="")
    # the language it is written in (``core.mail.language``; None: not told), which its
    # search document is built in (0020: ``db.fulltext.MESSAGES``)
    language: Mapped[str | None] = mapped_column(String(8))
    raw_size: Mapped[int] = mapped_column(BigInteger, default=0)
    raw_sha256: Mapped[str] = mapped_column(String(64), default="")
    defects: Mapped[list[str]] = mapped_column(default=list)
    notes: Mapped[list[str]] = mapped_column(default=list)
    imap_folder: Mapped[str | None] = mapped_column(String(200))
    imap_uid: Mapped[int | None] = mapped_column(BigInteger)
    needs_reply: Mapped[bool] = mapped_column(default=False)
    # queued|done|skipped|failed (triage of this message into a draft)
    triage_status: Mapped[str] = mapped_column(String(10), default="skipped")
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("drafts.id", ondelete="SET NULL"))


class Attachment(Base):
    """An attachment's metadata; the bytes live in the attachment store under their sha256."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(500), default="")
    content_type: Mapped[str] = mapped_column(String(200), default="application/octet-stream")
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    stored: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str | None] = mapped_column(Text)


class Quarantine(Base):
    """A raw message that could not be ingested, kept with the error; never retried forever."""

    __tablename__ = "quarantine"
    __table_args__ = (UniqueConstraint("mailbox_id", "raw_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mailbox_id: Mapped[int] = mapped_column(ForeignKey("mailboxes.id", ondelete="CASCADE"))
    folder: Mapped[str | None] = mapped_column(String(200))
    uid: Mapped[int | None] = mapped_column(BigInteger)
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    raw_sha256: Mapped[str] = mapped_column(String(64))
    error: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]


class Recipient(Base):
    """What we know about an address we write to: bounces mark it undeliverable."""

    __tablename__ = "recipients"

    email: Mapped[str] = mapped_column(String(320), primary_key=True)
    undeliverable: Mapped[bool] = mapped_column(default=False)
    bounce_reason: Mapped[str | None] = mapped_column(Text)
    bounced_at: Mapped[datetime | None]
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
