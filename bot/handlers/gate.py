"""What runs between a listener's ack and its work, for every listener.

``after_ack`` wraps a Bolt listener (keeping its signature, which Bolt reads to inject
arguments). The listener runs as a task of its own; the wrapper returns to Bolt as soon as
the listener has acknowledged (right away for events, which Bolt acknowledges when the
wrapper returns), so Bolt answers Slack at once: the app runs Bolt with
``process_before_response=True``, whose runner awaits the wrapper, instead of Bolt's
default of polling for the ack every 10 ms, which made every ack wait at least that long.
After the ack the task

1. waits for one of a few work slots, so a burst of clicks does not flood the event
   loop with work and delay the acks of the requests behind them;
2. skips a delivery already handled (Slack retried it): acknowledged, not redone;
3. tells a person whose desk account is deactivated so (``Runtime.member`` refuses them
   wherever a listener asks who is acting), in one place for every listener.

An error before the ack is raised to Bolt (its error handler, a 500 to Slack); one after
it is logged here. The task is registered in ``Runtime.in_flight`` while it runs, so a
shutdown can wait for it.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.notifier import SLACK_ERRORS
from bot.redaction import protected
from bot.runtime import Runtime
from core.errors import PermissionDenied

log = protected(logging.getLogger(__name__))  # an error is logged with its request
Listener = Callable[..., Awaitable[None]]
ACK_TIMEOUT = 3.0  # seconds Slack waits for an ack; past them the wrapper returns anyway


class _Repeated(Exception):
    """Raised out of the wrapped ack to stop a listener whose delivery was seen before."""


def after_ack(listener: Listener, *, ack_timeout: float = ACK_TIMEOUT) -> Listener:
    takes_ack = "ack" in inspect.signature(listener).parameters

    @functools.wraps(listener)
    async def gated(**kwargs: Any) -> None:
        rt: Runtime = kwargs["context"]["rt"]
        body: dict[str, Any] = kwargs["body"]
        acked = asyncio.Event()
        waiting = {"wrapper": True}  # whether the wrapper still waits for the ack
        held = False

        async def gate() -> None:
            nonlocal held
            await rt.work_slots.acquire()
            held = True
            if await rt.repeated(body):
                raise _Repeated

        if takes_ack:
            real_ack = kwargs["ack"]

            async def ack(*args: Any, **kw: Any) -> None:
                await real_ack(*args, **kw)
                acked.set()
                await gate()

            kwargs["ack"] = ack
        else:
            acked.set()  # Bolt acknowledges an event when this wrapper returns

        async def work() -> None:
            try:
                if not takes_ack:
                    await gate()
                await listener(**kwargs)
            except _Repeated:
                return
            except PermissionDenied as exc:
                if exc.data.get("reason") != "deactivated":
                    raise
                await _refuse(rt, kwargs, str(exc))
            finally:
                if held:
                    rt.work_slots.release()

        task = asyncio.create_task(work())
        rt.in_flight.add(task)
        task.add_done_callback(functools.partial(_done, rt, body, acked, waiting))
        acking = asyncio.create_task(acked.wait())
        try:
            await asyncio.wait(
                {task, acking}, timeout=ack_timeout, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            acking.cancel()
            waiting["wrapper"] = False
        if task.done() and not acked.is_set() and not task.cancelled():
            task.result()  # failed before its ack: Bolt's error handler, a 500 to Slack

    return gated


def _done(
    rt: Runtime,
    body: dict[str, Any],
    acked: asyncio.Event,
    waiting: dict[str, bool],
    task: asyncio.Task[None],
) -> None:
    """A listener's task ended: unregistered; its error logged, unless the wrapper still
    waiting for the ack raises it to Bolt."""
    rt.in_flight.discard(task)
    if task.cancelled():
        return
    error = task.exception()
    if error is not None and (acked.is_set() or not waiting["wrapper"]):
        log.error("slack handler failed (%s)", body.get("type"), exc_info=error)


async def _refuse(rt: Runtime, kwargs: dict[str, Any], text: str) -> None:
    """Tell the person only (ephemeral, else a DM); an event (App Home) is just logged."""
    body: dict[str, Any] = kwargs["body"]
    if body.get("type") == "event_callback":
        log.info("slack event from a deactivated desk user ignored")
        return
    try:
        await rt.tell(kwargs["context"], body, f":no_entry: {text}")
    except SLACK_ERRORS as exc:
        log.warning("could not tell a deactivated user they are refused: %s", exc)
