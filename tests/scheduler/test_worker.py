"""The scheduler in one process: per-mailbox polling, triage, one notification per batch
with the on-call mention, sending, start/stop/interval from the database, status."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.errors import ValidationError
from core.inbound.poller import MailboxPoller
from core.locks import LockManager
from core.mail.maildir import deliver_to_maildir
from core.workflow.notifications import RecordingNotifier, ticket_batch
from db.models import Draft, Mailbox, Ticket
from server.wiring import Desk
from server.worker import Worker, run_cycle
from tests.core.flows import agent
from tests.scheduler.fast import start_fast
from tests.support.desk import SUPPORT
from tests.support.mail import make_mail

URGENT = dict(
    sender="Ops Lead <ops@cust.test>",
    subject="URGENT: our whole site is down",
    body="Production is down for all our customers since 10 minutes, we are losing orders "
    "every minute. Please help immediately!",
)
FEATURE = dict(
    sender="Dee <dee@cust.test>",
    subject="Dark mode",
    body="It would be nice to have a dark mode in the app some day.",
)
BILLING = dict(
    sender="Bill <bill@cust.test>",
    subject="Charged twice",
    body="You took the monthly fee twice from my credit card in March, please refund one.",
)


async def until(check: Callable[[], object], *, timeout: float = 30.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or check}")
        await asyncio.sleep(0.1)


async def maildir_box(desk: Desk, tmp_path: Path) -> tuple[Mailbox, Path, Path]:
    inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
    inbox.mkdir(parents=True)
    box = await desk.mailboxes.ensure_maildir(
        name="local", address=SUPPORT, inbox=inbox, outbox=outbox
    )
    return box, inbox, outbox


async def count(desk: Desk, model: type, *where: object) -> int:
    async with desk.sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def test_worker_runs_the_whole_loop_and_obeys_start_stop(desk: Desk, tmp_path: Path) -> None:
    _, inbox, outbox = await maildir_box(desk, tmp_path)
    lead = await agent(desk, "lead@team.test")
    await desk.store.set("slack.oncall_group", "S0ONCALL")
    await start_fast(desk, lead)
    for mail in (URGENT, FEATURE, BILLING):
        deliver_to_maildir(inbox, make_mail(**mail))
    recorder = RecordingNotifier()
    stop = asyncio.Event()
    worker = Worker(desk, default_interval=60, ticket_notifier=recorder, control_seconds=0.2)
    task = asyncio.create_task(worker.run(stop))
    try:
        await until(lambda: recorder.batches, what="the first notification")
        [batch] = recorder.batches
        assert len(batch.tickets) == 3 and batch.mailbox == "local"
        assert batch.mention_oncall and batch.oncall_group == "S0ONCALL"
        assert [t.subject for t in batch.high] == [URGENT["subject"]]
        assert batch.tickets[0].high  # High urgency first
        assert all(t.draft_id for t in batch.tickets)  # triaged before announcing

        result = await desk.bulk.approve(
            [t.ticket_id for t in batch.tickets], lead, include_escalated=True
        )
        assert len(result.done) == 3
        await until(lambda: _sent(desk, 3), what="three replies sent by the process job")
        assert len(list((outbox / "new").iterdir())) == 3

        status = await desk.scheduler.status()
        [w] = status.running
        assert w.worker_id == worker.worker_id and w.state == "running"
        assert status.last_run_at and status.next_run_at and status.interval_seconds == 1
        assert status.mailboxes[0].interval_seconds == 1

        await desk.scheduler.stop(lead)
        await until(lambda: _state(desk, "paused"), what="the worker to pause")
        deliver_to_maildir(inbox, make_mail(**{**FEATURE, "subject": "Hello"}))
        await asyncio.sleep(2.5)  # two cycles: nothing is fetched while stopped
        assert await count(desk, Ticket) == 3

        await desk.scheduler.start(lead)
        await until(lambda: len(recorder.batches) == 2, what="the second notification")
        assert [t.subject for t in recorder.batches[1].tickets] == ["Hello"]
        assert not recorder.batches[1].mention_oncall
    finally:
        stop.set()
        await task
    status = await desk.scheduler.status()
    assert status.state == "stopped" and status.workers[0].state == "stopped"


class HeldNotifier:
    """A notifier that holds the fetch job inside it until the test lets go."""

    def __init__(self) -> None:
        self.entered = asyncio.Event()
        self.release = asyncio.Event()
        self.batches: list[object] = []

    async def new_tickets(self, batch: object) -> None:
        self.entered.set()
        await self.release.wait()
        self.batches.append(batch)


async def test_a_stop_lets_the_running_job_finish(
    desk: Desk, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A deploy's SIGTERM in the middle of a fetch: the fetch ends its work, nothing is
    cancelled (APScheduler's own shutdown would cancel it)."""
    _, inbox, _ = await maildir_box(desk, tmp_path)
    lead = await agent(desk, "lead@team.test")
    await start_fast(desk, lead)
    deliver_to_maildir(inbox, make_mail(**BILLING))
    held = HeldNotifier()
    stop = asyncio.Event()
    worker = Worker(desk, ticket_notifier=held, control_seconds=0.2)
    task = asyncio.create_task(worker.run(stop))
    try:
        await asyncio.wait_for(held.entered.wait(), 30)
        stop.set()
        await asyncio.sleep(0.5)
        assert not task.done()  # waiting for the fetch, not cutting it off
    finally:
        held.release.set()
        await asyncio.wait_for(task, 30)
    assert len(held.batches) == 1
    assert not [r for r in caplog.records if r.levelname == "ERROR"], caplog.text
    status = await desk.scheduler.status()
    assert status.workers[0].state == "stopped" and status.last_run_at is not None


async def test_a_stop_cancels_a_job_still_running_after_the_grace(
    desk: Desk, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _, inbox, _ = await maildir_box(desk, tmp_path)
    lead = await agent(desk, "lead@team.test")
    await start_fast(desk, lead)
    deliver_to_maildir(inbox, make_mail(**BILLING))
    held = HeldNotifier()  # never released
    stop = asyncio.Event()
    worker = Worker(desk, ticket_notifier=held, control_seconds=0.2)
    task = asyncio.create_task(worker.run(stop, drain_seconds=0.5))
    await asyncio.wait_for(held.entered.wait(), 30)
    stop.set()
    await asyncio.wait_for(task, 10)
    assert held.batches == [] and "still running after 0.5s" in caplog.text
    assert (await desk.scheduler.status()).workers[0].state == "stopped"


async def _sent(desk: Desk, n: int) -> bool:
    return await count(desk, Draft, Draft.status == "sent") == n


async def _state(desk: Desk, state: str) -> bool:
    return any(w.state == state for w in (await desk.scheduler.status()).workers)


async def test_two_workers_in_one_process_poll_a_mailbox_once_per_interval(
    desk: Desk, tmp_path: Path
) -> None:
    box, inbox, _ = await maildir_box(desk, tmp_path)
    lead = await agent(desk, "lead@team.test")
    await start_fast(desk, lead)
    recorders = [RecordingNotifier(), RecordingNotifier()]
    stop = asyncio.Event()
    workers = [
        Worker(desk, ticket_notifier=r, control_seconds=0.2, worker_id=f"w{i}")
        for i, r in enumerate(recorders)
    ]
    tasks = [asyncio.create_task(w.run(stop)) for w in workers]
    try:
        for n in range(6):
            deliver_to_maildir(inbox, make_mail(sender=f"c{n}@cust.test", subject=f"Question {n}"))
            await asyncio.sleep(0.3)
        await until(
            lambda: sum(len(b.tickets) for r in recorders for b in r.batches) == 6,
            what="six tickets announced",
        )
        await asyncio.sleep(1.5)
        announced = [t.ticket_id for r in recorders for b in r.batches for t in b.tickets]
        assert sorted(announced) == sorted(set(announced)) and len(announced) == 6
        assert await count(desk, Ticket) == 6
        status = await desk.scheduler.status()
        assert {w.worker_id for w in status.running} == {"w0", "w1"}
    finally:
        stop.set()
        await asyncio.gather(*tasks)
    del box


async def test_poller_lock_and_due_rules(desk: Desk, tmp_path: Path) -> None:
    box, inbox, _ = await maildir_box(desk, tmp_path)
    locks = LockManager(desk.engine)
    poller = MailboxPoller(desk.sessions, fetcher=desk.fetcher, locks=locks)
    deliver_to_maildir(inbox, make_mail(**BILLING))
    async with locks.try_lock("mailbox-poll", box.id) as held:
        assert held
        async with locks.try_lock("mailbox-poll", box.id) as again:
            assert not again  # someone holds it: skip, do not wait
        busy = await poller.poll(box.id)
        assert (busy.polled, busy.skipped) == (False, "locked")
    first = await poller.poll(box.id)
    assert first.polled and len(first.new_ticket_ids) == 1
    second = await poller.poll(box.id)  # 120 s interval: not due again yet
    assert (second.polled, second.skipped) == (False, "not due")
    forced = await poller.poll(box.id, force=True)
    assert forced.polled and forced.new_ticket_ids == []
    assert (await poller.poll(9999)).skipped == "gone"


async def test_interval_settings_and_validation(desk: Desk, tmp_path: Path) -> None:
    await maildir_box(desk, tmp_path)
    lead = await agent(desk, "lead@team.test")
    assert (await desk.scheduler.config()).interval_seconds is None
    with pytest.raises(ValidationError):
        await desk.scheduler.start(lead, interval_seconds=0)
    await desk.scheduler.start(lead, interval_seconds=300, mailbox="local")
    config = await desk.scheduler.config()
    assert config.enabled and config.interval_seconds is None  # only that mailbox changed
    status = await desk.scheduler.status()
    assert status.mailboxes[0].interval_seconds == 300 and status.state == "stopped"
    await desk.scheduler.stop(lead)
    assert not (await desk.scheduler.config()).enabled


async def test_run_cycle_announces_once(desk: Desk, tmp_path: Path) -> None:
    _, inbox, _ = await maildir_box(desk, tmp_path)
    deliver_to_maildir(inbox, make_mail(**URGENT))
    recorder = RecordingNotifier()
    summary = await run_cycle(desk, ticket_notifier=recorder)
    assert summary["fetched"] == {"local": 1} and summary["announced"] == 1
    assert (await run_cycle(desk, ticket_notifier=recorder))["announced"] == 0
    assert len(recorder.batches) == 1 and not recorder.batches[0].mention_oncall  # no group set


async def test_a_broken_notifier_does_not_stop_mail(desk: Desk, tmp_path: Path) -> None:
    _, inbox, _ = await maildir_box(desk, tmp_path)
    deliver_to_maildir(inbox, make_mail(**FEATURE))

    class Broken:
        async def new_tickets(self, batch: object) -> None:
            raise RuntimeError("slack is down")

    summary = await run_cycle(desk, ticket_notifier=Broken())
    assert summary["fetched"] == {"local": 1} and summary["triage"]["drafted"] == 1  # type: ignore[index]
    assert await ticket_batch(desk.sessions, []) is None


async def test_a_mailbox_failing_past_its_window_raises_an_alert_not_on_every_poll(desk) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from core.inbound.poller import MailboxPoller
    from core.locks import LockManager
    from db.base import utcnow
    from db.models import Mailbox
    from tests.core.flows import smtp_mailbox

    mailbox = await smtp_mailbox(desk)  # its IMAP port has nothing listening
    async with desk.sessions.begin() as s:
        (await s.get(Mailbox, mailbox.id)).created_at = utcnow() - timedelta(hours=2)
    poller = MailboxPoller(
        desk.sessions, fetcher=desk.fetcher, locks=LockManager(desk.engine), alert_after_seconds=900
    )
    alerts = []
    for _ in range(4):
        result = await poller.poll(mailbox.id, force=True)
        assert result.error
        alerts.append(result.overdue)
    assert alerts == [True, True, False, True]  # failures 1, 2, 4 alert; 3 does not
