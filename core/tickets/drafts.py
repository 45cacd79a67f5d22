"""Human decisions on drafts: approve, edit, reject, retry. Every change is a compare-and-set.

``UPDATE drafts SET status = ... WHERE id = :id AND status = :expected [AND version = :v]``:
when two people act at once exactly one row update succeeds; the other gets
``InvalidTransition`` saying who won and when. Approving also names the version of the text
the approver saw, so an edit that lands in between cannot be approved unseen. The hash of
the approved text is stored and checked again by the sender. An approval or a rejection
also keeps the draft's outcome for learning (``core.tickets.outcomes``) in its transaction.

``agent_id``: the deciding person is an agent, whose right rests on the ticket being
unassigned or theirs; the same UPDATE then also requires that (``still_free_or``), so a
reassignment landing between the permission check and the write is not overridden.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, exists, or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit import Actor, record
from core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from core.mail.compose import make_message_id
from core.outbound.sending import body_hash
from core.textsafe import clean
from core.tickets.edit_distance import edit_ratio
from core.tickets.outcomes import record_outcome
from core.vocabulary import APPROVED_STATUSES
from db.base import utcnow
from db.models import Draft, DraftEdit, Mailbox, Ticket, User
from db.session import SessionFactory, rows_changed

MAX_BODY_CHARS = 100_000


@dataclass(frozen=True, slots=True)
class Decision:
    draft_id: int
    ticket_id: int
    status: str
    at: datetime
    by: str


class DraftService:
    def __init__(
        self,
        session_factory: SessionFactory,
        *,
        token_key: bytes,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = session_factory
        self.token_key = token_key
        self.clock = clock

    async def approve(
        self,
        draft_id: int,
        actor: Actor,
        *,
        version: int | None = None,
        agent_id: int | None = None,
    ) -> Decision:
        """pending -> approved. ``version``: the text version the approver saw (None: current)."""
        if actor.user_id is None:
            raise ValidationError("an approval must name a desk user", field="by")
        now = self.clock()
        async with self.sessions.begin() as session:
            draft = await _load(session, draft_id)
            seen = draft.version if version is None else version
            mailbox = await _mailbox_of(session, draft.ticket_id)
            domain = mailbox.address.rpartition("@")[2] or "desk.local"
            cond = [Draft.id == draft_id, Draft.status == "pending", Draft.version == seen]
            cond += still_free_or(agent_id)
            result = await session.execute(
                update(Draft)
                .where(*cond)
                .values(
                    status="approved",
                    approved_by_id=actor.user_id,
                    approved_at=now,
                    approved_body_sha256=body_hash(draft.body),
                    outgoing_message_id=draft.outgoing_message_id
                    or make_message_id(
                        ticket_id=draft.ticket_id, domain=domain, key=self.token_key
                    ),
                    next_attempt_at=now,
                    send_attempts=0,
                )
                .execution_options(synchronize_session=False)
            )
            if rows_changed(result) != 1:
                await session.rollback()
                raise await self._lost(draft_id, "approve", version_seen=seen, agent_id=agent_id)
            await record_outcome(session, draft, decision="approved", at=now, by_id=actor.user_id)
            record(
                session,
                actor,
                "draft.approved",
                ticket_id=draft.ticket_id,
                draft_id=draft_id,
                changes={"status": ["pending", "approved"]},
                at=now,
                version=seen,
            )
        return Decision(draft_id, draft.ticket_id, "approved", now, actor.name)

    async def reject(
        self, draft_id: int, actor: Actor, *, reason: str, agent_id: int | None = None
    ) -> Decision:
        reason = clean(reason).strip()
        if not reason:
            raise ValidationError("a rejection needs a reason", field="reason")
        now = self.clock()
        async with self.sessions.begin() as session:
            draft = await _load(session, draft_id)
            result = await session.execute(
                update(Draft)
                .where(
                    Draft.id == draft_id,
                    Draft.status.in_(("pending", "failed")),
                    *still_free_or(agent_id),
                )
                .values(
                    status="rejected",
                    rejected_by_id=actor.user_id,
                    rejected_at=now,
                    rejection_reason=reason,
                    next_attempt_at=None,
                )
                .execution_options(synchronize_session=False)
            )
            if rows_changed(result) != 1:
                await session.rollback()
                raise await self._lost(draft_id, "reject", agent_id=agent_id)
            await record_outcome(
                session, draft, decision="rejected", at=now, by_id=actor.user_id, reason=reason
            )
            record(
                session,
                actor,
                "draft.rejected",
                ticket_id=draft.ticket_id,
                draft_id=draft_id,
                changes={"status": ["pending", "rejected"]},
                at=now,
                reason=reason,
            )
        return Decision(draft_id, draft.ticket_id, "rejected", now, actor.name)

    async def edit(
        self, draft_id: int, actor: Actor, *, body: str, agent_id: int | None = None
    ) -> Draft:
        """Change a pending draft's text; the change is kept in the edit history."""
        # one line ending, as mail will carry it (a lone CR goes out as a line break, so
        # the text approved is the text sent); no NULs: PostgreSQL text refuses them
        body = clean(body.replace("\r\n", "\n").replace("\r", "\n")).strip()
        if not body:
            raise ValidationError("the reply text is empty", field="body")
        if len(body) > MAX_BODY_CHARS:
            raise ValidationError(f"the reply is over {MAX_BODY_CHARS:,} characters", field="body")
        now = self.clock()
        async with self.sessions.begin() as session:
            draft = await _load(session, draft_id)
            before, version = draft.body, draft.version
            result = await session.execute(
                update(Draft)
                .where(
                    Draft.id == draft_id,
                    Draft.status == "pending",
                    Draft.version == version,
                    *still_free_or(agent_id),
                )
                .values(body=body, version=version + 1, edit_ratio=edit_ratio(draft.ai_body, body))
                .execution_options(synchronize_session=False)
            )
            if rows_changed(result) != 1:
                await session.rollback()
                raise await self._lost(draft_id, "edit", agent_id=agent_id)
            session.add(
                DraftEdit(
                    draft_id=draft_id,
                    edited_by_id=actor.user_id,
                    edited_at=now,
                    body_before=before,
                    body_after=body,
                )
            )
            record(
                session,
                actor,
                "draft.edited",
                ticket_id=draft.ticket_id,
                draft_id=draft_id,
                changes={"version": [version, version + 1], "chars": [len(before), len(body)]},
                at=now,
                version=version + 1,
            )
            await session.refresh(draft)
        return draft

    async def retry(self, draft_id: int, actor: Actor, *, agent_id: int | None = None) -> Decision:
        """failed -> approved again (same Message-ID), for a send that failed."""
        now = self.clock()
        async with self.sessions.begin() as session:
            draft = await _load(session, draft_id)
            result = await session.execute(
                update(Draft)
                .where(
                    Draft.id == draft_id,
                    Draft.status == "failed",
                    Draft.approved_at.is_not(None),
                    *still_free_or(agent_id),
                )
                .values(
                    status="approved",
                    next_attempt_at=now,
                    send_attempts=0,
                    failure_reason=None,
                    failed_at=None,
                )
                .execution_options(synchronize_session=False)
            )
            if rows_changed(result) != 1:
                await session.rollback()
                raise await self._lost(draft_id, "retry", agent_id=agent_id)
            record(
                session,
                actor,
                "draft.retry",
                ticket_id=draft.ticket_id,
                draft_id=draft_id,
                changes={"status": ["failed", "approved"]},
                at=now,
            )
        return Decision(draft_id, draft.ticket_id, "approved", now, actor.name)

    async def _lost(
        self,
        draft_id: int,
        action: str,
        *,
        version_seen: int | None = None,
        agent_id: int | None = None,
    ) -> InvalidTransition | PermissionDenied:
        """Explain why a compare-and-set did not match: who decided first, an edit, or a
        reassignment since the permission check."""
        async with self.sessions() as session:
            draft = await _load(session, draft_id)
            if agent_id is not None:
                ticket = await session.get(Ticket, draft.ticket_id)
                holder = ticket.assigned_to_id if ticket else None
                if holder not in (None, agent_id):
                    label = await _user_label(session, holder) or "someone else"
                    return PermissionDenied(
                        f"ticket {draft.ticket_id} was assigned to {label} meanwhile: only "
                        f"they, a manager or an admin may {action} it now",
                        ticket_id=draft.ticket_id,
                        assigned_to_id=holder,
                    )
            by, at = None, None
            if draft.status in APPROVED_STATUSES:
                by, at = await _user_label(session, draft.approved_by_id), draft.approved_at
            elif draft.status == "rejected":
                by, at = await _user_label(session, draft.rejected_by_id), draft.rejected_at
            if (
                draft.status == "pending"
                and version_seen is not None
                and version_seen != draft.version
            ):
                return InvalidTransition(
                    f"draft {draft_id} was edited (version {draft.version}) after you looked at "
                    f"version {version_seen}: review it again before approving",
                    current="pending",
                    version=draft.version,
                )
            who = f" by {by}" if by else ""
            when = f" at {at:%Y-%m-%d %H:%M} UTC" if at else ""
            return InvalidTransition(
                f"cannot {action} draft {draft_id}: it is already {draft.status}{who}{when}",
                current=draft.status,
                by=by,
                at=at,
            )


def still_free_or(agent_id: int | None) -> list[ColumnElement[bool]]:
    """The draft's ticket is still unassigned or ``agent_id``'s (no condition for None)."""
    if agent_id is None:
        return []
    return [
        exists().where(
            Ticket.id == Draft.ticket_id,
            or_(Ticket.assigned_to_id.is_(None), Ticket.assigned_to_id == agent_id),
        )
    ]


async def _load(session: AsyncSession, draft_id: int) -> Draft:
    draft = await session.get(Draft, draft_id)
    if draft is None:
        raise NotFound(f"draft {draft_id} not found", draft_id=draft_id)
    return draft


async def _mailbox_of(session: AsyncSession, ticket_id: int) -> Mailbox:
    ticket = await session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound(f"ticket {ticket_id} not found", ticket_id=ticket_id)
    mailbox = await session.get(Mailbox, ticket.mailbox_id)
    assert mailbox is not None
    return mailbox


async def _user_label(session: AsyncSession, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    user = await session.get(User, user_id)
    return user.email if user else None
