"""Notices to people: what team workflow tells one desk user (assigned to you, SLA warning,
SLA breach, customer replied on your ticket, draft waiting for you, daily digest).

The producers (the SLA sweep, assignment, intake) build ``Notice`` values and hand them to a
``NoticeSink``; the notification service is the sink that applies each user's preferences
(Slack DM, email or none), quiet hours, grouping of bursts, and records every notice it
sent, so that a repeated sweep never sends one twice (``key`` is unique per notice).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

# the events a user may tune (preferences are per user and kind)
KINDS = (
    "high_urgency",  # a new High-urgency ticket
    "assigned",  # a ticket was assigned to you
    "sla_warning",  # one of your tickets reached a warning level of an SLA target
    "sla_breach",  # one of your tickets breached an SLA target (ignores quiet hours)
    "customer_replied",  # the customer replied on your ticket
    "draft_waiting",  # a draft has waited for your approval longer than N minutes
    "digest",  # the daily digest
)


@dataclass(frozen=True, slots=True)
class Notice:
    """One thing to tell one desk user.

    ``key``: what makes it unique (e.g. ``sla_warning:ticket:12:first_response:75``): a
    notice whose key was sent before is not sent again. ``urgent``: delivered through
    quiet hours (breach alerts). ``data``: what the message shows (ticket id, subject,
    due time...), never a secret.
    """

    kind: str
    user_id: int
    key: str
    text: str
    ticket_id: int | None = None
    urgent: bool = False
    data: dict[str, Any] = field(default_factory=dict)


class NoticeSink(Protocol):
    async def send(self, notices: Sequence[Notice]) -> None: ...


class RecordingSink:
    """Keeps what it was given (tests; a desk without notifications)."""

    def __init__(self) -> None:
        self.notices: list[Notice] = []

    async def send(self, notices: Sequence[Notice]) -> None:
        self.notices.extend(notices)
