"""The embedded default: MaildirSource (stable UIDs), MaildirOutbox, deliver_to_maildir."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from core.errors import MailError, MailTemporaryError
from core.mail.compose import build_reply
from core.mail.maildir import (
    UIDLIST,
    MaildirOutbox,
    MaildirSource,
    deliver_to_maildir,
    read_maildir,
)
from tests.support.mail import make_mail


def fill(path: Path, n: int, start: int = 0) -> list[bytes]:
    raws = [
        make_mail(subject=f"mail {start + i}", message_id=f"m{start + i}@example.com")
        for i in range(n)
    ]
    for raw in raws:
        deliver_to_maildir(path, raw)
    return raws


def files(path: Path, sub: str) -> list[str]:
    return sorted(os.listdir(path / sub))


def uids_of(source: MaildirSource, after: int = 0) -> dict[int, bytes]:
    return {m.uid: m.raw for m in source.fetch_after(after, limit=1000)}


def test_uids_are_stable_across_instances(tmp_path: Path) -> None:
    box = tmp_path / "inbox"
    raws = fill(box, 3)
    first = MaildirSource(box)
    validity = first.open_folder("INBOX")
    assert uids_of(first) == {1: raws[0], 2: raws[1], 3: raws[2]}  # delivery order, exact bytes
    first.close()

    more = fill(box, 2, start=3)
    second = MaildirSource(box)
    assert second.open_folder("INBOX") == validity
    assert uids_of(second) == {1: raws[0], 2: raws[1], 3: raws[2], 4: more[0], 5: more[1]}
    assert uids_of(second, after=3) == {4: more[0], 5: more[1]}


def test_fetch_after_pages_in_uid_order(tmp_path: Path) -> None:
    raws = fill(tmp_path, 5)
    with MaildirSource(tmp_path) as source:
        source.open_folder("INBOX")
        pages, last = [], 0
        while batch := source.fetch_after(last, limit=2):
            pages.append([m.uid for m in batch])
            last = batch[-1].uid
        assert pages == [[1, 2], [3, 4], [5]]
        assert [m.raw for m in source.fetch_after(0, limit=10)] == raws
        assert source.fetch_after(5, limit=10) == []
        with pytest.raises(ValueError):
            source.fetch_after(0, limit=0)
    assert len(files(tmp_path, "new")) == 5  # fetching changes no flags


def test_backlog_counts_the_messages_above_a_uid(tmp_path: Path) -> None:
    box = tmp_path / "inbox"
    fill(box, 5)
    source = MaildirSource(box)
    assert source.backlog(0) is None  # no folder selected
    source.open_folder("INBOX")
    assert [source.backlog(uid) for uid in (0, 2, 5)] == [5, 3, 0]


def test_mark_seen_moves_to_cur_with_s_and_keeps_uids(tmp_path: Path) -> None:
    raws = fill(tmp_path, 3)
    source = MaildirSource(tmp_path)
    source.open_folder("INBOX")
    source.fetch_after(0, limit=10)
    source.mark_seen([1, 3, 99])
    assert len(files(tmp_path, "new")) == 1
    cur = files(tmp_path, "cur")
    assert len(cur) == 2 and all(name.endswith(":2,S") for name in cur)
    source.mark_seen([1])  # again: nothing changes
    assert files(tmp_path, "cur") == cur
    assert uids_of(_opened(tmp_path)) == {1: raws[0], 2: raws[1], 3: raws[2]}


def _opened(path: Path) -> MaildirSource:
    source = MaildirSource(path)
    source.open_folder("INBOX")
    return source


def test_mark_seen_keeps_other_flags_and_follows_moves(tmp_path: Path) -> None:
    fill(tmp_path, 2)
    source = _opened(tmp_path)
    # another client moves message 1 to cur/ and flags it, after our scan
    [first, _second] = files(tmp_path, "new")
    os.rename(tmp_path / "new" / first, tmp_path / "cur" / f"{first}:2,F")
    source.mark_seen([1, 2])
    assert sorted(n.split(":2,")[1] for n in files(tmp_path, "cur")) == ["FS", "S"]
    assert files(tmp_path, "new") == []


def test_a_message_moved_by_a_mail_client_keeps_its_uid(tmp_path: Path) -> None:
    raws = fill(tmp_path, 2)
    source = _opened(tmp_path)
    [first, _] = files(tmp_path, "new")
    os.rename(tmp_path / "new" / first, tmp_path / "cur" / f"{first}:2,RS")
    assert uids_of(source) == {1: raws[0], 2: raws[1]}
    assert uids_of(_opened(tmp_path)) == {1: raws[0], 2: raws[1]}


def test_uids_are_never_reused_after_deletion(tmp_path: Path) -> None:
    fill(tmp_path, 3)
    source = _opened(tmp_path)
    source.fetch_after(0, limit=10)
    os.unlink(tmp_path / "new" / files(tmp_path, "new")[-1])  # uid 3
    [later] = fill(tmp_path, 1, start=3)
    uids = uids_of(_opened(tmp_path))
    assert sorted(uids) == [1, 2, 4] and uids[4] == later
    stored = json.loads((tmp_path / UIDLIST).read_text())
    assert stored["next_uid"] == 5 and len(stored["uids"]) == 3


def test_lost_uidlist_means_a_new_uidvalidity(tmp_path: Path) -> None:
    fill(tmp_path, 2)
    old = _opened(tmp_path).open_folder("INBOX")
    (tmp_path / UIDLIST).unlink()
    new = _opened(tmp_path).open_folder("INBOX")
    assert new != old and 0 < new < 2**32
    assert sorted(uids_of(_opened(tmp_path))) == [1, 2]
    assert _opened(tmp_path).open_folder("INBOX") == new  # and stable from then on


def test_corrupt_uidlist_means_a_new_uidvalidity(tmp_path: Path) -> None:
    fill(tmp_path, 1)
    old = _opened(tmp_path).open_folder("INBOX")
    for garbage in ("{not json", '{"uidvalidity": 0, "next_uid": 1, "uids": {}}', "[]"):
        (tmp_path / UIDLIST).write_text(garbage)
        new = _opened(tmp_path).open_folder("INBOX")
        assert new != old
        old = new


def test_empty_and_missing_maildirs(tmp_path: Path) -> None:
    box = tmp_path / "does" / "not" / "exist"
    source = MaildirSource(box)
    validity = source.open_folder("INBOX")
    assert source.fetch_after(0, limit=10) == []
    assert (box / "new").is_dir() and (box / "cur").is_dir() and (box / "tmp").is_dir()
    assert MaildirSource(box).open_folder("inbox") == validity  # saved though empty


def test_folders(tmp_path: Path) -> None:
    source = MaildirSource(tmp_path)
    with pytest.raises(MailError, match="open_folder"):
        source.fetch_after(0, limit=1)
    with pytest.raises(MailError, match="no folder 'Archive'"):
        source.open_folder("Archive")
    sub = tmp_path / ".Archive"
    raws = fill(sub, 1)
    fill(tmp_path, 2)
    source.open_folder("Archive")
    assert uids_of(source) == {1: raws[0]}
    source.open_folder("INBOX")
    assert sorted(uids_of(source)) == [1, 2]


def test_deliver_to_maildir_puts_exact_bytes_in_new(tmp_path: Path) -> None:
    raw = b"From: a@example.com\r\nSubject: x\r\n\r\nbody \xe4\r\n"
    key = deliver_to_maildir(tmp_path / "box", raw)
    [name] = files(tmp_path / "box", "new")
    assert name == key
    assert (tmp_path / "box" / "new" / name).read_bytes() == raw


async def test_outbox_writes_readable_mail(tmp_path: Path) -> None:
    outbox = MaildirOutbox(tmp_path / "outbox")
    msg = build_reply(
        from_addr="support@desk.test",
        from_name="Desk",
        to="alice@example.com",
        subject="Grüße",
        body="Hallo Alice, alles erledigt. 🙂\n",
        message_id="desk.1.aa.bb@desk.test",
        in_reply_to="cust@example.com",
        references=[],
        ticket_id=1,
    )
    await outbox.send(msg)
    await outbox.send(msg)
    assert len(files(tmp_path / "outbox", "new")) == 2
    [first, _] = read_maildir(tmp_path / "outbox")
    assert first["Subject"] == "Re: [#1] Grüße"
    assert first["Message-ID"] == "<desk.1.aa.bb@desk.test>"
    assert first["In-Reply-To"] == "<cust@example.com>"
    assert first.get_content() == "Hallo Alice, alles erledigt. 🙂\n"
    # a person reading the outbox with a Maildir MUA: plain Unix line ends
    raw = (tmp_path / "outbox" / "new" / files(tmp_path / "outbox", "new")[0]).read_bytes()
    assert b"\r\n" not in raw


async def test_outbox_that_cannot_be_written_is_a_temporary_error(tmp_path: Path) -> None:
    blocker = tmp_path / "outbox"
    blocker.write_text("a file where the outbox should be")
    with pytest.raises(MailTemporaryError, match="cannot write to the outbox"):
        await MaildirOutbox(blocker).send(
            build_reply(
                from_addr="support@desk.test",
                from_name="",
                to="a@example.com",
                subject="s",
                body="b",
                message_id="x@desk.test",
                in_reply_to=None,
                references=[],
                ticket_id=1,
            )
        )
