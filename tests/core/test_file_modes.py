"""What the desk writes to disk is its user's only: the SQLite database (and its -wal and
-shm), the Maildirs and the attachment store are made 0600 (files) and 0700 (directories),
under a umask that would let everyone read them."""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import text

from core.filemodes import make_private_dirs
from core.inbound.attachments import AttachmentStore
from core.mail.maildir import MaildirOutbox, MaildirSource, deliver_to_maildir
from db.session import create_engine, create_private_sqlite
from tests.support.cli import run
from tests.support.mail import make_mail


@pytest.fixture(autouse=True)
def open_umask() -> Iterator[None]:
    """The usual umask (group and others may read): the modes must come from the desk."""
    before = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(before)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def modes_under(root: Path) -> dict[str, int]:
    """Every directory and file under ``root`` (and ``root``), relative path -> mode."""
    found = {".": mode(root)}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            found[str(path.relative_to(root))] = mode(path)
    return found


def assert_private(root: Path) -> None:
    wrong = {
        rel: oct(m)
        for rel, m in modes_under(root).items()
        if m != (0o700 if (root / rel).is_dir() else 0o600)
    }
    assert not wrong, f"not private under {root}: {wrong}"


def test_sqlite_database_and_its_wal_and_shm_are_private(tmp_path: Path) -> None:
    path = tmp_path / "desk.db"

    async def write() -> None:
        engine = create_engine(f"sqlite:///{path}")
        try:
            async with engine.begin() as conn:
                await conn.execute(text("CREATE TABLE t (x INTEGER)"))
                await conn.execute(text("INSERT INTO t VALUES (1)"))
            for suffix in ("-wal", "-shm"):  # WAL mode: both exist while a connection is open
                assert mode(Path(f"{path}{suffix}")) == 0o600, suffix
        finally:
            await engine.dispose()

    asyncio.run(write())
    assert mode(path) == 0o600


def test_desk_migrate_makes_a_private_database(
    cli_env: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "fresh.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    code, out, err = run(capsys, "migrate")
    assert code == 0, err
    assert "created the desk schema" in out
    assert mode(path) == 0o600


def test_an_existing_database_file_and_other_urls_are_left_alone(tmp_path: Path) -> None:
    shared = tmp_path / "shared.db"
    shared.touch(mode=0o640)
    os.chmod(shared, 0o640)
    create_private_sqlite(f"sqlite:///{shared}")
    assert mode(shared) == 0o640  # the owner chose it
    create_private_sqlite(f"sqlite:///{tmp_path}/no/such/dir/desk.db")
    assert not (tmp_path / "no").exists()  # SQLite reports the missing directory
    for url in ("sqlite://", "sqlite:///:memory:", "postgresql://u@db/desk"):
        create_private_sqlite(url)


def test_maildir_delivery_and_reading_are_private(tmp_path: Path) -> None:
    root = tmp_path / "data" / "maildir" / "inbox"
    raw = make_mail()
    key = deliver_to_maildir(root, raw)
    assert (root / "new" / key).read_bytes() == raw
    with MaildirSource(root) as source:
        source.open_folder("INBOX")
        [fetched] = source.fetch_after(0, limit=10)
    assert fetched.raw == raw
    assert (root / "desk-uidlist.json").is_file() and (root / "desk-uidlist.lock").is_file()
    assert_private(tmp_path / "data")


def test_the_outbox_is_private(tmp_path: Path) -> None:
    out = tmp_path / "outbox"
    msg = EmailMessage()
    msg["To"], msg["Subject"] = "a@example.com", "hello"
    msg.set_content("body")
    asyncio.run(MaildirOutbox(out).send(msg))
    [sent] = list((out / "new").iterdir())
    assert b"Subject: hello" in sent.read_bytes()
    assert_private(out)


def test_the_attachment_store_is_private(tmp_path: Path) -> None:
    store = AttachmentStore(tmp_path / "data" / "attachments")
    path = store.put("ab" + "0" * 62, b"%PDF-1.4 ...")
    assert store.get("ab" + "0" * 62) == b"%PDF-1.4 ..." and path.is_file()
    store.prepare()
    assert mode(store.root / "ff") == 0o700
    assert_private(tmp_path / "data")


def test_existing_directories_keep_their_mode(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    make_private_dirs(shared / "a" / "b")
    assert mode(shared) == 0o755
    assert mode(shared / "a") == mode(shared / "a" / "b") == 0o700
    (tmp_path / "file").touch()
    with pytest.raises(NotADirectoryError):
        make_private_dirs(tmp_path / "file")


def test_the_embedded_desk_writes_nothing_others_may_read(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The whole data directory after migrate, demo, fetch (with an attachment) and send."""
    database = cli_env.parent / "embedded.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("DESK_PARSE_WORKERS", "0")
    assert not cli_env.exists()  # the desk makes its data directory itself
    for argv in (("migrate",), ("demo",), ("fetch",)):
        code, _, err = run(capsys, *argv)
        assert code == 0, (argv, err)
    assert any((cli_env / "attachments").rglob("*")), "the demo mail has an attachment"
    code, out, err = run(capsys, "tickets", "--json")
    assert code == 0, err
    assert_private(cli_env)
    assert {mode(p) for p in cli_env.parent.glob("embedded.db*")} == {0o600}
