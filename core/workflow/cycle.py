"""The fetch-then-triage cycle: poll mailboxes through the poller, then triage what came in.

One function for every caller: the worker's fetch job (each mailbox when it is due), the
worker's ``run_cycle``, ``desk fetch`` and Slack's ``/desk fetch`` (a person asks: now,
unless the mailbox is backing off after errors). Every poll goes through
``core.inbound.poller.MailboxPoller``, so it takes the mailbox's lock (a second cycle
running at the same time skips a locked mailbox instead of fetching it twice) and honours
the back-off.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from core.inbound.poller import MailboxPoller, PollResult
from core.tickets.triage import TriageReport, TriageService
from core.workflow.assignment import AssignReport

log = logging.getLogger(__name__)

TriageFactory = Callable[[], Awaitable[TriageService]]
AssignAfterTriage = Callable[[Sequence[int]], Awaitable[AssignReport]]


@dataclass
class CycleResult:
    polls: list[PollResult] = field(default_factory=list)
    triage: TriageReport | None = None  # None: nothing came in and triage was not asked
    assignment: AssignReport | None = None  # None: no automatic assignment was asked

    @property
    def stored(self) -> int:
        return sum(p.fetch.report.stored for p in self.polls if p.fetch)

    @property
    def errors(self) -> list[PollResult]:
        return [p for p in self.polls if p.error]

    @property
    def new_ticket_ids(self) -> list[int]:
        return [t for p in self.polls for t in p.new_ticket_ids]

    def fetched(self) -> dict[str, Any]:
        """Per mailbox: the messages stored, the error, or why it was skipped."""
        return {
            p.mailbox or str(p.mailbox_id): (p.error or p.fetch.report.stored)
            if p.fetch
            else f"skipped: {p.skipped}"
            for p in self.polls
        }


async def fetch_and_triage(
    poller: MailboxPoller,
    mailbox_ids: Sequence[int],
    *,
    triage: TriageFactory,
    asked: bool = False,
    force: bool = False,
    cycle_seconds: float | None = None,
    triage_limit: int = 200,
    always_triage: bool = True,
    assign: AssignAfterTriage | None = None,
) -> CycleResult:
    """Poll each mailbox (``asked``/``force``: see ``MailboxPoller.poll``), then triage
    what is queued. ``always_triage=False``: only when a poll stored something (the
    worker's per-mailbox job; its process job triages the rest). ``assign``: given the
    new drafts, assigns their tickets (``AutoAssigner.after_triage``); its failure is
    logged and does not stop the cycle."""
    result = CycleResult()
    for mailbox_id in mailbox_ids:
        result.polls.append(
            await poller.poll(mailbox_id, asked=asked, force=force, cycle_seconds=cycle_seconds)
        )
    if always_triage or result.stored:
        result.triage = await (await triage()).triage_queued(limit=triage_limit)
        if assign is not None and result.triage.drafted:
            try:
                result.assignment = await assign(result.triage.drafted)
            except Exception:  # assignment trouble must not stop mail from flowing
                log.exception("automatic assignment after triage failed")
    return result
