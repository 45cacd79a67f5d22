"""The embedded default needs no mail server: a local Maildir inbox and an outbox Maildir.

``MaildirSource`` implements ``core.mail.transport.MailSource`` over a Maildir the way
Dovecot does: a small uid list file in the folder (``desk-uidlist.json``) holds the
UIDVALIDITY, the next UID and a map from each message's Maildir key (its file name up to
the ``:2,`` flags) to its UID. A message gets its UID once, the first time it is seen, and
keeps it across runs and flag changes. If the file is lost or unreadable it is rebuilt
with a NEW UIDVALIDITY, so a reader starts over instead of trusting old UIDs.

``MaildirOutbox`` implements ``core.mail.transport.Mailer`` by writing each message, as it
would go over SMTP, into an outbox Maildir (``new/``): a person can read what "was sent"
with any mail client. ``deliver_to_maildir`` puts raw mail into a Maildir (``desk demo``).

Folders: ``INBOX`` (or an empty name) is the Maildir itself; any other name is a Maildir++
subfolder (``.Name``), which must exist. Blocking file I/O: async callers use
``asyncio.to_thread`` (``MaildirOutbox.send`` does so itself).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import mailbox
import os
import secrets
import socket
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_binary_file, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from core.errors import MailError, MailTemporaryError
from core.filemodes import PRIVATE_FILE, create_private_file, make_private_dirs
from core.mail.transport import FetchedMail

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

UIDLIST = "desk-uidlist.json"
_LOCK = "desk-uidlist.lock"
_INFO_SEP = ":2,"


@dataclass(slots=True)
class _UidList:
    uidvalidity: int
    next_uid: int
    uids: dict[str, int]  # maildir key -> uid


class MaildirSource:
    """A ``MailSource`` over a local Maildir (created when missing) with stable UIDs."""

    def __init__(self, path: Path | str) -> None:
        self.root = Path(path)
        self.folder: str | None = None
        self.uidvalidity: int | None = None
        self._dir: Path | None = None
        self._files: dict[int, Path] = {}  # uid -> current file, from the last scan

    def __enter__(self) -> MaildirSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open_folder(self, folder: str) -> int:
        """Select ``folder``; assign UIDs to messages not seen before; return UIDVALIDITY."""
        directory = self._folder_dir(folder)
        self.folder, self._dir = folder, directory
        self.uidvalidity = self._scan().uidvalidity
        return self.uidvalidity

    def fetch_after(self, last_uid: int, *, limit: int) -> list[FetchedMail]:
        """At most ``limit`` messages with UID > ``last_uid``, in UID order; flags unchanged."""
        if limit < 1:
            raise ValueError(f"limit must be >= 1, not {limit}")
        self._scan()
        out: list[FetchedMail] = []
        for uid in sorted(u for u in self._files if u > last_uid):
            raw = self._read(uid)
            if raw is None:  # deleted since the scan
                continue
            out.append(FetchedMail(uid=uid, raw=raw))
            if len(out) >= limit:
                break
        return out

    def backlog(self, after_uid: int) -> int | None:
        """Messages above ``after_uid`` in the last scan of the folder."""
        if self.folder is None:
            return None
        return sum(1 for uid in self._files if uid > after_uid)

    def mark_seen(self, uids: list[int]) -> None:
        """Move these messages to ``cur/`` with the ``S`` flag (unknown UIDs are skipped)."""
        if not uids:
            return
        directory = self._selected()
        wanted = set(uids)
        if not wanted <= self._files.keys():
            self._scan()
        for uid in sorted(wanted & self._files.keys()):
            self._flag_seen(directory, uid, retry=True)

    def _flag_seen(self, directory: Path, uid: int, *, retry: bool) -> None:
        path = self._files.get(uid)
        if path is None:
            return  # deleted meanwhile
        key, _, flags = path.name.partition(_INFO_SEP)
        if path.parent.name == "cur" and "S" in flags:
            return
        target = directory / "cur" / f"{key}{_INFO_SEP}{''.join(sorted(set(flags) | {'S'}))}"
        try:
            os.replace(path, target)
        except FileNotFoundError:
            if retry:  # moved by a mail client since the scan: find it again
                self._scan()
                self._flag_seen(directory, uid, retry=False)
            return
        except OSError as exc:
            raise MailError(f"cannot flag {path} as seen: {exc}", path=str(path)) from exc
        self._files[uid] = target

    def close(self) -> None:
        self.folder, self._dir, self._files = None, None, {}

    # -- internals -------------------------------------------------------------------------

    def _folder_dir(self, folder: str) -> Path:
        try:
            root = ensure_maildir(self.root)
            if folder.strip().upper() in ("", "INBOX"):
                return self.root
            root.get_folder(folder)
        except mailbox.NoSuchMailboxError as exc:
            raise MailError(
                f"no folder {folder!r} in the Maildir {self.root}", folder=folder
            ) from exc
        except OSError as exc:
            raise MailError(f"cannot open the Maildir {self.root}: {exc}") from exc
        return self.root / f".{folder}"

    def _selected(self) -> Path:
        if self._dir is None:
            raise MailError("no Maildir folder selected: call open_folder() first")
        return self._dir

    def _scan(self) -> _UidList:
        """List the folder; give new messages the next UIDs (in delivery order); save."""
        directory = self._selected()
        try:
            with _locked(directory / _LOCK):
                found = _list_messages(directory)
                uidlist = _load_uidlist(directory / UIDLIST)
                changed = uidlist.next_uid == 0
                if changed:
                    uidlist.next_uid = 1
                fresh = [key for key in found if key not in uidlist.uids]
                fresh.sort(key=lambda k: (found[k][1], k))
                for key in fresh:
                    uidlist.uids[key] = uidlist.next_uid
                    uidlist.next_uid += 1
                gone = [key for key in uidlist.uids if key not in found]
                for key in gone:
                    del uidlist.uids[key]
                if changed or fresh or gone:
                    _save_uidlist(directory / UIDLIST, uidlist)
        except OSError as exc:
            raise MailError(f"cannot read the Maildir {directory}: {exc}") from exc
        self._files = {uidlist.uids[key]: path for key, (path, _) in found.items()}
        self.uidvalidity = uidlist.uidvalidity
        return uidlist

    def _read(self, uid: int) -> bytes | None:
        path = self._files[uid]
        try:
            return path.read_bytes()
        except FileNotFoundError:
            pass
        # moved (new/ -> cur/, or flags changed) since the scan: look once more
        self._scan()
        path2 = self._files.get(uid)
        if path2 is None:
            return None
        try:
            return path2.read_bytes()
        except FileNotFoundError:
            return None


class MaildirOutbox:
    """A ``Mailer`` that files each message into a Maildir instead of sending it."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    async def send(self, message: EmailMessage) -> None:
        raw = message.as_bytes(policy=message.policy.clone(linesep="\n"))
        try:
            await asyncio.to_thread(deliver_to_maildir, self.path, raw)
        except OSError as exc:
            raise MailTemporaryError(
                f"cannot write to the outbox {self.path}: {exc}", path=str(self.path)
            ) from exc


def deliver_to_maildir(path: Path | str, raw: bytes) -> str:
    """Put ``raw`` into ``path``/new (creating the Maildir if needed); return its key.

    Written the Maildir way (into ``tmp/``, then linked into ``new/``), as a 0600 file: the
    stdlib's ``Maildir.add`` makes it 0666 less the umask, readable by every local user."""
    root = Path(path)
    ensure_maildir(root)
    host = socket.gethostname().replace("/", r"\057").replace(":", r"\072")
    now = time.time()
    key = f"{int(now)}.M{int(now % 1 * 1e6)}P{os.getpid()}R{secrets.token_hex(8)}.{host}"
    tmp = root / "tmp" / key
    fd = create_private_file(tmp)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
        os.link(tmp, root / "new" / key)  # never over another message
    finally:
        tmp.unlink(missing_ok=True)
    return key


def ensure_maildir(path: Path) -> mailbox.Maildir:
    """``path`` as a Maildir, creating ``tmp``/``new``/``cur`` where missing (the stdlib
    creates them only when ``path`` itself does not exist yet); what is made is 0700."""
    for sub in ("tmp", "new", "cur"):
        make_private_dirs(path / sub)
    return mailbox.Maildir(path, factory=None, create=False)


def read_maildir(path: Path | str) -> list[EmailMessage]:
    """Every message in a Maildir (new and cur), oldest first, parsed: for people and tests."""
    directory = Path(path)
    found = _list_messages(directory) if directory.is_dir() else {}
    out: list[EmailMessage] = []
    for _key, (file, _) in sorted(found.items(), key=lambda kv: (kv[1][1], kv[0])):
        with file.open("rb") as fh:
            msg = message_from_binary_file(fh, policy=policy.default)
        out.append(msg)
    return out


def _list_messages(directory: Path) -> dict[str, tuple[Path, int]]:
    """Maildir key -> (file, mtime in ns). ``new/`` first: a file moved to ``cur/`` while
    we list is then seen at least once."""
    found: dict[str, tuple[Path, int]] = {}
    for sub in ("new", "cur"):
        try:
            entries = list(os.scandir(directory / sub))
        except FileNotFoundError:
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            key = entry.name.split(":", 1)[0]
            try:
                mtime = entry.stat().st_mtime_ns
            except FileNotFoundError:
                continue
            found[key] = (Path(entry.path), mtime)
    return found


def _load_uidlist(path: Path) -> _UidList:
    try:
        data: Any = json.loads(path.read_text("utf-8"))
        uidlist = _UidList(
            uidvalidity=int(data["uidvalidity"]),
            next_uid=int(data["next_uid"]),
            uids={str(k): int(v) for k, v in data["uids"].items()},
        )
        if uidlist.uidvalidity < 1 or uidlist.next_uid < 1:
            raise ValueError("uidvalidity and next_uid must be positive")
        if uidlist.uids and max(uidlist.uids.values()) >= uidlist.next_uid:
            raise ValueError("a uid is not below next_uid")
        return uidlist
    except FileNotFoundError:
        pass
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        log.warning("%s is unreadable (%s); UIDs start over with a new UIDVALIDITY", path, exc)
    # next_uid 0 marks "new": the caller saves it even when the folder is empty
    return _UidList(uidvalidity=secrets.randbelow(2**31 - 2) + 1, next_uid=0, uids={})


def _save_uidlist(path: Path, uidlist: _UidList) -> None:
    data = {"version": 1, "uidvalidity": uidlist.uidvalidity, "next_uid": uidlist.next_uid}
    data["uids"] = dict(sorted(uidlist.uids.items(), key=lambda kv: kv[1]))  # type: ignore[assignment]
    fd, tmp = tempfile.mkstemp(prefix=".uidlist.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=0)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock between processes reading the same folder (POSIX flock)."""
    if fcntl is None:  # pragma: no cover
        yield
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
