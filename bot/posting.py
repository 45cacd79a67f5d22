"""Messages to a channel go through one queue per channel, spaced by Slack's rate.

Slack accepts about one message per second per channel (``chat.postMessage``), with short
bursts. Each channel has a FIFO queue drained by one task that waits ``interval`` between
two calls; channels do not wait for each other. A 429 that still happens (another process
posting to the same channel) is waited out by the client's rate-limit retry handler.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse


@dataclass
class _Job:
    kwargs: dict[str, Any]
    done: asyncio.Future[AsyncSlackResponse]


class PostingQueue:
    def __init__(self, client: AsyncWebClient, *, interval: float = 1.0) -> None:
        self.client = client
        self.interval = interval
        self._queues: dict[str, asyncio.Queue[_Job]] = {}
        self._drainers: dict[str, asyncio.Task[None]] = {}
        self._last: dict[str, float] = {}

    def pending(self, channel: str) -> int:
        queue = self._queues.get(channel)
        return queue.qsize() if queue else 0

    async def post(self, **kwargs: Any) -> AsyncSlackResponse:
        """``chat.postMessage`` with these arguments, when the channel's turn comes."""
        channel = str(kwargs["channel"])
        job = _Job(kwargs, asyncio.get_running_loop().create_future())
        self._queues.setdefault(channel, asyncio.Queue()).put_nowait(job)
        drainer = self._drainers.get(channel)
        if drainer is None or drainer.done():
            self._drainers[channel] = asyncio.create_task(self._drain(channel))
        return await job.done

    async def _drain(self, channel: str) -> None:
        queue = self._queues[channel]
        while not queue.empty():
            job = queue.get_nowait()
            if job.done.cancelled():
                continue
            wait = self._last.get(channel, -1e9) + self.interval - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                result = await self.client.chat_postMessage(**job.kwargs)
            except Exception as exc:  # handed to the caller, who decides what it means
                if not job.done.cancelled():
                    job.done.set_exception(exc)
            else:
                if not job.done.cancelled():
                    job.done.set_result(result)
            finally:
                self._last[channel] = time.monotonic()
