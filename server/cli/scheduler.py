"""desk scheduler status | start | stop: the auto-fetch scheduler of the running workers.

The switch and the interval live in the database; running ``desk worker`` processes pick
a change up within seconds (see ``core.control.scheduler``).
"""

from __future__ import annotations

import argparse
from datetime import datetime

from core.access.users import actor_for
from core.audit import Actor
from core.control.scheduler import SchedulerStatus
from server.cli.commands import command_parser
from server.cli.common import print_json, run_with_desk
from server.wiring import Desk


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = command_parser(sub, "scheduler")
    cmds = p.add_subparsers(dest="scheduler_command", metavar="COMMAND")
    cmds.required = True
    c = cmds.add_parser("status", help="switch, interval, workers, last/next run, last error")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_status)
    c = cmds.add_parser("start", help="let the workers fetch, triage and send")
    c.add_argument(
        "--interval",
        type=int,
        metavar="SECONDS",
        help="cycle and fetch interval of every mailbox (or of --mailbox)",
    )
    c.add_argument("--mailbox", metavar="NAME", help="set only this mailbox's fetch interval")
    c.add_argument("--by", metavar="EMAIL", help="who (for the audit log)")
    c.set_defaults(func=cmd_start)
    c = cmds.add_parser("stop", help="pause every worker (they keep running, idle)")
    c.add_argument("--by", metavar="EMAIL", help="who (for the audit log)")
    c.set_defaults(func=cmd_stop)


async def _actor(desk: Desk, email: str | None) -> Actor:
    if email:
        return await actor_for(desk.sessions, email, "cli")
    return Actor(name="cli", source="cli")


def _when(value: datetime | None, now: datetime) -> str:
    if value is None:
        return "-"
    delta = (value - now).total_seconds()
    rel = f"in {delta:.0f}s" if delta >= 0 else f"{-delta:.0f}s ago"
    return f"{value:%Y-%m-%d %H:%M:%S} UTC ({rel})"


def render_status(status: SchedulerStatus, now: datetime) -> str:
    error = status.last_error
    lines = [
        f"scheduler: {status.state} (switch {'on' if status.enabled else 'off'}, "
        f"cycle every {status.interval_seconds}s, {len(status.running)} worker(s) alive)",
        f"  last run    {_when(status.last_run_at, now)}",
        f"  next run    {_when(status.next_run_at, now)}",
        f"  last error  {error[0] + ' at ' + _when(error[1], now) if error else '-'}",
    ]
    if status.mailboxes:
        lines.append("mailboxes:")
        for m in status.mailboxes:
            lines.append(
                f"  {m.name:16} every {m.interval_seconds}s  last fetch "
                f"{_when(m.last_fetch_at, now)}  "
                + (f"next {_when(m.next_fetch_at, now)}" if m.active else "INACTIVE (not fetched)")
                + (f"  ERROR x{m.consecutive_failures}: {m.last_error}" if m.last_error else "")
            )
    if status.workers:
        lines.append("workers:")
        for w in status.workers:
            lines.append(
                f"  {w.worker_id:36} {w.state if w.alive else 'gone':8} heartbeat "
                f"{_when(w.heartbeat_at, now)}"
            )
    return "\n".join(lines)


def cmd_status(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        status = await desk.scheduler.status()
        if args.json:
            print_json(status.as_dict())
        else:
            print(render_status(status, desk.scheduler.clock()))
        return 0

    return run_with_desk(work)


def cmd_start(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        actor = await _actor(desk, args.by)
        await desk.scheduler.start(actor, interval_seconds=args.interval, mailbox=args.mailbox)
        status = await desk.scheduler.status()
        print(f"scheduler started: cycle every {status.interval_seconds}s")
        if not status.running:
            print("no worker is running: start one with `desk worker`")
        return 0

    return run_with_desk(work)


def cmd_stop(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        await desk.scheduler.stop(await _actor(desk, args.by))
        print("scheduler stopped: workers pause within a few seconds")
        return 0

    return run_with_desk(work)
