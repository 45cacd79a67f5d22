"""Bulk actions: approve, reject (one reason), send approved, assign, over many tickets.

The tickets are named by id or by a ``TicketQuery`` (the same filters as search). Each one
is decided through the same path as a single click (``core.tickets.decisions``: the
permission check, the compare-and-set and the audit; sending through the ``Sender``'s
claim), one short transaction per ticket, so a bulk run and a person clicking at the same
time never both win, and nothing is sent twice. The result says what
was done and, for every ticket skipped, why:

- ``already_decided``: the draft was approved/rejected/sent already, or its send failed (by whom, when);
- ``edited``: the draft changed after the version the approver saw;
- ``escalated``: flagged for escalation; a bulk approve leaves those out unless asked;
- ``not_permitted``: the permission check refused (role, workspace, assignment);
  ``core.access.permissions`` has the rules; the person acting is a ``Principal`` (an
  ``Actor`` alone is the operator at the shell, whose role is not checked);
- ``no_draft`` / ``not_approved`` / ``not_found``: nothing to act on;
- ``send_failed`` / ``send_deferred``: the mail server refused it, or it will retry;
- ``already_assigned``: the ticket has that assignee already.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import func, select

from core.access.permissions import Principal
from core.audit import Actor, record
from core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from core.outbound.sending import Sender
from core.tickets.assignment import AssignmentService
from core.tickets.decisions import Decisions
from core.tickets.drafts import DraftService
from core.tickets.queries import TicketQuery, TicketReader
from db.base import storable_id
from db.models import Draft, Ticket, User
from db.session import SessionFactory

ACTIONS = ("approve", "reject", "send", "assign")
MAX_ITEMS = 5_000
PAGE = 1_000

REASONS = {
    "already_decided": "already decided",
    "edited": "edited since it was reviewed",
    "escalated": "flagged for escalation",
    "not_permitted": "not permitted",
    "no_draft": "no draft",
    "not_approved": "not approved",
    "not_found": "not found",
    "send_failed": "send failed",
    "send_deferred": "send deferred (will retry)",
    "already_assigned": "already assigned to them",
}


@dataclass(frozen=True, slots=True)
class BulkTarget:
    """A ticket and its latest draft as the bulk run found them."""

    ticket_id: int
    subject: str
    requester: str
    assigned_to_id: int | None
    draft_id: int | None
    draft_status: str | None
    draft_version: int | None
    escalation_required: bool
    urgency: str | None = None
    category: str | None = None
    found: bool = True


@dataclass(frozen=True, slots=True)
class BulkItem:
    ticket_id: int
    draft_id: int | None
    done: bool
    reason: str | None = None  # a key of REASONS when skipped
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "ticket_id": self.ticket_id,
            "draft_id": self.draft_id,
            "reason": self.reason,
            "detail": self.detail,
        }


@dataclass
class BulkResult:
    action: str
    done: list[BulkItem] = field(default_factory=list)
    skipped: list[BulkItem] = field(default_factory=list)

    def add(self, item: BulkItem) -> None:
        (self.done if item.done else self.skipped).append(item)

    @property
    def skipped_by_reason(self) -> dict[str, int]:
        return dict(Counter(i.reason or "other" for i in self.skipped))

    def summary(self) -> str:
        verb = {"approve": "approved", "reject": "rejected", "send": "sent", "assign": "assigned"}
        text = f"{verb.get(self.action, self.action)} {len(self.done)}"
        if self.skipped:
            parts = ", ".join(
                f"{n} {REASONS.get(r, r)}" for r, n in sorted(self.skipped_by_reason.items())
            )
            text += f"; skipped {len(self.skipped)}: {parts}"
        return text

    def as_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "done": [i.as_dict() for i in self.done],
            "skipped": [i.as_dict() for i in self.skipped],
            "counts": {
                "done": len(self.done),
                "skipped": len(self.skipped),
                "skipped_by_reason": self.skipped_by_reason,
            },
            "summary": self.summary(),
        }


@dataclass
class BulkPreview:
    """What a bulk action would act on, and what it would leave out already now."""

    action: str
    act_on: list[BulkTarget] = field(default_factory=list)
    skip: list[BulkItem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "act_on": [
                {
                    "ticket_id": t.ticket_id,
                    "draft_id": t.draft_id,
                    "subject": t.subject,
                    "requester": t.requester,
                    "draft_status": t.draft_status,
                    "draft_version": t.draft_version,
                    "escalation_required": t.escalation_required,
                    "urgency": t.urgency,
                }
                for t in self.act_on
            ],
            "skip": [i.as_dict() for i in self.skip],
        }


Selection = Sequence[int] | TicketQuery
Acting = Principal | Actor  # an Actor alone: the operator at the shell (no role check)


def _principal(actor: Acting, check: Principal | None) -> Principal:
    """Who acts: ``check`` (the older spelling of passing a Principal) wins over an Actor."""
    if isinstance(actor, Principal):
        return actor
    return check if check is not None else Principal.operator_of(actor)


class BulkService:
    def __init__(
        self,
        session_factory: SessionFactory,
        *,
        drafts: DraftService,
        sender: Sender,
        assignments: AssignmentService,
        reader: TicketReader | None = None,
        decisions: Decisions | None = None,
        max_items: int = MAX_ITEMS,
    ) -> None:
        """``reader`` resolves a ``TicketQuery`` (a ``TeamTicketReader`` with a
        ``TeamQuery`` limits a bulk run to one Slack workspace's tickets); ``decisions``
        decides each ticket (built from ``drafts`` and ``assignments`` when not given)."""
        self.sessions = session_factory
        self.sender = sender
        self.reader = reader or TicketReader(session_factory)
        self.decisions = decisions or Decisions(
            session_factory, drafts=drafts, assignments=assignments
        )
        self.max_items = max_items

    # -- selection --------------------------------------------------------------------------

    async def targets(self, selection: Selection) -> list[BulkTarget]:
        """The tickets named (in the order given) or matching the query (in its order)."""
        if isinstance(selection, TicketQuery):
            ids = await self._matching(selection)
        else:
            ids = list(dict.fromkeys(int(i) for i in selection))
        if len(ids) > self.max_items:
            raise ValidationError(
                f"{len(ids)} tickets selected; a bulk action takes at most {self.max_items}",
                field="tickets",
            )
        if not ids:
            return []
        ids_in_range = [i for i in ids if storable_id(i)]  # the others are not found
        latest = (
            select(Draft.ticket_id, func.max(Draft.id).label("draft_id"))
            .where(Draft.status != "superseded", Draft.ticket_id.in_(ids_in_range))
            .group_by(Draft.ticket_id)
            .subquery()
        )
        found: dict[int, BulkTarget] = {}
        async with self.sessions() as session:
            rows = await session.execute(
                select(Ticket, Draft)
                .outerjoin(latest, latest.c.ticket_id == Ticket.id)
                .outerjoin(Draft, Draft.id == latest.c.draft_id)
                .where(Ticket.id.in_(ids_in_range))
            )
            for ticket, draft in rows:
                found[ticket.id] = BulkTarget(
                    ticket_id=ticket.id,
                    subject=ticket.subject,
                    requester=ticket.requester_email,
                    assigned_to_id=ticket.assigned_to_id,
                    draft_id=draft.id if draft else None,
                    draft_status=draft.status if draft else None,
                    draft_version=draft.version if draft else None,
                    escalation_required=bool(draft.escalation_required) if draft else False,
                    urgency=ticket.urgency,
                    category=ticket.category,
                )
        return [
            found.get(i)
            or BulkTarget(
                ticket_id=i,
                subject="",
                requester="",
                assigned_to_id=None,
                draft_id=None,
                draft_status=None,
                draft_version=None,
                escalation_required=False,
                found=False,
            )
            for i in ids
        ]

    async def _matching(self, query: TicketQuery) -> list[int]:
        ids: list[int] = []
        offset = 0
        while len(ids) <= self.max_items:
            page = await self.reader.list(replace(query, limit=PAGE, offset=offset))
            ids.extend(int(v["id"]) for v in page)
            if len(page) < PAGE:
                break
            offset += PAGE
        return list(dict.fromkeys(ids))

    async def preview(
        self,
        selection: Selection,
        action: str,
        *,
        include_escalated: bool = False,
        who: Principal | None = None,
        assignee_id: int | None = None,
    ) -> BulkPreview:
        """What ``action`` would act on (for a confirmation that says how many and which);
        ``who``: leave out what they may not do (None: no permission check)."""
        _check_action(action)
        out = BulkPreview(action)
        for t in await self.targets(selection):
            reason = await self._precheck(
                t, action, include_escalated=include_escalated, who=who, assignee_id=assignee_id
            )
            if reason is None:
                out.act_on.append(t)
            else:
                out.skip.append(reason)
        return out

    # -- actions ----------------------------------------------------------------------------

    async def approve(
        self,
        selection: Selection,
        actor: Acting,
        *,
        include_escalated: bool = False,
        check: Principal | None = None,
        versions: Mapping[int, int] | None = None,
    ) -> BulkResult:
        """Approve each ticket's pending draft. ``versions``: draft id -> the version the
        approver saw (from the confirmation); a draft edited since is skipped."""
        who = _principal(actor, check)
        if who.user_id is None:
            raise ValidationError("an approval must name a desk user", field="by")
        result = await self._decide_each(
            selection,
            "approve",
            lambda draft_id: self.decisions.approve(
                who, draft_id=draft_id, version=(versions or {}).get(draft_id)
            ),
            include_escalated=include_escalated,
            who=who,
        )
        await self._audit(who.actor, result, include_escalated=include_escalated)
        return result

    async def reject(
        self,
        selection: Selection,
        actor: Acting,
        *,
        reason: str,
        check: Principal | None = None,
    ) -> BulkResult:
        """Reject each ticket's pending (or failed) draft, all with the same reason."""
        if not reason.strip():
            raise ValidationError("a rejection needs a reason", field="reason")
        who = _principal(actor, check)
        result = await self._decide_each(
            selection,
            "reject",
            lambda draft_id: self.decisions.reject(who, draft_id=draft_id, reason=reason),
            include_escalated=True,
            who=who,
        )
        await self._audit(who.actor, result, reason=reason.strip())
        return result

    async def send(
        self, selection: Selection, actor: Acting, *, check: Principal | None = None
    ) -> BulkResult:
        """Send the approved drafts now (waiting retries included), through the Sender's
        claim; others are skipped. Sending needs the permission to approve."""
        who = _principal(actor, check)
        result = BulkResult("send")
        approved: dict[int, BulkTarget] = {}
        for t in await self.targets(selection):
            skip = await self._precheck(t, "send", include_escalated=True, who=who)
            if skip is not None:
                result.add(skip)
            else:
                assert t.draft_id is not None
                approved[t.draft_id] = t
        if approved:
            report = await self.sender.send_due(
                limit=len(approved), only=list(approved), ignore_backoff=True
            )
            outcome = {d: "sent" for d in report.sent}
            outcome |= {d: "failed" for d in report.failed}
            outcome |= {d: "retrying" for d in (*report.retrying, *report.throttled)}
            states = await self._draft_states(list(approved))
            for draft_id, t in approved.items():
                status, failure = states.get(draft_id, (None, None))
                what = outcome.get(draft_id)
                if what == "sent":
                    result.add(BulkItem(t.ticket_id, draft_id, True))
                elif what == "failed":
                    result.add(_skip(t, "send_failed", failure or "the mail server refused it"))
                elif what == "retrying":
                    result.add(_skip(t, "send_deferred", failure or "will retry"))
                elif status == "approved":  # a worker is picking it up right now
                    result.add(_skip(t, "send_deferred", "another worker is sending it"))
                else:  # claimed by someone else in between: sent or being sent already
                    result.add(_skip(t, "already_decided", f"draft is {status or 'gone'} already"))
        await self._audit(who.actor, result)
        return result

    async def assign(
        self,
        selection: Selection,
        actor: Acting,
        *,
        assignee_id: int,
        check: Principal | None = None,
    ) -> BulkResult:
        """Assign every ticket to one person."""
        who = _principal(actor, check)
        async with self.sessions() as session:
            assignee = await session.get(User, assignee_id)
        if assignee is None or not assignee.is_active:
            raise ValidationError(f"user {assignee_id} cannot take tickets", field="assignee")
        result = BulkResult("assign")
        for t in await self.targets(selection):
            skip = await self._precheck(
                t, "assign", include_escalated=True, who=who, assignee_id=assignee_id
            )
            if skip is not None:
                result.add(skip)
                continue
            try:
                done = await self.decisions.assign(
                    who, ticket_id=t.ticket_id, assignee_id=assignee_id
                )
            except PermissionDenied as exc:  # the ticket changed hands since the pre-check
                result.add(_skip(t, "not_permitted", str(exc)))
            except NotFound as exc:
                result.add(_skip(t, "not_found", str(exc)))
            else:
                if done.changed:
                    result.add(BulkItem(t.ticket_id, t.draft_id, True))
                else:
                    result.add(_skip(t, "already_assigned", f"already with {assignee.email}"))
        await self._audit(who.actor, result, assignee=assignee.email)
        return result

    # -- helpers ----------------------------------------------------------------------------

    async def _decide_each(
        self,
        selection: Selection,
        verb: str,
        decide: Callable[[int], Awaitable[object]],
        *,
        include_escalated: bool,
        who: Principal,
    ) -> BulkResult:
        """``decide(draft_id)`` for each selected ticket's draft that passes the pre-check:
        the same decision as a single click, a lost race reported as skipped."""
        result = BulkResult(verb)
        for t in await self.targets(selection):
            skip = await self._precheck(t, verb, include_escalated=include_escalated, who=who)
            if skip is not None:
                result.add(skip)
                continue
            assert t.draft_id is not None
            try:
                await decide(t.draft_id)
            except InvalidTransition as exc:
                result.add(_lost(t, exc))
            except PermissionDenied as exc:  # the ticket changed hands since the pre-check
                result.add(_skip(t, "not_permitted", str(exc)))
            except NotFound as exc:
                result.add(_skip(t, "not_found", str(exc)))
            else:
                result.add(BulkItem(t.ticket_id, t.draft_id, True))
        return result

    async def _precheck(
        self,
        t: BulkTarget,
        action: str,
        *,
        include_escalated: bool,
        who: Principal | None,
        assignee_id: int | None = None,
    ) -> BulkItem | None:
        """Why ``t`` is left out before any change is tried, or None. The compare-and-set of
        the action itself still decides; this only explains the obvious cases early."""
        if not t.found:
            return _skip(t, "not_found", f"ticket {t.ticket_id} not found")
        if action != "assign":
            if t.draft_id is None:
                return _skip(t, "no_draft")
            if action == "send" and t.draft_status != "approved":
                # approved once and sent, being sent, or refused by the mail server: not a
                # draft waiting for approval (another run may have just tried it)
                if t.draft_status in ("sending", "sent", "failed"):
                    return _skip(t, "already_decided", f"draft is {t.draft_status} already")
                return _skip(t, "not_approved", f"draft is {t.draft_status}")
        if who is not None and not (who.operator and who.workspace is None):
            try:
                await self.decisions.permit(
                    who,
                    "approve" if action == "send" else action,
                    ticket_id=t.ticket_id,
                    draft_id=t.draft_id,
                    assignee_id=assignee_id,
                )
            except PermissionDenied as exc:
                return _skip(t, "not_permitted", str(exc))
        if action == "approve" and t.escalation_required and not include_escalated:
            return _skip(
                t, "escalated", "flagged for escalation; approve it alone or include escalated"
            )
        if action == "assign" and assignee_id is not None and t.assigned_to_id == assignee_id:
            return _skip(t, "already_assigned")
        return None

    async def _draft_states(self, draft_ids: list[int]) -> dict[int, tuple[str, str | None]]:
        async with self.sessions() as session:
            rows = await session.execute(
                select(Draft.id, Draft.status, Draft.failure_reason).where(Draft.id.in_(draft_ids))
            )
            return {i: (s, f) for i, s, f in rows}

    async def _audit(self, actor: Actor, result: BulkResult, **data: Any) -> None:
        async with self.sessions.begin() as session:
            record(
                session,
                actor,
                f"bulk.{result.action}",
                done=[i.ticket_id for i in result.done],
                skipped=result.skipped_by_reason,
                **data,
            )


def _check_action(action: str) -> None:
    if action not in ACTIONS:
        raise ValidationError(
            f"unknown bulk action {action!r}; use one of {', '.join(ACTIONS)}", field="action"
        )


def _skip(t: BulkTarget, reason: str, detail: str = "") -> BulkItem:
    return BulkItem(t.ticket_id, t.draft_id, False, reason, detail or REASONS[reason])


def _lost(t: BulkTarget, exc: InvalidTransition) -> BulkItem:
    edited = exc.data.get("current") == "pending" and "version" in exc.data
    return _skip(t, "edited" if edited else "already_decided", str(exc))
