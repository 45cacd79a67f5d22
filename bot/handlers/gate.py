"""What runs between a listener's ack and its work, for every listener.

``after_ack`` wraps a Bolt listener (keeping its signature, which Bolt reads to inject
arguments). Once the listener has acknowledged (or right away for events, which Bolt
acknowledges itself) it

1. waits for one of a few work slots, so a burst of clicks does not flood the event
   loop with work and delay the acks of the requests behind them;
2. skips a delivery already handled (Slack retried it): acknowledged, not redone.

The work is registered in ``Runtime.in_flight`` while it runs, so a shutdown can wait for it.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from bot.runtime import Runtime

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
        finally:
            if held:
                rt.work_slots.release()
            if task is not None:
                rt.in_flight.discard(task)

    return gated
