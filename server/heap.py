"""The start-up heap of a long-running process, taken out of the garbage collector's sight.

A web or worker process allocates most of its long-lived objects before its first request
or fetch: imported modules, the wired services, Bolt's app. Each full collection re-scans
all of them (some 190,000 objects, 0.10-0.20 s on this kind of machine), and one such
collection landing in a burst of Slack requests was the ack benchmark's whole p99.
``freeze_startup_heap`` collects once and moves what survives into the permanent
generation, so later collections scan only what came after. Called once, after warm-up,
by the worker (``Desk.warm_up``) and the web process (``server.slack``).
"""

from __future__ import annotations

import gc
import logging

log = logging.getLogger(__name__)


def freeze_startup_heap() -> int:
    """Collect, then freeze what is left; returns how many objects are now frozen."""
    gc.collect()
    gc.freeze()
    frozen = gc.get_freeze_count()
    log.debug("froze %d start-up objects", frozen)
    return frozen
