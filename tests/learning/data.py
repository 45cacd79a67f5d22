"""Decided drafts put straight into the database (many, fast), for the variant and
calibration tests: each a ticket, its draft and the draft's outcome."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from db.models import Draft, DraftOutcome, Mailbox, Ticket
from server.wiring import Desk

T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Decided:
    """One draft: its decision (approved|rejected|pending), edit class, seconds from
    created to approved, raw confidence."""

    decision: str = "approved"
    edit_class: str = "unchanged"
    seconds: int = 60
    confidence: float | None = 0.8
    variant: str | None = None
    category: str = "Billing"
    provider: str = "offline"


async def mailbox(desk: Desk) -> int:
    async with desk.sessions.begin() as s:
        found = await s.scalar(select(Mailbox.id).where(Mailbox.name == "data"))
        if found is not None:
            return found
        box = Mailbox(name="data", address="data@desk.test", kind="maildir")
        s.add(box)
        await s.flush()
        return box.id


async def put(desk: Desk, items: Sequence[Decided], *, at: datetime = T0) -> list[int]:
    """Store ``items`` (created at ``at``, decided ``seconds`` later); their draft ids."""
    box = await mailbox(desk)
    ids: list[int] = []
    async with desk.sessions.begin() as s:
        tickets = [
            Ticket(
                mailbox_id=box,
                requester_email="c@cust.test",
                subject="s",
                received_at=at,
                last_message_at=at,
                category=i.category,
                status="open",
                created_at=at,
            )
            for i in items
        ]
        s.add_all(tickets)
        await s.flush()
        drafts = []
        for t, i in zip(tickets, items, strict=True):
            decided = at + timedelta(seconds=i.seconds)
            status = {"approved": "sent", "rejected": "rejected"}.get(i.decision, "pending")
            drafts.append(
                Draft(
                    ticket_id=t.id,
                    status=status,
                    body="b",
                    ai_body="b",
                    category=i.category,
                    confidence=i.confidence,
                    raw_confidence=i.confidence,
                    provider=i.provider,
                    prompt_variant=i.variant,
                    created_at=at,
                    approved_at=decided if i.decision == "approved" else None,
                    rejected_at=decided if i.decision == "rejected" else None,
                )
            )
        s.add_all(drafts)
        await s.flush()
        s.add_all(
            DraftOutcome(
                draft_id=d.id,
                ticket_id=d.ticket_id,
                decision=i.decision,
                edit_class=i.edit_class,
                edit_ratio=0.0,
                category=i.category,
                prompt_variant=i.variant,
                decided_at=at + timedelta(seconds=i.seconds),
            )
            for d, i in zip(drafts, items, strict=True)
            if i.decision != "pending"
        )
        ids = [d.id for d in drafts]
    return ids


def many(n: int, rejected: int, **kw: object) -> list[Decided]:
    """``n`` decided drafts, the first ``rejected`` of them rejected."""
    return [
        Decided(decision="rejected" if k < rejected else "approved", **kw)  # type: ignore[arg-type]
        for k in range(n)
    ]
