"""What runs between a listener's ack and its work, for every listener.

``after_ack`` wraps a Bolt listener (keeping its signature, which Bolt reads to inject
arguments). Once the listener has acknowledged (or right away for events, which Bolt
acknowledges itself) it

1. waits for one of a few work slots, so a burst of clicks does not flood the event
   loop with work and delay the acks of the requests behind them;
2. skips a delivery already handled (Slack retried it): acknowledged, not redone;
3. tells a person whose desk account is deactivated so (``Runtime.member`` refuses them
   wherever a listener asks who is acting), in one place for every listener.

The work is registered in ``Runtime.in_flight`` while it runs, so a shutdown can wait for it.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.notifier import SLACK_ERRORS
from bot.runtime import Runtime
from core.errors import PermissionDenied

log = logging.getLogger(__name__)
Listener = Callable[..., Awaitable[None]]


class _Repeated(Exception):
    """Raised out of the wrapped ack to stop a listener whose delivery was seen before."""


def after_ack(listener: Listener) -> Listener:
    takes_ack = "ack" in inspect.signature(listener).parameters

    @functools.wraps(listener)
    async def gated(**kwargs: Any) -> None:
        rt: Runtime = kwargs["context"]["rt"]
        body: dict[str, Any] = kwargs["body"]
        held = False
        task = asyncio.current_task()
        if task is not None:
            rt.in_flight.add(task)

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
                await gate()

            kwargs["ack"] = ack
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
            if task is not None:
                rt.in_flight.discard(task)

    return gated


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
