"""The ingest's store stage: one batch of parsed mail into the database in one transaction.

Duplicates are dropped (one look-up by Message-ID serves them and threading), unparseable
mail goes to quarantine, each mail is threaded (``core.mail.threads``) or opens a ticket
(in the language of its first mail, ``core.mail.language``), and tickets, messages and attachments are written with bulk inserts; follow-ups move their
ticket's clock and reopen it, bounces mark their recipients. Also the folder's UID state.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit import Actor, record, record_many
from core.inbound.attachments import AttachmentStore
from core.inbound.parse_pool import classify_mail
from core.inbound.records import IngestReport, Item
from core.mail.compose import ticket_from_message_id
from core.mail.threads import candidate_ids, resolve, subject_tags
from core.textsafe import clean, clean_list
from core.ticket_events import NO_EVENTS, TicketEvents
from db.base import UTCDateTime, utcnow
from db.bulk import bulk_insert, bulk_insert_ids, one_of, table_of
from db.models import (
    Attachment,
    FolderState,
    Mailbox,
    Message,
    Quarantine,
    Recipient,
    ReopenedTicket,
    Ticket,
)
from db.session import SessionFactory, is_postgres

log = logging.getLogger(__name__)

ID_LEN = 998
ADDR_LEN = 320
BODY_LIMIT = 1_000_000  # characters of body text kept in the row when a mail is oversized
NOISE_KINDS = frozenset({"auto", "bulk", "bounce", "own"})


class BatchStore:
    """Writes the batches of one ``Ingestor``. Services get their dependencies passed in."""

    def __init__(
        self,
        session_factory: SessionFactory,
        *,
        token_key: bytes | Sequence[bytes],  # a key list verifies ids any of them signed
        attachments: AttachmentStore,
        own_addresses: Iterable[str] = (),
        max_message_bytes: int = 25 * 1024 * 1024,
        clock: Callable[[], datetime] = utcnow,
        events: TicketEvents = NO_EVENTS,
    ) -> None:
        self.sessions = session_factory
        self.pg = is_postgres(session_factory.kw.get("bind"))
        # told of new tickets and customer follow-ups in the batch's transaction (SLA clocks)
        self.events = events
        self.token_key = token_key
        self.attachments = attachments
        self.own_addresses = {a.lower() for a in own_addresses}
        self.max_message_bytes = max_message_bytes
        self.clock = clock
        # PostgreSQL: the highest ticket id this fetch has inserted (see _insert_tickets)
        self._ticket_floor: int | None = None

    def forget_ticket_floor(self) -> None:
        """At the start and end of each fetch: the floor is asked again (another worker adds
        tickets between two fetches)."""
        self._ticket_floor = None

    # -- the folder -------------------------------------------------------------------------

    async def folder_state(self, mailbox_id: int, folder: str, uidvalidity: int) -> FolderState:
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
                    Actor.worker(),
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

    async def record_seen(self, state_id: int, seen_uid: int) -> None:
        """``\\Seen`` is set on the server up to ``seen_uid`` (after the batches' commits)."""
        async with self.sessions.begin() as session:
            await session.execute(
                update(FolderState).where(FolderState.id == state_id).values(seen_uid=seen_uid)
            )

    # -- storing ----------------------------------------------------------------------------

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
        self, session: AsyncSession, mailbox: Mailbox, folder: str | None, items: list[Item]
    ) -> IngestReport:
        now = self.clock()
        report = IngestReport(fetched=len(items))
        parsed = [i for i in items if i.parsed is not None]
        own = frozenset(self.own_addresses | {mailbox.address.lower()})
        for item in parsed:
            if item.kind is None:  # items parsed by the caller, not by the fetch pipeline
                assert item.parsed is not None
                item.kind = classify_mail(item.parsed, own)
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
        parsed: list[Item], stored: dict[str, int], report: IngestReport
    ) -> list[Item]:
        """The items whose Message-ID is neither stored nor earlier in the batch."""
        seen = set(stored)
        good: list[Item] = []
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
        bad: list[Item],
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
        self, session: AsyncSession, mailbox_id: int, items: list[Item], stored: dict[str, int]
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
        items: list[Item],
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
                    # the customer's first mail says which language they write in (told
                    # by ``classify_mail``, in the parse workers for big batches)
                    "language": None if noise else msg.language,
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
        await record_many(session, Actor.worker(), "ticket.created", ticket_ids=ids)
        # SLA clocks start when the desk has the mail, not at its Date header, which a
        # sender's clock, or the first fetch of a mailbox's old mail, would skew
        await self.events.opened(
            session,
            [(tid, now) for tid, row in zip(ids, rows, strict=True) if row["status"] == "open"],
        )
        report.new_tickets += len(ids)
        return ids

    async def _insert_messages(
        self,
        session: AsyncSession,
        mailbox_id: int,
        folder: str | None,
        items: list[Item],
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
                    # its search document's language (0020), told as the ticket's is
                    "language": msg.language,
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

    async def _touch_tickets(self, session: AsyncSession, items: list[Item]) -> None:
        """A follow-up moves the ticket's clock and reopens an answered or resolved ticket."""
        latest: dict[int, datetime] = {}
        reopen: set[int] = set()
        wrote: dict[int, datetime] = {}  # existing tickets: their first customer mail here
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
            if item.kind.kind == "customer":
                wrote[tid] = self.clock()  # the desk's time, as for new tickets
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
            await self._note_reopened(session, sorted(reopen))
            reopened = await session.scalars(
                update(Ticket)
                .where(Ticket.id.in_(sorted(reopen)), Ticket.status != "open")
                .values(status="open", resolved_at=None)
                .returning(Ticket.id)
                .execution_options(synchronize_session=False)
            )
            await record_many(
                session, Actor.worker(), "ticket.reopened_by_customer", ticket_ids=list(reopened)
            )
        await self.events.customer_wrote(session, wrote)

    async def _note_reopened(self, session: AsyncSession, ticket_ids: list[int]) -> None:
        """Note when each resolved ticket among ``ticket_ids`` had been resolved, before it
        reopens: the assigner then gives it back to its owner or to the queue."""
        noted = select(ReopenedTicket.ticket_id).where(ReopenedTicket.ticket_id == Ticket.id)
        await session.execute(
            insert(ReopenedTicket).from_select(
                ["ticket_id", "resolved_at", "reopened_at"],
                select(
                    Ticket.id,
                    Ticket.resolved_at,
                    bindparam("now", self.clock(), type_=UTCDateTime()),
                ).where(Ticket.id.in_(ticket_ids), Ticket.status == "resolved", ~noted.exists()),
            )
        )

    async def _mark_bounces(self, session: AsyncSession, items: list[Item], now: datetime) -> None:
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
                    Actor.worker(),
                    "recipient.undeliverable"
                    if kind.permanent
                    else "recipient.bounced_temporarily",
                    ticket_id=ticket_id,
                    target=f"recipient:{addr}",
                    email=addr,
                    status=kind.bounce_status,
                )
            await session.flush()


def _ids_to_look_up(item: Item) -> list[str]:
    """An item's own Message-ID (is it stored already?) and those it refers to (threading)."""
    assert item.parsed is not None
    return [item.parsed.message_id, *candidate_ids(item.parsed, _bounced(item))]


def _bounced(item: Item) -> list[str]:
    """For a bounce, the Message-ID of the mail that bounced: it threads the bounce."""
    kind = item.kind
    return [kind.original_message_id] if kind and kind.original_message_id else []


def _chunks(values: list[str], size: int) -> Iterable[list[str]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]
