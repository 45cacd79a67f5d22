"""A ticket's nearest SLA due time and how it stands, as a chat surface shows it.

Read from the ticket's open clocks (``sla_clocks`` rows not stopped; ``core.workflow.sla``
moves them): the running clock due first, else (nothing runs) the paused one due first. Its
state comes from what the SLA sweep recorded, not from the time of reading, so a card says
what the sweep told people and changes when the sweep fires (``SlaSweep`` reports the
tickets it moved, and the Slack card is refreshed): ``breached`` once the breach was
fired (``breached_at``), ``warning`` once a warning level was, else ``ok``. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from db.models import SlaClock

OK, WARNING, BREACHED = "ok", "warning", "breached"
BREACH_LEVEL = 100  # what ``warned`` holds once the breach was told; core.workflow.sla uses it


@dataclass(frozen=True, slots=True)
class SlaDue:
    metric: str  # first_response, next_response, resolution
    due_at: datetime
    state: str  # ok, warning, breached
    level: int | None  # the highest warning level fired, None before the first
    paused: bool  # this clock waits on the customer (only resolution pauses)
    # another open clock waits on the customer (the ticket is ``waiting``): its metric
    waiting: str | None = None


def state_of(clock: SlaClock) -> tuple[str, int | None]:
    """(state, highest warning level fired) of one clock."""
    levels = [lv for lv in clock.warned or () if lv < BREACH_LEVEL]
    level = max(levels) if levels else None
    if clock.breached_at is not None or BREACH_LEVEL in (clock.warned or ()):
        return BREACHED, level
    return (WARNING if levels else OK), level


def nearest_due(clocks: Iterable[SlaClock]) -> SlaDue | None:
    """The running clock due first, else the paused one due first (with, for a running
    one, the metric of a clock paused beside it); None without an open clock (no policy,
    or every target met)."""
    open_ = [c for c in clocks if c.stopped_at is None]
    running = [c for c in open_ if c.paused_at is None]
    pick = min(running or open_, key=lambda c: (c.due_at, c.metric, c.cycle), default=None)
    if pick is None:
        return None
    state, level = state_of(pick)
    held = sorted(c.metric for c in open_ if c.paused_at is not None and c is not pick)
    return SlaDue(
        metric=pick.metric,
        due_at=pick.due_at,
        state=state,
        level=level,
        paused=pick.paused_at is not None,
        waiting=held[0] if held else None,
    )
