"""The auto-fetch scheduler's switch, interval and status, shared by every worker process.

Persisted in the database so ``desk scheduler start|stop``, ``/desk settings`` and the API
control workers that are already running (each polls the switch every few seconds):

- ``scheduler.enabled`` (``true``/``false``, default true): paused workers keep their
  heartbeat but neither fetch, triage nor send;
- ``scheduler.interval_seconds`` (default: the worker's ``--interval``, 120): the cycle that
  triages what is queued, sends approved replies (and retries failed sends when their
  back-off is over) and brings Slack up to date. Setting it through ``start`` / ``set``
  also sets every mailbox's fetch interval (``mailboxes.fetch_interval_seconds``), or one
  mailbox's when one is named. It is 30 s to 24 h (``check_interval``), whoever sets it.

Workers report into ``worker_status`` (``heartbeat``): last run, next run, last error; the
rows of workers silent for a day are deleted (``forget_stale``, on every control tick).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update

from core.audit import Actor, record
from core.control.settings_store import SettingsStore
from core.errors import NotFound, ValidationError
from core.inbound.poller import next_fetch_at
from db.base import utcnow
from db.models import Mailbox, WorkerStatus
from db.session import SessionFactory, rows_changed

ENABLED_KEY = "scheduler.enabled"
INTERVAL_KEY = "scheduler.interval_seconds"
DEFAULT_INTERVAL = 120
# what a person may set: under 30 s a desk hammers its IMAP server, over a day it forgets mail
MIN_INTERVAL, MAX_INTERVAL = 30, 86_400
ALIVE_SECONDS = 60  # a worker without a heartbeat for this long counts as gone
STALE_AFTER = timedelta(days=1)  # a heartbeat this old is deleted (forget_stale)


@dataclass(frozen=True, slots=True)
class SchedulerConfig:
    enabled: bool
    interval_seconds: int | None  # None: not set, each worker uses its --interval


@dataclass(frozen=True, slots=True)
class WorkerView:
    worker_id: str
    state: str
    alive: bool
    started_at: datetime
    heartbeat_at: datetime
    last_run_at: datetime | None
    next_run_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    last_summary: dict[str, Any]


@dataclass(frozen=True, slots=True)
class MailboxSchedule:
    name: str
    interval_seconds: int
    last_fetch_at: datetime | None
    last_success_at: datetime | None
    next_fetch_at: datetime | None  # None for an inactive mailbox: it is not fetched
    last_error: str | None
    consecutive_failures: int
    active: bool = True


@dataclass(frozen=True, slots=True)
class SchedulerStatus:
    enabled: bool
    interval_seconds: int
    workers: list[WorkerView] = field(default_factory=list)
    mailboxes: list[MailboxSchedule] = field(default_factory=list)

    @property
    def running(self) -> list[WorkerView]:
        return [w for w in self.workers if w.alive and w.state != "stopped"]

    @property
    def last_run_at(self) -> datetime | None:
        runs = [w.last_run_at for w in self.workers if w.last_run_at]
        return max(runs) if runs else None

    @property
    def next_run_at(self) -> datetime | None:
        nexts = [w.next_run_at for w in self.running if w.next_run_at]
        return min(nexts) if nexts else None

    @property
    def last_error(self) -> tuple[str, datetime] | None:
        errors = [(w.last_error, w.last_error_at) for w in self.workers if w.last_error]
        errors += [
            (f"{m.name}: {m.last_error}", m.last_fetch_at)
            for m in self.mailboxes
            if m.last_error and m.last_fetch_at
        ]
        dated = [(e, at) for e, at in errors if at is not None]
        return max(dated, key=lambda x: x[1]) if dated else None

    @property
    def state(self) -> str:
        """running | paused (switch off) | stopped (no live worker)."""
        if not self.running:
            return "stopped"
        return "running" if self.enabled else "paused"

    def as_dict(self) -> dict[str, Any]:
        def iso(v: datetime | None) -> str | None:
            return v.isoformat() if v else None

        error = self.last_error
        return {
            "state": self.state,
            "enabled": self.enabled,
            "interval_seconds": self.interval_seconds,
            "last_run_at": iso(self.last_run_at),
            "next_run_at": iso(self.next_run_at),
            "last_error": error[0] if error else None,
            "last_error_at": iso(error[1]) if error else None,
            "workers": [
                {
                    "worker_id": w.worker_id,
                    "state": w.state,
                    "alive": w.alive,
                    "started_at": iso(w.started_at),
                    "heartbeat_at": iso(w.heartbeat_at),
                    "last_run_at": iso(w.last_run_at),
                    "next_run_at": iso(w.next_run_at),
                    "last_error": w.last_error,
                    "last_error_at": iso(w.last_error_at),
                }
                for w in self.workers
            ],
            "mailboxes": [
                {
                    "name": m.name,
                    "interval_seconds": m.interval_seconds,
                    "last_fetch_at": iso(m.last_fetch_at),
                    "last_success_at": iso(m.last_success_at),
                    "next_fetch_at": iso(m.next_fetch_at),
                    "last_error": m.last_error,
                    "consecutive_failures": m.consecutive_failures,
                    "active": m.active,
                }
                for m in self.mailboxes
            ],
        }


def check_interval(seconds: object) -> int:
    """``seconds`` as a whole number of seconds within the bounds, or a ValidationError
    saying them (the API, Slack and the CLI all set the interval through here)."""
    if isinstance(seconds, bool) or not isinstance(seconds, int | str):
        raise ValidationError(f"the interval is a number of seconds, not {seconds!r:.50}")
    text = str(seconds).strip()
    if not (text.isascii() and text.lstrip("-").isdigit()) or len(text) > 12:
        raise ValidationError(f"the interval is a number of seconds, not {text!r:.50}")
    value = int(text)
    if not MIN_INTERVAL <= value <= MAX_INTERVAL:
        raise ValidationError(
            f"the interval must be {MIN_INTERVAL}..{MAX_INTERVAL} seconds "
            f"(30 s to 24 h), not {value}",
            field="interval",
            minimum=MIN_INTERVAL,
            maximum=MAX_INTERVAL,
        )
    return value


class SchedulerControl:
    def __init__(
        self,
        session_factory: SessionFactory,
        *,
        store: SettingsStore,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = session_factory
        self.store = store
        self.clock = clock

    # -- the switch and the interval ----------------------------------------------------------

    async def config(self) -> SchedulerConfig:
        enabled = (await self.store.get(ENABLED_KEY) or "true").strip().lower()
        raw = await self.store.get(INTERVAL_KEY)
        interval = int(raw) if raw and raw.strip().isascii() and raw.strip().isdigit() else None
        return SchedulerConfig(
            enabled=enabled not in ("false", "0", "off", "no"), interval_seconds=interval
        )

    async def start(
        self, actor: Actor, *, interval_seconds: int | None = None, mailbox: str | None = None
    ) -> SchedulerConfig:
        if interval_seconds is not None:
            await self.set_interval(actor, interval_seconds, mailbox=mailbox)
        await self.store.set(ENABLED_KEY, "true", actor=actor)
        return await self.config()

    async def stop(self, actor: Actor) -> SchedulerConfig:
        await self.store.set(ENABLED_KEY, "false", actor=actor)
        return await self.config()

    async def set_interval(self, actor: Actor, seconds: int, *, mailbox: str | None = None) -> None:
        """The cycle and every mailbox's fetch interval, or only ``mailbox``'s."""
        seconds = check_interval(seconds)
        async with self.sessions.begin() as session:
            q, old = update(Mailbox), select(Mailbox.fetch_interval_seconds).distinct()
            if mailbox is not None:
                found = await session.scalar(select(Mailbox.id).where(Mailbox.name == mailbox))
                if found is None:
                    raise NotFound(f"no mailbox named {mailbox!r}", name=mailbox)
                q, old = q.where(Mailbox.id == found), old.where(Mailbox.id == found)
            before = sorted(await session.scalars(old))
            await session.execute(
                q.values(fetch_interval_seconds=seconds).execution_options(
                    synchronize_session=False
                )
            )
            record(
                session,
                actor,
                "scheduler.interval",
                target=f"mailbox:{mailbox}" if mailbox is not None else "mailbox:*",
                changes={
                    "fetch_interval_seconds": [
                        before[0] if len(before) == 1 else before or None,
                        seconds,
                    ]
                },
                seconds=seconds,
                mailbox=mailbox or "*",
            )
        if mailbox is None:
            await self.store.set(INTERVAL_KEY, str(seconds), actor=actor)

    # -- status -------------------------------------------------------------------------------

    async def status(self, *, default_interval: int = DEFAULT_INTERVAL) -> SchedulerStatus:
        config = await self.config()
        now = self.clock()
        interval = config.interval_seconds or default_interval
        async with self.sessions() as session:
            workers = list(
                await session.scalars(
                    select(WorkerStatus).order_by(WorkerStatus.heartbeat_at.desc()).limit(50)
                )
            )
            boxes = list(await session.scalars(select(Mailbox).order_by(Mailbox.id)))
        return SchedulerStatus(
            enabled=config.enabled,
            interval_seconds=interval,
            workers=[
                WorkerView(
                    worker_id=w.worker_id,
                    state=w.state,
                    alive=(now - w.heartbeat_at) < timedelta(seconds=ALIVE_SECONDS),
                    started_at=w.started_at,
                    heartbeat_at=w.heartbeat_at,
                    last_run_at=w.last_run_at,
                    next_run_at=w.next_run_at,
                    last_error=w.last_error,
                    last_error_at=w.last_error_at,
                    last_summary=w.last_summary or {},
                )
                for w in workers
            ],
            mailboxes=[
                MailboxSchedule(
                    name=m.name,
                    interval_seconds=m.fetch_interval_seconds,
                    last_fetch_at=m.last_fetch_at,
                    last_success_at=m.last_success_at,
                    next_fetch_at=next_fetch_at(m, cycle_seconds=interval) if m.active else None,
                    last_error=m.last_error,
                    consecutive_failures=m.consecutive_failures,
                    active=m.active,
                )
                for m in boxes
            ],
        )

    # -- written by workers -------------------------------------------------------------------

    async def heartbeat(
        self,
        worker_id: str,
        *,
        state: str,
        next_run_at: datetime | None = None,
        ran: bool = False,
        error: str | None = None,
        clear_error: bool = False,
        summary: dict[str, Any] | None = None,
    ) -> None:
        """Record that ``worker_id`` is alive (and, ``ran``, finished a job now)."""
        now = self.clock()
        async with self.sessions.begin() as session:
            row = await session.get(WorkerStatus, worker_id)
            if row is None:
                row = WorkerStatus(worker_id=worker_id, started_at=now, last_summary={})
                session.add(row)
            row.heartbeat_at, row.state = now, state
            row.next_run_at = next_run_at
            if ran:
                row.last_run_at = now
            if error is not None:
                row.last_error, row.last_error_at = error[:2000], now
            elif clear_error:
                row.last_error = None
            if summary is not None:
                row.last_summary = summary

    async def forget_stale(self, *, older_than: timedelta = STALE_AFTER) -> int:
        """Drop the heartbeats of workers silent for ``older_than`` (a day): every restart
        leaves one row behind. Workers call it on each control tick (one ``DELETE``);
        returns how many rows went."""
        cutoff = self.clock() - older_than
        async with self.sessions.begin() as session:
            result = await session.execute(
                delete(WorkerStatus).where(WorkerStatus.heartbeat_at < cutoff)
            )
        return rows_changed(result)
