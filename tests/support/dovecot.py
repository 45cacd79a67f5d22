"""A private Dovecot IMAP server for the session, and a fresh account per test.

``dovecot`` (session): starts ``dovecot -F`` with its own config in a temp dir on two free
loopback ports (``port``: plain IMAP + STARTTLS, ``ssl_port``: implicit TLS), with a
self-signed certificate made by ``cryptography`` (``cafile`` / ``ssl_context()`` trust it).
Logins: LOGIN, PLAIN and XOAUTH2; for XOAUTH2 the passwd-file password is the bearer token.
Stopped at session end by the pid in ``<dir>/run/master.pid``.

``imap_account`` (function): a new user with its own mail folders on that server, and an
``ImapConfig`` for it, so tests are isolated without restarting Dovecot.

Mail goes in with IMAP APPEND (MULTIAPPEND + LITERAL+ for many at once), byte for byte.
A missing ``dovecot`` binary, or a server that will not start, skips the tests (fails them
with ``DESK_REQUIRE_SERVICES=1``) with the reason and the log tail.
"""

from __future__ import annotations

import datetime
import grp
import imaplib
import ipaddress
import itertools
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from core.mail.imap import ImapConfig
from core.mail.transport import TlsMode
from tests.support.leaks import register_secret
from tests.support.services import unavailable

INSTALL_HINT = "dovecot not installed: apt-get install dovecot-imapd"
START_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0
MULTIAPPEND_CHUNK = 500  # messages per APPEND command in append_many
ACCOUNT_POOL = 64  # users written before start (and per refill): no passwd-file reload wait
USER_SYNC_TIMEOUT = 5.0

_APPENDUID = re.compile(rb"\[APPENDUID (\d+) ([\d:,]+)\]")
_FETCH_FLAGS = re.compile(rb"UID (\d+) FLAGS \(([^)]*)\)|FLAGS \(([^)]*)\) UID (\d+)")
_SAFE_FOLDER = re.compile(r"^[A-Za-z0-9 ._/-]+$")


def find_dovecot() -> str | None:
    """The dovecot binary: $DOVECOT_BIN, PATH, or /usr/sbin (not on PATH for most users)."""
    candidates = [os.environ.get("DOVECOT_BIN"), shutil.which("dovecot"), "/usr/sbin/dovecot"]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class DovecotStartError(RuntimeError):
    pass


@dataclass
class DovecotServer:
    """A running private Dovecot. Helpers log in as the given user over plain IMAP."""

    dir: Path
    port: int
    ssl_port: int
    host: str = "127.0.0.1"
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    binary: str = "dovecot"
    _users: dict[str, str] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _pool: list[tuple[str, str]] = field(default_factory=list, repr=False)
    _users_mtime: int = 0

    @property
    def cafile(self) -> Path:
        return self.dir / "cert.pem"

    @property
    def users_file(self) -> Path:
        return self.dir / "users"

    @property
    def log_file(self) -> Path:
        return self.dir / "dovecot.log"

    def ssl_context(self) -> ssl.SSLContext:
        """A verifying client context that trusts this server's certificate."""
        return ssl.create_default_context(cafile=str(self.cafile))

    def config(
        self, user: str, password: str, *, tls: TlsMode = "none", timeout: float = 10.0
    ) -> ImapConfig:
        """An ImapConfig for ``user``: ``ssl`` uses ``ssl_port``, the others ``port``."""
        return ImapConfig(
            host=self.host,
            port=self.ssl_port if tls == "ssl" else self.port,
            username=user,
            password=password,
            tls=tls,
            timeout=timeout,
            ssl_context=self.ssl_context() if tls != "none" else None,
        )

    # -- accounts ----------------------------------------------------------------------------

    def add_user(self, email: str, password: str, *, wait: bool = True) -> None:
        """Add a login, or change its password, and (``wait``) return once Dovecot takes it.

        Dovecot stats its passwd-file at most once per second and reloads it when mtime or
        size changed; each write here gets a later mtime, then a login is retried (up to
        ``USER_SYNC_TIMEOUT``) until it works: at most about a second.
        """
        register_secret(password)  # tests.support.leaks: never in a log or a response
        self._write_users({email: password})
        if wait and self.process is not None:
            self.wait_for_login(email, password)

    def take_account(self) -> tuple[str, str]:
        """A never-used (user, password) from the pool, which refills itself when empty."""
        with self._lock:
            if self._pool:
                return self._pool.pop()
        fresh = {_new_user(): _new_password() for _ in range(ACCOUNT_POOL)}
        self._write_users(fresh)
        user, password = next(iter(fresh.items()))
        self.wait_for_login(user, password)
        with self._lock:
            self._pool.extend(fresh.items())
            return self._pool.pop()

    def wait_for_login(self, user: str, password: str) -> None:
        deadline = time.monotonic() + USER_SYNC_TIMEOUT
        while True:
            try:
                with self.connect(user, password):
                    return
            except imaplib.IMAP4.error:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"Dovecot did not pick up passwd-file user {user} within "
                        f"{USER_SYNC_TIMEOUT:g} s:\n{self.log_tail()}"
                    ) from None
                time.sleep(0.05)

    def _write_users(self, users: dict[str, str]) -> None:
        for email, password in users.items():
            for value in (email, password):
                if not value or any(ch in value for ch in ":\r\n\0"):
                    raise ValueError(f"not usable in a passwd-file: {value!r}")
        with self._lock:
            self._users.update(users)
            lines = "".join(f"{user}:{{PLAIN}}{pw}\n" for user, pw in self._users.items())
            tmp = self.users_file.with_suffix(".tmp")
            tmp.write_text(lines, encoding="utf-8")
            # Dovecot compares whole-second mtimes: make every version's mtime distinct
            self._users_mtime = max(int(time.time()), self._users_mtime + 1)
            os.utime(tmp, (self._users_mtime, self._users_mtime))
            os.replace(tmp, self.users_file)  # readers see the old file or the new one

    def logins(self, user: str, *, at_least: int = 1, timeout: float = 2.0) -> list[str]:
        """Dovecot's ``Login:`` log lines for ``user`` (they say ``TLS`` when encrypted);
        waits up to ``timeout`` for ``at_least`` of them (the log is written asynchronously).
        """
        deadline = time.monotonic() + timeout
        while True:
            text = self.log_file.read_text(errors="replace") if self.log_file.exists() else ""
            lines = [line for line in text.splitlines() if f"Login: user=<{user}>" in line]
            if len(lines) >= at_least or time.monotonic() > deadline:
                return lines
            time.sleep(0.05)

    def kick(self, user: str) -> None:
        """Drop every IMAP connection of ``user`` (``doveadm kick``): a server-side hang-up."""
        sibling = Path(self.binary).with_name("doveadm")
        doveadm = (
            str(sibling) if sibling.exists() else shutil.which("doveadm") or "/usr/bin/doveadm"
        )
        subprocess.run(
            [doveadm, "-c", str(self.dir / "dovecot.conf"), "kick", user],
            check=True,
            capture_output=True,
            timeout=10,
        )

    def mail_dir(self, user: str) -> Path:
        return self.dir / "mail" / user

    # -- mail --------------------------------------------------------------------------------

    @contextmanager
    def connect(self, user: str, password: str) -> Iterator[imaplib.IMAP4]:
        """A logged-in stdlib imaplib connection (plain IMAP on ``port``)."""
        conn = imaplib.IMAP4(self.host, self.port, timeout=10)
        try:
            secret = b"\0" + user.encode() + b"\0" + password.encode()
            conn.authenticate("PLAIN", lambda _challenge: secret)  # UTF-8 safe, unlike LOGIN
            yield conn
        finally:
            try:
                conn.logout()
            except (imaplib.IMAP4.error, OSError):
                conn.shutdown()

    def append(
        self,
        user: str,
        password: str,
        raw: bytes,
        folder: str = "INBOX",
        flags: Iterable[str] = (),
    ) -> tuple[int, int]:
        """APPEND one message byte for byte; returns (uidvalidity, uid) from APPENDUID."""
        uidvalidity, uids = self.append_many(user, password, [raw], folder, flags=flags)
        return uidvalidity, uids[0]

    def append_many(
        self,
        user: str,
        password: str,
        raws: Iterable[bytes],
        folder: str = "INBOX",
        *,
        flags: Iterable[str] = (),
    ) -> tuple[int, list[int]]:
        """APPEND many messages on one connection, ``MULTIAPPEND_CHUNK`` per command
        (MULTIAPPEND with LITERAL+: no round trip per message). Returns (uidvalidity, uids).
        """
        mailbox = _quote_folder(folder)
        flag_list = " ".join(flags)
        flag_part = f" ({flag_list})".encode() if flag_list else b""
        uidvalidity = 0
        uids: list[int] = []
        with self.connect(user, password) as conn:
            for number, chunk in enumerate(_chunks(raws, MULTIAPPEND_CHUNK)):
                tag = f"DESKAPPEND{number}".encode()
                command = bytearray(tag + b" APPEND " + mailbox)
                for raw in chunk:
                    if b"\0" in raw:
                        raise ValueError("IMAP APPEND cannot carry NUL bytes")
                    command += flag_part + b" {%d+}\r\n" % len(raw) + raw
                command += b"\r\n"
                conn.send(bytes(command))
                answer = _read_tagged(conn, tag)
                match = _APPENDUID.search(answer)
                if not answer.startswith(tag + b" OK") or match is None:
                    raise RuntimeError(f"APPEND to {folder!r} failed: {answer!r}")
                uidvalidity = int(match.group(1))
                uids.extend(_expand_uid_set(match.group(2).decode()))
        return uidvalidity, uids

    def create_folder(self, user: str, password: str, folder: str) -> None:
        with self.connect(user, password) as conn:
            _ok(conn.create(_quote_folder(folder).decode()), f"CREATE {folder}")

    def reset_folder(self, user: str, password: str, folder: str = "INBOX") -> int:
        """Delete and re-create ``folder`` (empty, new UIDVALIDITY); returns the new one.

        INBOX cannot be deleted over IMAP, so its maildir files are removed on disk instead
        (Dovecot then creates it afresh with the next UIDVALIDITY). Close other sessions of
        this user on INBOX first.
        """
        if folder.upper() == "INBOX":
            _wipe_maildir_inbox(self.mail_dir(user))
        else:
            with self.connect(user, password) as conn:
                quoted = _quote_folder(folder).decode()
                _ok(conn.delete(quoted), f"DELETE {folder}")
                _ok(conn.create(quoted), f"CREATE {folder}")
        return self.uidvalidity(user, password, folder)

    def status(self, user: str, password: str, folder: str = "INBOX") -> dict[str, int]:
        with self.connect(user, password) as conn:
            typ, data = conn.status(
                _quote_folder(folder).decode(), "(MESSAGES UIDNEXT UIDVALIDITY UNSEEN)"
            )
            _ok((typ, data), f"STATUS {folder}")
        text = data[0].decode() if isinstance(data[0], bytes) else str(data[0])
        pairs = text[text.rindex("(") + 1 : text.rindex(")")].split()
        return {key: int(value) for key, value in zip(pairs[::2], pairs[1::2], strict=True)}

    def uidvalidity(self, user: str, password: str, folder: str = "INBOX") -> int:
        return self.status(user, password, folder)["UIDVALIDITY"]

    def count(self, user: str, password: str, folder: str = "INBOX") -> int:
        return self.status(user, password, folder)["MESSAGES"]

    def flags(self, user: str, password: str, folder: str = "INBOX") -> dict[int, set[str]]:
        """{uid: flags} of every message (read-only EXAMINE; ``\\Recent`` left out)."""
        with self.connect(user, password) as conn:
            typ, data = conn.select(_quote_folder(folder).decode(), readonly=True)
            _ok((typ, data), f"EXAMINE {folder}")
            if data[0] == b"0":
                return {}
            typ, data = conn.uid("FETCH", "1:*", "(UID FLAGS)")
            _ok((typ, data), "UID FETCH FLAGS")
        result: dict[int, set[str]] = {}
        for item in data:
            line = item[0] if isinstance(item, tuple) else item
            if not isinstance(line, bytes):
                continue
            match = _FETCH_FLAGS.search(line)
            if match is None:
                continue
            uid = match.group(1) or match.group(4)
            names = match.group(2) if match.group(1) else match.group(3)
            result[int(uid)] = {f.decode() for f in names.split() if f != rb"\Recent"}
        return result

    # -- life cycle --------------------------------------------------------------------------

    def log_tail(self, lines: int = 20) -> str:
        texts = []
        for path in (self.dir / "dovecot.stderr", self.log_file):
            if path.exists():
                texts.extend(path.read_text(errors="replace").splitlines()[-lines:])
        return "\n".join(texts[-lines:])

    def start(self, binary: str) -> None:
        self.binary = binary
        write_certificate(self.dir)
        (self.dir / "run").mkdir(exist_ok=True)
        (self.dir / "state").mkdir(exist_ok=True)
        mail = self.dir / "mail"
        mail.mkdir(exist_ok=True)
        accounts = _accounts()
        if os.geteuid() == 0:
            shutil.chown(mail, accounts.mail_user, accounts.mail_group)
        self._write_users({_new_user(): _new_password() for _ in range(ACCOUNT_POOL)})
        self._pool.extend(self._users.items())
        conf = self.dir / "dovecot.conf"
        conf.write_text(render_config(self, accounts), encoding="utf-8")
        with (self.dir / "dovecot.stderr").open("wb") as stderr:
            self.process = subprocess.Popen(
                [binary, "-F", "-c", str(conf)],
                stdin=subprocess.DEVNULL,
                stdout=stderr,
                stderr=stderr,
                start_new_session=True,  # a Ctrl-C in pytest does not hit it first
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise DovecotStartError(f"dovecot exited with status {self.process.returncode}")
            if _answers_imap(self.host, self.port) and _answers_tls(self.host, self.ssl_port):
                return
            time.sleep(0.05)
        raise DovecotStartError(f"dovecot did not accept connections within {START_TIMEOUT:g} s")

    def stop(self) -> None:
        """SIGTERM the master by the pid in ``run/master.pid``, wait, SIGKILL if it hangs."""
        process = self.process
        if process is None or process.poll() is not None:
            return  # never started, or already exited (and reaped: its pid may be reused)
        pid_file = self.dir / "run" / "master.pid"
        text = pid_file.read_text().strip() if pid_file.exists() else ""
        pid = int(text) if text.isdigit() else process.pid
        if pid != process.pid:  # `dovecot -F` is the master itself: anything else is stale
            pid = process.pid
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(STOP_TIMEOUT)


@dataclass
class ImapAccount:
    """One user of the test Dovecot, with helpers bound to its login."""

    server: DovecotServer
    user: str
    password: str

    @property
    def config(self) -> ImapConfig:
        """Plain IMAP (tls='none') on the loopback port."""
        return self.server.config(self.user, self.password)

    def tls_config(self, tls: TlsMode) -> ImapConfig:
        """``ssl`` (implicit TLS port) or ``starttls``, trusting the test certificate."""
        return self.server.config(self.user, self.password, tls=tls)

    def append(
        self, raw: bytes, folder: str = "INBOX", flags: Iterable[str] = ()
    ) -> tuple[int, int]:
        return self.server.append(self.user, self.password, raw, folder, flags)

    def append_many(
        self, raws: Iterable[bytes], folder: str = "INBOX", *, flags: Iterable[str] = ()
    ) -> tuple[int, list[int]]:
        return self.server.append_many(self.user, self.password, raws, folder, flags=flags)

    def create_folder(self, folder: str) -> None:
        self.server.create_folder(self.user, self.password, folder)

    def reset_folder(self, folder: str = "INBOX") -> int:
        return self.server.reset_folder(self.user, self.password, folder)

    def flags(self, folder: str = "INBOX") -> dict[int, set[str]]:
        return self.server.flags(self.user, self.password, folder)

    def count(self, folder: str = "INBOX") -> int:
        return self.server.count(self.user, self.password, folder)

    def uidvalidity(self, folder: str = "INBOX") -> int:
        return self.server.uidvalidity(self.user, self.password, folder)

    def kick(self) -> None:
        self.server.kick(self.user)

    def logins(self, *, at_least: int = 1) -> list[str]:
        return self.server.logins(self.user, at_least=at_least)


def new_account(server: DovecotServer) -> ImapAccount:
    """A user nobody has used yet (from the server's pool: no passwd-file wait)."""
    user, password = server.take_account()
    return ImapAccount(server=server, user=user, password=password)


@contextmanager
def running_dovecot() -> Iterator[DovecotServer]:
    """Start a private Dovecot (for the fixture and for bench/); DovecotStartError if not."""
    binary = find_dovecot()
    if binary is None:
        raise DovecotStartError(INSTALL_HINT)
    errors = []
    for _attempt in range(3):  # a free port may be taken between probing and binding
        base = Path(tempfile.mkdtemp(prefix="desk-dovecot-"))
        base.chmod(0o755)  # mail processes run as the dovecot user and must traverse it
        server = DovecotServer(dir=base, port=free_port(), ssl_port=free_port())
        try:
            server.start(binary)
        except (DovecotStartError, OSError) as exc:
            errors.append(f"{exc}\n{server.log_tail()}")
            server.stop()
            shutil.rmtree(base, ignore_errors=True)
            if "in use" not in errors[-1]:
                break
            continue
        try:
            yield server
        finally:
            server.stop()
            shutil.rmtree(base, ignore_errors=True)
        return
    raise DovecotStartError(f"dovecot ({binary}) failed to start: {errors[-1]}")


@pytest.fixture(scope="session")
def dovecot() -> Iterator[DovecotServer]:
    try:
        with running_dovecot() as server:
            yield server
    except DovecotStartError as exc:
        unavailable(str(exc))


@pytest.fixture
def imap_account(dovecot: DovecotServer) -> ImapAccount:
    """A fresh user with empty folders on the session's Dovecot."""
    return new_account(dovecot)


# -- config and certificate ---------------------------------------------------------------------


@dataclass(frozen=True)
class Accounts:
    """System accounts Dovecot runs as. Root: ``dovecot`` for mail (Dovecot refuses uid 0)
    and ``dovenull`` for imap-login (refuses root). Anyone else: themselves, no chroot."""

    mail_user: str
    mail_group: str
    login_user: str
    chroot: bool


def _accounts() -> Accounts:
    if os.geteuid() == 0:
        return Accounts("dovecot", "dovecot", "dovenull", chroot=True)
    me = pwd.getpwuid(os.geteuid()).pw_name
    return Accounts(me, grp.getgrgid(os.getegid()).gr_name, me, chroot=False)


def render_config(server: DovecotServer, accounts: Accounts) -> str:
    d = server.dir
    no_chroot = "" if accounts.chroot else "  chroot =\n"
    return f"""\
protocols = imap
listen = {server.host}
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
ssl = yes
ssl_cert = <{d}/cert.pem
ssl_key = <{d}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2
auth_failure_delay = 0
mail_fsync = never
first_valid_uid = 1
mail_location = maildir:{d}/mail/%u
mail_uid = {accounts.mail_user}
mail_gid = {accounts.mail_group}
default_internal_user = {accounts.mail_user}
default_internal_group = {accounts.mail_group}
default_login_user = {accounts.login_user}
mail_max_userip_connections = 100
service anvil {{
{no_chroot}  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service imap-login {{
{no_chroot}  inet_listener imap {{
    address = {server.host}
    port = {server.port}
  }}
  inet_listener imaps {{
    address = {server.host}
    port = {server.ssl_port}
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/users
}}
userdb {{
  driver = static
  args = uid={accounts.mail_user} gid={accounts.mail_group} home={d}/mail/%u
}}
"""


def write_certificate(directory: Path) -> None:
    """A self-signed certificate for localhost / 127.0.0.1 (``cert.pem``, ``key.pem``)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "desk test IMAP")])
    now = datetime.datetime.now(datetime.UTC)
    san = x509.SubjectAlternativeName(
        [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(san, critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    (directory / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file = directory / "key.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_file.chmod(0o600)


# -- helpers ------------------------------------------------------------------------------------


_account_numbers = itertools.count(1)


def _new_user() -> str:
    return f"user{next(_account_numbers)}-{secrets.token_hex(3)}@desk.test"


def _new_password() -> str:
    password = f"pw-{secrets.token_urlsafe(12)}"
    register_secret(password)  # tests.support.leaks: never in a log or a response
    return password


def _wipe_maildir_inbox(root: Path) -> None:
    """Remove INBOX's messages and indexes; keep ``dovecot-uidvalidity*`` (next value)."""
    if not root.exists():
        return
    for entry in root.iterdir():
        name = entry.name
        if name in ("cur", "new", "tmp"):
            shutil.rmtree(entry)
        elif name == "dovecot-uidlist" or name.startswith(("dovecot.index", "dovecot.list.index")):
            entry.unlink()


def _quote_folder(folder: str) -> bytes:
    if not _SAFE_FOLDER.match(folder):
        raise ValueError(f"test folder names are plain ASCII: {folder!r}")
    return b'"' + folder.encode("ascii") + b'"'


def _read_tagged(conn: imaplib.IMAP4, tag: bytes) -> bytes:
    while True:
        line = conn.readline()
        if not line:
            raise imaplib.IMAP4.abort("connection closed while waiting for " + tag.decode())
        if line.startswith(tag + b" "):
            return line.rstrip(b"\r\n")


def _ok(result: tuple[str, list[object]], what: str) -> None:
    if result[0] != "OK":
        raise RuntimeError(f"{what} failed: {result[1]!r}")


def _expand_uid_set(uid_set: str) -> list[int]:
    uids: list[int] = []
    for part in uid_set.split(","):
        first, _, last = part.partition(":")
        uids.extend(range(int(first), int(last or first) + 1))
    return uids


def _chunks(items: Iterable[bytes], size: int) -> Iterator[Sequence[bytes]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _answers_imap(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1) as sock:
            return sock.recv(64).startswith(b"* OK")
    except OSError:
        return False


def _answers_tls(host: str, port: int) -> bool:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with (
            socket.create_connection((host, port), timeout=1) as raw,
            context.wrap_socket(raw, server_hostname=host) as sock,
        ):
            return sock.recv(64).startswith(b"* OK")
    except OSError:
        return False
