"""Ingest over a real Dovecot: threading, duplicates, crashes, UIDVALIDITY, quarantine, noise."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.inbound.mailboxes import MailboxSpec
from core.mail.compose import make_message_id
from db.models import Attachment, Message, Quarantine, Recipient, Ticket
from server.wiring import TOKEN_PURPOSE, Desk
from tests.support.desk import SUPPORT
from tests.support.mail import make_dsn, make_mail, message_id_of

pytestmark = pytest.mark.dovecot


async def add_mailbox(desk: Desk, account, smtp=None):  # type: ignore[no-untyped-def]
    cfg = account.config
    return await desk.mailboxes.add(
        MailboxSpec(
            name="support",
            address=SUPPORT,
            imap_host=cfg.host,
            imap_port=cfg.port,
            imap_user=cfg.username,
            imap_tls="none",
            smtp_host=smtp.host if smtp else "127.0.0.1",
            smtp_port=smtp.port if smtp else 2525,
            smtp_user="",
            smtp_tls="none",
            password=cfg.password,
        )
    )


async def fetch(desk: Desk):  # type: ignore[no-untyped-def]
    [result] = await desk.fetcher.fetch_all("support")
    assert result.error is None, result.error
    return result.report


async def ticket_of(desk: Desk, message_id: str) -> int:
    async with desk.sessions() as s:
        tid = await s.scalar(select(Message.ticket_id).where(Message.message_id == message_id))
    assert tid is not None, f"{message_id} not stored"
    return tid


async def count(desk: Desk, model) -> int:  # type: ignore[no-untyped-def]
    async with desk.sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


async def test_reply_threads_by_references_without_in_reply_to(desk: Desk, imap_account) -> None:
    await add_mailbox(desk, imap_account)
    first = make_mail(subject="Printer on fire")
    imap_account.append(first)
    await fetch(desk)
    root = message_id_of(first)
    reply = make_mail(
        subject="Totally different subject", references=["unrelated@x", root, "other@y"]
    )
    imap_account.append(reply)
    report = await fetch(desk)
    assert report.threaded == 1 and report.new_tickets == 0
    assert await ticket_of(desk, message_id_of(reply)) == await ticket_of(desk, root)


async def test_reply_threads_by_signed_token_and_forged_token_does_not(
    desk: Desk, imap_account
) -> None:
    await add_mailbox(desk, imap_account)
    first = make_mail()
    imap_account.append(first)
    await fetch(desk)
    tid = await ticket_of(desk, message_id_of(first))
    key = desk.secrets.hmac_key(TOKEN_PURPOSE)
    ours = make_message_id(ticket_id=tid, domain="desk.test", key=key)
    forged = ours.replace(f".{tid}.", f".{tid + 1}.", 1)
    assert forged != ours
    good = make_mail(subject="no tag here", references=[ours])
    bad = make_mail(subject="no tag either", references=[forged])
    imap_account.append(good)
    imap_account.append(bad)
    await fetch(desk)
    assert await ticket_of(desk, message_id_of(good)) == tid
    assert await ticket_of(desk, message_id_of(bad)) != tid


async def test_subject_tag_counts_only_for_known_participants(desk: Desk, imap_account) -> None:
    await add_mailbox(desk, imap_account)
    first = make_mail(sender="Bob <bob@example.com>")
    imap_account.append(first)
    await fetch(desk)
    tid = await ticket_of(desk, message_id_of(first))
    stranger = make_mail(
        sender="Mallory <mallory@evil.test>", subject=f"Re: [#{tid}] give me the data"
    )
    requester = make_mail(sender="bob@example.com", subject=f"[#{tid}] one more thing")
    imap_account.append(stranger)
    imap_account.append(requester)
    await fetch(desk)
    assert await ticket_of(desk, message_id_of(stranger)) != tid
    assert await ticket_of(desk, message_id_of(requester)) == tid


async def test_same_subject_alone_never_merges(desk: Desk, imap_account) -> None:
    await add_mailbox(desk, imap_account)
    a = make_mail(sender="a@example.com", subject="Invoice question")
    b = make_mail(sender="a@example.com", subject="Re: Invoice question")
    imap_account.append(a)
    imap_account.append(b)
    await fetch(desk)
    assert await ticket_of(desk, message_id_of(a)) != await ticket_of(desk, message_id_of(b))


async def test_duplicate_message_id_is_stored_once(desk: Desk, imap_account) -> None:
    await add_mailbox(desk, imap_account)
    raw = make_mail(message_id="dup-1@example.com")
    imap_account.append(raw)
    imap_account.append(raw.replace(b"Please help.", b"Please help!!"))
    report = await fetch(desk)
    assert report.stored == 1 and report.duplicates == 1
    assert await count(desk, Message) == 1


async def test_missing_message_id_gets_a_stable_synthetic_id(desk: Desk, imap_account) -> None:
    await add_mailbox(desk, imap_account)
    raw = make_mail(message_id=None, body="no id here")
    other = make_mail(message_id=None, body="no id here either")
    for r in (raw, raw, other):
        imap_account.append(r)
    report = await fetch(desk)
    assert report.stored == 2 and report.duplicates == 1
    async with desk.sessions() as s:
        rows = list(await s.scalars(select(Message)))
    assert all(m.synthetic_message_id and m.message_id.endswith("@desk.invalid") for m in rows)


CRASHER = textwrap.dedent(
    """
    import asyncio, os, sys
    from core.config import Settings
    from server.wiring import build_desk

    async def main():
        desk = build_desk(Settings(_env_file=None, DATABASE_URL=sys.argv[1], DESK_DATA_DIR=sys.argv[2],
                                   DESK_SECRET_KEY="test-secret-key", DESK_FETCH_BATCH=3))
        def die(uids):
            os._exit(9)  # killed after the commit, before \\\\Seen
        desk.ingestor.after_commit = die
        await desk.fetcher.fetch_all("support")

    asyncio.run(main())
    """
)


async def test_process_killed_between_commit_and_seen_loses_and_doubles_nothing(
    desk: Desk, imap_account, database_url: str, tmp_path: Path
) -> None:
    await add_mailbox(desk, imap_account)
    raws = [make_mail(subject=f"crash case {i}") for i in range(7)]
    for raw in raws:
        imap_account.append(raw)
    proc = subprocess.run(
        [sys.executable, "-c", CRASHER, database_url, str(tmp_path / "crashdata")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ},
    )
    assert proc.returncode == 9, proc.stderr
    assert await count(desk, Message) == 3  # the first batch committed
    assert not any("\\Seen" in f for f in imap_account.flags().values())
    report = await fetch(desk)
    assert report.stored == 4 and report.duplicates == 0
    assert await count(desk, Message) == 7
    flags = imap_account.flags()
    assert len(flags) == 7 and all("\\Seen" in f for f in flags.values())
    ids = {message_id_of(r) for r in raws}
    async with desk.sessions() as s:
        assert set(await s.scalars(select(Message.message_id))) == ids


async def test_uidvalidity_change_refetches_without_duplicates(desk: Desk, imap_account) -> None:
    await add_mailbox(desk, imap_account)
    old = [make_mail(subject=f"before {i}") for i in range(3)]
    for raw in old:
        imap_account.append(raw)
    assert (await fetch(desk)).stored == 3
    imap_account.reset_folder()
    new = make_mail(subject="after the reset")
    for raw in [*old, new]:
        imap_account.append(raw)
    report = await fetch(desk)
    assert report.stored == 1 and report.duplicates == 3
    assert await count(desk, Message) == 4


async def test_malformed_mime_is_quarantined_and_the_fetch_goes_on(
    desk: Desk, imap_account
) -> None:
    await add_mailbox(desk, imap_account)
    good1 = make_mail(subject="before the bad one")
    broken = make_mail(subject="broken boundary").replace(
        b"Content-Type: text/plain", b'Content-Type: multipart/mixed; boundary="nope"'
    )
    garbage = b"\x01\x02 this is not an email at all \xff\xfe\r\n"
    good2 = make_mail(subject="after the bad one")
    for raw in (good1, broken, garbage, good2):
        imap_account.append(raw)
    report = await fetch(desk)
    assert report.fetched == 4
    assert report.stored + report.quarantined == 4
    assert report.quarantined >= 1  # garbage cannot become a ticket
    async with desk.sessions() as s:
        q = list(await s.scalars(select(Quarantine)))
        subjects = set(await s.scalars(select(Message.subject)))
    assert {"before the bad one", "after the bad one"} <= subjects
    assert any(row.raw == garbage for row in q) and all(row.error for row in q)
    # quarantined mail is not refetched forever
    assert (await fetch(desk)).fetched == 0


async def test_auto_reply_bulk_and_bounce_get_no_draft(desk: Desk, imap_account) -> None:
    await add_mailbox(desk, imap_account)
    customer = make_mail(sender="carol@example.com", subject="Where is my order?")
    imap_account.append(customer)
    await fetch(desk)
    tid = await ticket_of(desk, message_id_of(customer))
    ooo = make_mail(
        sender="carol@example.com",
        subject="Out of office",
        headers={"Auto-Submitted": "auto-replied"},
        in_reply_to=message_id_of(customer),
    )
    bulk = make_mail(
        sender="news@shop.test",
        subject="Weekly deals",
        headers={"List-Unsubscribe": "<mailto:u@shop.test>", "Precedence": "bulk"},
    )
    bounce = make_dsn("gone@example.com", n=1, original_message_id=message_id_of(customer))
    for raw in (ooo, bulk, bounce):
        imap_account.append(raw)
    report = await fetch(desk)
    assert report.needs_reply == 0 and report.noise == 3 and report.bounces == 1
    async with desk.sessions() as s:
        kinds = dict((await s.execute(select(Message.message_id, Message.kind))).all())
        gone = await s.get(Recipient, "gone@example.com")
    assert kinds[message_id_of(ooo)] == "auto" and kinds[message_id_of(bulk)] == "bulk"
    assert kinds["bounce-1@mx.example.com"] == "bounce"
    assert await ticket_of(desk, "bounce-1@mx.example.com") == tid  # threaded to the ticket
    assert gone is not None and gone.undeliverable
    triage = await (await desk.triage_service()).triage_queued()
    assert len(triage.drafted) == 1  # only the customer's own mail


async def test_ten_megabyte_attachment(desk: Desk, imap_account) -> None:
    await add_mailbox(desk, imap_account)
    big = os.urandom(10 * 1024 * 1024)
    raw = make_mail(subject="huge log", attachment=("huge.bin", "application/octet-stream", big))
    imap_account.append(raw)
    report = await fetch(desk)
    assert report.stored == 1
    async with desk.sessions() as s:
        att = await s.scalar(select(Attachment))
    assert att is not None and att.size == len(big) and att.filename == "huge.bin"
    import hashlib

    assert att.sha256 == hashlib.sha256(big).hexdigest()
    assert att.stored and desk.ingestor.attachments.get(att.sha256) == big


async def test_attachment_over_the_limit_is_noted_not_lost(desk: Desk, imap_account) -> None:
    desk.ingestor.max_attachment_bytes = 1024 * 1024
    await add_mailbox(desk, imap_account)
    raw = make_mail(
        subject="too big",
        attachment=("big.bin", "application/octet-stream", os.urandom(2 * 1024 * 1024)),
    )
    imap_account.append(raw)
    await fetch(desk)
    async with desk.sessions() as s:
        att = await s.scalar(select(Attachment))
        msg = await s.scalar(select(Message))
    assert att is not None and not att.stored and att.note
    assert msg is not None and any("limit" in n for n in msg.notes)


async def test_wrong_imap_password_is_a_clear_error_and_recorded(desk: Desk, imap_account) -> None:
    mailbox = await add_mailbox(desk, imap_account)
    async with desk.sessions.begin() as s:
        row = await s.get(type(mailbox), mailbox.id)
        row.password_enc = desk.secrets.encrypt("wrong-password")
    [result] = await desk.fetcher.fetch_all("support")
    assert result.error and "login" in result.error.lower() and imap_account.user in result.error
    box = await desk.mailboxes.get("support")
    assert box.consecutive_failures == 1 and box.last_error == result.error
    outcome = await desk.mailboxes.test(box)
    assert outcome["imap"] != "ok" and "login" in outcome["imap"].lower()


async def test_follow_up_reopens_an_answered_ticket(desk: Desk, imap_account) -> None:
    await add_mailbox(desk, imap_account)
    first = make_mail()
    imap_account.append(first)
    await fetch(desk)
    tid = await ticket_of(desk, message_id_of(first))
    async with desk.sessions.begin() as s:
        (await s.get(Ticket, tid)).status = "answered"
    imap_account.append(make_mail(in_reply_to=message_id_of(first), subject="Re: Help"))
    await fetch(desk)
    async with desk.sessions() as s:
        assert (await s.get(Ticket, tid)).status == "open"


async def test_the_ticket_clock_follows_its_latest_mail_in_one_batch_and_after(
    desk: Desk, imap_account
) -> None:
    from email import message_from_bytes
    from email.utils import parsedate_to_datetime

    def date_of(raw: bytes):  # type: ignore[no-untyped-def]
        return parsedate_to_datetime(message_from_bytes(raw)["Date"])

    await add_mailbox(desk, imap_account)
    first = make_mail(minutes=10)
    thread = {"in_reply_to": message_id_of(first), "subject": "Re: Help"}
    later, older = make_mail(**thread, minutes=50), make_mail(**thread, minutes=30)
    imap_account.append_many([first, later, older])  # one batch; the last one is dated earlier
    await fetch(desk)
    tid = await ticket_of(desk, message_id_of(first))
    async with desk.sessions() as s:
        assert (await s.get(Ticket, tid)).last_message_at == date_of(later)
    newest = make_mail(**thread, minutes=90)
    imap_account.append(newest)
    await fetch(desk)
    async with desk.sessions() as s:
        assert (await s.get(Ticket, tid)).last_message_at == date_of(newest)


async def test_every_new_and_reopened_ticket_is_audited_once(desk: Desk, imap_account) -> None:
    from db.models import AuditEvent

    await add_mailbox(desk, imap_account)
    firsts = [make_mail(subject=f"question {i}") for i in range(3)]
    imap_account.append_many(firsts)
    await fetch(desk)
    tids = [await ticket_of(desk, message_id_of(m)) for m in firsts]
    async with desk.sessions.begin() as s:
        (await s.get(Ticket, tids[1])).status = "resolved"
    imap_account.append(make_mail(in_reply_to=message_id_of(firsts[1]), subject="Re: q"))
    await fetch(desk)
    async with desk.sessions() as s:
        events = (await s.execute(select(AuditEvent).order_by(AuditEvent.id))).scalars().all()
    created = [e for e in events if e.action == "ticket.created"]
    assert [e.ticket_id for e in created] == tids
    assert all(e.actor == "worker" and e.source == "worker" and e.data == {} for e in created)
    assert [e.target for e in created] == [f"ticket:{t}" for t in tids]
    assert all(e.at is not None and e.at.tzinfo is not None for e in created)
    reopened = [e.ticket_id for e in events if e.action == "ticket.reopened_by_customer"]
    assert reopened == [tids[1]]


async def test_big_batches_are_parsed_in_worker_processes(desk: Desk, imap_account) -> None:
    desk.ingestor.parse_workers = 2  # the pool path: batches of >= POOL_MIN_BATCH messages
    await add_mailbox(desk, imap_account)
    customers = [make_mail(subject=f"question {i}") for i in range(45)]
    bulk = [
        make_mail(sender="news@shop.test", subject=f"deal {i}", headers={"Precedence": "bulk"})
        for i in range(15)
    ]
    imap_account.append_many([*customers, *bulk])
    report = await fetch(desk)
    assert report.stored == 60 and report.needs_reply == 45 and report.noise == 15
    async with desk.sessions() as s:
        rows = dict((await s.execute(select(Message.message_id, Message.reply_text))).all())
        languages = dict((await s.execute(select(Ticket.subject, Ticket.language))).all())
    assert all(rows[message_id_of(r)] for r in customers)  # triage input stripped in the worker
    # the language is told in the worker too, and crosses back with the parsed mail
    assert {languages[f"question {i}"] for i in range(45)} == {"en"}
    assert {languages[f"deal {i}"] for i in range(15)} == {None}  # nobody answers bulk mail
    assert desk.ingestor.parser.executor is not None


async def test_parse_workers_store_attachments_before_the_batch_commits(
    desk: Desk, imap_account, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workers write attachment files themselves (no bytes come back to the store path);
    every stored row's file is there, with its content, and every message ends \\Seen."""
    import core.inbound.ingest

    monkeypatch.setattr(
        core.inbound.ingest, "FIRST_BATCH", 40
    )  # two batches, both through the pool
    desk.ingestor.parse_workers = 2
    written: list[str] = []
    original_put_many = desk.ingestor.attachments.put_many
    monkeypatch.setattr(
        desk.ingestor.attachments,
        "put_many",
        lambda files: (written.extend(sha for sha, _ in files), original_put_many(files)),
    )
    await add_mailbox(desk, imap_account)
    payloads = [os.urandom(3000 + i) for i in range(80)]
    imap_account.append_many(
        [
            make_mail(
                subject=f"log {i}", attachment=(f"log-{i}.bin", "application/octet-stream", p)
            )
            for i, p in enumerate(payloads)
        ]
    )
    report = await fetch(desk)
    assert report.stored == 80
    async with desk.sessions() as s:
        rows = (await s.scalars(select(Attachment))).all()
    assert len(rows) == 80 and all(r.stored for r in rows)
    async with desk.sessions() as s:  # each row points at its own message
        pairs = (await s.execute(select(Attachment.filename, Message.subject).join(Message))).all()
    assert sorted(pairs) == sorted((f"log-{i}.bin", f"log {i}") for i in range(80))
    assert sorted(desk.ingestor.attachments.get(r.sha256) for r in rows) == sorted(payloads)
    assert written == []  # nothing was left for the store path to write
    flags = imap_account.flags()
    assert len(flags) == 80 and all("\\Seen" in f for f in flags.values())


def test_a_worker_that_cannot_write_an_attachment_hands_its_bytes_back(tmp_path: Path) -> None:
    from core.inbound.parse_pool import parse_raw_batch
    from core.mail.parsed import unpack

    (tmp_path / "file").write_text("not a directory")
    raw = make_mail(attachment=("a.txt", "text/plain", b"attached text\n"))
    for root, saved in ((tmp_path / "file" / "store", False), (tmp_path / "store", True)):
        [(_, packed, error, _)] = parse_raw_batch([(1, raw)], 1 << 20, frozenset(), str(root))
        assert error is None and packed is not None
        [att] = unpack(packed).attachments
        assert att.saved is saved
        assert (att.content is None) is saved  # kept for the store path when not written
    assert (tmp_path / "store").is_dir()


async def test_an_unwritable_attachment_store_fails_the_batch_and_loses_nothing(
    desk: Desk, imap_account, tmp_path: Path
) -> None:
    """Neither the workers nor the store path can write: the batch does not commit, the
    mail stays unseen for the next fetch, and that fetch stores it once the disk is back."""
    from core.inbound.attachments import AttachmentStore

    desk.ingestor.parse_workers = 2
    good_root = desk.ingestor.attachments.root
    (tmp_path / "file").write_text("not a directory")
    desk.ingestor.attachments = AttachmentStore(tmp_path / "file" / "store")
    mailbox = await add_mailbox(desk, imap_account)
    imap_account.append_many(
        [make_mail(attachment=(f"{i}.bin", "application/pdf", os.urandom(500))) for i in range(45)]
    )
    with pytest.raises(NotADirectoryError):
        await desk.fetcher.fetch_all(mailbox.name)
    assert await count(desk, Message) == 0
    assert not any("\\Seen" in f for f in imap_account.flags().values())
    desk.ingestor.attachments = AttachmentStore(good_root)
    report = await fetch(desk)
    assert report.stored == 45 and await count(desk, Attachment) == 45


async def test_batches_start_small_and_double(
    desk: Desk, imap_account, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first batch is small (storing starts soon), then batches double up to the
    configured size and halve again toward the end of the backlog (the last store runs
    alone); every message is stored once, a duplicate across batches included."""
    import core.inbound.ingest
    from core.mail.imap import ImapSource

    monkeypatch.setattr(core.inbound.ingest, "FIRST_BATCH", 4)
    desk.ingestor.batch_size = 10
    limits: list[int] = []
    original = ImapSource.fetch_after

    def recording(self: ImapSource, last_uid: int, *, limit: int):  # type: ignore[no-untyped-def]
        limits.append(limit)
        return original(self, last_uid, limit=limit)

    monkeypatch.setattr(ImapSource, "fetch_after", recording)
    await add_mailbox(desk, imap_account)
    mails = [make_mail(message_id=f"ramp-{n}@example.com", body=f"mail {n}") for n in range(44)]
    imap_account.append_many([*mails, mails[0]])
    report = await fetch(desk)
    # 45 in all: 4, 8, 10, 10; 13 left: 7, then the last 6 together (not 4 and 2)
    assert limits == [4, 8, 10, 10, 7, 6, 4]
    assert report.stored == 44 and report.duplicates == 1
    assert await count(desk, Message) == 44
