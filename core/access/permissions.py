"""Who may do what to a ticket, checked against the database, never against a payload.

Tenant: a ticket belongs to the Slack workspace of its mailbox; people of another
workspace (a Slack Connect channel, a forged payload) may not touch it. Role: agents act
on tickets assigned to them or to nobody; managers and admins on any; only admins change
settings and roles.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from core.access.members import Member
from core.access.teams import team_of
from core.errors import NotFound, PermissionDenied
from db.models import Draft, Mailbox, Ticket, User
from db.session import SessionFactory

# actions on one ticket and its draft
DECIDE = ("approve", "edit", "reject", "retry", "classify")
ACTIONS = (*DECIDE, "assign", "view")


@dataclass(frozen=True, slots=True)
class TicketAccess:
    ticket_id: int
    draft_id: int | None
    team_id: str | None  # the workspace the ticket belongs to
    assigned_to_id: int | None
    assignee_email: str | None


def check_ticket(
    member: Member, access: TicketAccess, action: str, *, assignee_id: int | None = None
) -> None:
    """Raise PermissionDenied unless ``member`` may do ``action`` on the ticket."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if access.team_id is None or access.team_id != member.team_id:
        raise PermissionDenied(
            f"ticket {access.ticket_id} belongs to another Slack workspace",
            ticket_id=access.ticket_id,
            team_id=member.team_id,
        )
    if member.is_manager or action == "view":
        return
    mine_or_free = access.assigned_to_id in (None, member.user_id)
    if action in DECIDE and not mine_or_free:
        raise PermissionDenied(
            f"ticket {access.ticket_id} is assigned to {access.assignee_email}: only they, "
            f"a manager or an admin may {action} it",
            ticket_id=access.ticket_id,
            assigned_to_id=access.assigned_to_id,
        )
    if action == "assign" and not (mine_or_free and assignee_id == member.user_id):
        raise PermissionDenied(
            "agents may only take unassigned tickets for themselves; managers assign others",
            ticket_id=access.ticket_id,
        )


def require_role(member: Member, *roles: str, doing: str) -> None:
    if member.role not in roles:
        raise PermissionDenied(
            f"{doing} needs the role {' or '.join(roles)}; you are {member.role}",
            role=member.role,
        )


class TicketGuard:
    """Loads what a permission check needs about a ticket (or a draft's ticket)."""

    def __init__(self, session_factory: SessionFactory) -> None:
        self.sessions = session_factory

    async def access(
        self, *, draft_id: int | None = None, ticket_id: int | None = None, home_team: str | None
    ) -> TicketAccess:
        async with self.sessions() as session:
            if draft_id is not None:
                found = await session.scalar(select(Draft.ticket_id).where(Draft.id == draft_id))
                if found is None:
                    raise NotFound(f"draft {draft_id} not found", draft_id=draft_id)
                if ticket_id is not None and ticket_id != found:
                    raise PermissionDenied(
                        f"draft {draft_id} is not part of ticket {ticket_id}", draft_id=draft_id
                    )
                ticket_id = found
            row = (
                await session.execute(
                    select(Ticket.id, Ticket.assigned_to_id, Mailbox.slack_team_id, User.email)
                    .join(Mailbox, Mailbox.id == Ticket.mailbox_id)
                    .outerjoin(User, User.id == Ticket.assigned_to_id)
                    .where(Ticket.id == ticket_id)
                )
            ).first()
        if row is None:
            raise NotFound(f"ticket {ticket_id} not found", ticket_id=ticket_id)
        return TicketAccess(
            ticket_id=row[0],
            draft_id=draft_id,
            team_id=team_of(row[2], home_team),
            assigned_to_id=row[1],
            assignee_email=row[3],
        )

    async def check(
        self,
        member: Member,
        action: str,
        *,
        home_team: str | None,
        draft_id: int | None = None,
        ticket_id: int | None = None,
        assignee_id: int | None = None,
    ) -> TicketAccess:
        access = await self.access(draft_id=draft_id, ticket_id=ticket_id, home_team=home_team)
        check_ticket(member, access, action, assignee_id=assignee_id)
        return access
