"""The ingest's parse stage: parse and classify fetched mail, in worker processes when a
batch is big enough to pay for the hand-over, else in a thread.

The workers are this process's own children (``spawn``): a SIGTERM to the process group
leaves them running until the parent shuts the pool down, and a worker whose parent is gone
exits by itself. This module imports no database code, so a worker loads only the parser.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import fields
from email.message import Message as EmailMessageBase
from pathlib import Path
from typing import Any

from core.errors import ParseError
from core.inbound.attachments import AttachmentStore
from core.inbound.records import Item
from core.mail.language import message_language
from core.mail.loopguard import Classification, classify
from core.mail.parsed import PackedMessage, ParsedMessage, pack, unpack
from core.mail.parsing import parse_message
from core.mail.quotes import strip_reply
from core.mail.transport import FetchedMail

log = logging.getLogger(__name__)

PARENT_CHECK_SECONDS = 0.5  # how soon a parse worker notices its parent is gone
POOL_MIN_BATCH = 40  # smaller batches parse faster in-process than shipped to a worker
PARSE_WORKER_NICE = 10  # +10: ingest/raw 0.43 -> 0.45 (PostgreSQL), 0.47 -> 0.51 (SQLite)

PackedResult = tuple[int, PackedMessage | None, str | None, tuple[Any, ...] | None]


class ParsePool:
    """Parses batches of fetched mail. ``workers`` processes (started on first need; 0 parses
    in a thread); with them, attachment files are written into ``attachments`` by the
    workers, ahead of the batch's transaction."""

    def __init__(
        self, *, workers: int = 0, max_attachment_bytes: int, attachments: AttachmentStore
    ) -> None:
        self.workers = workers
        self.max_attachment_bytes = max_attachment_bytes
        self.attachments = attachments
        self.executor: ProcessPoolExecutor | None = None

    async def parse(self, fetched: list[FetchedMail], own: frozenset[str]) -> list[Item]:
        """Parse and classify a batch: in the process pool (split across its workers) when
        there is one and the batch is big enough to pay for the hand-over, else in a thread."""
        if self.workers < 1 or len(fetched) < POOL_MIN_BATCH:
            return await asyncio.to_thread(lambda: [self.parse_one(fm, own) for fm in fetched])
        pool = self._start()
        loop = asyncio.get_running_loop()
        size = -(-len(fetched) // self.workers)
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
            Item(
                uid=uid,
                raw=fm.raw,
                parsed=unpack(parsed) if parsed is not None else None,
                error=error,
                kind=Classification(*kind) if kind is not None else None,
            )
            for part, chunk in zip(parts, chunks, strict=True)
            for (uid, parsed, error, kind), fm in zip(part, chunk, strict=True)
        ]

    def parse_one(self, fm: FetchedMail, own: frozenset[str] | None = None) -> Item:
        """Parse one message; with ``own`` (our addresses) also classify it."""
        uid, parsed, error = parse_mail(fm.uid, fm.raw, fm.obj, self.max_attachment_bytes)
        kind = classify_mail(parsed, own) if parsed is not None and own is not None else None
        return Item(uid=uid, raw=fm.raw, parsed=parsed, error=error, kind=kind)

    def _start(self) -> ProcessPoolExecutor:
        if self.executor is None:  # started on first need: most commands never parse much
            # spawn: the workers are this process's own children, so the shutdown below
            # reaches them (under forkserver, a SIGTERM to the group killed the fork server
            # and the pool, seeing it gone, gave up on workers that ignore SIGTERM)
            self.executor = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_parse_worker_init,
                initargs=(os.getpid(),),
            )
        return self.executor

    async def warm_up(self) -> None:
        """Start the workers now (a long-running worker calls this at start), so the first
        big fetch does not wait for them to import the parser."""
        if self.workers > 0:
            pool = self._start()
            loop = asyncio.get_running_loop()
            await asyncio.gather(
                *(
                    loop.run_in_executor(
                        pool, parse_raw_batch, [], self.max_attachment_bytes, frozenset()
                    )
                    for _ in range(self.workers * 2)
                )
            )

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(cancel_futures=True)
            self.executor = None


def parse_mail(
    uid: int, raw: bytes, obj: EmailMessageBase | None, max_attachment_bytes: int
) -> tuple[int, ParsedMessage | None, str | None]:
    """Parse one message, never raising: (uid, parsed, None) or (uid, None, the error)."""
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


def classify_mail(parsed: ParsedMessage, own: frozenset[str]) -> Classification:
    """Who sent it (``core.mail.loopguard``); customer mail also gets its triage input and
    its language."""
    kind = classify(parsed, own_addresses=set(own))
    if kind.kind == "customer":
        # the triage input and the customer's language; mail nobody answers needs neither
        if parsed.text:
            parsed.reply_text = strip_reply(parsed.text)
        parsed.language = message_language(parsed)
    return kind


def _parse_worker_init(parent: int) -> None:
    """In a parse worker. A SIGTERM or Ctrl-C sent to the whole process group (a deploy)
    must not kill a worker mid-batch: the parent finishes its jobs and then shuts the pool
    down. A worker whose parent is gone without doing so (killed) exits by itself: nothing
    else would ever tell it, as it holds both ends of its own job queue."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The imports live as long as the worker: out of the collector's sight, they are not
    # re-scanned by every full collection a batch's parse triggers.
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
) -> list[PackedResult]:
    """Runs in a worker process: parse and classify raw messages, never raising. The HTML
    and the header map are dropped before the result is pickled back: neither is stored.
    Results travel as tuples (``core.mail.parsed.pack``): they unpickle much faster.

    With ``attachments_root``, attachment contents are written to that store here (content
    addressed, so a duplicate or a batch that fails to commit leaves only a spare file):
    file creation then happens ahead of the batch's transaction, not inside it."""
    store = AttachmentStore(Path(attachments_root)) if attachments_root else None
    out: list[PackedResult] = []
    for uid, raw in raws:
        _, parsed, error = parse_mail(uid, raw, None, max_attachment_bytes)
        if parsed is None:
            out.append((uid, None, error, None))
            continue
        kind = classify_mail(parsed, own)
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
