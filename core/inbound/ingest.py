"""Mail in: fetch by UID, parse, classify, thread and store, one transaction per batch.

Rules (DESIGN.md, mail gateway): the folder's UIDVALIDITY and last UID are tracked; a batch's
messages and the new ``last_uid`` commit together, and only then is ``\\Seen`` set on the
server (``seen_uid`` records it, in the next transaction). A crash between the two is healed
on the next fetch: the UIDs between ``seen_uid`` and ``last_uid`` are flagged again. A
Message-ID is stored once per mailbox (unique constraint); mail without one gets a synthetic
id from its bytes. A message that cannot be parsed is kept raw in quarantine and the batch
goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hashlib
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, fields
from datetime import datetime
from email.message import Message as EmailMessageBase
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit import Actor, record, record_many
from core.errors import MailError, ParseError
from core.inbound.attachments import AttachmentStore
from core.mail.compose import ticket_from_message_id
from core.mail.loopguard import Classification, classify
from core.mail.parsed import PackedMessage, ParsedMessage, pack, unpack
from core.mail.parsing import parse_message
from core.mail.quotes import strip_reply
from core.mail.threads import ThreadMatch, candidate_ids, resolve, subject_tags
from core.mail.transport import FetchedMail, MailSource
from core.textsafe import clean, clean_list
from db.base import utcnow
from db.bulk import bulk_insert, bulk_insert_ids, one_of, table_of
from db.models import (
    Attachment,
    FolderState,
    Mailbox,
    Message,
    Quarantine,
    Recipient,
    Ticket,
)
from db.session import SessionFactory

log = logging.getLogger(__name__)

ID_LEN = 998
ADDR_LEN = 320
BODY_LIMIT = 1_000_000  # characters of body text kept in the row when a mail is oversized
PARENT_CHECK_SECONDS = 0.5  # how soon a parse worker notices its parent is gone
FIRST_BATCH = 100  # ingest/raw 0.43 -> 0.45 against starting at 500 (PostgreSQL)
POOL_MIN_BATCH = 40  # smaller batches parse faster in-process than shipped to a worker
PARSE_WORKER_NICE = 10  # +10: ingest/raw 0.43 -> 0.45 (PostgreSQL), 0.47 -> 0.51 (SQLite)
_T = TypeVar("_T")
NOISE_KINDS = frozenset({"auto", "bulk", "bounce", "own"})


@dataclass
class IngestReport:
    fetched: int = 0
    stored: int = 0
    duplicates: int = 0
    quarantined: int = 0
    new_tickets: int = 0
    threaded: int = 0
    needs_reply: int = 0
    noise: int = 0
    bounces: int = 0

    def add(self, other: IngestReport) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(slots=True)
class _Item:
    uid: int
    raw: bytes
    parsed: ParsedMessage | None = None
    error: str | None = None
    kind: Classification | None = None
    match: ThreadMatch | None = None
    ticket_key: int = 0  # real ticket id, or -(n) for the n-th new ticket of the batch
    notes: list[str] = field(default_factory=list)


CommitHook = Callable[[list[int]], Awaitable[None] | None]


class Ingestor:
    """Stores fetched mail. Services get their dependencies passed in; no globals."""

    def __init__(
        self,
        session_factory: SessionFactory,
        *,
        token_key: bytes,
        attachments: AttachmentStore,
        own_addresses: Iterable[str] = (),
        max_message_bytes: int = 25 * 1024 * 1024,
        max_attachment_bytes: int = 15 * 1024 * 1024,
        batch_size: int = 250,
        clock: Callable[[], datetime] = utcnow,
        after_commit: CommitHook | None = None,
        parse_workers: int = 0,
    ) -> None:
        self.sessions = session_factory
        bind = session_factory.kw.get("bind")
        self.pg = bind is not None and bind.dialect.name == "postgresql"
        self.token_key = token_key
        self.attachments = attachments
        self.own_addresses = {a.lower() for a in own_addresses}
        self.max_message_bytes = max_message_bytes
        self.max_attachment_bytes = max_attachment_bytes
        self.batch_size = batch_size
        self.clock = clock
        self.after_commit = after_commit
        # worker processes spread parsing over the cores; 0 parses in a thread
        self.parse_workers = parse_workers
        self._pool: ProcessPoolExecutor | None = None
        # PostgreSQL: the highest ticket id this fetch has inserted (see _insert_tickets)
        self._ticket_floor: int | None = None

    # -- fetching ---------------------------------------------------------------------------

    async def fetch(
        self, mailbox: Mailbox, source: MailSource, folder: str | None = None
    ) -> IngestReport:
        """Fetch every new message of one folder. Raises MailError when the server fails.

        A three-stage pipeline: while batch N is stored (this task), batch N+1 is parsed
        (worker processes when a pool is configured, else a thread) and batch N+2 fetched (a
        thread). The IMAP connection is used by one thread at a time (``io_lock``); ``\\Seen``
        is set only after the batch's commit, in UID order, while the next batch is stored.
        """
        folder = folder or mailbox.imap_folder
        report = IngestReport()
        io_lock = threading.Lock()
        self._ticket_floor = None  # asked again once per fetch: another worker adds tickets

        def locked(fn: Callable[..., _T], *args: Any, **kw: Any) -> Awaitable[_T]:
            def run() -> _T:
                with io_lock:
                    return fn(*args, **kw)

            return asyncio.to_thread(run)

        uidvalidity = await locked(source.open_folder, folder)
        state = await self._folder_state(mailbox.id, folder, uidvalidity)
        if state.seen_uid < state.last_uid:  # a crash came between commit and \Seen
            await locked(source.mark_seen, list(range(state.seen_uid + 1, state.last_uid + 1)))
        seen_uid = state.last_uid
        own = frozenset(self.own_addresses | {mailbox.address.lower()})
        queue: asyncio.Queue[asyncio.Future[list[_Item]] | None] = asyncio.Queue(maxsize=2)

        async def produce() -> None:
            last_uid = state.last_uid
            limit = min(self.batch_size, FIRST_BATCH)
            try:
                while fetched := await locked(source.fetch_after, last_uid, limit=limit):
                    last_uid = fetched[-1].uid
                    limit = next_batch_size(limit, self.batch_size, source.backlog(last_uid))
                    await queue.put(asyncio.ensure_future(self._parse_batch(fetched, own)))
            except asyncio.CancelledError:
                raise
            except BaseException:
                await queue.put(None)  # the consumer stores what came before, then re-raises
                raise
            await queue.put(None)

        async def mark(uids: list[int]) -> int:
            await locked(source.mark_seen, uids)
            return max(uids)

        marking: asyncio.Future[int] | None = None
        # one database connection for every batch of the fetch (a checkout per batch costs
        # the pool's liveness ping each time)
        store_session = self.sessions()
        producer = asyncio.create_task(produce())
        try:
            while (parsing := await queue.get()) is not None:
                batch = await parsing
                result = await self.ingest_batch(
                    mailbox,
                    folder,
                    batch,
                    state_id=state.id,
                    seen_uid=seen_uid,
                    session=store_session,
                )
                report.add(result)
                uids = [i.uid for i in batch]
                if self.after_commit is not None:
                    hook = self.after_commit(uids)
                    if hook is not None:
                        await hook
                # \Seen for this batch goes out while the next one is stored; the marks
                # still go one at a time, in UID order
                if marking is not None:
                    seen_uid = await marking
                marking = asyncio.ensure_future(mark(uids))
            if marking is not None:
                seen_uid = await marking
            await producer  # re-raises a fetch error after what came before it is stored
        finally:
            self._ticket_floor = None
            await store_session.close()
            if marking is not None:  # on an error, the last mark still finishes (or fails)
                with contextlib.suppress(Exception):
                    await marking
            if not producer.done():
                producer.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await producer
                with contextlib.suppress(asyncio.QueueEmpty):
                    while (pending := queue.get_nowait()) is not None:
                        pending.cancel()
        if seen_uid != state.seen_uid:
            async with self.sessions.begin() as session:
                await session.execute(
                    update(FolderState).where(FolderState.id == state.id).values(seen_uid=seen_uid)
                )
        return report

    async def _parse_batch(self, fetched: list[FetchedMail], own: frozenset[str]) -> list[_Item]:
        """Parse and classify a batch: in the process pool (split across its workers) when
        there is one and the batch is big enough to pay for the hand-over, else in a thread."""
        if self.parse_workers < 1 or len(fetched) < POOL_MIN_BATCH:
            return await asyncio.to_thread(lambda: [self.parse_one(fm, own) for fm in fetched])
        pool = self._start_pool()
        loop = asyncio.get_running_loop()
        size = -(-len(fetched) // self.parse_workers)
        chunks = [fetched[i : i + size] for i in range(0, len(fetched), size)]
        parts = await asyncio.gather(
            *(
                loop.run_in_executor(
                    pool,
                    parse_raw_batch,
                    [(fm.uid, fm.raw) for fm in chunk],
                    self.max_attachment_bytes,
                    own,
                    str(self.attachments.root),
                )
                for chunk in chunks
            )
        )
        return [
            _Item(
                uid=uid,
                raw=fm.raw,
                parsed=unpack(parsed) if parsed is not None else None,
                error=error,
                kind=Classification(*kind) if kind is not None else None,
            )
            for part, chunk in zip(parts, chunks, strict=True)
            for (uid, parsed, error, kind), fm in zip(part, chunk, strict=True)
        ]

    def _start_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:  # started on first need: most commands never parse much
            # spawn: the workers are this process's own children, so the shutdown below
            # reaches them (under forkserver, a SIGTERM to the group killed the fork server
            # and the pool, seeing it gone, gave up on workers that ignore SIGTERM)
            self._pool = ProcessPoolExecutor(
                self.parse_workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_parse_worker_init,
                initargs=(os.getpid(),),
            )
        return self._pool

    async def warm_up(self) -> None:
        """Start the parse workers now (a long-running worker calls this at start), so the
        first big fetch does not wait for them to import the parser."""
        if self.parse_workers > 0:
            pool = self._start_pool()
            loop = asyncio.get_running_loop()
            await asyncio.gather(
                *(
                    loop.run_in_executor(
                        pool, parse_raw_batch, [], self.max_attachment_bytes, frozenset()
                    )
                    for _ in range(self.parse_workers * 2)
                )
            )

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def parse_one(self, fm: FetchedMail, own: frozenset[str] | None = None) -> _Item:
        """Parse one message; with ``own`` (our addresses) also classify it."""
        uid, parsed, error = _parse_one(fm.uid, fm.raw, fm.obj, self.max_attachment_bytes)
        kind = _classify(parsed, own) if parsed is not None and own is not None else None
        return _Item(uid=uid, raw=fm.raw, parsed=parsed, error=error, kind=kind)

    async def _folder_state(self, mailbox_id: int, folder: str, uidvalidity: int) -> FolderState:
        async with self.sessions.begin() as session:
            state = await session.scalar(
                select(FolderState).where(
                    FolderState.mailbox_id == mailbox_id, FolderState.folder == folder
                )
            )
            if state is None:
                state = FolderState(mailbox_id=mailbox_id, folder=folder, uidvalidity=uidvalidity)
                session.add(state)
                await session.flush()
            elif state.uidvalidity != uidvalidity:
                record(
                    session,
                    Actor.system(),
                    "mailbox.uidvalidity_changed",
                    mailbox_id=mailbox_id,
                    folder=folder,
                    old=state.uidvalidity,
                    new=uidvalidity,
                    last_uid=state.last_uid,
                )
                log.warning(
                    "UIDVALIDITY of %s changed (%s -> %s): refetching, duplicates are dropped",
                    folder,
                    state.uidvalidity,
                    uidvalidity,
                )
                state.uidvalidity = uidvalidity
                state.last_uid = 0
                state.seen_uid = 0
        return state

    # -- storing ----------------------------------------------------------------------------

    async def ingest_batch(
        self,
        mailbox: Mailbox,
        folder: str | None,
        items: list[_Item],
        *,
        state_id: int | None = None,
        seen_uid: int | None = None,
        session: AsyncSession | None = None,
    ) -> IngestReport:
        """Store one batch in one transaction (in ``session`` when given, else in a session
        of its own). A unique-key race with another process is retried once: the second
        pass sees the rows the other process stored."""
        for attempt in (1, 2):
            try:
                async with contextlib.AsyncExitStack() as stack:
                    current = (
                        session
                        if session is not None
                        else await stack.enter_async_context(self.sessions())
                    )
                    await stack.enter_async_context(current.begin())
                    report = await self._store(current, mailbox, folder, items)
                    if state_id is not None:
                        values: dict[str, Any] = {"last_uid": max(i.uid for i in items)}
                        if seen_uid is not None:
                            values["seen_uid"] = seen_uid
                        await current.execute(
                            update(FolderState).where(FolderState.id == state_id).values(**values)
                        )
                return report
            except IntegrityError:
                if attempt == 2:
                    raise
                log.info("concurrent insert of the same mail; retrying the batch")
        raise AssertionError("unreachable")

    async def _store(
        self, session: AsyncSession, mailbox: Mailbox, folder: str | None, items: list[_Item]
    ) -> IngestReport:
        now = self.clock()
        report = IngestReport(fetched=len(items))
        parsed = [i for i in items if i.parsed is not None]
        own = frozenset(self.own_addresses | {mailbox.address.lower()})
        for item in parsed:
            if item.kind is None:  # items parsed by the caller, not by the fetch pipeline
                assert item.parsed is not None
                item.kind = _classify(item.parsed, own)
        # one look-up serves both the duplicate check (the batch's own ids) and threading
        # (the ids they refer to)
        stored = await self._by_message_id(
            session,
            Message.ticket_id,
            mailbox.id,
            (clean(c, ID_LEN) for i in parsed if i.parsed for c in _ids_to_look_up(i)),
        )
        good = self._drop_duplicates(parsed, stored, report)
        await self._quarantine(session, mailbox.id, folder, [i for i in items if i.error], report)
        await self._thread(session, mailbox.id, good, stored)
        new_ticket_ids = await self._insert_tickets(session, mailbox.id, good, now, report)
        for item in good:
            if item.ticket_key < 0:
                item.ticket_key = new_ticket_ids[-item.ticket_key - 1]
        await self._insert_messages(session, mailbox.id, folder, good, now, report)
        await self._touch_tickets(session, good)
        await self._mark_bounces(session, good, now)
        return report

    async def _by_message_id(
        self, session: AsyncSession, value: Any, mailbox_id: int, ids: Iterable[str]
    ) -> dict[str, int]:
        """Message-ID -> ``value`` (a Message column) of the mailbox's stored messages whose
        Message-ID is among ``ids`` (one query on PostgreSQL, which takes them as one
        parameter; 500 at a time on SQLite, which binds each)."""
        found: dict[str, int] = {}
        for chunk in _chunks(sorted(set(ids)), 20_000 if self.pg else 500):
            rows = await session.execute(
                select(Message.message_id, value).where(
                    Message.mailbox_id == mailbox_id,
                    one_of(Message.message_id, chunk, pg=self.pg),
                )
            )
            found.update({mid: v for mid, v in rows})
        return found

    @staticmethod
    def _drop_duplicates(
        parsed: list[_Item], stored: dict[str, int], report: IngestReport
    ) -> list[_Item]:
        """The items whose Message-ID is neither stored nor earlier in the batch."""
        seen = set(stored)
        good: list[_Item] = []
        for item in parsed:
            assert item.parsed is not None
            mid = clean(item.parsed.message_id, ID_LEN)
            if mid in seen:
                report.duplicates += 1
                continue
            seen.add(mid)
            good.append(item)
        return good

    async def _quarantine(
        self,
        session: AsyncSession,
        mailbox_id: int,
        folder: str | None,
        bad: list[_Item],
        report: IngestReport,
    ) -> None:
        if not bad:
            return
        shas = {hashlib.sha256(i.raw).hexdigest(): i for i in bad}
        known = set(
            await session.scalars(
                select(Quarantine.raw_sha256).where(
                    Quarantine.mailbox_id == mailbox_id, Quarantine.raw_sha256.in_(list(shas))
                )
            )
        )
        rows = [
            {
                "mailbox_id": mailbox_id,
                "folder": folder,
                "uid": item.uid,
                "raw": item.raw,
                "raw_sha256": sha,
                "error": clean(item.error or "unknown error"),
            }
            for sha, item in shas.items()
            if sha not in known
        ]
        if rows:
            await session.execute(insert(table_of(Quarantine)), rows)
            for row in rows:
                log.warning("quarantined uid %s: %s", row["uid"], row["error"])
        report.quarantined += len(bad)

    async def _thread(
        self, session: AsyncSession, mailbox_id: int, items: list[_Item], stored: dict[str, int]
    ) -> None:
        """Match each item to a ticket (``stored``: Message-ID -> ticket of the messages
        already stored that the items refer to) or mark it for a new one."""
        wanted = {
            clean(c, ID_LEN)
            for i in items
            if i.parsed
            for c in candidate_ids(i.parsed, _bounced(i))
        }
        known = dict(stored)
        signed = {
            mid: t for mid in wanted if (t := ticket_from_message_id(mid, key=self.token_key))
        }
        tags = {t for i in items if i.parsed for t in subject_tags(i.parsed.subject)}
        ours = await self._existing_tickets(session, mailbox_id, set(signed.values()) | tags)
        participants = await self._participants(session, tags & set(ours))
        for tid, requester in ours.items():
            participants.setdefault(tid, set()).add(requester)

        new_count = 0
        for item in items:
            msg = item.parsed
            assert msg is not None
            match = resolve(
                msg,
                known=known,
                token_ticket=lambda mid: signed.get(mid) if signed.get(mid) in ours else None,
                tag_allowed=lambda tid, sender: sender in participants.get(tid, set()),
                extra_ids=_bounced(item),
            )
            item.match = match
            if match.ticket_id is None:
                new_count += 1
                item.ticket_key = -new_count
            else:
                item.ticket_key = match.ticket_id
            known[clean(msg.message_id, ID_LEN)] = item.ticket_key

    async def _existing_tickets(
        self, session: AsyncSession, mailbox_id: int, ids: set[int]
    ) -> dict[int, str]:
        if not ids:
            return {}
        rows = await session.execute(
            select(Ticket.id, Ticket.requester_email).where(
                Ticket.mailbox_id == mailbox_id, Ticket.id.in_(sorted(ids))
            )
        )
        return {tid: email for tid, email in rows}

    async def _participants(
        self, session: AsyncSession, ticket_ids: set[int]
    ) -> dict[int, set[str]]:
        out: dict[int, set[str]] = {}
        if not ticket_ids:
            return out
        rows = await session.execute(
            select(
                Message.ticket_id,
                Message.direction,
                Message.from_email,
                Message.to_addrs,
                Message.cc_addrs,
            ).where(Message.ticket_id.in_(sorted(ticket_ids)))
        )
        own = self.own_addresses
        for tid, direction, sender, to, cc in rows:
            people = out.setdefault(tid, set())
            addrs = [*to, *cc] if direction == "out" else [sender, *cc]
            people.update(a for a in addrs if a and a not in own)
        return out

    async def _insert_tickets(
        self,
        session: AsyncSession,
        mailbox_id: int,
        items: list[_Item],
        now: datetime,
        report: IngestReport,
    ) -> list[int]:
        # a new ticket's clock starts at its latest message of the batch (the follow-ups in
        # the same batch need no update of it afterwards)
        latest: dict[int, datetime] = {}
        for item in items:
            if item.ticket_key < 0:
                assert item.parsed is not None
                when = item.parsed.date or now
                if item.ticket_key not in latest or when > latest[item.ticket_key]:
                    latest[item.ticket_key] = when
        rows: list[dict[str, Any]] = []
        for item in items:
            if item.ticket_key != -(len(rows) + 1):
                continue
            msg, kind = item.parsed, item.kind
            assert msg is not None and kind is not None
            noise = kind.kind in NOISE_KINDS
            rows.append(
                {
                    "mailbox_id": mailbox_id,
                    "requester_email": clean(msg.from_email, ADDR_LEN),
                    "requester_name": clean(msg.from_name, ADDR_LEN),
                    "subject": clean(msg.subject),
                    # mail nobody should answer is kept, but not put in anyone's queue
                    "status": "resolved" if noise else "open",
                    "resolved_at": now if noise else None,
                    "thread_id": clean(
                        msg.references[0] if msg.references else msg.message_id, ID_LEN
                    ),
                    "message_id": clean(msg.message_id, ID_LEN),
                    "received_at": msg.date or now,
                    "last_message_at": latest[item.ticket_key],
                    "created_at": now,
                    "updated_at": now,
                }
            )
        if not rows:
            return []
        # the first message's id is unique among the batch's new tickets; on PostgreSQL,
        # the previous batch's last new ticket is below them all (sequences only grow)
        ids = await bulk_insert_ids(
            session, table_of(Ticket), rows, key="message_id", above=self._ticket_floor
        )
        if self.pg:
            self._ticket_floor = max(ids)
        await record_many(session, Actor.system(), "ticket.created", ticket_ids=ids)
        report.new_tickets += len(ids)
        return ids

    async def _insert_messages(
        self,
        session: AsyncSession,
        mailbox_id: int,
        folder: str | None,
        items: list[_Item],
        now: datetime,
        report: IngestReport,
    ) -> None:
        if not items:
            return
        rows: list[dict[str, Any]] = []
        for item in items:
            msg, kind, match = item.parsed, item.kind, item.match
            assert msg is not None and kind is not None and match is not None
            notes = list(item.notes)
            body, reply = msg.text, msg.reply_text
            if msg.raw_size > self.max_message_bytes:
                notes.append(
                    f"message is {msg.raw_size / 1e6:.1f} MB, over the "
                    f"{self.max_message_bytes / 1e6:.0f} MB limit: text cut to {BODY_LIMIT:,} characters"
                )
                body, reply = body[:BODY_LIMIT], reply[:BODY_LIMIT]
            notes.extend(a.note for a in msg.attachments if a.note)
            needs_reply = kind.kind == "customer"
            report.needs_reply += needs_reply
            report.noise += kind.kind in NOISE_KINDS
            report.bounces += kind.kind == "bounce"
            report.threaded += match.ticket_id is not None
            rows.append(
                {
                    "ticket_id": item.ticket_key,
                    "mailbox_id": mailbox_id,
                    "direction": "in",
                    "kind": kind.kind,
                    "message_id": clean(msg.message_id, ID_LEN),
                    "synthetic_message_id": msg.synthetic_message_id,
                    "in_reply_to": clean(msg.in_reply_to, ID_LEN) if msg.in_reply_to else None,
                    "references": clean_list(msg.references[-50:], ID_LEN),
                    "from_email": clean(msg.from_email, ADDR_LEN),
                    "from_name": clean(msg.from_name, ADDR_LEN),
                    "to_addrs": clean_list(msg.to[:50], ADDR_LEN),
                    "cc_addrs": clean_list(msg.cc[:50], ADDR_LEN),
                    "subject": clean(msg.subject),
                    "date": msg.date or now,
                    "received_at": now,
                    "body_text": clean(body),
                    "reply_text": clean(reply),
                    "raw_size": msg.raw_size,
                    "raw_sha256": msg.raw_sha256,
                    "defects": clean_list(msg.defects[:50]),
                    "notes": clean_list(notes),
                    "imap_folder": folder,
                    "imap_uid": item.uid,
                    "needs_reply": needs_reply,
                    "triage_status": "queued" if needs_reply else "skipped",
                }
            )
        await bulk_insert(session, table_of(Message), rows)
        report.stored += len(rows)
        with_files = [i for i in items if i.parsed and i.parsed.attachments]
        message_ids = await self._by_message_id(
            session,
            Message.id,
            mailbox_id,
            [clean(i.parsed.message_id, ID_LEN) for i in with_files if i.parsed],
        )
        attachments: list[dict[str, Any]] = []
        files: dict[str, bytes] = {}
        for item in with_files:
            assert item.parsed is not None
            mid = message_ids[clean(item.parsed.message_id, ID_LEN)]
            for att in item.parsed.attachments:
                stored = att.saved or att.content is not None
                if att.content is not None:  # not written by a parse worker
                    files[att.sha256] = att.content
                attachments.append(
                    {
                        "message_id": mid,
                        "filename": clean(att.filename, 500),
                        "content_type": clean(att.content_type, 200),
                        "size": att.size,
                        "sha256": att.sha256,
                        "stored": stored,
                        "note": att.note,
                    }
                )
        if files:  # one hand-over to a thread for the batch: a hop costs ~1 ms per file
            await asyncio.to_thread(self.attachments.put_many, files.items())
        await bulk_insert(session, table_of(Attachment), attachments)

    async def _touch_tickets(self, session: AsyncSession, items: list[_Item]) -> None:
        """A follow-up moves the ticket's clock and reopens an answered or resolved ticket."""
        latest: dict[int, datetime] = {}
        reopen: set[int] = set()
        for item in items:
            if item.match is None or item.match.ticket_id is None:
                continue
            assert item.parsed is not None and item.kind is not None
            tid = item.ticket_key
            if item.kind.kind == "customer":
                reopen.add(tid)
            if item.match.ticket_id < 0:  # opened in this batch: its clock is set already
                continue
            when = item.parsed.date or self.clock()
            latest[tid] = max(latest.get(tid, when), when)
        if latest:
            # one executemany for every touched ticket, not one UPDATE per ticket
            table = table_of(Ticket)
            await session.execute(
                update(table)
                .where(table.c.id == bindparam("tid"), table.c.last_message_at < bindparam("when"))
                .values(last_message_at=bindparam("when")),
                [{"tid": tid, "when": when} for tid, when in latest.items()],
            )
        if reopen:
            reopened = await session.scalars(
                update(Ticket)
                .where(Ticket.id.in_(sorted(reopen)), Ticket.status != "open")
                .values(status="open", resolved_at=None)
                .returning(Ticket.id)
                .execution_options(synchronize_session=False)
            )
            await record_many(
                session, Actor.system(), "ticket.reopened_by_customer", ticket_ids=list(reopened)
            )

    async def _mark_bounces(self, session: AsyncSession, items: list[_Item], now: datetime) -> None:
        """A permanent bounce marks its recipients undeliverable (the sender then refuses
        them until someone clears the mark: ``core.outbound.recipients``). A temporary one (a 4.x.x
        status: mailbox full, delivery delayed) is only recorded: the next reply may get
        through."""
        for item in items:
            kind = item.kind
            if kind is None or kind.kind != "bounce":
                continue
            ticket_id = item.ticket_key if item.ticket_key > 0 else None
            for addr in kind.bounced_recipients:
                addr = clean(addr.lower(), ADDR_LEN)
                if kind.permanent:
                    row = await session.get(Recipient, addr)
                    reason = f"bounce {kind.bounce_status or ''}: {kind.reason}".strip()
                    if row is None:
                        row = Recipient(email=addr)
                        session.add(row)
                    row.undeliverable, row.bounce_reason, row.bounced_at = True, reason, now
                record(
                    session,
                    Actor.system(),
                    "recipient.undeliverable"
                    if kind.permanent
                    else "recipient.bounced_temporarily",
                    ticket_id=ticket_id,
                    email=addr,
                    status=kind.bounce_status,
                )
            await session.flush()


def next_batch_size(previous: int, batch_size: int, backlog: int | None) -> int:
    """The size of the next fetch. A small batch first, so that storing starts soon, then
    doubling up to ``batch_size``; toward the end of a known backlog, halving: the last
    batch is stored while nothing else is left to do, so a small one ends the fetch
    sooner (but not a tiny one: each batch costs a transaction)."""
    size = min(batch_size, previous * 2)
    if backlog is not None and backlog < 2 * size:
        floor = min(FIRST_BATCH, batch_size)
        size = max(floor, -(-backlog // 2))
        if backlog - size < floor:  # no batch smaller than the first one at the very end
            size = min(batch_size, max(size, backlog))
    return size


def _parse_one(
    uid: int, raw: bytes, obj: EmailMessageBase | None, max_attachment_bytes: int
) -> tuple[int, ParsedMessage | None, str | None]:
    try:
        parsed = parse_message(
            raw, obj=obj, max_attachment_bytes=max_attachment_bytes, strip_quotes=False
        )
        return uid, parsed, None
    except ParseError as exc:
        return uid, None, str(exc)
    except Exception as exc:  # a parser bug must not block the mailbox
        log.exception("parser crashed on uid %s", uid)
        return uid, None, f"parser crashed: {type(exc).__name__}: {exc}"


def _classify(parsed: ParsedMessage, own: frozenset[str]) -> Classification:
    kind = classify(parsed, own_addresses=set(own))
    if kind.kind == "customer" and parsed.text:
        # the triage input; mail nobody answers does not need it
        parsed.reply_text = strip_reply(parsed.text)
    return kind


def _parse_worker_init(parent: int) -> None:
    """In a parse worker. A SIGTERM or Ctrl-C sent to the whole process group (a deploy)
    must not kill a worker mid-batch: the parent finishes its jobs and then shuts the pool
    down. A worker whose parent is gone without doing so (killed) exits by itself: nothing
    else would ever tell it, as it holds both ends of its own job queue."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The imports (~180,000 objects) live as long as the worker: out of the collector's
    # sight, they are not re-scanned by every full collection a batch's parse triggers.
    gc.collect()
    gc.freeze()
    # Parsing runs ahead of storing (two batches queued), so it can yield: at a lower
    # priority it leaves the cores to the store path and to the web process first.
    if hasattr(os, "nice"):  # POSIX only
        os.nice(PARSE_WORKER_NICE)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def parse_raw_batch(
    raws: list[tuple[int, bytes]],
    max_attachment_bytes: int,
    own: frozenset[str],
    attachments_root: str | None = None,
) -> list[tuple[int, PackedMessage | None, str | None, tuple[Any, ...] | None]]:
    """Runs in a worker process: parse and classify raw messages, never raising. The HTML
    and the header map are dropped before the result is pickled back: neither is stored.
    Results travel as tuples (``core.mail.parsed.pack``): they unpickle much faster.

    With ``attachments_root``, attachment contents are written to that store here (content
    addressed, so a duplicate or a batch that fails to commit leaves only a spare file):
    file creation then happens ahead of the batch's transaction, not inside it."""
    store = AttachmentStore(Path(attachments_root)) if attachments_root else None
    out: list[tuple[int, PackedMessage | None, str | None, tuple[Any, ...] | None]] = []
    for uid, raw in raws:
        _, parsed, error = _parse_one(uid, raw, None, max_attachment_bytes)
        if parsed is None:
            out.append((uid, None, error, None))
            continue
        kind = _classify(parsed, own)
        parsed.html, parsed.headers = None, {}
        if store is not None:
            _save_attachments(store, parsed)
        out.append((uid, pack(parsed), error, tuple(getattr(kind, f) for f in _KIND_FIELDS)))
    return out


def _save_attachments(store: AttachmentStore, parsed: ParsedMessage) -> None:
    """Write each attachment's content to ``store`` and drop it from ``parsed``. One that
    cannot be written keeps its content: the batch's store path writes it again, and fails
    the batch with the error if it still cannot."""
    for att in parsed.attachments:
        if att.content is None:
            continue
        try:
            store.put(att.sha256, att.content)
        except OSError as exc:
            log.warning("parse worker could not store attachment %s: %s", att.sha256, exc)
            continue
        att.content, att.saved = None, True


_KIND_FIELDS = tuple(f.name for f in fields(Classification))


def _ids_to_look_up(item: _Item) -> list[str]:
    """An item's own Message-ID (is it stored already?) and those it refers to (threading)."""
    assert item.parsed is not None
    return [item.parsed.message_id, *candidate_ids(item.parsed, _bounced(item))]


def _bounced(item: _Item) -> list[str]:
    """For a bounce, the Message-ID of the mail that bounced: it threads the bounce."""
    kind = item.kind
    return [kind.original_message_id] if kind and kind.original_message_id else []


def _chunks(values: list[str], size: int) -> Iterable[list[str]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


__all__ = ["IngestReport", "Ingestor", "MailError"]
