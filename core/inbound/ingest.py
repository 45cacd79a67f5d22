"""Mail in: fetch by UID, parse, classify, thread and store, one transaction per batch.

Rules (docs/architecture.md, "Mail intake"): the folder's UIDVALIDITY and last UID are tracked; a batch's
messages and the new ``last_uid`` commit together, and only then is ``\\Seen`` set on the
server (``seen_uid`` records it, in the next transaction). A crash between the two is healed
on the next fetch: the UIDs between ``seen_uid`` and ``last_uid`` are flagged again. A
Message-ID is stored once per mailbox (unique constraint); mail without one gets a synthetic
id from its bytes. A message that cannot be parsed is kept raw in quarantine and the batch
goes on.

This module is the pipeline and its batch sizing; the stages are ``parse_pool`` (parsing,
in worker processes for big batches) and ``store`` (one transaction per batch), and
``records`` holds the plain data passed between them.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import MailError
from core.inbound.attachments import AttachmentStore
from core.inbound.parse_pool import ParsePool
from core.inbound.records import IngestReport, Item
from core.inbound.store import BatchStore
from core.mail.transport import FetchedMail, MailSource
from core.ticket_events import NO_EVENTS, TicketEvents
from db.base import utcnow
from db.models import Mailbox
from db.session import SessionFactory

FIRST_BATCH = 100  # ingest/raw 0.43 -> 0.45 against starting at 500 (PostgreSQL)
_T = TypeVar("_T")

CommitHook = Callable[[list[int]], Awaitable[None] | None]


class Ingestor:
    """Stores fetched mail. Services get their dependencies passed in; no globals.

    The settings a caller may change after construction (``parse_workers``,
    ``max_attachment_bytes``, ``attachments``) reach the stage that uses them."""

    def __init__(
        self,
        session_factory: SessionFactory,
        *,
        token_key: bytes | Sequence[bytes],
        attachments: AttachmentStore,
        own_addresses: Iterable[str] = (),
        max_message_bytes: int = 25 * 1024 * 1024,
        max_attachment_bytes: int = 15 * 1024 * 1024,
        batch_size: int = 250,
        clock: Callable[[], datetime] = utcnow,
        after_commit: CommitHook | None = None,
        parse_workers: int = 0,
        events: TicketEvents = NO_EVENTS,
    ) -> None:
        self.sessions = session_factory
        self.batch_size = batch_size
        self.after_commit = after_commit
        # worker processes spread parsing over the cores; 0 parses in a thread
        self.parser = ParsePool(
            workers=parse_workers,
            max_attachment_bytes=max_attachment_bytes,
            attachments=attachments,
        )
        self.store = BatchStore(
            session_factory,
            token_key=token_key,
            attachments=attachments,
            own_addresses=own_addresses,
            max_message_bytes=max_message_bytes,
            clock=clock,
            events=events,
        )

    @property
    def attachments(self) -> AttachmentStore:
        return self.store.attachments

    @attachments.setter
    def attachments(self, store: AttachmentStore) -> None:
        self.store.attachments = self.parser.attachments = store

    @property
    def parse_workers(self) -> int:
        return self.parser.workers

    @parse_workers.setter
    def parse_workers(self, workers: int) -> None:
        self.parser.workers = workers

    @property
    def max_attachment_bytes(self) -> int:
        return self.parser.max_attachment_bytes

    @max_attachment_bytes.setter
    def max_attachment_bytes(self, size: int) -> None:
        self.parser.max_attachment_bytes = size

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
        self.store.forget_ticket_floor()

        def locked(fn: Callable[..., _T], *args: Any, **kw: Any) -> Awaitable[_T]:
            def run() -> _T:
                with io_lock:
                    return fn(*args, **kw)

            return asyncio.to_thread(run)

        uidvalidity = await locked(source.open_folder, folder)
        state = await self.store.folder_state(mailbox.id, folder, uidvalidity)
        if state.seen_uid < state.last_uid:  # a crash came between commit and \Seen
            await locked(source.mark_seen, list(range(state.seen_uid + 1, state.last_uid + 1)))
        seen_uid = state.last_uid
        own = frozenset(self.store.own_addresses | {mailbox.address.lower()})
        queue: asyncio.Queue[asyncio.Future[list[Item]] | None] = asyncio.Queue(maxsize=2)

        async def produce() -> None:
            last_uid = state.last_uid
            limit = min(self.batch_size, FIRST_BATCH)
            try:
                while fetched := await locked(source.fetch_after, last_uid, limit=limit):
                    last_uid = fetched[-1].uid
                    limit = next_batch_size(limit, self.batch_size, source.backlog(last_uid))
                    await queue.put(asyncio.ensure_future(self.parser.parse(fetched, own)))
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
            self.store.forget_ticket_floor()
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
            await self.store.record_seen(state.id, seen_uid)
        return report

    async def ingest_batch(
        self,
        mailbox: Mailbox,
        folder: str | None,
        items: list[Item],
        *,
        state_id: int | None = None,
        seen_uid: int | None = None,
        session: AsyncSession | None = None,
    ) -> IngestReport:
        """Store one batch in one transaction (``BatchStore.ingest_batch``)."""
        return await self.store.ingest_batch(
            mailbox, folder, items, state_id=state_id, seen_uid=seen_uid, session=session
        )

    def parse_one(self, fm: FetchedMail, own: frozenset[str] | None = None) -> Item:
        """Parse one message; with ``own`` (our addresses) also classify it."""
        return self.parser.parse_one(fm, own)

    async def warm_up(self) -> None:
        """Start the parse workers now (a long-running worker calls this at start), so the
        first big fetch does not wait for them to import the parser."""
        await self.parser.warm_up()

    def close(self) -> None:
        self.parser.close()


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


__all__ = ["FIRST_BATCH", "IngestReport", "Ingestor", "MailError", "next_batch_size"]
