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


def test_head_reads_the_start_of_a_stored_file(tmp_path: Path) -> None:
    from core.inbound.attachments import AttachmentStore as Store

    store = Store(tmp_path / "att")
    data = b"x" * 10 + b"y" * 10
    store.put(_sha(data), data)
    assert store.head(_sha(data), 10) == b"x" * 10
    assert store.head(_sha(b"missing")) == b""


def test_an_excerpt_keeps_the_lines_that_look_like_errors() -> None:
    from core.inbound.attachments import excerpt, is_text_like

    log = (
        b"INFO ok\nINFO still ok\nERROR upload failed: 413 Payload Too Large\n\xff\xfe INFO done\n"
    )
    assert excerpt(log) == "ERROR upload failed: 413 Payload Too Large"
    assert excerpt(b"line one\nline two\n") == "line one\nline two"  # no error: the start
    assert excerpt(b"error " * 10_000, limit=100) == ("error " * 20)[:100]  # one long line
    many = b"\n".join(b"ERROR number %d" % n for n in range(1000))
    assert len(excerpt(many, limit=200)) <= 200
    assert is_text_like("upload.log", "application/octet-stream")
    assert is_text_like("notes", "text/plain; charset=utf-8")
    assert not is_text_like("page.html", "text/html")
    assert not is_text_like("report.pdf", "application/pdf")
