"""SMTP mailer on aiosmtplib: the only module that imports aiosmtplib.

``SmtpMailer`` implements ``core.mail.transport.Mailer``. It opens one connection per
``send`` (connect, STARTTLS or implicit TLS, AUTH when a username is set, send, QUIT): no
connection state outlives a call, so a mailer can be shared by concurrent tasks.

Every aiosmtplib, ssl and socket error is translated here into ``core.errors``:

- ``MailAuthError``: the login was refused, or the server offers no AUTH;
- ``MailConnectionError``: nothing listens, timeouts, a dropped connection, a failed TLS
  handshake or certificate check, a server that does not offer STARTTLS;
- ``MailTemporaryError``: a 4xx answer (``code``; ``recipients`` when RCPT was refused);
- ``MailPermanentError``: a 5xx answer (``code``; ``recipients``: address -> server reply),
  or a message the server cannot take at all (no SMTPUTF8 for a non-ASCII address).

The sender service retries everything but ``MailPermanentError`` (with backoff, up to a
limit) and marks a draft failed on ``MailPermanentError``. When every recipient is refused
and one refusal is 4xx, the whole send is temporary. When only some recipients are
refused the message went out to the others: ``send`` returns normally (raising would make
a retry deliver it twice), logs a warning and leaves the refusals in ``last_refused``.

Every error carries ``host`` and ``port``; none carries the password.
"""

from __future__ import annotations

import logging
import os
import socket
import ssl
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager, suppress
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any, NoReturn, TypeVar

import aiosmtplib

from core.errors import (
    ConfigError,
    MailAuthError,
    MailConnectionError,
    MailError,
    MailPermanentError,
    MailTemporaryError,
)
from core.mail.transport import TLS_MODES, TlsMode

log = logging.getLogger(__name__)
_E = TypeVar("_E", bound=BaseException)
_QUIT_TIMEOUT = 5.0


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    """Where and how to send. ``password`` and ``oauth2_token`` never appear in repr.

    ``tls``: ``starttls`` (upgrade required, usually port 587), ``ssl`` (implicit TLS,
    usually 465) or ``none`` (plain, no upgrade even if offered: local relays only).
    Certificates are verified against the system CAs unless ``ssl_context`` (used as is),
    ``cert_bundle`` (a CA file) or ``validate_certs=False`` says otherwise.
    """

    host: str
    port: int = 587
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    tls: TlsMode = "starttls"
    timeout: float = 30.0
    local_hostname: str | None = None  # None: the machine's FQDN in EHLO
    validate_certs: bool = True
    cert_bundle: str | None = None
    ssl_context: ssl.SSLContext | None = field(default=None, repr=False, compare=False)
    # set: AUTH XOAUTH2 with ``username`` and this bearer token instead of the password
    oauth2_token: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.tls not in TLS_MODES:
            raise ConfigError(
                f"SMTP tls must be one of {', '.join(TLS_MODES)}, not {self.tls!r}", tls=self.tls
            )
        if not self.host:
            raise ConfigError("SMTP host is empty")
        if not 0 < self.port < 65536:
            raise ConfigError(f"SMTP port {self.port} is out of range", port=self.port)
        if self.oauth2_token and not self.username:
            raise ConfigError("SMTP XOAUTH2 needs a username")

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


class SmtpMailer:
    """A ``Mailer`` over SMTP: one connection per message."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        # recipients the server refused while accepting the others, from the last send
        self.last_refused: dict[str, str] = {}

    async def send(self, message: EmailMessage) -> None:
        """Send ``message`` to its To/Cc/Bcc from its From address (Bcc is not sent)."""
        self.last_refused = {}
        async with _session(self.config) as client:
            with _translated(self.config, "send"):
                try:
                    refused, _ = await client.send_message(message)
                except ValueError as exc:  # no From/To, or an address aiosmtplib rejects
                    raise MailPermanentError(
                        f"the message cannot be sent: {exc}", **_where(self.config)
                    ) from exc
        if refused:
            self.last_refused = {addr: _reply(r.code, r.message) for addr, r in refused.items()}
            log.warning(
                "SMTP %s accepted %s but refused %s",
                self.config.address,
                message.get("Message-ID", "a message"),
                "; ".join(f"{a}: {r}" for a, r in self.last_refused.items()),
            )


async def test_login(config: SmtpConfig) -> None:
    """Connect, upgrade to TLS and log in as ``config`` says, then quit.

    Raises the same errors as ``SmtpMailer.send`` (``desk mailbox test`` prints them).
    """
    async with _session(config) as client:
        with _translated(config, "EHLO"):
            await client.ehlo()


test_login.__test__ = False  # type: ignore[attr-defined]  # not a pytest test when imported


@asynccontextmanager
async def _session(config: SmtpConfig) -> AsyncIterator[aiosmtplib.SMTP]:
    """A connected, TLS-upgraded, logged-in client; QUIT on the way out."""
    client = _client(config)
    with _translated(config, "connect"):
        await client.connect()
    try:
        yield client
    finally:
        try:
            # the message is accepted or the error raised already: a failed QUIT changes nothing
            with suppress(aiosmtplib.SMTPException, OSError):
                await client.quit(timeout=min(config.timeout, _QUIT_TIMEOUT))
        finally:
            client.close()


def _client(config: SmtpConfig) -> aiosmtplib.SMTP:
    xoauth2 = config.oauth2_token
    token_generator = None
    if xoauth2:

        async def token_generator() -> str:
            return xoauth2

    try:
        return aiosmtplib.SMTP(
            hostname=config.host,
            port=config.port,
            username=config.username or None,
            password=None if xoauth2 or not config.username else (config.password or ""),
            oauth_token_generator=token_generator,
            local_hostname=config.local_hostname,
            timeout=config.timeout,
            use_tls=config.tls == "ssl",
            start_tls=config.tls == "starttls",
            validate_certs=config.validate_certs,
            cert_bundle=None if config.ssl_context else config.cert_bundle,
            tls_context=config.ssl_context,
        )
    except ValueError as exc:  # e.g. a local_hostname aiosmtplib will not send
        raise ConfigError(f"SMTP settings for {config.address} are invalid: {exc}") from exc


@contextmanager
def _translated(config: SmtpConfig, stage: str) -> Iterator[None]:
    """Re-raise aiosmtplib, ssl and socket errors raised inside as ``core.errors`` ones."""
    try:
        yield
    except MailError:
        raise
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        _raise_translated(exc, config, stage)


def _raise_translated(exc: BaseException, config: SmtpConfig, stage: str) -> NoReturn:
    where = _where(config)
    server = f"SMTP server {config.address}"
    cert_error = _cause(exc, ssl.SSLCertVerificationError)
    if cert_error is not None:
        raise MailConnectionError(
            f"the TLS certificate of {server} could not be verified "
            f"({cert_error.verify_message or cert_error}); "
            "give a CA bundle, or check the host name",
            **where,
        ) from exc
    tls_error = _cause(exc, ssl.SSLError)
    if tls_error is not None:
        hint = "; is the port for implicit TLS (tls=ssl, 465) or STARTTLS (587)?"
        raise MailConnectionError(
            f"TLS handshake with {server} failed: {tls_error}{hint}", **where
        ) from exc

    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        raise MailAuthError(
            f"{server} refused the login for {config.username!r}: {_reply(exc.code, exc.message)}",
            code=exc.code,
            username=config.username,
            **where,
        ) from exc
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        refused = {e.recipient: _reply(e.code, e.message) for e in exc.recipients}
        codes = [e.code for e in exc.recipients]
        text = "; ".join(f"{a}: {r}" for a, r in refused.items())
        cls = MailTemporaryError if any(400 <= c < 500 for c in codes) else MailPermanentError
        raise cls(
            f"{server} refused every recipient: {text}",
            code=codes[0] if codes else None,
            recipients=refused,
            **where,
        ) from exc
    if isinstance(exc, aiosmtplib.SMTPResponseException) and not isinstance(
        exc, aiosmtplib.SMTPConnectResponseError | aiosmtplib.SMTPConnectError
    ):
        reply = _reply(exc.code, exc.message)
        extra: dict[str, Any] = {}
        what = f"{server} answered {reply} at {stage}"
        if isinstance(exc, aiosmtplib.SMTPSenderRefused):
            extra["sender"] = exc.sender
            what = f"{server} refused the sender {exc.sender}: {reply}"
        elif isinstance(exc, aiosmtplib.SMTPRecipientRefused):
            extra["recipients"] = {exc.recipient: reply}
        elif isinstance(exc, aiosmtplib.SMTPDataError):
            what = f"{server} refused the message: {reply}"
        if exc.code == 530 and "STARTTLS" in exc.message.upper():
            raise MailConnectionError(
                f"{server} requires STARTTLS first ({reply}); set tls=starttls",
                code=exc.code,
                **where,
            ) from exc
        if exc.code == 530:  # 5.7.0 Authentication required
            raise MailAuthError(
                f"{server} requires a login ({reply}); set a username and password",
                code=exc.code,
                **where,
            ) from exc
        _raise_for_code(exc.code, what, where | extra, exc)
    if isinstance(exc, aiosmtplib.SMTPConnectResponseError):
        _raise_for_code(
            exc.code, f"{server} refused the session: {_reply(exc.code, exc.message)}", where, exc
        )
    if isinstance(exc, aiosmtplib.SMTPTimeoutError | TimeoutError):
        raise MailConnectionError(
            f"{server} did not answer within {config.timeout:g}s ({stage})",
            timeout=config.timeout,
            **where,
        ) from exc
    if isinstance(exc, aiosmtplib.SMTPConnectError):
        os_error = _cause(exc.__cause__, OSError) if exc.__cause__ else None
        reason = _os_reason(os_error) if os_error is not None else _reason(exc)
        raise MailConnectionError(f"could not connect to {server}: {reason}", **where) from exc
    if isinstance(exc, aiosmtplib.SMTPServerDisconnected | ConnectionError):
        raise MailConnectionError(
            f"{server} closed the connection ({stage}): {_reason(exc)}", **where
        ) from exc
    if isinstance(exc, aiosmtplib.SMTPNotSupported):
        raise MailPermanentError(f"{server} cannot take this message: {exc}", **where) from exc
    text = _reason(exc)
    if "AUTH" in text or "authentication" in text.lower():
        raise MailAuthError(
            f"{server} does not offer a login (AUTH){_tls_hint(config)}",
            username=config.username,
            **where,
        ) from exc
    if "STARTTLS" in text:
        raise MailConnectionError(
            f"{server} does not offer STARTTLS; use tls=ssl for implicit TLS (usually port "
            "465), or tls=none for a trusted local relay",
            **where,
        ) from exc
    if isinstance(exc, OSError):
        raise MailConnectionError(f"{server}: {_os_reason(exc)} ({stage})", **where) from exc
    raise MailError(f"{server}: {text} ({stage})", **where) from exc


def _raise_for_code(code: int, text: str, data: dict[str, Any], exc: BaseException) -> NoReturn:
    if 500 <= code < 600:
        raise MailPermanentError(text, code=code, **data) from exc
    raise MailTemporaryError(text, code=code, **data) from exc  # 4xx, or a garbled reply


def _tls_hint(config: SmtpConfig) -> str:
    return "; many servers offer it only after STARTTLS" if config.tls == "none" else ""


def _where(config: SmtpConfig) -> dict[str, Any]:
    return {"host": config.host, "port": config.port}


def _reply(code: int, message: str) -> str:
    return f"{code} {' '.join(message.split())}".strip()


def _reason(exc: BaseException) -> str:
    return str(getattr(exc, "message", None) or exc) or type(exc).__name__


def _os_reason(exc: OSError) -> str:
    """``Connection refused`` rather than asyncio's ``Connect call failed ('1.2.3.4', 25)``."""
    if isinstance(exc, socket.gaierror):
        return f"cannot resolve the host name ({exc.strerror or exc})"
    if exc.errno and exc.errno > 0:
        return os.strerror(exc.errno)
    return str(exc) or type(exc).__name__


def _cause(exc: BaseException, kind: type[_E]) -> _E | None:
    """``exc`` or the first of its causes/contexts that is a ``kind``."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        if isinstance(cur, kind):
            return cur
        seen.add(id(cur))
        cur = cur.__cause__ or cur.__context__
    return None
