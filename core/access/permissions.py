"""Who may do what to a ticket, checked against the database, never against a payload.

The rules are written here once, for every surface (Slack, REST, CLI, bulk actions):

- Tenant: a ticket belongs to the Slack workspace of its mailbox; a person acting from a
  workspace (``Principal.workspace``: a Slack click) may not touch another workspace's
  tickets (a Slack Connect channel, a forged payload). Surfaces without a workspace (REST,
  CLI) skip this rule.
- Role: agents decide tickets assigned to them or to nobody, and may only take unassigned
  tickets for themselves; managers and admins act on any ticket; only admins change
  settings and roles. Someone who is not an active desk user may do nothing.
- The ``desk`` CLI decides tickets as ``--by`` with that user's role, like REST. Only
  what acts as no person is the trusted operator (``Principal.operator``: managing users
  and tokens from the shell, which has the database anyway): no role is checked.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.teams import team_of
from core.access.users import actor_for
from core.audit import Actor
from core.errors import NotFound, PermissionDenied
from db.base import storable_id
from db.models import Draft, Mailbox, Ticket, User
from db.session import SessionFactory

# decisions on one ticket and its draft (bulk "send" counts as "approve")
DECIDE = ("approve", "edit", "reject", "retry", "classify", "status")
ACTIONS = (*DECIDE, "assign", "view")
MANAGER_ROLES = ("admin", "manager")


@dataclass(frozen=True, slots=True)
class Principal:
    """Who asks for a decision: a desk user with a role, through one surface.

    ``role`` None: not an active desk user (refused everything). ``workspace``: the Slack
    workspace the person acts from, with ``home_team`` (the app's own workspace, which
    owns mailboxes bound to none); None on surfaces that have no workspace.
    """

    user_id: int | None
    name: str
    role: str | None
    source: str
    workspace: str | None = None
    home_team: str | None = None
    operator: bool = False
    scopes: frozenset[str] | None = None  # an API token's scopes; None: not a token
    request_id: str | None = None  # the API request acting, for the audit trail
    client_addr: str | None = None  # the API client's address, for the audit trail

    @classmethod
    def operator_of(cls, actor: Actor) -> Principal:
        """The operator at the shell acting as ``actor``: trusted, no role checked."""
        return cls(actor.user_id, actor.name, None, actor.source, operator=True)

    @property
    def actor(self) -> Actor:
        """Who the audit trail names."""
        return Actor(
            name=self.name,
            source=self.source,
            user_id=self.user_id,
            request_id=self.request_id,
            client_addr=self.client_addr,
        )

    @property
    def is_manager(self) -> bool:
        return self.role in MANAGER_ROLES


@dataclass(frozen=True, slots=True)
class TicketAccess:
    ticket_id: int
    draft_id: int | None
    team_id: str | None  # the workspace the ticket belongs to
    assigned_to_id: int | None
    assignee_email: str | None


class HasRole(Protocol):
    @property
    def role(self) -> str | None: ...


def check_ticket(
    who: Principal, access: TicketAccess, action: str, *, assignee_id: int | None = None
) -> None:
    """Raise PermissionDenied unless ``who`` may do ``action`` on the ticket."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if who.workspace is not None and (access.team_id is None or access.team_id != who.workspace):
        raise PermissionDenied(
            f"ticket {access.ticket_id} belongs to another Slack workspace",
            ticket_id=access.ticket_id,
            team_id=who.workspace,
        )
    if who.operator or action == "view":
        return
    if who.role is None or who.user_id is None:
        raise PermissionDenied(f"{who.name} is not an active desk user", ticket_id=access.ticket_id)
    if who.is_manager:
        return
    mine_or_free = access.assigned_to_id in (None, who.user_id)
    if action in DECIDE and not mine_or_free:
        holder = access.assignee_email or "someone else"
        raise PermissionDenied(
            f"ticket {access.ticket_id} is assigned to {holder}: only they, "
            f"a manager or an admin may {action} it",
            ticket_id=access.ticket_id,
            assigned_to_id=access.assigned_to_id,
        )
    if action == "assign" and not (mine_or_free and assignee_id == who.user_id):
        raise PermissionDenied(
            "agents may only take unassigned tickets for themselves; managers assign others",
            ticket_id=access.ticket_id,
        )


# what each API scope allows (issue 11): read < write; admin is its own scope
SCOPES = ("read", "write", "admin")


def scopes_for_role(role: str | None) -> tuple[str, ...]:
    """The scopes a token of someone with ``role`` may carry: ``admin`` only for admins
    (a token never claims more than its owner could do when it is made)."""
    if role is None:
        return ()
    return SCOPES if role == "admin" else ("read", "write")


def check_api(who: Principal, scope: str, *roles: str, doing: str) -> None:
    """Raise PermissionDenied unless ``who`` may do an API action needing ``scope`` and one
    of ``roles`` (no roles: any active desk user): effective rights = role ∩ scopes.

    ``data["reason"]`` says which failed: ``insufficient_scope`` or ``forbidden``.
    """
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}")
    if who.scopes is not None and scope not in who.scopes:
        raise PermissionDenied(
            f"{doing} needs a token with the scope {scope!r}; this one has "
            f"{','.join(sorted(who.scopes)) or 'none'}",
            reason="insufficient_scope",
            scope=scope,
        )
    if who.operator:
        return
    if who.role is None or who.user_id is None:
        raise PermissionDenied(f"{who.name} is not an active desk user", reason="forbidden")
    if roles and who.role not in roles:
        raise PermissionDenied(
            f"{doing} needs the role {' or '.join(roles)}; you are {who.role}",
            reason="forbidden",
            role=who.role,
        )


# who sees the team's workload (other agents' loads): /desk workload, App Home, the API
WORKLOAD_ROLES = MANAGER_ROLES


def sees_workload(member: HasRole) -> bool:
    """Managers and admins see every agent's load; agents do not see each other's."""
    return member.role in WORKLOAD_ROLES


async def check_admin(session: AsyncSession, who: Principal, *, doing: str) -> None:
    """Raise PermissionDenied unless ``who`` may change the desk's settings: the operator,
    or an admin (an API token with the ``admin`` scope) whose role is read again in the
    caller's transaction, so a demoted or deactivated admin is refused at once.

        async with sessions.begin() as session:
            await check_admin(session, who, doing="changing SLA settings")
    """
    if who.operator:
        return
    row = await session.get(User, who.user_id) if who.user_id is not None else None
    role = row.role if row is not None and row.is_active else None
    check_api(replace(who, role=role), "admin", "admin", doing=doing)


# what may be done to knowledge-base articles (and how a refusal names it)
KNOWLEDGE_ACTIONS = {
    "create": "creating",
    "edit": "editing",
    "publish": "publishing",
    "archive": "archiving",
}


def check_knowledge(who: Principal, action: str) -> None:
    """Raise PermissionDenied unless ``who`` may ``action`` an article: managers and admins
    write the knowledge base (the shell's operator too); publishing needs a person, a
    manager or an admin by their user id, never the operator alone, since a published
    article is what drafts will quote to customers."""
    if action not in KNOWLEDGE_ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if who.operator and action != "publish":
        return
    if who.operator or who.user_id is None:
        raise PermissionDenied(
            "publishing an article needs a person: a manager or an admin (--by EMAIL)",
            reason="forbidden",
        )
    if who.role is None:
        raise PermissionDenied(f"{who.name} is not an active desk user", reason="forbidden")
    if who.role not in MANAGER_ROLES:
        raise PermissionDenied(
            f"{KNOWLEDGE_ACTIONS[action]} an article needs the role {' or '.join(MANAGER_ROLES)}; you are {who.role}",
            reason="forbidden",
            role=who.role,
        )


def require_role(member: HasRole, *roles: str, doing: str) -> None:
    if member.role not in roles:
        raise PermissionDenied(
            f"{doing} needs the role {' or '.join(roles)}; you are {member.role}",
            role=member.role,
        )


async def principal_for(sessions: SessionFactory, actor: Actor) -> Principal:
    """A surface without a workspace (REST): ``actor``'s desk user and its current role."""
    async with sessions() as session:
        user = await session.get(User, actor.user_id) if actor.user_id else None
    role = user.role if user is not None and user.is_active else None
    return Principal(actor.user_id, actor.name, role, actor.source)


async def principal_by_email(sessions: SessionFactory, email: str, source: str) -> Principal:
    """A request that names its user by email (REST's ``by``): that desk user (made an
    agent on first use, like ``actor_for``) with their role checked, no workspace.

        who = await principal_by_email(desk.sessions, body.by, "api")
        decision = await desk.decisions.approve(who, ticket_id=ticket_id, version=body.version)
    """
    return await principal_for(sessions, await actor_for(sessions, email, source))


class TicketGuard:
    """Loads what a permission check needs about a ticket (or a draft's ticket)."""

    def __init__(self, session_factory: SessionFactory) -> None:
        self.sessions = session_factory

    async def access(
        self, *, draft_id: int | None = None, ticket_id: int | None = None, home_team: str | None
    ) -> TicketAccess:
        if ticket_id is not None and not storable_id(ticket_id):
            raise NotFound(f"ticket {ticket_id} not found", ticket_id=ticket_id)
        async with self.sessions() as session:
            if draft_id is not None:
                found = None
                if storable_id(draft_id):
                    found = await session.scalar(
                        select(Draft.ticket_id).where(Draft.id == draft_id)
                    )
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
        who: Principal,
        action: str,
        *,
        draft_id: int | None = None,
        ticket_id: int | None = None,
        assignee_id: int | None = None,
    ) -> TicketAccess:
        access = await self.access(draft_id=draft_id, ticket_id=ticket_id, home_team=who.home_team)
        check_ticket(who, access, action, assignee_id=assignee_id)
        return access
