"""Real SMTP servers for tests: aiosmtpd on 127.0.0.1, a free port, capturing what it gets.

Fixtures (each yields a fresh ``SmtpTestServer``, stopped after the test):

- ``smtp_server``: plain SMTP, no TLS, no AUTH.
- ``smtp_tls_server``: STARTTLS required (self-signed certificate), AUTH offered after it.
- ``smtp_ssl_server``: implicit TLS (SMTPS) with the same certificate, AUTH offered.
- ``smtp_auth_server``: plain SMTP with AUTH required (and allowed without TLS).
- ``smtp_flaky_server``: a factory ``(responses, *, stage="rcpt") -> SmtpTestServer``:
  each RCPT (or MAIL, or DATA) command takes the next scripted reply, e.g.
  ``"451 4.3.0 try later"`` or ``"550 5.1.1 no such user"``; a reply starting with ``2``
  accepts, ``"drop"`` closes the connection; once the script is used up every command is
  accepted.

``server.messages`` lists what was accepted (``mail_from``, ``rcpt_tos``, ``raw``);
``server.ssl_context`` is a client context that trusts the test certificate;
``server.username`` / ``server.password`` log in where AUTH is offered.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Literal

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

HOST = "127.0.0.1"
USERNAME = "desk"
PASSWORD = "s3cret-pässword"
SERVER_NAME = "smtp.desk.test"

Stage = Literal["mail", "rcpt", "data"]


@dataclass(frozen=True, slots=True)
class CapturedMail:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    def message(self) -> EmailMessage:
        return message_from_bytes(self.raw, policy=policy.default)  # type: ignore[return-value]


@dataclass
class SmtpTestServer:
    host: str
    port: int
    messages: list[CapturedMail]
    ssl_context: ssl.SSLContext | None = None
    username: str | None = None
    password: str | None = None
    implicit_tls: bool = False
    script: list[str] = field(default_factory=list)  # what is left of a flaky script
    logins: list[str] = field(default_factory=list)  # user names that logged in


@dataclass(frozen=True, slots=True)
class TlsFiles:
    cert: Path
    key: Path
    server_context: ssl.SSLContext

    def client_context(self) -> ssl.SSLContext:
        """Verifies the server against the test certificate, host name included."""
        return ssl.create_default_context(cafile=str(self.cert))


class _Recorder:
    """aiosmtpd handler: records accepted mail; answers from a script first."""

    def __init__(self, server: SmtpTestServer, stage: Stage) -> None:
        self.server = server
        self.stage = stage
        self.lock = threading.Lock()

    def _scripted(self, stage: Stage, smtp: SMTP) -> str | None:
        if stage != self.stage:
            return None
        with self.lock:
            if not self.server.script:
                return None
            reply = self.server.script.pop(0)
        if reply == "drop":
            assert smtp.transport is not None
            smtp.transport.close()
            return "421 4.4.2 connection dropped"
        return None if reply.startswith("2") else reply

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if reply := self._scripted("mail", server):
            return reply
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if reply := self._scripted("rcpt", server):
            return reply
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if reply := self._scripted("data", server):
            return reply
        raw = envelope.original_content or b""
        self.server.messages.append(
            CapturedMail(
                mail_from=envelope.mail_from or "", rcpt_tos=list(envelope.rcpt_tos), raw=raw
            )
        )
        return "250 2.0.0 OK queued"


class _Controller(Controller):
    """aiosmtpd's Controller, on port 0: it checks readiness by connecting to
    ``self.port``, so read the port the OS chose before it does."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


def _authenticator(record: list[str]) -> Callable[..., AuthResult]:
    def authenticate(
        server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == USERNAME.encode()
            and auth_data.password == PASSWORD.encode()
        )
        if ok:
            record.append(USERNAME)
        return AuthResult(success=ok, handled=False)

    return authenticate


@contextmanager
def running_smtp_server(
    *,
    tls: TlsFiles | None = None,
    implicit_tls: bool = False,
    auth: Literal["off", "offered", "required"] = "off",
    script: list[str] | None = None,
    stage: Stage = "rcpt",
) -> Iterator[SmtpTestServer]:
    """Start an aiosmtpd server in its own thread; stop it on exit."""
    server = SmtpTestServer(host=HOST, port=0, messages=[], script=list(script or []))
    smtp_kwargs: dict[str, Any] = {"server_hostname": SERVER_NAME, "ident": "desk-test-smtpd"}
    controller_kwargs: dict[str, Any] = {}
    if tls is not None:
        server.ssl_context = tls.client_context()
        if implicit_tls:
            server.implicit_tls = True
            controller_kwargs["ssl_context"] = tls.server_context
        else:
            smtp_kwargs |= {"tls_context": tls.server_context, "require_starttls": True}
    if auth != "off":
        server.username, server.password = USERNAME, PASSWORD
        smtp_kwargs |= {
            "authenticator": _authenticator(server.logins),
            "auth_required": auth == "required",
            # STARTTLS servers offer AUTH only after the upgrade; the others right away
            "auth_require_tls": tls is not None and not implicit_tls,
        }
    controller = _Controller(
        _Recorder(server, stage),
        hostname=HOST,
        port=0,
        ready_timeout=30.0,
        **controller_kwargs,
        **smtp_kwargs,
    )
    controller.start()
    server.port = controller.port
    try:
        yield server
    finally:
        controller.stop()


def make_tls_files(directory: Path) -> TlsFiles:
    """A self-signed certificate for 127.0.0.1 / localhost, written to ``directory``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "desk test smtp")])
    now = dt.datetime.now(dt.UTC)
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.DNSName(SERVER_NAME),
                    x509.IPAddress(ipaddress.ip_address(HOST)),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert_path, key_path)
    return TlsFiles(cert=cert_path, key=key_path, server_context=server_context)


def pytest_configure(config: pytest.Config) -> None:
    # smtp_auth_server allows AUTH without TLS on purpose; aiosmtpd warns on every session
    config.addinivalue_line(
        "filterwarnings", "ignore:Requiring AUTH while not requiring TLS:UserWarning"
    )


@pytest.fixture(scope="session")
def smtp_tls_files(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return make_tls_files(tmp_path_factory.mktemp("smtp-tls"))


@pytest.fixture
def smtp_server() -> Iterator[SmtpTestServer]:
    with running_smtp_server() as server:
        yield server


@pytest.fixture
def smtp_tls_server(smtp_tls_files: TlsFiles) -> Iterator[SmtpTestServer]:
    with running_smtp_server(tls=smtp_tls_files, auth="offered") as server:
        yield server


@pytest.fixture
def smtp_ssl_server(smtp_tls_files: TlsFiles) -> Iterator[SmtpTestServer]:
    with running_smtp_server(tls=smtp_tls_files, implicit_tls=True, auth="offered") as server:
        yield server


@pytest.fixture
def smtp_auth_server() -> Iterator[SmtpTestServer]:
    with running_smtp_server(auth="required") as server:
        yield server


FlakyFactory = Callable[..., SmtpTestServer]


@pytest.fixture
def smtp_flaky_server() -> Iterator[FlakyFactory]:
    with ExitStack() as stack:

        def start(responses: list[str], *, stage: Stage = "rcpt") -> SmtpTestServer:
            return stack.enter_context(running_smtp_server(script=responses, stage=stage))

        yield start
