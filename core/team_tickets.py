"""Tickets as one Slack workspace sees them: only those of its mailboxes.

A mailbox belongs to the workspace in ``mailboxes.slack_team_id``; a mailbox with none
belongs to the app's home workspace (where the bot is installed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, false, or_, select

from core.tickets import TicketQuery, TicketReader
from db.models import Mailbox, Ticket


def team_mailbox_ids(team_id: str, home_team: str | None) -> Select[Any]:
    """``SELECT id FROM mailboxes`` of one workspace."""
    unbound = Mailbox.slack_team_id.is_(None) if team_id == home_team else false()
    return select(Mailbox.id).where(or_(Mailbox.slack_team_id == team_id, unbound))


def team_of(mailbox_team: str | None, home_team: str | None) -> str | None:
    """The workspace a ticket belongs to, given its mailbox's team."""
    return mailbox_team or home_team


@dataclass(frozen=True, slots=True)
class TeamQuery(TicketQuery):
    team_id: str = ""
    home_team: str | None = None


class TeamTicketReader(TicketReader):
    """``TicketReader`` limited to the tickets of ``TeamQuery.team_id``."""

    def _select(self, query: TicketQuery) -> Select[Any]:
        stmt = super()._select(query)
        if isinstance(query, TeamQuery):
            stmt = stmt.where(
                Ticket.mailbox_id.in_(team_mailbox_ids(query.team_id, query.home_team))
            )
        return stmt
