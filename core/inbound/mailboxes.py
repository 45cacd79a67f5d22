"""Mailboxes: stored settings (passwords encrypted), and the sources and mailers built from them."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Literal, cast

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit import REDACTED, Actor, record
from core.errors import ConfigError, InvalidTransition, MailError, NotFound, ValidationError
from core.mail.imap import ImapConfig, ImapSource
from core.mail.imap import test_login as imap_test_login
from core.mail.maildir import MaildirOutbox, MaildirSource
from core.mail.smtp import SmtpConfig, SmtpMailer
from core.mail.smtp import test_login as smtp_test_login
from core.mail.transport import TLS_MODES, Mailer, MailSource, TlsMode
from core.secrets import SecretBox
from db.base import utcnow
from db.models import Mailbox, Ticket
from db.session import SessionFactory


@dataclass(frozen=True, slots=True, kw_only=True)
class MailboxFields:
    """What a mailbox is reached with, written once: the CLI's ``MailboxSpec`` and the
    Slack settings form (``core.control.mailbox_form.MailboxForm``) add only their
    passwords to it. The names are the ``Mailbox`` row's columns."""

    name: str = ""
    address: str = ""
    imap_host: str = ""
    imap_port: int = 993
    imap_user: str = ""
    imap_tls: str = "ssl"
    imap_folder: str = "INBOX"
    sent_folder: str | None = None
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_tls: str = "starttls"

    def check(self) -> None:
        """Raise a ValidationError naming the first field that is not acceptable."""
        if not self.name.strip():
            raise ValidationError("a mailbox needs a name", field="name")
        if "@" not in self.address:
            raise ValidationError(f"{self.address!r} is not an email address", field="address")
        for mode in (self.imap_tls, self.smtp_tls):
            if mode not in TLS_MODES:
                raise ValidationError(
                    f"tls must be one of {', '.join(TLS_MODES)}, not {mode!r}", field="tls"
                )
        for port in (self.imap_port, self.smtp_port):
            if not 0 < port < 65536:
                raise ValidationError(f"port {port} is out of range", field="port")
        if not self.imap_host.strip():
            raise ValidationError("the IMAP host is empty", field="imap_host")
        if not self.smtp_host.strip():
            raise ValidationError("the SMTP host is empty", field="smtp_host")

    def connection(self) -> dict[str, object]:
        """The fields by name (``MailboxFields(**f.connection())`` copies them)."""
        return {name: getattr(self, name) for name in FIELD_NAMES}


FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in fields(MailboxFields))


@dataclass(frozen=True, slots=True, kw_only=True)
class MailboxSpec(MailboxFields):
    """A new IMAP/SMTP mailbox: its fields and its password(s)."""

    password: str
    smtp_password: str | None = None

    def validated(self) -> MailboxSpec:
        self.check()
        if not self.password:
            raise ValidationError("a mailbox needs a password", field="password")
        return self


@dataclass(frozen=True, slots=True)
class MailboxRemoval:
    """What ``MailboxService.remove`` did: ``removed`` (no ticket came through it),
    ``deactivated`` (it holds ``tickets``) or ``already inactive``."""

    name: str
    outcome: Literal["removed", "deactivated", "already inactive"]
    tickets: int = 0


class MailboxService:
    def __init__(
        self,
        session_factory: SessionFactory,
        *,
        secrets: SecretBox,
        timeout: float = 20.0,
        fetch_batch_bytes: int | None = None,
    ) -> None:
        self.sessions = session_factory
        self.secrets = secrets
        self.timeout = timeout
        self.fetch_batch_bytes = fetch_batch_bytes

    async def add(self, spec: MailboxSpec, *, actor: Actor | None = None) -> Mailbox:
        """A new IMAP mailbox; with ``actor``, audited (``mailbox.added``, no password)."""
        spec = spec.validated()
        async with self.sessions.begin() as session:
            if await session.scalar(select(Mailbox.id).where(Mailbox.name == spec.name)):
                raise ValidationError(f"a mailbox named {spec.name!r} exists already", field="name")
            mailbox = Mailbox(
                name=spec.name,
                address=spec.address.lower(),
                kind="imap",
                imap_host=spec.imap_host,
                imap_port=spec.imap_port,
                imap_user=spec.imap_user,
                imap_tls=spec.imap_tls,
                imap_folder=spec.imap_folder,
                sent_folder=spec.sent_folder,
                smtp_host=spec.smtp_host,
                smtp_port=spec.smtp_port,
                smtp_user=spec.smtp_user,
                smtp_tls=spec.smtp_tls,
                password_enc=self.secrets.encrypt(spec.password),
                smtp_password_enc=self.secrets.encrypt(spec.smtp_password)
                if spec.smtp_password
                else None,
            )
            session.add(mailbox)
            if actor is not None:
                await session.flush()
                record(
                    session,
                    actor,
                    "mailbox.added",
                    target=f"mailbox:{spec.name}",
                    changes={
                        "address": [None, mailbox.address],
                        "imap": [None, f"{spec.imap_user}@{spec.imap_host}:{spec.imap_port}"],
                        "smtp": [None, f"{spec.smtp_host}:{spec.smtp_port}"],
                    },
                    mailbox_id=mailbox.id,
                )
        return mailbox

    async def ensure_maildir(
        self, *, name: str, address: str, inbox: Path, outbox: Path
    ) -> Mailbox:
        """The embedded default: a local Maildir in, an outbox Maildir out."""
        async with self.sessions.begin() as session:
            mailbox = await session.scalar(select(Mailbox).where(Mailbox.name == name))
            if mailbox is None:
                mailbox = Mailbox(
                    name=name,
                    address=address.lower(),
                    kind="maildir",
                    maildir_path=str(inbox),
                    outbox_path=str(outbox),
                )
                session.add(mailbox)
        return mailbox

    async def get(self, name: str | None = None) -> Mailbox:
        async with self.sessions() as session:
            q = select(Mailbox).order_by(Mailbox.id)
            if name:
                q = q.where(Mailbox.name == name)
            mailbox = await session.scalar(q.limit(1))
        if mailbox is None:
            raise NotFound(
                f"no mailbox named {name!r}" if name else "no mailbox configured", name=name
            )
        return mailbox

    async def all(self) -> list[Mailbox]:
        """Every mailbox, active or not."""
        async with self.sessions() as session:
            return list(await session.scalars(select(Mailbox).order_by(Mailbox.id)))

    async def to_poll(self, name: str | None = None) -> list[Mailbox]:
        """The mailboxes a fetch polls: the active ones, or the one named, which must be
        active (an InvalidTransition says how to turn it back on)."""
        if name:
            mailbox = await self.get(name)
            if not mailbox.active:
                raise InvalidTransition(
                    f"mailbox {name!r} is inactive, so it is not fetched: "
                    f"`desk mailbox set {name} --active` turns it back on",
                    current="inactive",
                )
            return [mailbox]
        async with self.sessions() as session:
            return list(
                await session.scalars(
                    select(Mailbox).where(Mailbox.active.is_(True)).order_by(Mailbox.id)
                )
            )

    async def update(
        self,
        name: str,
        *,
        changes: Mapping[str, object],
        password: str | None = None,
        smtp_password: str | None = None,
        actor: Actor,
    ) -> Mailbox:
        """Change mailbox ``name``'s fields (``MailboxFields`` names) and/or its passwords,
        audited. The merged fields are checked as a new mailbox's would be. A change to how
        it is reached clears its failure count, so the next cycle tries the new values at
        once instead of waiting out the back-off the old ones earned."""
        unknown = set(changes) - set(FIELD_NAMES) - {"name"}
        if unknown:
            raise ValidationError(f"unknown mailbox field(s): {', '.join(sorted(unknown))}")
        if not changes and password is None and smtp_password is None:
            raise ValidationError("nothing to change: give a field or a password")
        async with self.sessions.begin() as session:
            mailbox = await session.scalar(select(Mailbox).where(Mailbox.name == name))
            if mailbox is None:
                raise NotFound(f"no mailbox named {name!r}", name=name)
            merged = MailboxFields(**{**{f: getattr(mailbox, f) for f in FIELD_NAMES}, **changes})
            if mailbox.kind == "maildir":
                if set(changes) - {"address"} or password or smtp_password:
                    raise ValidationError(
                        f"mailbox {name!r} is the embedded Maildir inbox: only its address "
                        "can change (add an IMAP mailbox with `desk mailbox add`)"
                    )
                if "@" not in merged.address:
                    raise ValidationError(f"{merged.address!r} is not an email address")
            else:
                merged.check()
            if password == "" or smtp_password == "":
                raise ValidationError("an empty password", field="password")
            before = {key: getattr(mailbox, key) for key in (*changes, "address")}
            for key in changes:
                value = getattr(merged, key)
                setattr(mailbox, key, value.strip() if isinstance(value, str) else value)
            mailbox.address = merged.address.strip().lower()
            if password is not None:
                mailbox.password_enc = self.secrets.encrypt(password)
            if smtp_password is not None:
                mailbox.smtp_password_enc = self.secrets.encrypt(smtp_password)
            if set(changes) - {"address", "sent_folder"} or password or smtp_password:
                mailbox.consecutive_failures = 0
            record(
                session,
                actor,
                "mailbox.changed",
                target=f"mailbox:{name}",
                changes={
                    key: [old, getattr(mailbox, key)]
                    for key, old in before.items()
                    if old != getattr(mailbox, key)
                }
                | {
                    key: [REDACTED, REDACTED]
                    for key, given in (("password", password), ("smtp_password", smtp_password))
                    if given is not None
                },
                mailbox=name,
                fields=sorted(changes),
                password_changed=password is not None,
                smtp_password_changed=smtp_password is not None,
            )
        return mailbox

    async def remove(self, name: str, *, actor: Actor) -> MailboxRemoval:
        """Delete mailbox ``name`` when no ticket came through it (``mailbox.removed``).
        One that holds tickets is deactivated instead (``mailbox.deactivated``): deleting
        it would delete their conversations, and replies to them go out through it; it is
        no longer polled, and ``set_active`` turns it back on."""
        async with self.sessions.begin() as session:
            mailbox = await self._named(session, name, lock=True)
            held = (
                await session.scalar(
                    select(func.count()).select_from(Ticket).where(Ticket.mailbox_id == mailbox.id)
                )
                or 0
            )
            if held:
                changed = self._switch(session, mailbox, active=False, actor=actor, tickets=held)
                return MailboxRemoval(
                    name, "deactivated" if changed else "already inactive", tickets=held
                )
            await session.delete(mailbox)
            record(
                session,
                actor,
                "mailbox.removed",
                target=f"mailbox:{name}",
                mailbox=name,
                address=mailbox.address,
            )
        return MailboxRemoval(name, "removed", tickets=0)

    async def set_active(self, name: str, active: bool, *, actor: Actor) -> bool:
        """Turn polling of mailbox ``name`` on or off, audited (``mailbox.activated``,
        ``mailbox.deactivated``); False when it already was so (nothing recorded).
        Turning it on clears its failure back-off, so the next cycle tries it at once."""
        async with self.sessions.begin() as session:
            mailbox = await self._named(session, name, lock=True)
            return self._switch(session, mailbox, active=active, actor=actor)

    async def set_ai_redact(self, name: str, redact: bool, *, actor: Actor) -> bool:
        """Whether personal data in mailbox ``name``'s mail is replaced by placeholders
        before it goes to an external AI provider (``core.ai.privacy``; on by default),
        audited (``mailbox.changed``); False when it already was so (nothing recorded)."""
        async with self.sessions.begin() as session:
            mailbox = await self._named(session, name, lock=True)
            if mailbox.ai_redact == redact:
                return False
            mailbox.ai_redact = redact
            record(
                session,
                actor,
                "mailbox.changed",
                target=f"mailbox:{name}",
                changes={"ai_redact": [not redact, redact]},
                mailbox=name,
                fields=["ai_redact"],
            )
            return True

    @staticmethod
    async def _named(session: AsyncSession, name: str, *, lock: bool = False) -> Mailbox:
        q = select(Mailbox).where(Mailbox.name == name)
        mailbox = await session.scalar(q.with_for_update() if lock else q)
        if mailbox is None:
            raise NotFound(f"no mailbox named {name!r}", name=name)
        return mailbox

    @staticmethod
    def _switch(
        session: AsyncSession,
        mailbox: Mailbox,
        *,
        active: bool,
        actor: Actor,
        tickets: int | None = None,
    ) -> bool:
        if mailbox.active == active:
            return False
        mailbox.active = active
        if active:
            mailbox.consecutive_failures = 0
        record(
            session,
            actor,
            "mailbox.activated" if active else "mailbox.deactivated",
            target=f"mailbox:{mailbox.name}",
            changes={"active": [not active, active]},
            mailbox=mailbox.name,
            address=mailbox.address,
            tickets=tickets,  # None: not asked (``set_active``)
        )
        return True

    def imap_config(self, mailbox: Mailbox) -> ImapConfig:
        return ImapConfig(
            host=mailbox.imap_host,
            port=mailbox.imap_port,
            username=mailbox.imap_user,
            password=self._password(mailbox),
            tls=cast(TlsMode, mailbox.imap_tls),  # ImapConfig refuses anything else
            timeout=self.timeout,
        )

    def smtp_config(self, mailbox: Mailbox) -> SmtpConfig:
        password = (
            self.secrets.decrypt(mailbox.smtp_password_enc)
            if mailbox.smtp_password_enc
            else self._password(mailbox)
        )
        return SmtpConfig(
            host=mailbox.smtp_host,
            port=mailbox.smtp_port,
            username=mailbox.smtp_user or None,
            password=password,
            tls=cast(TlsMode, mailbox.smtp_tls),  # SmtpConfig refuses anything else
            timeout=self.timeout,
        )

    def _password(self, mailbox: Mailbox) -> str:
        if not mailbox.password_enc:
            raise ConfigError(f"mailbox {mailbox.name!r} has no password set")
        return self.secrets.decrypt(mailbox.password_enc)

    def source(self, mailbox: Mailbox) -> MailSource:
        if mailbox.kind == "maildir":
            return MaildirSource(Path(mailbox.maildir_path or ""))
        # the ingestor parses (in worker processes for big batches): raw bytes are enough
        return ImapSource(
            self.imap_config(mailbox), parse=False, max_batch_bytes=self.fetch_batch_bytes
        )

    def mailer(self, mailbox: Mailbox) -> Mailer:
        if mailbox.kind == "maildir":
            return MaildirOutbox(Path(mailbox.outbox_path or ""))
        return SmtpMailer(self.smtp_config(mailbox))

    async def test(self, mailbox: Mailbox) -> dict[str, str]:
        """Log in to IMAP and SMTP; return "ok" or the error text for each."""
        out: dict[str, str] = {}
        if mailbox.kind == "maildir":
            return {
                "imap": f"maildir {mailbox.maildir_path}",
                "smtp": f"outbox {mailbox.outbox_path}",
            }
        try:
            await asyncio.to_thread(imap_test_login, self.imap_config(mailbox))
            out["imap"] = "ok"
        except (MailError, ConfigError) as exc:
            out["imap"] = str(exc)
        try:
            await smtp_test_login(self.smtp_config(mailbox))
            out["smtp"] = "ok"
        except (MailError, ConfigError) as exc:
            out["smtp"] = str(exc)
        return out

    async def record_fetch(
        self, mailbox_id: int, *, error: str | None, now: datetime | None = None
    ) -> None:
        """Fetch health: last run, last success, the error and how many failures in a row."""
        now = now or utcnow()
        async with self.sessions.begin() as session:
            values: dict[str, object] = {"last_fetch_at": now}
            if error is None:
                values |= {"last_success_at": now, "last_error": None, "consecutive_failures": 0}
            else:
                values |= {
                    "last_error": error[:2000],
                    "consecutive_failures": Mailbox.consecutive_failures + 1,
                }
            await session.execute(update(Mailbox).where(Mailbox.id == mailbox_id).values(**values))


def fetch_overdue(mailbox: Mailbox, *, now: datetime, window_seconds: int) -> bool:
    """True when the mailbox has not fetched successfully within its window (alert)."""
    since = mailbox.last_success_at or mailbox.created_at
    return (now - since).total_seconds() > window_seconds


def backoff_seconds(mailbox: Mailbox) -> int:
    """After repeated fetch errors, wait longer: interval x 2^failures, at most an hour."""
    return int(
        min(3600, mailbox.fetch_interval_seconds * 2 ** min(mailbox.consecutive_failures, 6))
    )
