"""Two worker processes, one PostgreSQL database, one Dovecot mailbox, one SMTP server:
no duplicate tickets, no reply sent twice.

Real subprocesses (``desk worker``), polling every second, so their fetches and their send
queues overlap all the time: the per-mailbox advisory lock keeps them from polling the
mailbox together, and the outbox claim (``FOR UPDATE SKIP LOCKED`` + the ``approved ->
sending`` compare-and-set) from sending one reply twice.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from email import message_from_bytes
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from core.inbound.mailboxes import MailboxSpec
from core.inbound.poller import LOCK_NAME
from core.locks import LockManager
from core.tickets.queries import TicketQuery
from db.models import AuditEvent, Draft, Mailbox, Message, Quarantine, Ticket
from server.wiring import Desk
from tests.core.flows import agent
from tests.scheduler.fast import start_fast
from tests.support.desk import SUPPORT
from tests.support.dovecot import ImapAccount
from tests.support.mail import make_mail
from tests.support.services import ROOT

WORKERS = 2
FIRST, SECOND = 20, 20


def _start_worker(database_url: str, data_dir: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "OPENAI_", "DESK_", "DATABASE_"))
    }
    env |= {
        "DATABASE_URL": database_url,
        "DESK_SECRET_KEY": "test-secret-key",  # as the test desk: it decrypts the mailbox
        "DESK_DATA_DIR": str(data_dir),
        "DESK_SUPPORT_ADDRESS": SUPPORT,
        "DESK_SEND_BACKOFF_SECONDS": "0",
        "DESK_AI_PROVIDER": "offline",
    }
    code = "import sys; from server.cli import main; sys.exit(main(['-v', 'worker', '--interval', '1']))"
    return subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


async def _count(desk: Desk, model: type, *where: object) -> int:
    async with desk.sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def _wait(check, what: str, logs: list[Path], timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            tails = "\n".join(
                f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in logs
            )
            raise AssertionError(f"timed out waiting for {what}\n{tails}")
        await asyncio.sleep(0.25)


async def test_two_worker_processes_share_one_mailbox_and_outbox(
    desk: Desk, database_url: str, imap_account: ImapAccount, smtp_server, tmp_path: Path
) -> None:
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip(
            "needs PostgreSQL (TEST_DATABASE_URL): on SQLite the mailbox lock is per process, "
            "so two processes are not coordinated"
        )
    mailbox = await desk.mailboxes.add(
        MailboxSpec(
            name="support",
            address=SUPPORT,
            imap_host=imap_account.server.host,
            imap_port=imap_account.server.port,
            imap_user=imap_account.user,
            imap_tls="none",
            smtp_host=smtp_server.host,
            smtp_port=smtp_server.port,
            smtp_user="",
            smtp_tls="none",
            password=imap_account.password,
        )
    )
    lead = await agent(desk, "lead@team.test")
    await start_fast(desk, lead)
    imap_account.append_many(
        [make_mail(sender=f"c{n}@cust.test", subject=f"Order {n} is late") for n in range(FIRST)]
    )

    logs = [tmp_path / f"worker{i}.log" for i in range(WORKERS)]
    procs = [_start_worker(database_url, tmp_path / f"data{i}", logs[i]) for i in range(WORKERS)]
    try:
        await _wait(lambda: _drafted(desk, FIRST), "the first mails to be drafted", logs)
        # a third party holds the mailbox's advisory lock: neither worker may poll it
        async with _hold(LockManager(desk.engine), mailbox.id):
            before = await _last_fetch(desk, mailbox.id)
            imap_account.append_many(
                [
                    make_mail(sender=f"d{n}@cust.test", subject=f"Invoice {n} question")
                    for n in range(SECOND)
                ]
            )
            # approvals while both workers send
            first = await desk.bulk.approve(
                TicketQuery(status="pending"), lead, include_escalated=True
            )
            await asyncio.sleep(3)  # three poll intervals
            assert await _count(desk, Ticket) == FIRST
            assert await _last_fetch(desk, mailbox.id) == before
        await _wait(lambda: _drafted(desk, FIRST + SECOND), "all mails to be drafted", logs)
        second = await desk.bulk.approve(
            TicketQuery(status="pending"), lead, include_escalated=True
        )
        assert len(first.done) + len(second.done) == FIRST + SECOND
        await _wait(lambda: _sent(desk, FIRST + SECOND), "every approved reply to be sent", logs)
        await asyncio.sleep(2)  # a few more cycles: nothing more may go out
        status = await desk.scheduler.status()
        assert len(status.running) == WORKERS, status
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)  # a deploy: finish running jobs, then exit
        for p in procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(5)
    assert [p.returncode for p in procs] == [0] * WORKERS

    total = FIRST + SECOND
    assert await _count(desk, Ticket) == total  # no duplicate tickets
    assert await _count(desk, Message, Message.direction == "in") == total
    assert await _count(desk, Quarantine) == 0
    async with desk.sessions() as s:
        attempts = list(await s.scalars(select(Draft.send_attempts)))
        sent_events = await s.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "draft.sent")
        )
    assert attempts == [1] * total and sent_events == total
    # the SMTP server saw each reply exactly once
    ids = Counter(message_from_bytes(m.raw)["Message-ID"] for m in smtp_server.messages)
    assert len(smtp_server.messages) == total and set(ids.values()) == {1}
    rcpts = Counter(r for m in smtp_server.messages for r in m.rcpt_tos)
    assert len(rcpts) == total and set(rcpts.values()) == {1}
    text = [p.read_text(errors="replace") for p in logs]
    tracebacks = [t[t.index("Traceback") - 300 :] for t in text if "Traceback" in t]
    assert not tracebacks, "\n---\n".join(tracebacks)  # and they stopped cleanly
    # one poll of the mailbox at a time, across both processes
    spans = sorted(span for t in text for span in _poll_spans(t))
    assert len(spans) >= 3
    for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
        assert start >= end, spans


_POLL = re.compile(
    r"^(\S+ \S+) INFO core\.inbound\.poller: poll of mailbox \d+ (started|finished)$"
)


def _poll_spans(log: str) -> list[tuple[datetime, datetime]]:
    spans, started = [], None
    for line in log.splitlines():
        if match := _POLL.match(line):
            at = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S,%f")
            if match.group(2) == "started":
                started = at
            elif started is not None:
                spans.append((started, at))
                started = None
    return spans


@asynccontextmanager
async def _hold(locks: LockManager, mailbox_id: int) -> AsyncIterator[None]:
    """Take the mailbox's lock as soon as the worker polling it now lets go."""
    for _ in range(200):
        async with locks.try_lock(LOCK_NAME, mailbox_id) as held:
            if held:
                yield
                return
        await asyncio.sleep(0.05)
    raise AssertionError("the workers never let go of the mailbox lock")


async def _last_fetch(desk: Desk, mailbox_id: int) -> datetime | None:
    async with desk.sessions() as s:
        return await s.scalar(select(Mailbox.last_fetch_at).where(Mailbox.id == mailbox_id))


async def _drafted(desk: Desk, n: int) -> bool:
    return (
        await _count(desk, Draft, Draft.status.in_(("pending", "approved", "sending", "sent"))) >= n
    )


async def _sent(desk: Desk, n: int) -> bool:
    return await _count(desk, Draft, Draft.status == "sent") >= n
