"""core.mail.imap against a real Dovecot (tests/support/dovecot.py): paging by UID, exact
bytes, \\Seen, UIDVALIDITY, login and connection errors, TLS modes, XOAUTH2."""

from __future__ import annotations

import imaplib
import socket
import threading
from collections.abc import Iterator
from contextlib import closing
from dataclasses import replace
from email.message import Message

import pytest

from core.errors import ConfigError, MailAuthError, MailConnectionError, MailError
from core.mail.imap import ImapConfig, ImapSource, compress_uids, raw_fetch_all, test_login
from tests.support.dovecot import DovecotServer, ImapAccount, free_port, new_account

pytestmark = pytest.mark.dovecot


def mail(number: int, *, body: str = "My order has not arrived.") -> bytes:
    return (
        f"From: Customer {number} <c{number}@example.com>\r\n"
        "To: support@desk.test\r\n"
        f"Subject: Help {number}\r\n"
        f"Message-ID: <m{number}@example.com>\r\n"
        "\r\n"
        f"{body}\r\n"
    ).encode()


@pytest.fixture
def source(imap_account: ImapAccount) -> Iterator[ImapSource]:
    with ImapSource(imap_account.config) as opened:
        yield opened


@pytest.fixture
def imap_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    """Every ``UID`` command imaplib sends, as (command, args...)."""
    calls: list[tuple[str, ...]] = []
    original = imaplib.IMAP4.uid

    def spy(self: imaplib.IMAP4, command: str, *args: str) -> tuple[str, list[object]]:
        calls.append((command.upper(), *(a.decode() if isinstance(a, bytes) else a for a in args)))
        return original(self, command, *args)

    monkeypatch.setattr(imaplib.IMAP4, "uid", spy)
    return calls


# -- paging by UID -------------------------------------------------------------------------


def test_fetch_after_pages_in_uid_order_with_one_fetch_per_batch(
    imap_account: ImapAccount, source: ImapSource, imap_calls: list[tuple[str, ...]]
) -> None:
    uidvalidity, uids = imap_account.append_many([mail(n) for n in range(7)])
    assert uids == [1, 2, 3, 4, 5, 6, 7]

    assert source.open_folder("INBOX") == uidvalidity
    pages = []
    last = 0
    while batch := source.fetch_after(last, limit=3):
        pages.append([m.uid for m in batch])
        last = batch[-1].uid

    assert pages == [[1, 2, 3], [4, 5, 6], [7]]
    fetches = [call for call in imap_calls if call[0] == "FETCH"]
    assert [call[1] for call in fetches] == ["1:3", "4:6", "7"]
    # one search for the backlog; a short batch asks again whether new mail came
    searches = [call for call in imap_calls if call[0] == "SEARCH"]
    assert searches == [("SEARCH", "UID 1:*"), ("SEARCH", "UID 8:*"), ("SEARCH", "UID 8:*")]
    # BODY.PEEK: fetching leaves the flags alone
    assert imap_account.flags() == {uid: set() for uid in uids}


def test_backlog_counts_what_the_last_search_found_and_no_fetch_took(
    imap_account: ImapAccount, source: ImapSource, imap_calls: list[tuple[str, ...]]
) -> None:
    imap_account.append_many([mail(n) for n in range(7)])
    source.open_folder("INBOX")
    assert source.backlog(0) is None  # nothing searched yet: unknown, not zero
    batch = source.fetch_after(0, limit=3)
    assert source.backlog(batch[-1].uid) == 4 and source.backlog(5) == 2
    assert source.backlog(0) is None  # the search started above the first batch
    imap_account.append(mail(8))  # delivered after the search: not counted until searched
    assert source.backlog(source.fetch_after(3, limit=4)[-1].uid) == 0
    assert [call for call in imap_calls if call[0] == "SEARCH"] == [("SEARCH", "UID 1:*")]


def test_batches_stop_at_the_byte_budget(
    imap_account: ImapAccount, imap_calls: list[tuple[str, ...]]
) -> None:
    """A batch holds at most ``max_batch_bytes`` of mail by the server's RFC822.SIZE; a
    message bigger than the budget still comes, alone; every message comes once, in order."""
    bodies = ["a" * 1000, "b" * 1000, "c" * 5000, "d" * 1000, "e" * 1000, "f" * 1000]
    _, uids = imap_account.append_many([mail(n, body=b) for n, b in enumerate(bodies)])
    sizes = {uid: len(mail(n, body=b)) for uid, (n, b) in zip(uids, enumerate(bodies), strict=True)}
    budget = sizes[uids[0]] + sizes[uids[1]]  # two small ones fit, not a third
    with ImapSource(imap_account.config, max_batch_bytes=budget) as source:
        source.open_folder("INBOX")
        pages, last = [], 0
        while batch := source.fetch_after(last, limit=10):
            pages.append([m.uid for m in batch])
            last = batch[-1].uid
    assert pages == [uids[0:2], uids[2:3], uids[3:5], uids[5:6]]
    assert all(sum(sizes[u] for u in page) <= budget for page in pages if len(page) > 1)
    # sizes asked once for the backlog, next to its one search
    size_fetches = [call for call in imap_calls if call[-1] == "(RFC822.SIZE)"]
    assert len(size_fetches) == 1


def test_without_a_budget_no_sizes_are_asked(
    imap_account: ImapAccount, source: ImapSource, imap_calls: list[tuple[str, ...]]
) -> None:
    imap_account.append_many([mail(n) for n in range(3)])
    source.open_folder("INBOX")
    assert len(source.fetch_after(0, limit=10)) == 3
    assert not [call for call in imap_calls if call[-1] == "(RFC822.SIZE)"]


def test_uid_star_quirk_returns_nothing_past_the_last_uid(imap_account: ImapAccount) -> None:
    imap_account.append_many([mail(n) for n in range(3)])
    with ImapSource(imap_account.config) as fresh:  # no cached search: asks the server
        fresh.open_folder("INBOX")
        # the server answers `UID SEARCH UID 4:*` with UID 3, the highest one
        assert fresh.fetch_after(3, limit=10) == []
        assert fresh.fetch_after(99, limit=10) == []
        assert [m.uid for m in fresh.fetch_after(2, limit=10)] == [3]


def test_mail_arriving_between_batches_comes_after_the_backlog(
    imap_account: ImapAccount, source: ImapSource
) -> None:
    imap_account.append_many([mail(n) for n in range(3)])
    source.open_folder("INBOX")
    assert [m.uid for m in source.fetch_after(0, limit=2)] == [1, 2]

    imap_account.append_many([mail(n) for n in range(3, 5)])

    assert [m.uid for m in source.fetch_after(2, limit=2)] == [3, 4]
    assert [m.uid for m in source.fetch_after(4, limit=2)] == [5]
    assert source.fetch_after(5, limit=2) == []
    # a caller that goes back (its commit failed) gets the same mail again
    assert [m.uid for m in source.fetch_after(1, limit=2)] == [2, 3]


def test_sparse_and_meanwhile_expunged_uids_are_skipped(
    dovecot: DovecotServer, imap_account: ImapAccount, source: ImapSource
) -> None:
    imap_account.append_many([mail(n) for n in range(8)])
    source.open_folder("INBOX")
    assert [m.uid for m in source.fetch_after(0, limit=1)] == [1]  # search cached 2..8

    with dovecot.connect(imap_account.user, imap_account.password) as other:
        other.select("INBOX")
        other.uid("STORE", "2:4,6", "+FLAGS", r"(\Deleted)")
        other.expunge()

    assert [m.uid for m in source.fetch_after(1, limit=3)] == [5, 7, 8]
    assert source.fetch_after(8, limit=3) == []


def test_fetch_after_needs_a_folder_and_a_positive_limit(source: ImapSource) -> None:
    with pytest.raises(MailError, match="open_folder"):
        source.fetch_after(0, limit=10)
    source.open_folder("INBOX")
    with pytest.raises(ValueError, match="limit"):
        source.fetch_after(0, limit=0)
    assert source.fetch_after(0, limit=10) == []


def test_missing_folder_is_a_mail_error_naming_it(source: ImapSource) -> None:
    with pytest.raises(MailError, match="'Nope'") as caught:
        source.open_folder("Nope")
    assert not isinstance(caught.value, MailAuthError | MailConnectionError)
    assert "exist" in str(caught.value)


# -- exact bytes ---------------------------------------------------------------------------


RAW_MESSAGES = [
    mail(1),
    # 8-bit Latin-1 body, folded header, odd spacing, a lone "." and a "From " line
    b"From: =?iso-8859-1?q?Ren=E9?= <rene@example.fr>\r\n"
    b"Subject: Probl\xe8me de facture\r\n"
    b"X-Long: one\r\n\ttwo\r\n   three  \r\n"
    b"Content-Type: text/plain; charset=iso-8859-1\r\n"
    b"Content-Transfer-Encoding: 8bit\r\n"
    b"\r\n"
    b"Bonjour,\r\n.\r\nFrom here on: \xe9t\xe9  \r\n\r\n\r\n",
    # multipart with a base64 attachment, no Message-ID
    b"From: a@example.com\r\n"
    b"Subject: attachment\r\n"
    b"MIME-Version: 1.0\r\n"
    b'Content-Type: multipart/mixed; boundary="b1"\r\n'
    b"\r\n"
    b"--b1\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
    b"--b1\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    b"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\r\n"
    b"--b1--\r\n",
]


def test_raw_is_byte_for_byte_what_was_appended(
    imap_account: ImapAccount, source: ImapSource
) -> None:
    _, uids = imap_account.append_many(RAW_MESSAGES)
    source.open_folder("INBOX")

    fetched = source.fetch_after(0, limit=10)

    assert [m.uid for m in fetched] == uids
    for item, raw in zip(fetched, RAW_MESSAGES, strict=True):
        assert item.raw == raw
        assert isinstance(item.obj, Message)
    assert fetched[0].obj["Subject"] == "Help 1"
    assert (
        fetched[1].obj.get_payload(decode=True)
        == b"Bonjour,\r\n.\r\nFrom here on: \xe9t\xe9  \r\n\r\n\r\n"
    )
    assert fetched[2].obj.is_multipart()


# -- \Seen ---------------------------------------------------------------------------------


def test_mark_seen_flags_exactly_those_uids_with_one_store(
    imap_account: ImapAccount, source: ImapSource, imap_calls: list[tuple[str, ...]]
) -> None:
    imap_account.append_many([mail(n) for n in range(7)])
    imap_account.append(mail(99), flags=[r"\Flagged"])  # uid 8 keeps its own flag
    source.open_folder("INBOX")

    source.mark_seen([5, 2, 3, 7, 3])
    source.mark_seen([])

    stores = [call for call in imap_calls if call[0] == "STORE"]
    assert stores == [("STORE", "2:3,5,7", "+FLAGS.SILENT", r"(\Seen)")]
    assert imap_account.flags() == {
        1: set(),
        2: {r"\Seen"},
        3: {r"\Seen"},
        4: set(),
        5: {r"\Seen"},
        6: set(),
        7: {r"\Seen"},
        8: {r"\Flagged"},
    }


def test_compress_uids() -> None:
    assert compress_uids([8, 1, 2, 3, 5, 7, 2]) == "1:3,5,7:8"
    assert compress_uids([42]) == "42"
    assert compress_uids([]) == ""
    with pytest.raises(ValueError):
        compress_uids([0, 1])


def test_very_sparse_sets_are_cut_below_the_line_limit(
    imap_account: ImapAccount,
    source: ImapSource,
    imap_calls: list[tuple[str, ...]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("core.mail.imap.MAX_UID_SET_CHARS", 5)
    imap_account.append_many([mail(n) for n in range(9)])
    source.open_folder("INBOX")

    source.mark_seen([1, 3, 5, 7, 9])
    assert [m.uid for m in source.fetch_after(0, limit=9)] == list(range(1, 10))

    stores = [call[1] for call in imap_calls if call[0] == "STORE"]
    assert stores == ["1,3,5", "7,9"]
    assert {uid for uid, flags in imap_account.flags().items() if flags} == {1, 3, 5, 7, 9}


# -- UIDVALIDITY ---------------------------------------------------------------------------


@pytest.mark.parametrize("folder", ["INBOX", "Support"])
def test_uidvalidity_changes_after_reset_folder(imap_account: ImapAccount, folder: str) -> None:
    if folder != "INBOX":
        imap_account.create_folder(folder)
    before, first = imap_account.append(mail(1), folder=folder)
    with ImapSource(imap_account.config) as source:
        assert source.open_folder(folder) == before
        assert [m.uid for m in source.fetch_after(0, limit=5)] == [first]

    after = imap_account.reset_folder(folder)

    assert after != before
    with ImapSource(imap_account.config) as source:
        assert source.open_folder(folder) == after
        assert source.uidvalidity == after
        assert source.fetch_after(0, limit=5) == []
    assert imap_account.append(mail(2), folder=folder) == (after, 1)


def test_list_folders(imap_account: ImapAccount, source: ImapSource) -> None:
    imap_account.create_folder("Support")
    assert set(source.list_folders()) >= {"INBOX", "Support"}


# -- login ---------------------------------------------------------------------------------


def test_wrong_password_is_an_auth_error_with_the_servers_words(
    imap_account: ImapAccount,
) -> None:
    config = replace(imap_account.config, password="wrong")
    with pytest.raises(MailAuthError) as caught:
        ImapSource(config).open_folder("INBOX")
    message = str(caught.value)
    assert imap_account.user in message
    assert f"{config.host}:{config.port}" in message
    assert "AUTHENTICATIONFAILED" in message
    assert caught.value.data["server_text"].startswith("[AUTHENTICATIONFAILED]")
    assert "wrong" not in message


def test_unknown_user_is_an_auth_error(imap_account: ImapAccount) -> None:
    config = replace(imap_account.config, username="nobody@desk.test")
    with pytest.raises(MailAuthError, match="login failed for nobody@desk.test"):
        test_login(config)


def test_test_login_passes_and_checks_the_folder(imap_account: ImapAccount) -> None:
    test_login(imap_account.config)
    with pytest.raises(MailError, match="Archive"):
        test_login(imap_account.config, folder="Archive")


def test_changed_password_is_picked_up_without_restart(
    dovecot: DovecotServer, imap_account: ImapAccount
) -> None:
    dovecot.add_user(imap_account.user, "the-new-one")
    with pytest.raises(MailAuthError):
        test_login(imap_account.config)
    test_login(replace(imap_account.config, password="the-new-one"))


def test_non_ascii_password_logs_in(dovecot: DovecotServer) -> None:
    account = new_account(dovecot)
    dovecot.add_user(account.user, "pässwörd-ünïcode")
    test_login(replace(account.config, password="pässwörd-ünïcode"))


def test_xoauth2_login(imap_account: ImapAccount) -> None:
    # the test Dovecot checks the bearer token against the passwd-file password
    config = replace(imap_account.config, password="", oauth2_token=imap_account.password)
    imap_account.append(mail(1))
    with ImapSource(config) as source:
        source.open_folder("INBOX")
        assert [m.uid for m in source.fetch_after(0, limit=5)] == [1]
    with pytest.raises(MailAuthError, match="XOAUTH2 login failed"):
        test_login(replace(config, oauth2_token="expired-token"))


def test_bad_tls_mode_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="tls"):
        ImapConfig(host="imap.example.com", tls="tls")  # type: ignore[arg-type]


# -- connection errors ---------------------------------------------------------------------


def test_closed_port_is_a_connection_error_naming_host_and_port() -> None:
    port = free_port()
    config = ImapConfig(host="127.0.0.1", port=port, username="u", password="p", tls="none")
    with pytest.raises(MailConnectionError) as caught:
        test_login(config)
    assert f"127.0.0.1:{port}" in str(caught.value)
    assert "refused" in str(caught.value)


def test_silent_server_times_out() -> None:
    with closing(socket.socket()) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()  # accepts into the backlog, never says hello
        port = listener.getsockname()[1]
        config = ImapConfig(host="127.0.0.1", port=port, tls="none", timeout=0.3)
        with pytest.raises(MailConnectionError, match=r"no answer within 0\.3 s"):
            test_login(config)


def test_server_hanging_up_is_a_connection_error(
    imap_account: ImapAccount, source: ImapSource
) -> None:
    imap_account.append(mail(1))
    source.open_folder("INBOX")
    imap_account.kick()
    with pytest.raises(MailConnectionError, match="fetch"):
        source.fetch_after(0, limit=5)
    # the dead session is dropped; selecting again reconnects
    source.open_folder("INBOX")
    assert [m.uid for m in source.fetch_after(0, limit=5)] == [1]


# -- TLS -----------------------------------------------------------------------------------


@pytest.mark.parametrize("tls", ["ssl", "starttls"])
def test_tls_modes_fetch_for_real(imap_account: ImapAccount, tls: str) -> None:
    config = imap_account.tls_config(tls)  # type: ignore[arg-type]
    _, uid = imap_account.append(RAW_MESSAGES[1])
    plain = imap_account.logins(at_least=1)  # the fixture's APPEND, over plain IMAP
    with ImapSource(config) as source:
        source.open_folder("INBOX")
        [fetched] = source.fetch_after(0, limit=5)
    assert (fetched.uid, fetched.raw) == (uid, RAW_MESSAGES[1])
    # Dovecot's log marks the encrypted login
    logins = imap_account.logins(at_least=len(plain) + 1)
    assert len(logins) == len(plain) + 1
    assert ", TLS," in logins[-1]
    assert all(", TLS," not in line for line in plain)


@pytest.mark.parametrize("tls", ["ssl", "starttls"])
def test_untrusted_certificate_is_refused_by_default(imap_account: ImapAccount, tls: str) -> None:
    # no ssl_context: the system CAs, which do not know the test certificate
    config = replace(imap_account.tls_config(tls), ssl_context=None)  # type: ignore[arg-type]
    with pytest.raises(MailConnectionError, match="certificate not trusted"):
        test_login(config)


def test_implicit_tls_against_a_plain_port_says_so(imap_account: ImapAccount) -> None:
    config = replace(imap_account.tls_config("ssl"), port=imap_account.config.port)
    with pytest.raises(MailConnectionError, match="TLS handshake failed.*tls='ssl'"):
        test_login(config)


def test_starttls_against_a_server_without_it_says_so() -> None:
    with _plain_imap_server(capabilities=b"IMAP4rev1 AUTH=PLAIN") as port:
        config = ImapConfig(host="127.0.0.1", port=port, tls="starttls", timeout=5)
        with pytest.raises(MailConnectionError, match="does not offer STARTTLS"):
            test_login(config)


# -- baseline for the benchmark ------------------------------------------------------------


def test_raw_fetch_all_counts_every_message_and_leaves_them_unseen(
    imap_account: ImapAccount,
) -> None:
    imap_account.append_many([mail(n) for n in range(25)])
    assert raw_fetch_all(imap_account.config, "INBOX", bulk=10) == 25
    assert all(flags == set() for flags in imap_account.flags().values())


# -- helpers -------------------------------------------------------------------------------


class _plain_imap_server:  # noqa: N801 - used as a context manager like a function
    """A one-connection fake IMAP server that offers no STARTTLS."""

    def __init__(self, *, capabilities: bytes) -> None:
        self.capabilities = capabilities
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> int:
        self.thread.start()
        return int(self.listener.getsockname()[1])

    def __exit__(self, *exc: object) -> None:
        self.listener.close()
        self.thread.join(5)

    def _serve(self) -> None:
        try:
            conn, _ = self.listener.accept()
        except OSError:
            return
        with conn, conn.makefile("rb") as lines:
            conn.sendall(b"* OK fake ready\r\n")
            for line in lines:
                tag, _, command = line.strip().partition(b" ")
                if command.upper() == b"CAPABILITY":
                    conn.sendall(b"* CAPABILITY " + self.capabilities + b"\r\n")
                    conn.sendall(tag + b" OK done\r\n")
                elif command.upper() == b"LOGOUT":
                    conn.sendall(b"* BYE\r\n" + tag + b" OK bye\r\n")
                    return
                else:
                    conn.sendall(tag + b" BAD unknown\r\n")
