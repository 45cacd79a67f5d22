"""The worker: APScheduler (``AsyncIOScheduler``) fetches, triages, sends and notifies.

Jobs in each worker process:

- ``fetch:<mailbox id>`` every active mailbox's own interval (``fetch_interval_seconds``, default
  2 minutes): poll it through ``core.inbound.poller`` (a PostgreSQL advisory lock per mailbox, so
  one worker polls it at a time, and only when it is due), triage what came in, tell the
  triage channel about the new tickets in one message (High urgency ones mention the
  on-call group), post the new drafts;
- ``process`` every cycle (``scheduler.interval_seconds``, else ``--interval``): triage
  what is still queued, re-triage fallback drafts, send approved replies and retry failed
  sends whose back-off is over (the outbox is claimed with ``FOR UPDATE SKIP LOCKED`` and a
  compare-and-set, so two workers never send one reply twice), bring Slack up to date;
- ``notify`` every minute: the notification sweep (``core.workflow.notification_sweep``):
  High-urgency tickets, customer replies on assigned tickets, drafts waiting too long,
  the daily digests, the notices held for quiet hours and the retries, each notice once
  whichever worker finds it (its key is claimed first);
- ``assign`` every minute: the assignment sweep (``core.workflow.assignment``): reopened
  tickets back to their owner or the queue, away agents' untouched tickets returned, queued
  tickets assigned when someone has room (the triage steps above assign new tickets at once);
- ``sla`` every minute: the SLA sweep (``core.workflow.sla_sweep``): warnings and breach
  alerts of the clocks due, each level once, and the policies' escalations; the Slack cards
  of the tickets it moved are re-rendered (``SlackNotifier.tickets_changed``);
- ``presence`` every five minutes, when Slack is configured: agents follow their Slack
  presence if ``assignment.slack_presence`` is ``on`` (``core.workflow.presence``, read
  through ``bot.presence``): away when Slack says away, back when it says active, but only
  those presence sent away; Slack's errors skip an agent, never the worker;
- ``learn`` every ten minutes: what people's decisions teach: prompt variants rejected 10
  points more often than their control over 200 decided drafts are paused (told in the
  triage channel, audited; ``core.tickets.variants``), and each provider's confidence
  calibration is fitted again once a day (``core.tickets.calibration``);
- ``kb-drafts`` every minute: the knowledge-base proposals that resolving a ticket made
  (extractive, in the resolution's transaction) redrafted by the AI provider, outside any
  transaction, unless a person edited them first (``core.knowledge.ai_drafts``; nothing with
  the offline provider); their Slack messages follow at the next sync;
- ``counts`` every minute: the deltas the database's triggers write for the status counts
  folded into one row per key (``db.status_counts``), so reading them stays a sum over a
  few rows; and on PostgreSQL the GIN indexes' pending lists moved into the indexes
  (``db.gin_upkeep``), which every search would otherwise read in full;
- ``reports`` every five minutes: the all-time ``/desk stats`` kept as snapshots computed
  again (``core.workflow.reports_ahead``), so reading them never reads the whole history;
- ``control`` every few seconds: read the switch and the interval from the database
  (``desk scheduler start|stop``), follow mailboxes added, changed or deactivated, write a
  heartbeat (last run, next run, last error) for ``desk scheduler status``.

``run_cycle`` is one pass of all of it, for tests and scripts; ``fetch_asked`` is the
fetch a person asks for (``desk fetch``, ``/desk fetch``). All of them fetch through
``core.workflow.cycle.fetch_and_triage``: the poller's lock and back-off, then triage.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from apscheduler.executors.asyncio import AsyncIOExecutor
from apscheduler.job import Job
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.blocks.settings import ONCALL_GROUP_KEY
from core.control.scheduler import SchedulerControl
from core.inbound.poller import MailboxPoller, PollResult, fetch_interval
from core.locks import LockManager
from core.workflow.cycle import CycleResult, fetch_and_triage
from core.workflow.notices import NoticeSink
from core.workflow.notifications import Notifier, ticket_batch
from core.workflow.presence import PresenceSync
from core.workflow.reports_ahead import REFRESH_SECONDS as REPORTS_SECONDS
from core.workflow.sla_sweep import SlaSweep
from db import gin_upkeep, status_counts
from db.base import utcnow
from server.wiring import Desk

if TYPE_CHECKING:  # the Slack stack loads only where Slack is used
    from bot.notifier import SlackNotifier

log = logging.getLogger(__name__)

CONTROL_SECONDS = 5.0
NOTIFY_SECONDS = 60.0
ASSIGN_SWEEP_SECONDS = 60.0
SLA_SWEEP_SECONDS = 60.0
PRESENCE_SECONDS = 300.0
LEARN_SECONDS = 600.0
KB_DRAFT_SECONDS = 60.0
COUNTS_SECONDS = 60.0  # the status counts' deltas folded (db.status_counts)


def poller_for(desk: Desk) -> MailboxPoller:
    return MailboxPoller(
        desk.sessions,
        fetcher=desk.fetcher,
        locks=LockManager(desk.engine),
        alert_after_seconds=desk.settings.mail.fetch_alert_after_seconds,
    )


async def fetch_asked(
    desk: Desk, *, mailbox: str | None = None, triage_limit: int = 200
) -> CycleResult:
    """A fetch a person asked for (``desk fetch``, ``/desk fetch``): every active mailbox
    (or the one named, which must be active), each under its lock and not while it backs
    off after errors; then triage."""
    boxes = await desk.mailboxes.to_poll(mailbox)
    return await fetch_and_triage(
        poller_for(desk),
        [m.id for m in boxes],
        triage=desk.triage_service,
        asked=True,
        triage_limit=triage_limit,
        assign=desk.assigner.after_triage,
    )


async def alert_overdue(notifier: Notifier | None, result: PollResult) -> None:
    """Tell people that a mailbox has not fetched within its window (the poller already
    logged it)."""
    if result.overdue and notifier is not None:
        try:
            await notifier.mailbox_alert(result.mailbox, result.error or "unknown error")
        except Exception:  # an alert that cannot be posted must not stop polling
            log.exception("could not post the alert for mailbox %s", result.mailbox)


async def notify_new_tickets(desk: Desk, notifier: Notifier | None, ticket_ids: list[int]) -> int:
    """One message for the tickets a poll created; returns how many were announced."""
    if notifier is None or not ticket_ids:
        return 0
    try:
        batch = await ticket_batch(
            desk.sessions, ticket_ids, oncall_group=await desk.store.get(ONCALL_GROUP_KEY)
        )
        if batch is None:
            return 0
        await notifier.new_tickets(batch)
        return len(batch.tickets)
    except Exception:  # a notification problem must not stop mail from flowing; logged
        log.exception("new-ticket notification failed")
        return 0


async def draft_proposals(desk: Desk, summary: dict[str, Any]) -> None:
    """Proposals redrafted by the AI provider; its trouble is logged, never raised (each
    proposal keeps its extractive draft)."""
    try:
        report = await desk.draft_proposals(clock=utcnow)
    except Exception:
        log.exception("drafting knowledge-base proposals failed")
        return
    if report.drafted or report.failed or report.skipped:
        summary["kb_drafts"] = report.as_dict()


async def _sync_slack(notifier: SlackNotifier | None, summary: dict[str, Any]) -> None:
    if notifier is None:
        return
    try:
        summary["slack"] = (await notifier.sync()).as_dict()
    except Exception:  # Slack trouble must not stop mail from flowing; it is logged
        log.exception("posting to Slack failed")
    from bot.proposals import SlackProposals  # with the notifier: slack_sdk is loaded already

    try:  # articles proposed from resolved tickets, in their channel
        summary["kb_proposals"] = (await SlackProposals(notifier).sync()).as_dict()
    except Exception:
        log.exception("posting knowledge-base proposals to Slack failed")


async def run_cycle(
    desk: Desk,
    *,
    notifier: SlackNotifier | None = None,
    ticket_notifier: Notifier | None = None,
) -> dict[str, object]:
    """One pass: fetch every mailbox (each under its lock), triage what came in, announce
    new tickets, send what is approved, and bring Slack up to date when it is on."""
    cycle = await fetch_and_triage(
        poller_for(desk),
        [m.id for m in await desk.mailboxes.to_poll()],
        triage=desk.triage_service,
        force=True,
        assign=desk.assigner.after_triage,
    )
    for p in cycle.polls:
        await alert_overdue(notifier, p)
    triaged = cycle.triage
    assert triaged is not None  # always_triage
    retriaged = await (await desk.triage_service()).retriage_fallbacks()
    assigned = await desk.assigner.sweep()
    announced = await notify_new_tickets(desk, ticket_notifier, cycle.new_ticket_ids)
    sent = await desk.sender.send_due()
    summary: dict[str, object] = {
        "fetched": cycle.fetched(),
        "triage": triaged.as_dict() | {"retriaged": retriaged},
        "send": sent.as_dict(),
        "announced": announced,
        "assigned": (cycle.assignment.as_dict() if cycle.assignment else {})
        | {"sweep": assigned.as_dict()},
    }
    await draft_proposals(desk, summary)
    await _sync_slack(notifier, summary)
    if cycle.stored or sent.sent or triaged.drafted:
        log.info("cycle: %s", summary)
    return summary


def _as_notifier(notifier: object) -> Notifier | None:
    return notifier if isinstance(notifier, Notifier) else None


class DrainingExecutor(AsyncIOExecutor):
    """APScheduler's asyncio executor, plus a way to wait for the jobs it is running.

    The stock executor's ``shutdown`` cancels every running job (it cannot wait: it is not a
    coroutine), which would cut a fetch or a send off half-way; ``Worker.run`` pauses the
    scheduler, ``drain``s, and only then shuts down."""

    async def drain(self, grace: float) -> bool:
        """Wait up to ``grace`` seconds for the running jobs; True when none is left."""
        running = {f for f in self._pending_futures if not f.done()}
        if not running:
            return True
        _, left = await asyncio.wait(running, timeout=grace)
        return not left


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Worker:
    """One worker process's scheduler. Several may run against one PostgreSQL database."""

    def __init__(
        self,
        desk: Desk,
        *,
        default_interval: int = 120,
        notifier: SlackNotifier | None = None,
        ticket_notifier: Notifier | None = None,
        control_seconds: float = CONTROL_SECONDS,
        worker_id: str | None = None,
        notice_sink: NoticeSink | None = None,
    ) -> None:
        self.desk = desk
        self.sla_sweep = SlaSweep(desk.sessions, notice_sink or desk.notice_sink)
        self.default_interval = default_interval
        self.notifier = notifier
        self.ticket_notifier = ticket_notifier
        self.control_seconds = control_seconds
        self.worker_id = worker_id or default_worker_id()
        self.poller = poller_for(desk)
        if notifier is not None:  # tickets nobody has the skill for: said in the channel
            from bot.queue_alerts import SlackQueueAlerts

            desk.assigner.alerts = SlackQueueAlerts(notifier)
            from bot.breach_alerts import SlackBreachAlerts  # SLA breaches in their channel

            self.sla_sweep.alerts = SlackBreachAlerts(notifier)
            from bot.variant_alerts import SlackVariantAlerts  # paused variants, same channel

            desk.variants.alerts = SlackVariantAlerts(notifier)
        self.presence: PresenceSync | None = None
        if notifier is not None:
            from bot.presence import SlackPresence

            self.presence = PresenceSync(
                desk.sessions,
                profiles=desk.agent_profiles,
                store=desk.store,
                reader=SlackPresence(notifier.client),
            )
        self.control = SchedulerControl(desk.sessions, store=desk.store)
        self.executor = DrainingExecutor()
        self.scheduler = AsyncIOScheduler(
            executors={"default": self.executor},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        self.enabled = True
        self.interval: int = default_interval
        self._fetch_intervals: dict[int, float] = {}
        self._process_interval: float | None = None
        self._assign_interval: float | None = None

    # -- lifecycle ------------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event, *, drain_seconds: float = 30.0) -> None:
        """Run until ``stop`` is set; then let running jobs finish (up to ``drain_seconds``)
        so no fetch or send is cut off half-way."""
        self.scheduler.start()
        try:
            await self.tick()
            self.scheduler.add_job(
                self.tick, "interval", seconds=self.control_seconds, id="control"
            )
            await stop.wait()
        finally:
            self.scheduler.pause()  # no new runs; the ones under way finish
            if not await self.executor.drain(drain_seconds):
                log.warning("jobs still running after %ss; cancelling them", drain_seconds)
            self.scheduler.shutdown(wait=False)
            try:
                await self.control.heartbeat(self.worker_id, state="stopped")
            except Exception:  # the database may be what is going away
                log.exception("could not record the worker's stop")

    def _jobs(self) -> list[Job]:
        return [j for j in self.scheduler.get_jobs() if j.id != "control"]

    def next_run_at(self) -> datetime | None:
        times = [j.next_run_time for j in self._jobs() if j.next_run_time is not None]
        return min(times) if times else None

    # -- control --------------------------------------------------------------------------------

    async def tick(self) -> None:
        """Follow the switch, the interval and the mailboxes; write the heartbeat."""
        try:
            config = await self.control.config()
            self.interval = config.interval_seconds or self.default_interval
            now = utcnow()
            self._schedule(
                "process",
                self.process,
                float(self.interval),
                now,
                current=self._process_interval,
            )
            self._process_interval = float(self.interval)
            # first a minute after start: the first fetch and triage have settled by then
            self._schedule(
                "notify",
                self.notify,
                NOTIFY_SECONDS,
                now + timedelta(seconds=NOTIFY_SECONDS),
                current=NOTIFY_SECONDS,
            )
            self._schedule(
                "assign", self.assign, ASSIGN_SWEEP_SECONDS, now, current=self._assign_interval
            )
            self._assign_interval = ASSIGN_SWEEP_SECONDS
            self._schedule("sla", self.sweep, SLA_SWEEP_SECONDS, now, current=SLA_SWEEP_SECONDS)
            self._schedule("learn", self.learn, LEARN_SECONDS, now, current=LEARN_SECONDS)
            self._schedule(
                "kb-drafts", self.draft_proposals, KB_DRAFT_SECONDS, now, current=KB_DRAFT_SECONDS
            )
            self._schedule("counts", self.fold_counts, COUNTS_SECONDS, now, current=COUNTS_SECONDS)
            self._schedule(
                "reports", self.refresh_reports, REPORTS_SECONDS, now, current=REPORTS_SECONDS
            )
            if self.presence is not None:
                self._schedule(
                    "presence",
                    self.follow_presence,
                    PRESENCE_SECONDS,
                    now,
                    current=PRESENCE_SECONDS,
                )
            boxes = await self.desk.mailboxes.to_poll()  # a deactivated one's job goes
            for m in boxes:
                seconds = fetch_interval(m, self.interval)
                self._schedule(
                    f"fetch:{m.id}",
                    self.fetch,
                    seconds,
                    now,
                    current=self._fetch_intervals.get(m.id),
                    args=[m.id],
                )
                self._fetch_intervals[m.id] = seconds
            for gone in set(self._fetch_intervals) - {m.id for m in boxes}:
                self.scheduler.remove_job(f"fetch:{gone}")
                del self._fetch_intervals[gone]
            if config.enabled != self.enabled:
                for job in self._jobs():
                    if config.enabled:
                        job.resume()
                    else:
                        job.pause()
                log.info("scheduler %s", "started" if config.enabled else "paused")
                self.enabled = config.enabled
            await self.control.heartbeat(
                self.worker_id,
                state="running" if self.enabled else "paused",
                next_run_at=self.next_run_at() if self.enabled else None,
            )
            await self.control.forget_stale()
        except Exception as exc:  # the next tick tries again; logged and reported
            log.exception("scheduler control tick failed")
            await self._report_error(f"control: {exc}")

    def _schedule(
        self,
        job_id: str,
        func: Any,
        seconds: float,
        now: datetime,
        *,
        current: float | None,
        args: list[Any] | None = None,
    ) -> None:
        job = self.scheduler.get_job(job_id)
        if job is None:
            job = self.scheduler.add_job(
                func,
                "interval",
                seconds=seconds,
                id=job_id,
                args=args or [],
                next_run_time=now if self.enabled else None,
            )
            if not self.enabled:
                job.pause()
        elif current != seconds:
            job.reschedule("interval", seconds=seconds)
            if not self.enabled:
                job.pause()

    async def _report_error(self, error: str) -> None:
        try:
            await self.control.heartbeat(
                self.worker_id,
                state="running" if self.enabled else "paused",
                next_run_at=self.next_run_at(),
                error=error,
            )
        except Exception:  # nothing more to do than log it
            log.exception("could not record a worker error")

    # -- jobs -----------------------------------------------------------------------------------

    async def fetch(self, mailbox_id: int) -> None:
        """Poll one mailbox if it is due and nobody else is polling it; then triage,
        announce and post what came in."""
        try:
            cycle = await fetch_and_triage(
                self.poller,
                [mailbox_id],
                triage=self.desk.triage_service,
                cycle_seconds=self.interval,
                always_triage=False,  # the process job triages the rest
                assign=self.desk.assigner.after_triage,
            )
            [result] = cycle.polls
            await alert_overdue(self.notifier, result)
            if not result.polled or result.fetch is None:
                return
            summary: dict[str, Any] = {
                "job": f"fetch {result.mailbox}",
                "fetched": result.fetch.report.as_dict(),
            }
            if cycle.triage is not None:
                summary["triage"] = cycle.triage.as_dict()
                if cycle.assignment is not None:
                    summary["assigned"] = cycle.assignment.as_dict()
                summary["announced"] = await notify_new_tickets(
                    self.desk, self.ticket_notifier, result.new_ticket_ids
                )
                await _sync_slack(self.notifier, summary)
                log.info("fetched: %s", summary)
            await self.control.heartbeat(
                self.worker_id,
                state="running" if self.enabled else "paused",
                next_run_at=self.next_run_at(),
                ran=True,
                error=f"{result.mailbox}: {result.error}" if result.error else None,
                clear_error=result.error is None,
                summary=summary,
            )
        except Exception as exc:  # one bad run must not stop the worker; logged and reported
            log.exception("fetch of mailbox %s failed", mailbox_id)
            await self._report_error(f"fetch mailbox {mailbox_id}: {exc}")

    async def sweep(self) -> None:
        """The SLA sweep: warn, alert and escalate the clocks that are due."""
        try:
            report = await self.sla_sweep.run()
            if report.warnings or report.breaches:
                log.info("sla sweep: %s", report.as_dict())
            if self.notifier is not None and report.ticket_ids:  # the cards turn amber or red
                cards = await self.notifier.tickets_changed(report.ticket_ids)
                if cards.errors:
                    log.warning("sla sweep: cards not updated: %s", "; ".join(cards.errors[:5]))
        except Exception as exc:  # the next minute tries again; logged and reported
            log.exception("SLA sweep failed")
            await self._report_error(f"sla: {exc}")

    async def learn(self) -> None:
        """Pause the variants that do worse than their control; refit the calibration daily."""
        try:
            paused = await self.desk.variants.auto_pause()
            if paused:
                log.info("prompt variants paused: %s", ", ".join(p.name for p in paused))
            fitted = await self.desk.calibration.refit_if_due()
            if fitted:
                self.desk.calibration_cache.forget()
                log.info("confidence calibrated: %s", ", ".join(c.provider for c in fitted))
        except Exception as exc:  # the next round tries again; logged and reported
            log.exception("learning round failed")
            await self._report_error(f"learn: {exc}")

    async def fold_counts(self) -> None:
        """Fold the status counts' deltas, so reading a count stays a sum over a few rows;
        move the search indexes' pending entries into them (``db.gin_upkeep``), so a search
        never reads more than a minute of new mail's entries one by one."""
        try:
            async with self.desk.sessions() as session, session.begin():
                folded, kept = await status_counts.compact(session)
            if folded > kept:
                log.debug("status counts: %d deltas folded into %d rows", folded, kept)
            async with self.desk.sessions() as session, session.begin():
                moved = await gin_upkeep.flush(session)
            if any(moved.values()):
                log.debug("search indexes: pending pages moved %s", moved)
        except Exception as exc:  # the next minute tries again; logged and reported
            log.exception("folding the status counts or the search indexes failed")
            await self._report_error(f"counts: {exc}")

    async def refresh_reports(self) -> None:
        """Compute the kept all-time reports again (``core.workflow.reports_ahead``)."""
        try:
            await self.desk.analytics.refresh()
        except Exception as exc:  # the next round tries again; logged and reported
            log.exception("refreshing the reports computed ahead failed")
            await self._report_error(f"reports: {exc}")

    async def draft_proposals(self) -> None:
        """Proposals redrafted by the AI provider (the next process job's sync re-renders
        their Slack messages)."""
        try:
            report = await self.desk.draft_proposals(clock=utcnow)
            if report.drafted or report.failed:
                log.info("kb proposals drafted: %s", report.as_dict())
        except Exception as exc:  # the next minute tries again; logged and reported
            log.exception("drafting knowledge-base proposals failed")
            await self._report_error(f"kb-drafts: {exc}")

    async def follow_presence(self) -> None:
        """Availability from Slack presence (when the desk follows it)."""
        if self.presence is None:
            return
        try:
            report = await self.presence.run()
            if report.away or report.back or report.unread:
                log.info("presence: %s", report.as_dict())
        except Exception as exc:  # the next round tries again; logged and reported
            log.exception("presence round failed")
            await self._report_error(f"presence: {exc}")

    async def process(self) -> None:
        """Triage what is queued, send approved replies and due retries, sync Slack."""
        try:
            triage = await self.desk.triage_service()
            triaged = await triage.triage_queued()
            retriaged = await triage.retriage_fallbacks()
            assigned = await self.desk.assigner.after_triage(triaged.drafted)
            sent = await self.desk.sender.send_due()
            summary: dict[str, Any] = {
                "job": "process",
                "triage": triaged.as_dict() | {"retriaged": retriaged},
                "assigned": assigned.as_dict(),
                "send": sent.as_dict(),
            }
            await _sync_slack(self.notifier, summary)
            if triaged.drafted or sent.sent or sent.failed or sent.retrying:
                log.info("processed: %s", summary)
            await self.control.heartbeat(
                self.worker_id,
                state="running" if self.enabled else "paused",
                next_run_at=self.next_run_at(),
                ran=True,
                summary=summary,
            )
        except Exception as exc:  # one bad run must not stop the worker; logged and reported
            log.exception("worker cycle failed")
            await self._report_error(f"process: {exc}")

    async def notify(self) -> None:
        """One notification sweep; its trouble is logged and reported, never raised."""
        try:
            report = await self.desk.notification_sweep.run()
            if report.send.messages or report.send.failed:
                log.info("notifications: %s", report.as_dict())
        except Exception as exc:  # one bad run must not stop the worker; logged and reported
            log.exception("notification sweep failed")
            await self._report_error(f"notify: {exc}")

    async def assign(self) -> None:
        """The assignment sweep: reopened tickets routed, away agents' untouched tickets
        returned, the queue assigned to whoever has room."""
        try:
            report = await self.desk.assigner.sweep()
            if any(report.as_dict().values()):
                log.info("assignment sweep: %s", report.as_dict())
        except Exception as exc:  # one bad run must not stop the worker; logged and reported
            log.exception("assignment sweep failed")
            await self._report_error(f"assign: {exc}")


async def run_worker(
    desk: Desk,
    *,
    interval_seconds: int = 120,
    stop: asyncio.Event | None = None,
    ticket_notifier: Notifier | None = None,
    control_seconds: float = CONTROL_SECONDS,
) -> None:
    """Run the scheduler until ``stop`` is set (without one: until SIGTERM or SIGINT, then
    running jobs finish first). ``interval_seconds`` is the cycle when ``desk scheduler
    start --interval`` has not stored one. New-ticket notifications go to
    ``ticket_notifier``, else to the Slack notifier when it implements ``Notifier``."""
    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, stop.set)
    from server.slack import slack_notifier  # the Slack stack, only for the worker

    await desk.warm_up()  # parse workers ready before the first big fetch
    notifier = slack_notifier(desk)
    if ticket_notifier is None:
        ticket_notifier = _as_notifier(notifier)
    worker = Worker(
        desk,
        default_interval=interval_seconds,
        notifier=notifier,
        ticket_notifier=ticket_notifier,
        control_seconds=control_seconds,
    )
    await worker.run(stop)


__all__ = ["Worker", "fetch_asked", "run_cycle", "run_worker"]
