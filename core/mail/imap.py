"""IMAP mail source on imap-tools: the only module that imports imap_tools.

``ImapSource`` implements ``core.mail.transport.MailSource``: one selected folder, messages
addressed by UID. It is blocking; async callers go through ``asyncio.to_thread``.

Every imap-tools, imaplib, ssl and socket error is translated here into ``core.errors``:
a refused login is ``MailAuthError``; an unreachable, silent or dropped server (and a failed
TLS handshake) is ``MailConnectionError``; any other refusal by the server is ``MailError``.
"""

from __future__ import annotations

import bisect
import email
import imaplib
import re
import socket
import ssl
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

from imap_tools import MailBox, MailBoxUnencrypted
from imap_tools.errors import UnexpectedCommandStatusError
from imap_tools.mailbox import BaseMailBox

from core.errors import ConfigError, MailAuthError, MailConnectionError, MailError
from core.mail.transport import TLS_MODES, FetchedMail, TlsMode

_UID_RE = re.compile(rb"\bUID (\d+)")
_UNSOLICITED = re.compile(rb"\d+ FETCH ")
_SIZE_RE = re.compile(rb"\bRFC822\.SIZE (\d+)")
_FETCH_PARTS = "(UID BODY.PEEK[])"
# servers cap a command line (Dovecot: 64 KiB); a batch's UID set fits unless very sparse
MAX_UID_SET_CHARS = 16_000


@dataclass(frozen=True, slots=True)
class ImapConfig:
    """Where and how to log in. ``password`` and ``oauth2_token`` never appear in repr."""

    host: str
    port: int = 993
    username: str = ""
    password: str = field(default="", repr=False)
    tls: TlsMode = "ssl"
    timeout: float = 30.0
    # None: the system's trusted CAs with host name checking (never imaplib's unverified default)
    ssl_context: ssl.SSLContext | None = field(default=None, repr=False, compare=False)
    # set: log in with AUTHENTICATE XOAUTH2 (user + bearer token) instead of the password
    oauth2_token: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.tls not in TLS_MODES:
            raise ConfigError(
                f"IMAP tls must be one of {', '.join(TLS_MODES)}, not {self.tls!r}", tls=self.tls
            )
        if not self.host:
            raise ConfigError("IMAP host is empty")

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


class ImapSource:
    """A ``MailSource`` over one IMAP connection. Connects on first use; ``close()`` ends it.

    Usable as a context manager. After a connection error the session is dropped; call
    ``open_folder`` again to reconnect.
    """

    def __init__(
        self, config: ImapConfig, *, parse: bool = True, max_batch_bytes: int | None = None
    ) -> None:
        """``parse=False`` hands out raw bytes only (``obj`` None), for a caller that parses
        elsewhere, e.g. in worker processes. ``max_batch_bytes`` bounds what one
        ``fetch_after`` holds in memory, by the sizes the server reports (a message larger
        than that still comes, alone)."""
        self.config = config
        self.parse = parse
        self.max_batch_bytes = max_batch_bytes
        self._sizes: dict[int, int] = {}  # RFC822.SIZE of the UIDs searched, when bounded
        self.folder: str | None = None
        self.uidvalidity: int | None = None
        self._box: BaseMailBox | None = None
        # UIDs above ``_known_after`` that the last UID SEARCH found and fetch_after has not
        # handed out yet: a backlog is searched once, not once per batch.
        self._pending: list[int] = []
        self._known_after = 0
        self._searched = False  # whether _pending comes from a search of this folder

    def __enter__(self) -> ImapSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def connect(self) -> None:
        """Connect and log in, unless already connected."""
        if self._box is None:
            self._box = _connect(self.config)

    def open_folder(self, folder: str) -> int:
        """Select ``folder`` read-write; return its UIDVALIDITY (from the SELECT answer)."""
        self.connect()
        box = self._require_box()
        self.folder = None
        self._pending, self._known_after, self._sizes = [], 0, {}
        self._searched = False
        with self._translate(f"select folder {folder!r}"):
            box.folder.set(folder)
            _, data = box.client.response("UIDVALIDITY")
            if data and data[0]:
                uidvalidity = int(data[0])
            else:  # a server that leaves it out of SELECT still answers STATUS
                uidvalidity = box.folder.status(folder, ["UIDVALIDITY"])["UIDVALIDITY"]
        self.folder, self.uidvalidity = folder, uidvalidity
        return uidvalidity

    def fetch_after(self, last_uid: int, *, limit: int) -> list[FetchedMail]:
        """At most ``limit`` messages with UID > ``last_uid``, in UID order; flags unchanged.

        One ``UID SEARCH`` for the backlog (later batches reuse it; a short one asks again
        for new mail), then one ``UID FETCH`` of ``BODY.PEEK[]`` per batch. ``raw`` is the
        server's bytes exactly as fetched; ``obj`` their compat32 parse.
        """
        if limit < 1:
            raise ValueError(f"limit must be >= 1, not {limit}")
        box = self._selected_box()
        mails: list[FetchedMail] = []
        with self._translate("fetch"):
            while len(mails) < limit:
                wanted = limit - len(mails)
                uids = self._next_uids(box, last_uid, wanted)
                if uids:
                    mails.extend(self._fetch_uids(box, uids))
                if len(uids) < wanted:
                    break  # the server has no more
                # short only when messages were expunged meanwhile: go on past them
                last_uid = uids[-1]
        return mails

    def backlog(self, after_uid: int) -> int | None:
        """UIDs above ``after_uid`` that the last ``UID SEARCH`` found and no fetch has
        taken yet; None when that search does not reach down to ``after_uid``."""
        if not self._searched or after_uid < self._known_after:
            return None
        return len(self._pending) - bisect.bisect_right(self._pending, after_uid)

    def mark_seen(self, uids: Iterable[int]) -> None:
        """Set ``\\Seen`` on ``uids`` with one ``UID STORE`` (ranges compressed)."""
        uid_sets = _uid_sets(uids)
        if not uid_sets:
            return
        box = self._selected_box()
        with self._translate("mark messages seen"):
            for uid_set in uid_sets:  # one, unless the set is too long for one command line
                result = box.client.uid("STORE", uid_set, "+FLAGS.SILENT", r"(\Seen)")
                _check(result, "UID STORE")

    def list_folders(self) -> list[str]:
        """Names of every folder of the account (IMAP LIST)."""
        self.connect()
        box = self._require_box()
        with self._translate("list folders"):
            return [info.name for info in box.folder.list()]

    def close(self) -> None:
        """Log out (best effort) and drop the connection. Safe to call twice."""
        box, self._box = self._box, None
        self.folder, self._pending, self._known_after, self._sizes = None, [], 0, {}
        self._searched = False
        if box is not None:
            _logout(box)

    # -- internals -------------------------------------------------------------------------

    def _require_box(self) -> BaseMailBox:
        if self._box is None:
            raise MailConnectionError(
                f"not connected to IMAP server {self.config.address}", host=self.config.host
            )
        return self._box

    def _selected_box(self) -> BaseMailBox:
        if self.folder is None:
            raise MailError("no IMAP folder selected: call open_folder() first")
        return self._require_box()

    def _next_uids(self, box: BaseMailBox, last_uid: int, limit: int) -> list[int]:
        """The next ``limit`` UIDs above ``last_uid``: from the last search while it covers
        them, else (or to top up a short list) from a new ``UID SEARCH UID n:*``."""
        last_uid = max(last_uid, 0)
        pending: list[int] = []
        if last_uid >= self._known_after:  # the cached list is complete above _known_after
            pending = self._pending[bisect.bisect_right(self._pending, last_uid) :]
        if len(pending) < limit:
            start = pending[-1] if pending else last_uid
            # a selected folder's view moves on at command ends: let mail delivered since
            # then show up in this search
            _check(box.client.noop(), "NOOP")
            found = box.uids(f"UID {start + 1}:*", charset=None)
            # `UID n:*` always matches the highest UID, even when it is below n: filter
            new = sorted(uid for uid in map(int, found) if uid > start)
            if self.max_batch_bytes is not None and new:
                self._sizes.update(self._fetch_sizes(box, new))
            pending += new
            self._searched = True
        batch = pending[:limit]
        if self.max_batch_bytes is not None:
            batch = self._within_bytes(batch, self.max_batch_bytes)
        self._pending = pending[len(batch) :]
        self._known_after = batch[-1] if batch else last_uid
        for uid in batch:
            self._sizes.pop(uid, None)
        return batch

    def _fetch_sizes(self, box: BaseMailBox, uids: Sequence[int]) -> dict[int, int]:
        """RFC822.SIZE of ``uids``: one UID FETCH per search (servers answer it from their
        index)."""
        sizes: dict[int, int] = {}
        for uid_set in _uid_sets(uids):
            result = box.client.uid("FETCH", uid_set, "(RFC822.SIZE)")
            _check(result, "UID FETCH RFC822.SIZE")
            for line in result[1]:
                if isinstance(line, bytes) and (m := _SIZE_RE.search(line)):
                    uid = _UID_RE.search(line)
                    if uid:
                        sizes[int(uid.group(1))] = int(m.group(1))
        return sizes

    def _within_bytes(self, uids: list[int], budget: int) -> list[int]:
        """The longest prefix of ``uids`` whose sizes add up to at most ``budget`` (and at
        least one UID)."""
        total = 0
        for n, uid in enumerate(uids):
            total += self._sizes.get(uid, 0)
            if total > budget and n > 0:
                return uids[:n]
        return uids

    def _fetch_uids(self, box: BaseMailBox, uids: Sequence[int]) -> list[FetchedMail]:
        wanted = set(uids)
        mails: dict[int, FetchedMail] = {}
        for uid_set in _uid_sets(uids):  # one, unless the set is too long for one line
            result = box.client.uid("FETCH", uid_set, _FETCH_PARTS)
            _check(result, "UID FETCH")
            for uid, raw in _fetched_literals(result[1]):
                if uid in wanted and uid not in mails:
                    # the compat32 parse imap-tools' MailMessage.obj does, minus its wrapper
                    obj = _compat32(raw) if self.parse else None
                    mails[uid] = FetchedMail(uid=uid, raw=raw, obj=obj)
        return [mails[uid] for uid in sorted(mails)]

    @contextmanager
    def _translate(self, action: str) -> Iterator[None]:
        """Turn library errors during ``action`` into ``core.errors``; drop a dead session."""
        try:
            yield
        except (imaplib.IMAP4.abort, OSError) as exc:
            self.close()
            raise _connection_error(self.config, exc, during=action) from exc
        except UnexpectedCommandStatusError as exc:
            raise MailError(
                f"IMAP {action} failed on {self.config.address}: {_server_text(exc)}",
                host=self.config.host,
                port=self.config.port,
                server_text=_server_text(exc),
            ) from exc
        except imaplib.IMAP4.error as exc:
            raise MailError(
                f"IMAP {action} failed on {self.config.address}: {exc}",
                host=self.config.host,
                port=self.config.port,
                server_text=str(exc),
            ) from exc


def _connect(config: ImapConfig) -> BaseMailBox:
    """A logged-in imap-tools mailbox (no folder selected). Raises ``core.errors.Mail*``."""
    # built only for TLS: loading the system's CAs costs ~50 ms per connection
    context = None
    if config.tls != "none":
        context = config.ssl_context or ssl.create_default_context()
    try:
        if config.tls == "ssl":
            box: BaseMailBox = MailBox(
                config.host, config.port, timeout=config.timeout, ssl_context=context
            )
        else:
            box = MailBoxUnencrypted(config.host, config.port, timeout=config.timeout)
    except (imaplib.IMAP4.error, OSError) as exc:
        raise _connection_error(config, exc, during="connect") from exc
    try:
        if context is not None and config.tls == "starttls":
            # MailBoxStartTls would do the same but leave the socket open when STARTTLS fails
            _starttls(box, config, context)
        _login(box, config)
    except BaseException:
        _shutdown(box)
        raise
    return box


def test_login(config: ImapConfig, *, folder: str = "INBOX") -> None:
    """Connect, log in and select ``folder``, then log out: for ``desk mailbox test``.

    Returns quietly or raises MailAuthError / MailConnectionError / MailError with the
    server's own words.
    """
    with ImapSource(config) as source:
        source.open_folder(folder)


test_login.__test__ = False  # type: ignore[attr-defined]  # not a pytest test when imported


def raw_fetch_all(config: ImapConfig, folder: str = "INBOX", *, bulk: int | bool = 500) -> int:
    """Benchmark baseline: a plain imap-tools fetch of every message of ``folder``.

    ``mailbox.fetch(mark_seen=False, bulk=...)`` parses each message (as ``fetch_after``
    does); returns how many were fetched.
    """
    box = _connect(config)
    try:
        box.folder.set(folder)
        return sum(1 for _ in box.fetch(mark_seen=False, bulk=bulk))
    except (imaplib.IMAP4.abort, OSError) as exc:
        raise _connection_error(config, exc, during="fetch") from exc
    except (UnexpectedCommandStatusError, imaplib.IMAP4.error) as exc:
        raise MailError(f"IMAP fetch of {folder!r} failed on {config.address}: {exc}") from exc
    finally:
        _logout(box)


def compress_uids(uids: Iterable[int]) -> str:
    """An IMAP sequence set for ``uids``: ``[1, 2, 3, 5, 7, 8] -> "1:3,5,7:8"``."""
    ordered = sorted(set(uids))
    if ordered and ordered[0] < 1:
        raise ValueError(f"IMAP UIDs start at 1, got {ordered[0]}")
    parts: list[str] = []
    start = prev = None
    for uid in ordered:
        if prev is not None and uid == prev + 1:
            prev = uid
            continue
        if start is not None:
            parts.append(str(start) if start == prev else f"{start}:{prev}")
        start = prev = uid
    if start is not None:
        parts.append(str(start) if start == prev else f"{start}:{prev}")
    return ",".join(parts)


# -- helpers -------------------------------------------------------------------------------


def _uid_sets(uids: Iterable[int]) -> list[str]:
    """``compress_uids`` cut at commas into pieces of at most ``MAX_UID_SET_CHARS``."""
    max_chars = MAX_UID_SET_CHARS
    pieces: list[str] = []
    for part in compress_uids(uids).split(","):
        if not part:
            continue
        if pieces and len(pieces[-1]) + 1 + len(part) <= max_chars:
            pieces[-1] += "," + part
        else:
            pieces.append(part)
    return pieces


def _starttls(box: BaseMailBox, config: ImapConfig, context: ssl.SSLContext) -> None:
    if "STARTTLS" not in box.client.capabilities:
        raise MailConnectionError(
            f"IMAP server {config.address} does not offer STARTTLS "
            "(use tls='ssl' for an implicit-TLS port such as 993)",
            host=config.host,
            port=config.port,
            reason="no STARTTLS",
        )
    try:
        box.client.starttls(context)
    except imaplib.IMAP4.abort as exc:
        raise _connection_error(config, exc, during="STARTTLS") from exc
    except imaplib.IMAP4.error as exc:
        raise MailConnectionError(
            f"IMAP server {config.address} refused STARTTLS: {exc} "
            "(use tls='ssl' for an implicit-TLS port such as 993, or tls='none')",
            host=config.host,
            port=config.port,
            server_text=str(exc),
        ) from exc
    except OSError as exc:
        raise _connection_error(config, exc, during="STARTTLS") from exc


def _login(box: BaseMailBox, config: ImapConfig) -> None:
    try:
        if config.oauth2_token is not None:
            box.xoauth2(config.username, config.oauth2_token, initial_folder=None)
        elif config.username.isascii() and config.password.isascii():
            box.login(config.username, config.password, initial_folder=None)
        else:  # LOGIN is ASCII-only in imaplib; SASL PLAIN carries UTF-8
            box.login_utf8(config.username, config.password, initial_folder=None)
    except imaplib.IMAP4.abort as exc:
        raise _connection_error(config, exc, during="login") from exc
    except (UnexpectedCommandStatusError, imaplib.IMAP4.error) as exc:
        text = _server_text(exc)
        method = "XOAUTH2 login" if config.oauth2_token is not None else "login"
        raise MailAuthError(
            f"IMAP {method} failed for {config.username} on {config.address}: {text}",
            host=config.host,
            port=config.port,
            user=config.username,
            server_text=text,
        ) from exc
    except OSError as exc:
        raise _connection_error(config, exc, during="login") from exc


def _connection_error(
    config: ImapConfig, exc: BaseException, *, during: str
) -> MailConnectionError:
    address = config.address
    if isinstance(exc, ssl.SSLCertVerificationError):
        reason = f"TLS certificate not trusted: {exc.verify_message or exc}"
    elif isinstance(exc, ssl.SSLError):
        reason = (
            f"TLS handshake failed ({exc.reason or exc}); "
            f"is tls={config.tls!r} right for port {config.port}?"
        )
    elif isinstance(exc, socket.gaierror):
        reason = f"cannot resolve host name {config.host!r}: {exc.strerror or exc}"
    elif isinstance(exc, TimeoutError):
        reason = f"no answer within {config.timeout:g} s"
    elif isinstance(exc, ConnectionRefusedError):
        reason = "connection refused"
    elif isinstance(exc, imaplib.IMAP4.abort):
        reason = f"connection dropped ({exc})"
    elif isinstance(exc, OSError):
        reason = exc.strerror or str(exc) or type(exc).__name__
    else:
        reason = str(exc) or type(exc).__name__
    return MailConnectionError(
        f"IMAP connection to {address} failed during {during}: {reason}",
        host=config.host,
        port=config.port,
        during=during,
        reason=reason,
    )


def _fetched_literals(data: list[Any]) -> Iterator[tuple[int, bytes]]:
    """(uid, body) pairs from imaplib's UID FETCH data, the body exactly as sent.

    imaplib gives each message as ``(b'3 (UID 7 BODY[] {123}', body)`` followed by the rest
    of the line (``b')'``, or ``b' UID 7)'`` from servers that put UID after the body).
    Unsolicited FETCH lines (flag updates from other sessions) are skipped.
    """
    waiting: bytes | None = None  # a body whose UID has not been seen yet
    for item in data:
        if isinstance(item, tuple):
            header, body = item
            match = _UID_RE.search(header)
            if match:
                waiting = None
                yield int(match.group(1)), body
            else:
                waiting = body
        elif waiting is not None and isinstance(item, bytes) and not _UNSOLICITED.match(item):
            match = _UID_RE.search(item)
            if match:
                yield int(match.group(1)), waiting
                waiting = None


def _check(result: tuple[str, list[Any]], command: str) -> None:
    if result[0] != "OK":
        raise imaplib.IMAP4.error(f"{command} answered {result[0]}: {_join(result[1])}")


def _server_text(exc: BaseException) -> str:
    result = getattr(exc, "command_result", None)
    if result is not None:
        return _join(result[1])
    return str(exc)


def _join(data: Iterable[Any]) -> str:
    parts = []
    for item in data or ():
        if isinstance(item, tuple):
            item = item[0]
        if isinstance(item, bytes):
            item = item.decode("utf-8", "replace")
        if item:
            parts.append(str(item))
    return " ".join(parts)


def _logout(box: BaseMailBox) -> None:
    with suppress(imaplib.IMAP4.error, OSError):
        box.client.logout()
    _shutdown(box)


def _shutdown(box: BaseMailBox) -> None:
    with suppress(OSError, ValueError):
        box.client.shutdown()


def _compat32(raw: bytes) -> email.message.Message | None:
    """The stdlib parse imap-tools does; None when hostile mail makes the stdlib raise
    (the desk's parser then reads it its own way, or quarantines it)."""
    try:
        return email.message_from_bytes(raw)
    except (ValueError, LookupError, TypeError):
        return None
