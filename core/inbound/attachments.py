"""Attachment bytes live on disk under their sha256, outside the database rows; the store's
directories are made 0700 and its files 0600 (``core.filemodes``)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from core.filemodes import make_private_dirs

SHARDS = tuple(f"{n:02x}" for n in range(256))  # the first two hex digits of a sha256


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
