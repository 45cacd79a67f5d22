"""Which Slack workspace a mailbox, and so its tickets, belongs to.

A mailbox belongs to the workspace in ``mailboxes.slack_team_id``; a mailbox with none
belongs to the app's home workspace (where the bot is installed).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, false, or_, select

from db.models import Mailbox, Ticket


def team_mailbox_ids(team_id: str, home_team: str | None) -> Select[Any]:
    """``SELECT id FROM mailboxes`` of one workspace."""
    unbound = Mailbox.slack_team_id.is_(None) if team_id == home_team else false()
    return select(Mailbox.id).where(or_(Mailbox.slack_team_id == team_id, unbound))


def ticket_in(
    ticket_id: Any, mailboxes: Select[Any] | Sequence[int], *, per_row: bool = True
) -> ColumnElement[bool]:
    """A row that names a ticket (``ticket_id``: a draft's, a template use's) whose ticket
    is in one of ``mailboxes``. ``per_row``: the ticket's mailbox read per row by its
    primary key, so a period's few drafts read their own tickets, not every ticket of the
    scope hashed first (a week's 2,500 drafts at 100,000 tickets: 8 ms, against 50 ms);
    else the scope's tickets once (all time: every draft's ticket is read anyway)."""
    if not per_row:
        return ticket_id.in_(select(Ticket.id).where(Ticket.mailbox_id.in_(mailboxes)))
    mailbox = select(Ticket.mailbox_id).where(Ticket.id == ticket_id).scalar_subquery()
    return mailbox.in_(mailboxes)


def team_of(mailbox_team: str | None, home_team: str | None) -> str | None:
    """The workspace a ticket belongs to, given its mailbox's team."""
    return mailbox_team or home_team
