"""A workspace's mailbox as an admin edits it from a form: read (secrets masked), test
with the values typed in (stored passwords where none was typed), and save.

An empty password field keeps the stored password: forms never show secrets back.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from sqlalchemy import select

from core.access.teams import team_mailbox_ids
from core.audit import REDACTED, Actor, record
from core.errors import ConfigError, MailError, NotFound, ValidationError
from core.inbound.mailboxes import FIELD_NAMES, MailboxFields, MailboxService, MailboxSpec
from core.mail.imap import test_login as imap_test_login
from core.mail.smtp import test_login as smtp_test_login
from core.secrets import SecretBox
from db.models import Mailbox
from db.session import SessionFactory

# what a save may change, as the audit event shows it (the passwords only as changed)
_AUDITED = (
    "name",
    "address",
    "slack_team_id",
    "imap_host",
    "imap_port",
    "imap_user",
    "imap_tls",
    "smtp_host",
    "smtp_port",
    "smtp_user",
    "smtp_tls",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class MailboxForm(MailboxFields):
    """The mailbox fields as the form shows and returns them, with its password inputs."""

    name: str = "support"
    imap_password: str | None = None  # None or "": keep the stored one
    smtp_password: str | None = None
    # read side only: whether a password is stored
    imap_password_set: bool = False
    smtp_password_set: bool = False

    def validated(self) -> MailboxForm:
        self.check()
        return self

    def spec(self) -> MailboxSpec:
        """The new mailbox this form describes (a ValidationError without a password)."""
        if not self.imap_password:
            raise ValidationError("a new mailbox needs a password", field="imap_password")
        stripped = {
            key: value.strip() if isinstance(value, str) and key != "sent_folder" else value
            for key, value in self.connection().items()
        }
        return MailboxSpec(
            **stripped,  # type: ignore[arg-type]
            password=self.imap_password,
            smtp_password=self.smtp_password or None,
        )


@dataclass(frozen=True, slots=True)
class MailboxLine:
    """One of a workspace's mailboxes as the settings modal lists it."""

    name: str
    address: str
    kind: str  # imap | maildir
    active: bool  # False: not fetched (``desk mailbox set NAME --active``)


def _form(m: Mailbox) -> MailboxForm:
    return MailboxForm(
        **{name: getattr(m, name) for name in FIELD_NAMES},
        imap_password_set=bool(m.password_enc),
        smtp_password_set=bool(m.smtp_password_enc),
    )


class MailboxSettings:
    def __init__(
        self, session_factory: SessionFactory, *, mailboxes: MailboxService, secrets: SecretBox
    ) -> None:
        self.sessions = session_factory
        self.mailboxes = mailboxes
        self.secrets = secrets

    async def _current(self, team_id: str, home_team: str | None) -> Mailbox | None:
        async with self.sessions() as session:
            return await session.scalar(
                select(Mailbox)
                .where(Mailbox.kind == "imap", Mailbox.id.in_(team_mailbox_ids(team_id, home_team)))
                .order_by(Mailbox.active.desc(), Mailbox.id)  # an active one first
                .limit(1)
            )

    async def listing(self, team_id: str, home_team: str | None) -> list[MailboxLine]:
        """Every mailbox of the workspace, active or not, in the order they were added."""
        async with self.sessions() as session:
            rows = await session.scalars(
                select(Mailbox)
                .where(Mailbox.id.in_(team_mailbox_ids(team_id, home_team)))
                .order_by(Mailbox.id)
            )
            return [MailboxLine(m.name, m.address, m.kind, m.active) for m in rows]

    async def current(self, team_id: str, home_team: str | None) -> MailboxForm | None:
        """The workspace's IMAP mailbox as a form (no secrets), or None."""
        mailbox = await self._current(team_id, home_team)
        return _form(mailbox) if mailbox is not None else None

    def _stored(self, mailbox: Mailbox | None, column: str) -> str | None:
        token = getattr(mailbox, column) if mailbox is not None else None
        return self.secrets.decrypt(token) if token else None

    def _transient(self, form: MailboxForm, stored: Mailbox | None) -> Mailbox:
        """A Mailbox row not added to any session: what a test logs in with."""
        imap_pw = form.imap_password or self._stored(stored, "password_enc")
        smtp_pw = form.smtp_password or self._stored(stored, "smtp_password_enc")
        if not imap_pw:
            raise ConfigError("no IMAP password: type one")
        return Mailbox(
            name=form.name,
            address=form.address,
            kind="imap",
            imap_host=form.imap_host.strip(),
            imap_port=form.imap_port,
            imap_user=form.imap_user.strip(),
            imap_tls=form.imap_tls,
            smtp_host=form.smtp_host.strip(),
            smtp_port=form.smtp_port,
            smtp_user=form.smtp_user.strip(),
            smtp_tls=form.smtp_tls,
            password_enc=self.secrets.encrypt(imap_pw),
            smtp_password_enc=self.secrets.encrypt(smtp_pw) if smtp_pw else None,
        )

    async def test(
        self, form: MailboxForm, *, which: str, team_id: str, home_team: str | None
    ) -> str:
        """Log in over IMAP or SMTP with the form's values: "ok" or exactly what failed."""
        if which not in ("imap", "smtp"):
            raise ValueError(which)
        try:
            form.validated()
            mailbox = self._transient(form, await self._current(team_id, home_team))
            if which == "imap":
                await asyncio.to_thread(imap_test_login, self.mailboxes.imap_config(mailbox))
            else:
                await smtp_test_login(self.mailboxes.smtp_config(mailbox))
        except (MailError, ConfigError, ValidationError) as exc:
            return str(exc)
        return "ok"

    async def save(
        self, form: MailboxForm, *, team_id: str, home_team: str | None, actor: Actor
    ) -> MailboxForm:
        form = form.validated()
        stored = await self._current(team_id, home_team)
        if stored is None:
            created = await self.mailboxes.add(form.spec())
            mailbox_id = created.id
        else:
            mailbox_id = stored.id
        async with self.sessions.begin() as session:
            mailbox = await session.get(Mailbox, mailbox_id)
            if mailbox is None:
                raise NotFound(f"mailbox {mailbox_id} vanished", mailbox_id=mailbox_id)
            before = {key: getattr(mailbox, key) for key in _AUDITED}
            mailbox.name = form.name.strip()
            mailbox.address = form.address.strip().lower()
            mailbox.slack_team_id = team_id
            for key in (
                "imap_host",
                "imap_user",
                "smtp_host",
                "smtp_user",
            ):
                setattr(mailbox, key, getattr(form, key).strip())
            mailbox.imap_port, mailbox.smtp_port = form.imap_port, form.smtp_port
            mailbox.imap_tls, mailbox.smtp_tls = form.imap_tls, form.smtp_tls
            if form.imap_password:
                mailbox.password_enc = self.secrets.encrypt(form.imap_password)
            if form.smtp_password:
                mailbox.smtp_password_enc = self.secrets.encrypt(form.smtp_password)
            changes: dict[str, list[object]] = {
                key: [before[key], getattr(mailbox, key)]
                for key in _AUDITED
                if before[key] != getattr(mailbox, key)
            }
            for key, given in (
                ("imap_password", form.imap_password),
                ("smtp_password", form.smtp_password),
            ):
                if given:
                    changes[key] = [REDACTED, REDACTED]
            record(
                session,
                actor,
                "mailbox.saved",
                target=f"mailbox:{mailbox.name}",
                changes=changes,
                mailbox=mailbox.name,
                imap_password_changed=bool(form.imap_password),
                smtp_password_changed=bool(form.smtp_password),
            )
            await session.flush()
            return _form(mailbox)
