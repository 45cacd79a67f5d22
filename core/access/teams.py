"""Which Slack workspace a mailbox, and so its tickets, belongs to.

A mailbox belongs to the workspace in ``mailboxes.slack_team_id``; a mailbox with none
belongs to the app's home workspace (where the bot is installed).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, false, or_, select

from db.models import Mailbox


def team_mailbox_ids(team_id: str, home_team: str | None) -> Select[Any]:
    """``SELECT id FROM mailboxes`` of one workspace."""
    unbound = Mailbox.slack_team_id.is_(None) if team_id == home_team else false()
    return select(Mailbox.id).where(or_(Mailbox.slack_team_id == team_id, unbound))


def team_of(mailbox_team: str | None, home_team: str | None) -> str | None:
    """The workspace a ticket belongs to, given its mailbox's team."""
    return mailbox_team or home_team
