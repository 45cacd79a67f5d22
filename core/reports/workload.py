"""The team's workload, read: per agent their open and waiting tickets, capacity and
availability (``desk workload``, ``/desk workload``, ``GET /api/v1/workload``).

Agents listed: active users with an agent profile, and anyone else who owns a ticket that
is not resolved. ``open`` is the load the assigner counts (neither waiting on the customer
nor resolved), ``waiting`` the tickets waiting on the customer. ``available``: takes
automatic assignments now (a user without a profile does not). ``breached``: their tickets
with a running SLA clock past its target; ``at_risk``: those with a clock that reached a
warning level but is not breached (``sla_clocks``). Reads only.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import AgentProfile, SlaClock, Ticket, User
from db.session import SessionFactory

DEFAULT_CAPACITY = 15  # an agent without a profile (core.workflow.assignment_settings)


@dataclass(frozen=True, slots=True)
class AgentLoad:
    user_id: int
    email: str
    name: str
    open: int
    waiting: int
    at_risk: int
    breached: int
    capacity: int
    available: bool
    away_since: datetime | None

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["away_since"] = self.away_since.isoformat() if self.away_since else None
        return d


def sla_counts_query() -> Select[Any]:
    """The running clocks of owned tickets not resolved: the running clocks from their
    partial index (``ix_sla_clocks_open_due``), each one's owner read from its ticket by
    key (a correlated subquery, so the cost follows the clocks running, never a pass over
    the tickets the planner may prefer to hash)."""
    owner = (
        select(Ticket.assigned_to_id)
        .where(Ticket.id == SlaClock.ticket_id, Ticket.status != "resolved")
        .scalar_subquery()
    )
    running = (
        select(owner.label("owner"), SlaClock.ticket_id, SlaClock.breached_at, SlaClock.warned)
        .where(SlaClock.stopped_at.is_(None))
        .subquery()
    )
    return select(
        running.c.owner, running.c.ticket_id, running.c.breached_at, running.c.warned
    ).where(running.c.owner.is_not(None))


async def _sla_counts(session: AsyncSession) -> dict[int, tuple[int, int]]:
    """Per owner: (tickets at risk, tickets breached). Over the running SLA clocks of
    tickets not resolved: breached when a clock is, at risk when a clock has fired a warning
    level but is not breached (``core.workflow.sla``)."""
    rows = await session.execute(sla_counts_query())
    seen = [
        (int(owner), ticket, breached_at, levels) for owner, ticket, breached_at, levels in rows
    ]
    breached = {(o, t) for o, t, b, _ in seen if b is not None}
    at_risk = {(o, t) for o, t, b, levels in seen if b is None and levels} - breached
    late, risky = Counter(o for o, _ in breached), Counter(o for o, _ in at_risk)
    return {o: (risky.get(o, 0), late.get(o, 0)) for o in set(late) | set(risky)}


class Workload:
    def __init__(self, sessions: SessionFactory) -> None:
        self.sessions = sessions

    async def agents(self) -> list[AgentLoad]:
        """Every agent, busiest first (then by email)."""
        async with self.sessions() as session:
            # [open, waiting]: open is the assigner's load (db.models.assignment.NOT_LOAD_STATUSES)
            counts: dict[int, list[int]] = {}
            rows = await session.execute(
                select(Ticket.assigned_to_id, Ticket.status, func.count())
                .where(Ticket.assigned_to_id.is_not(None), Ticket.status != "resolved")
                .group_by(Ticket.assigned_to_id, Ticket.status)
            )
            for uid, status, n in rows:
                counts.setdefault(int(uid), [0, 0])[1 if status == "waiting" else 0] += int(n)
            risk = await _sla_counts(session)
            people = await session.execute(
                select(User, AgentProfile)
                .outerjoin(AgentProfile, AgentProfile.user_id == User.id)
                .where(
                    User.is_active.is_(True),
                    or_(AgentProfile.user_id.is_not(None), User.id.in_(list(counts) or [-1])),
                )
            )
            out = [
                AgentLoad(
                    user_id=u.id,
                    email=u.email,
                    name=u.name,
                    open=counts.get(u.id, [0, 0])[0],
                    waiting=counts.get(u.id, [0, 0])[1],
                    at_risk=risk.get(u.id, (0, 0))[0],
                    breached=risk.get(u.id, (0, 0))[1],
                    capacity=p.capacity if p else DEFAULT_CAPACITY,
                    available=bool(p and p.available),
                    away_since=p.away_since if p else None,
                )
                for u, p in people
            ]
        out.sort(key=lambda a: (-a.open, a.email))
        return out
