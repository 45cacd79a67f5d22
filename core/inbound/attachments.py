"""Attachment bytes live on disk under their sha256, outside the database rows; the store's
directories are made 0700 and its files 0600 (``core.filemodes``).

``excerpt`` is what triage shows a provider of a text-like attachment (a log, a .txt):
its lines that look like errors, else its start, at most ``EXCERPT_CHARS``, read from the
first ``HEAD_BYTES`` only."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

from core.filemodes import make_private_dirs

SHARDS = tuple(f"{n:02x}" for n in range(256))  # the first two hex digits of a sha256

EXCERPT_CHARS = 1200
HEAD_BYTES = 64 * 1024
TEXT_SUFFIXES = (".log", ".txt", ".text", ".csv", ".json", ".xml", ".md", ".out", ".err", ".har")
TEXT_TYPES = ("application/json", "application/xml", "application/x-ndjson")
_TELLING = re.compile(
    r"error|exception|fail|fatal|denied|refused|timed?\s*out|traceback|panic|"
    r"\b[45]\d\d\b|\b0x[0-9a-f]{4,8}\b",
    re.IGNORECASE,
)


def is_text_like(filename: str, content_type: str) -> bool:
    """A file whose text a provider may read: text/* (not HTML), JSON, XML, or a log-like name."""
    kind = content_type.split(";")[0].strip().lower()
    if kind.startswith("text/") and kind != "text/html":
        return True
    return kind in TEXT_TYPES or filename.lower().endswith(TEXT_SUFFIXES)


def excerpt(content: bytes, limit: int = EXCERPT_CHARS) -> str:
    """The lines of ``content`` (decoded as UTF-8, invalid bytes replaced) that look like
    errors, in order, else its first lines; at most ``limit`` characters."""
    text = content[:HEAD_BYTES].decode("utf-8", errors="replace").replace("\x00", "")
    lines = [" ".join(line.split()) for line in text.splitlines()]
    lines = [line[:300] for line in lines if line]
    telling = [line for line in lines if _TELLING.search(line)]
    picked: list[str] = []
    used = 0
    for line in telling or lines:
        if used + len(line) + 1 > limit:
            if not picked:  # one long line: its start
                picked.append(line[:limit])
            break
        picked.append(line)
        used += len(line) + 1
    return "\n".join(picked)


class AttachmentStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def prepare(self) -> None:
        """Make the 256 shard directories now (a long-running process does so at start):
        on some disks a new directory costs as much as a file (~1 ms), and a new store's
        first fetches would otherwise make one for most attachments."""
        if (self.root / SHARDS[-1]).is_dir():
            return
        for shard in SHARDS:
            make_private_dirs(self.root / shard)

    def put(self, sha256: str, content: bytes) -> Path:
        """Store once (content-addressed); an existing file is left alone."""
        path = self.path_for(sha256)
        if path.exists():
            return path
        try:
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        except FileNotFoundError:  # its shard is not made yet
            make_private_dirs(path.parent)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(content)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path

    def put_many(self, files: Iterable[tuple[str, bytes]]) -> None:
        """``put`` each (sha256, content) pair."""
        for sha256, content in files:
            self.put(sha256, content)

    def get(self, sha256: str) -> bytes:
        return self.path_for(sha256).read_bytes()

    def head(self, sha256: str, size: int = HEAD_BYTES) -> bytes:
        """The first ``size`` bytes of a stored file (b"" when it is not in the store)."""
        try:
            with self.path_for(sha256).open("rb") as fh:
                return fh.read(size)
        except FileNotFoundError:
            return b""
