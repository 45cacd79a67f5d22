"""Every decision on a ticket or its draft, whichever surface asked: one path each.

Approve, edit, reject, retry, assign and recategorise each run here as three steps: the
permission check of ``core.access.permissions`` (role, assignee, workspace) against the
database, the compare-and-set of the service that owns the row (``DraftService``,
``AssignmentService``, ``ClassificationService``), and its audit event, written in the
same transaction as the change. An agent's right rests on the ticket being unassigned or
theirs, so their compare-and-set requires that as well: a reassignment that lands between
the check and the write makes the decision fail with PermissionDenied, not override it. Slack handlers, the REST API, the ``desk`` CLI and bulk
actions all call these methods with a ``Principal``: a Slack member
(``Member.principal(home_team)``), a REST or CLI caller (``principal_by_email``: role
checked, no workspace) or a trusted caller that acts as no person
(``Principal.operator_of(actor)``: no role checked).

A decision names its draft (Slack buttons carry one) or its ticket (REST and CLI name
tickets; the ticket's current draft is meant).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from sqlalchemy import select

from core.access.permissions import Principal, TicketAccess, TicketGuard, check_ticket
from core.errors import InvalidTransition, NotFound
from core.outbound.recipients import RecipientService
from core.tickets.assignment import Assignment, AssignmentService
from core.tickets.drafts import Decision, DraftService
from core.tickets.queries import TicketReader
from core.tickets.reclassification import ClassificationService
from core.tickets.status import StatusChange, StatusService
from db.models import Draft, Ticket
from db.session import SessionFactory


@dataclass(frozen=True, slots=True)
class Edited:
    """A draft's new text, and the approval that followed when one was asked for."""

    draft_id: int
    ticket_id: int
    version: int
    status: str
    chars: int
    approved: Decision | None = None


@dataclass(frozen=True, slots=True)
class Recategorised:
    ticket_id: int
    changed: dict[str, str]  # field -> new value; empty when nothing changed


class Decisions:
    def __init__(
        self,
        session_factory: SessionFactory,
        *,
        drafts: DraftService,
        assignments: AssignmentService | None = None,
        classification: ClassificationService | None = None,
        recipients: RecipientService | None = None,
        guard: TicketGuard | None = None,
        reader: TicketReader | None = None,
        statuses: StatusService | None = None,
    ) -> None:
        self.sessions = session_factory
        self.drafts = drafts
        self.assignments = assignments or AssignmentService(session_factory)
        self.classification = classification or ClassificationService(session_factory)
        self.recipients = recipients or RecipientService(session_factory)
        self.guard = guard or TicketGuard(session_factory)
        self.reader = reader or TicketReader(session_factory)
        self.statuses = statuses or StatusService(session_factory)

    async def permit(
        self,
        who: Principal,
        action: str,
        *,
        draft_id: int | None = None,
        ticket_id: int | None = None,
        assignee_id: int | None = None,
    ) -> TicketAccess:
        """The check alone (PermissionDenied, NotFound), for a surface that asks before it
        shows a form (Slack's edit and reject modals) or a preview (bulk actions)."""
        if draft_id is None and ticket_id is not None and action != "assign":
            draft_id = await self.reader.current_draft_id(ticket_id)
        return await self.guard.check(
            who, action, draft_id=draft_id, ticket_id=ticket_id, assignee_id=assignee_id
        )

    async def approve(
        self,
        who: Principal,
        *,
        draft_id: int | None = None,
        ticket_id: int | None = None,
        version: int | None = None,
    ) -> Decision:
        """pending -> approved; ``version``: the text version the approver saw."""
        access = await self.permit(who, "approve", draft_id=draft_id, ticket_id=ticket_id)
        return await self.drafts.approve(
            _draft(access), who.actor, version=version, agent_id=_agent(who)
        )

    async def reject(
        self,
        who: Principal,
        *,
        reason: str,
        draft_id: int | None = None,
        ticket_id: int | None = None,
    ) -> Decision:
        access = await self.permit(who, "reject", draft_id=draft_id, ticket_id=ticket_id)
        return await self.drafts.reject(
            _draft(access), who.actor, reason=reason, agent_id=_agent(who)
        )

    async def retry(
        self,
        who: Principal,
        *,
        draft_id: int | None = None,
        ticket_id: int | None = None,
        clear_bounce: bool = False,
    ) -> Decision:
        """failed -> approved again. ``clear_bounce``: first take the undeliverable mark
        off the requester's address (the person confirmed the address works now)."""
        access = await self.permit(who, "retry", draft_id=draft_id, ticket_id=ticket_id)
        if clear_bounce:
            async with self.sessions() as session:
                email = await session.scalar(
                    select(Ticket.requester_email).where(Ticket.id == access.ticket_id)
                )
            with contextlib.suppress(NotFound):  # cleared meanwhile (another click, the CLI)
                await self.recipients.clear(email or "", who.actor)
        return await self.drafts.retry(_draft(access), who.actor, agent_id=_agent(who))

    async def edit(
        self,
        who: Principal,
        *,
        body: str,
        draft_id: int | None = None,
        ticket_id: int | None = None,
        version: int | None = None,
        then_approve: bool = False,
    ) -> Edited:
        """New text for a pending draft. ``version``: the one the editor started from (an
        edit that landed meanwhile is not overwritten); ``then_approve``: approve the new
        text at once (permission for that checked too)."""
        access = await self.permit(who, "edit", draft_id=draft_id, ticket_id=ticket_id)
        draft_id = _draft(access)
        if version is not None:
            async with self.sessions() as session:
                row = (
                    await session.execute(
                        select(Draft.version, Draft.status).where(Draft.id == draft_id)
                    )
                ).first()
            if row is not None and row[0] != version:
                raise InvalidTransition(
                    f"the draft changed while you edited it (now version {row[0]}); open Edit again",
                    current=row[1],
                )
        draft = await self.drafts.edit(draft_id, who.actor, body=body, agent_id=_agent(who))
        approved = None
        if then_approve:
            check_ticket(who, access, "approve")  # an edit changes no assignment
            approved = await self.drafts.approve(
                draft_id, who.actor, version=draft.version, agent_id=_agent(who)
            )
        return Edited(
            draft_id=draft.id,
            ticket_id=draft.ticket_id,
            version=draft.version,
            status=approved.status if approved else draft.status,
            chars=len(draft.body),
            approved=approved,
        )

    async def assign(
        self,
        who: Principal,
        *,
        assignee_id: int,
        draft_id: int | None = None,
        ticket_id: int | None = None,
    ) -> Assignment:
        access = await self.permit(
            who, "assign", draft_id=draft_id, ticket_id=ticket_id, assignee_id=assignee_id
        )
        return await self.assignments.assign(
            access.ticket_id, assignee_id, who.actor, agent_id=_agent(who)
        )

    async def recategorise(
        self,
        who: Principal,
        *,
        category: str | None = None,
        urgency: str | None = None,
        draft_id: int | None = None,
        ticket_id: int | None = None,
    ) -> Recategorised:
        """A person's correction of the AI's category and/or urgency."""
        access = await self.guard.check(who, "classify", draft_id=draft_id, ticket_id=ticket_id)
        changed = await self.classification.classify(
            access.ticket_id, who.actor, category=category, urgency=urgency
        )
        return Recategorised(access.ticket_id, changed)

    async def set_status(
        self,
        who: Principal,
        *,
        status: str,
        ticket_id: int | None = None,
        draft_id: int | None = None,
    ) -> StatusChange:
        """A person sets the ticket's status (named, or its draft's): ``waiting`` (on the
        customer), ``resolved`` or ``open`` (see ``core.tickets.status``)."""
        access = await self.guard.check(who, "status", draft_id=draft_id, ticket_id=ticket_id)
        return await self.statuses.set(access.ticket_id, status, who.actor, agent_id=_agent(who))


__all__ = ["Decision", "Decisions", "Edited", "Recategorised", "StatusChange"]


def _draft(access: TicketAccess) -> int:
    assert access.draft_id is not None  # permit() resolves the ticket's current draft
    return access.draft_id


def _agent(who: Principal) -> int | None:
    """The agent whose right rests on the ticket staying unassigned or theirs: their
    compare-and-set requires it too (the check and the write are not one statement).
    None for managers, admins and the operator, whose right does not depend on it."""
    if who.operator or who.is_manager:
        return None
    return who.user_id
