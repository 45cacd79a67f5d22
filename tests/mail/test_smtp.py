"""SmtpMailer against real aiosmtpd servers on loopback (tests/support/smtp.py)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email.message import EmailMessage

import pytest

from core.errors import (
    ConfigError,
    MailAuthError,
    MailConnectionError,
    MailPermanentError,
    MailTemporaryError,
)
from core.mail.compose import build_reply, make_message_id
from core.mail.smtp import SmtpConfig, SmtpMailer
from core.mail.smtp import test_login as check_login
from tests.support.smtp import FlakyFactory, SmtpTestServer, TlsFiles

KEY = b"test-key"


def reply(to: str = "Alice <alice@example.com>", **extra: str) -> EmailMessage:
    msg = build_reply(
        from_addr="support@desk.test",
        from_name="Desk Support",
        to=to,
        subject="Aw: Rechnung doppelt",
        body="Hallo Alice,\n\ndie doppelte Abbuchung über 12 € ist erstattet.\n",
        message_id=make_message_id(ticket_id=12, domain="desk.test", key=KEY),
        in_reply_to="cust-2@example.com",
        references=["cust-1@example.com"],
        ticket_id=12,
    )
    for name, value in extra.items():
        msg[name] = value
    return msg


def config(server: SmtpTestServer, **overrides: object) -> SmtpConfig:
    args: dict[str, object] = {
        "host": server.host,
        "port": server.port,
        "tls": "none",
        "timeout": 5.0,
        "local_hostname": "desk.test",
    }
    if server.ssl_context is not None:
        args |= {"tls": "ssl" if server.implicit_tls else "starttls"}
        args |= {"ssl_context": server.ssl_context}
    if server.username:
        args |= {"username": server.username, "password": server.password}
    args.update(overrides)
    return SmtpConfig(**args)  # type: ignore[arg-type]


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback port that accepts connections and never says a word."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        yield s.getsockname()[1]


# -- delivery -----------------------------------------------------------------------------


async def test_plain_delivery_keeps_the_threading_headers(smtp_server: SmtpTestServer) -> None:
    msg = reply()
    await SmtpMailer(config(smtp_server)).send(msg)
    [got] = smtp_server.messages
    assert got.mail_from == "support@desk.test"
    assert got.rcpt_tos == ["alice@example.com"]
    sent = got.message()
    assert sent["Message-ID"] == msg["Message-ID"]
    assert sent["Message-ID"].startswith("<desk.12.")
    assert sent["In-Reply-To"] == "<cust-2@example.com>"
    assert sent["References"] == "<cust-1@example.com> <cust-2@example.com>"
    assert sent["Subject"] == "Re: [#12] Rechnung doppelt"
    assert sent["X-Desk-Ticket"] == "12"
    assert "über 12 €" in sent.get_content()
    assert "Auto-Submitted" not in sent


async def test_cc_and_bcc_get_it_and_bcc_stays_hidden(smtp_server: SmtpTestServer) -> None:
    msg = reply(Cc="bob@example.com", Bcc="audit@desk.test")
    await SmtpMailer(config(smtp_server)).send(msg)
    [got] = smtp_server.messages
    assert sorted(got.rcpt_tos) == ["alice@example.com", "audit@desk.test", "bob@example.com"]
    assert b"audit@desk.test" not in got.raw
    assert got.message()["Cc"] == "bob@example.com"


async def test_starttls_and_auth(smtp_tls_server: SmtpTestServer) -> None:
    await SmtpMailer(config(smtp_tls_server)).send(reply())
    assert smtp_tls_server.logins == ["desk"]
    [got] = smtp_tls_server.messages
    assert got.message()["In-Reply-To"] == "<cust-2@example.com>"


async def test_starttls_server_refuses_a_plain_client(smtp_tls_server: SmtpTestServer) -> None:
    with pytest.raises(MailConnectionError, match="requires STARTTLS"):
        await SmtpMailer(config(smtp_tls_server, tls="none", username=None)).send(reply())
    assert smtp_tls_server.messages == []


async def test_untrusted_certificate_is_a_clear_error(smtp_tls_server: SmtpTestServer) -> None:
    with pytest.raises(MailConnectionError, match="certificate .* could not be verified") as err:
        await SmtpMailer(config(smtp_tls_server, ssl_context=None)).send(reply())
    assert err.value.data["port"] == smtp_tls_server.port
    assert smtp_tls_server.messages == [] and smtp_tls_server.logins == []


async def test_cert_bundle_trusts_the_server(
    smtp_tls_server: SmtpTestServer, smtp_tls_files: TlsFiles
) -> None:
    bundle = str(smtp_tls_files.cert)
    await SmtpMailer(config(smtp_tls_server, ssl_context=None, cert_bundle=bundle)).send(reply())
    assert len(smtp_tls_server.messages) == 1


async def test_implicit_tls_and_auth(smtp_ssl_server: SmtpTestServer) -> None:
    await SmtpMailer(config(smtp_ssl_server)).send(reply())
    assert smtp_ssl_server.logins == ["desk"]
    assert len(smtp_ssl_server.messages) == 1


async def test_implicit_tls_against_a_plain_port_says_so(smtp_server: SmtpTestServer) -> None:
    with pytest.raises(MailConnectionError, match="TLS handshake .* failed.*implicit TLS"):
        await SmtpMailer(config(smtp_server, tls="ssl")).send(reply())


async def test_starttls_required_but_not_offered(smtp_server: SmtpTestServer) -> None:
    with pytest.raises(MailConnectionError, match="does not offer STARTTLS"):
        await SmtpMailer(config(smtp_server, tls="starttls")).send(reply())
    assert smtp_server.messages == []


# -- authentication -----------------------------------------------------------------------


async def test_auth_required_server_accepts_the_right_password(
    smtp_auth_server: SmtpTestServer,
) -> None:
    await SmtpMailer(config(smtp_auth_server)).send(reply())
    assert smtp_auth_server.logins == ["desk"]
    assert len(smtp_auth_server.messages) == 1


async def test_wrong_password_is_an_auth_error(smtp_auth_server: SmtpTestServer) -> None:
    with pytest.raises(MailAuthError) as err:
        await SmtpMailer(config(smtp_auth_server, password="wrong")).send(reply())
    text = str(err.value)
    assert "refused the login for 'desk'" in text and "535" in text
    assert f"127.0.0.1:{smtp_auth_server.port}" in text
    assert "wrong" not in text and "wrong" not in repr(err.value.data)
    assert err.value.data["code"] == 535
    assert smtp_auth_server.messages == []


async def test_sending_without_login_to_a_server_that_requires_one(
    smtp_auth_server: SmtpTestServer,
) -> None:
    with pytest.raises(MailAuthError, match="requires a login"):
        await SmtpMailer(config(smtp_auth_server, username=None)).send(reply())


async def test_login_check(smtp_auth_server: SmtpTestServer, smtp_server: SmtpTestServer) -> None:
    await check_login(config(smtp_auth_server))
    assert smtp_auth_server.logins == ["desk"] and smtp_auth_server.messages == []
    await check_login(config(smtp_server))  # no username: connect and EHLO only
    with pytest.raises(MailAuthError, match="refused the login"):
        await check_login(config(smtp_auth_server, password="nope"))
    with pytest.raises(MailAuthError, match="does not offer a login"):
        await check_login(config(smtp_server, username="desk", password="x"))


async def test_login_check_on_tls_servers(
    smtp_tls_server: SmtpTestServer, smtp_ssl_server: SmtpTestServer
) -> None:
    await check_login(config(smtp_tls_server))
    await check_login(config(smtp_ssl_server))
    assert smtp_tls_server.logins == ["desk"] and smtp_ssl_server.logins == ["desk"]
    with pytest.raises(MailAuthError):
        await check_login(config(smtp_tls_server, password="nope"))


# -- server refusals ----------------------------------------------------------------------


async def test_451_is_temporary(smtp_flaky_server: FlakyFactory) -> None:
    server = smtp_flaky_server(["451 4.3.0 try later"])
    with pytest.raises(MailTemporaryError) as err:
        await SmtpMailer(config(server)).send(reply())
    assert err.value.data["code"] == 451
    assert err.value.data["recipients"] == {"alice@example.com": "451 4.3.0 try later"}
    assert "451 4.3.0 try later" in str(err.value)
    assert server.messages == []


async def test_550_is_permanent(smtp_flaky_server: FlakyFactory) -> None:
    server = smtp_flaky_server(["550 5.1.1 no such user"])
    with pytest.raises(MailPermanentError) as err:
        await SmtpMailer(config(server)).send(reply())
    assert err.value.data["code"] == 550
    assert err.value.data["recipients"] == {"alice@example.com": "550 5.1.1 no such user"}
    assert "alice@example.com" in str(err.value) and "no such user" in str(err.value)


async def test_temporary_failures_then_success_reuse_the_message(
    smtp_flaky_server: FlakyFactory,
) -> None:
    server = smtp_flaky_server(["451 4.3.0 try later", "421 4.4.5 busy"])
    mailer, msg = SmtpMailer(config(server)), reply()
    for _ in range(2):
        with pytest.raises(MailTemporaryError):
            await mailer.send(msg)
    await mailer.send(msg)
    [got] = server.messages
    assert got.message()["Message-ID"] == msg["Message-ID"]
    assert server.script == []


@pytest.mark.parametrize(
    ("answer", "error", "code"),
    [
        ("554 5.6.0 message refused", MailPermanentError, 554),
        ("452 4.3.1 insufficient storage", MailTemporaryError, 452),
    ],
)
async def test_refusal_after_data(
    smtp_flaky_server: FlakyFactory, answer: str, error: type[Exception], code: int
) -> None:
    server = smtp_flaky_server([answer], stage="data")
    with pytest.raises(error, match="refused the message") as err:
        await SmtpMailer(config(server)).send(reply())
    assert err.value.data["code"] == code  # type: ignore[attr-defined]
    assert server.messages == []


async def test_refused_sender(smtp_flaky_server: FlakyFactory) -> None:
    server = smtp_flaky_server(["553 5.7.1 sender not allowed"], stage="mail")
    with pytest.raises(MailPermanentError, match="refused the sender support@desk.test") as err:
        await SmtpMailer(config(server)).send(reply())
    assert err.value.data["sender"] == "support@desk.test"


async def test_mixed_refusals_of_every_recipient_are_temporary(
    smtp_flaky_server: FlakyFactory,
) -> None:
    server = smtp_flaky_server(["550 5.1.1 no such user", "451 4.3.0 later"])
    with pytest.raises(MailTemporaryError) as err:
        await SmtpMailer(config(server)).send(reply(Cc="bob@example.com"))
    assert set(err.value.data["recipients"]) == {"alice@example.com", "bob@example.com"}


async def test_partial_refusal_delivers_to_the_rest_without_raising(
    smtp_flaky_server: FlakyFactory,
) -> None:
    server = smtp_flaky_server(["250 OK", "550 5.1.1 no such user"])
    mailer = SmtpMailer(config(server))
    await mailer.send(reply(Cc="gone@example.com"))
    [got] = server.messages
    assert got.rcpt_tos == ["alice@example.com"]
    assert mailer.last_refused == {"gone@example.com": "550 5.1.1 no such user"}
    await mailer.send(reply())
    assert mailer.last_refused == {}


# -- network failures ---------------------------------------------------------------------


async def test_nothing_listening_is_a_connection_error(closed_port: int) -> None:
    cfg = SmtpConfig(host="127.0.0.1", port=closed_port, tls="none", local_hostname="d")
    with pytest.raises(MailConnectionError) as err:
        await SmtpMailer(cfg).send(reply())
    assert str(err.value) == (
        f"could not connect to SMTP server 127.0.0.1:{closed_port}: Connection refused"
    )
    assert err.value.data == {"host": "127.0.0.1", "port": closed_port}
    with pytest.raises(MailConnectionError, match="Connection refused"):
        await check_login(cfg)


async def test_a_silent_server_times_out(silent_port: int) -> None:
    cfg = SmtpConfig(host="127.0.0.1", port=silent_port, tls="none", timeout=0.3)
    with pytest.raises(MailConnectionError, match=r"did not answer within 0\.3s") as err:
        await SmtpMailer(cfg).send(reply())
    assert err.value.data["timeout"] == 0.3


@pytest.mark.parametrize("stage", ["rcpt", "data"])
async def test_dropped_connection(smtp_flaky_server: FlakyFactory, stage: str) -> None:
    server = smtp_flaky_server(["drop"], stage=stage)
    with pytest.raises(MailConnectionError, match="closed the connection"):
        await SmtpMailer(config(server)).send(reply())
    assert server.messages == []


async def test_a_message_without_recipients_is_permanent(smtp_server: SmtpTestServer) -> None:
    msg = reply()
    del msg["To"]
    with pytest.raises(MailPermanentError, match="cannot be sent"):
        await SmtpMailer(config(smtp_server)).send(msg)


# -- configuration ------------------------------------------------------------------------


def test_config_is_checked_and_hides_secrets() -> None:
    with pytest.raises(ConfigError, match="tls must be one of"):
        SmtpConfig(host="mail.example.com", tls="tls")  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        SmtpConfig(host="")
    with pytest.raises(ConfigError):
        SmtpConfig(host="mail.example.com", port=0)
    cfg = SmtpConfig(host="mail.example.com", username="u", password="hunter2")
    assert "hunter2" not in repr(cfg)
    assert cfg.address == "mail.example.com:587"
