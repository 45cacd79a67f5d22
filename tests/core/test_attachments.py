"""core.inbound.attachments.AttachmentStore: content-addressed files under 256 shard directories."""

from __future__ import annotations

import hashlib
from pathlib import Path

from core.inbound.attachments import SHARDS, AttachmentStore


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_put_stores_once_under_its_hash_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    store = AttachmentStore(tmp_path / "att")
    data = b"%PDF-1.7 invoice"
    path = store.put(_sha(data), data)  # no prepare(): the shard is made on demand
    assert path == tmp_path / "att" / _sha(data)[:2] / _sha(data)
    assert store.get(_sha(data)) == data
    mtime = path.stat().st_mtime_ns
    assert store.put(_sha(data), data) == path and path.stat().st_mtime_ns == mtime
    assert [p.name for p in path.parent.iterdir()] == [_sha(data)]


def test_prepare_makes_every_shard_once_and_put_remakes_a_removed_one(tmp_path: Path) -> None:
    store = AttachmentStore(tmp_path / "att")
    store.prepare()
    assert sorted(p.name for p in (tmp_path / "att").iterdir()) == list(SHARDS)
    store.prepare()  # a second start finds them
    data = b"log line\n"
    shard = tmp_path / "att" / _sha(data)[:2]
    shard.rmdir()
    store.put(_sha(data), data)
    assert store.get(_sha(data)) == data


def test_put_many_stores_each(tmp_path: Path) -> None:
    store = AttachmentStore(tmp_path / "att")
    files = {_sha(d): d for d in (b"a", b"b", b"c")}
    store.put_many(files.items())
    assert {sha: store.get(sha) for sha in files} == files
