"""SLA compliance of a period, computed in the database: per metric, and by category,
urgency and agent (``/desk stats``, ``desk stats``, ``GET /api/v1/analytics``).

Definitions (``since`` is the start of the period, "all" has none; ``now`` the report's
clock; the clocks are ``sla_clocks``, see ``core.workflow.sla``):

- clocks of the period: started at or after ``since`` (a next response cycle counts in the
  period it opened, not its ticket's);
- ``breached``: the clock breached (``breached_at``), or it is running past its due time
  (the sweep has not told it yet), or it is paused with its whole target used;
- ``met``: stopped (by a sent reply, or by the ticket's resolution) and not breached;
- ``open``: running and not breached; ``paused``: paused (the ticket waits on the
  customer) and not breached; neither counts in the compliance;
- ``compliance = met / (met + breached)``, None when both are 0;
- ``stopped``: the stopped clocks (met or breached) whose time was measured, and
  ``p50_seconds`` / ``p90_seconds``: the median and 90th percentile of their
  ``elapsed_seconds``, the **business** time each used (what its target is counted in:
  paused time and time outside the calendar's hours are not in it). Percentiles are
  interpolated between the two nearest (``percentile_cont``'s definition);
- a clock that a policy without its metric stopped (``stop_reason`` "policy") was not
  measured to the end: it counts only if it had breached;
- groups: the ticket's category and urgency now (``Unclassified`` when none) and its
  assignee now (``None``: unassigned).

One statement (plus the agents' names). The period's clocks are read with their state
(one ordered CASE) and grouped four ways (all, category, urgency, agent): on PostgreSQL in
one scan with ``GROUPING SETS`` and ``percentile_cont``; on SQLite, which has neither a
percentile function nor grouping sets, the clocks are read once (a ``WITH``), each
grouping's durations ranked by ``row_number()`` over the group, and the two order
statistics each percentile needs picked by their rank (integer arithmetic), which Python
interpolates as ``percentile_cont`` does (``portable=True`` runs that method on PostgreSQL
too: the tests hold the two equal).
Reads only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, String, and_, case, cast, func, literal_column, null, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from core.vocabulary import CATEGORIES, SLA_METRICS, URGENCIES
from db.models import SlaClock, Ticket, User
from db.session import is_postgres

# the metrics of ``core.workflow.sla`` (a sibling package core.reports may not import; a
# test holds the two lists equal)
PERCENTS = (50, 90)
UNCLASSIFIED = "Unclassified"
DIMENSIONS = ("category", "urgency", "agent")
TIME = "business"  # what the durations count: business seconds (the clocks' elapsed_seconds)

Scope = Select[Any] | Sequence[int] | None


@dataclass(frozen=True, slots=True)
class SlaFigures:
    """One metric of one group."""

    met: int = 0
    breached: int = 0
    open: int = 0
    paused: int = 0
    stopped: int = 0
    p50_seconds: float | None = None
    p90_seconds: float | None = None

    @property
    def compliance(self) -> float | None:
        decided = self.met + self.breached
        return self.met / decided if decided else None

    @property
    def clocks(self) -> int:
        return self.met + self.breached + self.open + self.paused

    def as_dict(self) -> dict[str, Any]:
        return {
            "met": self.met,
            "breached": self.breached,
            "compliance": None if self.compliance is None else round(self.compliance, 4),
            "open": self.open,
            "paused": self.paused,
            "stopped": self.stopped,
            "p50_seconds": self.p50_seconds,
            "p90_seconds": self.p90_seconds,
        }


Metrics = dict[str, SlaFigures]  # every metric of SLA_METRICS, in that order


def _all_metrics(found: dict[str, SlaFigures] | None = None) -> Metrics:
    found = found or {}
    return {m: found.get(m, SlaFigures()) for m in SLA_METRICS}


@dataclass(frozen=True, slots=True)
class SlaAgent:
    """An assignee's clocks; ``user_id`` None: the tickets nobody has."""

    user_id: int | None
    email: str | None
    name: str | None
    metrics: Metrics

    def label(self) -> str:
        return "(unassigned)" if self.user_id is None else (self.email or f"user {self.user_id}")


@dataclass(frozen=True, slots=True)
class SlaCompliance:
    metrics: Metrics = field(default_factory=_all_metrics)
    by_category: dict[str, Metrics] = field(default_factory=dict)
    by_urgency: dict[str, Metrics] = field(default_factory=dict)
    by_agent: list[SlaAgent] = field(default_factory=list)

    @property
    def clocks(self) -> int:
        return sum(f.clocks for f in self.metrics.values())

    def grouped(
        self, by: str | None, agent_label: Callable[[SlaAgent], str] = SlaAgent.label
    ) -> list[tuple[str, Metrics]]:
        """The figures of the grouping ``by`` names (category, urgency, agent; each agent
        named by ``agent_label``) as (label, metrics), in report order; [] for no grouping."""
        if by == "category":
            return list(self.by_category.items())
        if by == "urgency":
            return list(self.by_urgency.items())
        if by == "agent":
            return [(agent_label(x), x.metrics) for x in self.by_agent]
        return []

    def as_dict(self) -> dict[str, Any]:
        """The ``sla`` key of the analytics JSON (the API and ``desk stats --json``)."""

        def metrics(m: Metrics) -> dict[str, Any]:
            return {name: f.as_dict() for name, f in m.items()}

        return {
            "time": TIME,
            "metrics": metrics(self.metrics),
            "by_category": {k: metrics(v) for k, v in self.by_category.items()},
            "by_urgency": {k: metrics(v) for k, v in self.by_urgency.items()},
            "by_agent": [
                {
                    "user_id": a.user_id,
                    "email": a.email,
                    "name": a.name,
                    "metrics": metrics(a.metrics),
                }
                for a in self.by_agent
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SlaCompliance:
        """The inverse of ``as_dict`` (a report kept as JSON: ``core.workflow.reports_ahead``)."""

        def metrics(m: dict[str, Any]) -> Metrics:
            return _all_metrics(
                {
                    name: SlaFigures(
                        **{k: v for k, v in f.items() if k != "compliance"},
                    )
                    for name, f in m.items()
                }
            )

        return cls(
            metrics=metrics(data["metrics"]),
            by_category={k: metrics(v) for k, v in data["by_category"].items()},
            by_urgency={k: metrics(v) for k, v in data["by_urgency"].items()},
            by_agent=[
                SlaAgent(a["user_id"], a["email"], a["name"], metrics(a["metrics"]))
                for a in data["by_agent"]
            ],
        )

    def csv_rows(self) -> list[tuple[str, str, str, str]]:
        """(section, key, metric, value): ``sla`` / ``all``, ``sla_category`` / Billing,
        ``sla_urgency`` / High, ``sla_agent`` / an email or ``(unassigned)``; the metric is
        ``first_response.compliance`` and the like."""
        rows: list[tuple[str, str, str, str]] = []
        groups: list[tuple[str, str, Metrics]] = [("sla", "all", self.metrics)]
        groups += [("sla_category", k, v) for k, v in self.by_category.items()]
        groups += [("sla_urgency", k, v) for k, v in self.by_urgency.items()]
        groups += [("sla_agent", a.label(), a.metrics) for a in self.by_agent]
        for section, key, metrics in groups:
            for name, figures in metrics.items():
                for figure, value in figures.as_dict().items():
                    rows.append(
                        (section, key, f"{name}.{figure}", "" if value is None else str(value))
                    )
        return rows


# --- the statement -----------------------------------------------------------------------


def _clocks(since: datetime | None, now: datetime, scope: Scope) -> Select[Any]:
    """One row per clock of the period: its groups, its ``state`` (met, breached, open,
    paused, or dropped: stopped by a policy without its metric) and the business seconds
    ``used`` by a stopped one. The CASE is ordered: a breach wins over every other state."""
    stopped = SlaClock.stopped_at.is_not(None)
    dropped = func.coalesce(SlaClock.stop_reason, "") == "policy"
    state = case(
        (SlaClock.breached_at.is_not(None), "breached"),
        (and_(stopped, dropped), "dropped"),
        (stopped, "met"),
        (
            and_(
                SlaClock.paused_at.is_not(None),
                SlaClock.elapsed_seconds >= SlaClock.target_minutes * 60,
            ),
            "breached",
        ),
        (SlaClock.paused_at.is_not(None), "paused"),
        (SlaClock.due_at <= now, "breached"),
        else_="open",
    )
    conds: list[ColumnElement[bool]] = []
    if since is not None:
        conds.append(SlaClock.started_at >= since)
    if scope is not None:
        conds.append(Ticket.mailbox_id.in_(scope))
    return (
        select(
            SlaClock.metric.label("metric"),
            Ticket.category.label("category"),
            Ticket.urgency.label("urgency"),
            Ticket.assigned_to_id.label("agent"),
            state.label("state"),
            case((and_(stopped, ~dropped), SlaClock.elapsed_seconds), else_=None).label("used"),
        )
        .join(Ticket, Ticket.id == SlaClock.ticket_id)
        .where(*conds)
    )


STATES = ("met", "breached", "open", "paused")


def _counts(c: Any) -> list[ColumnElement[Any]]:
    return [func.count(case((c.c.state == st, 1), else_=None)) for st in STATES]


# GROUPING(category, urgency, agent): a bit set for each column a grouping set leaves out
_GROUPING = {7: "all", 3: "category", 5: "urgency", 6: "agent"}


def _grouped_with_percentile_cont(c: Any) -> Any:
    """PostgreSQL: one scan, four grouping sets, ``percentile_cont`` in each."""
    return select(
        func.grouping(c.c.category, c.c.urgency, c.c.agent),
        c.c.category,
        c.c.urgency,
        c.c.agent,
        c.c.metric,
        *_counts(c),
        func.count(c.c.used),
        *(func.percentile_cont(p / 100).within_group(c.c.used) for p in PERCENTS),
    ).group_by(
        func.grouping_sets(
            tuple_(c.c.metric),
            tuple_(c.c.metric, c.c.category),
            tuple_(c.c.metric, c.c.urgency),
            tuple_(c.c.metric, c.c.agent),
        )
    )


def _dim(dim: str) -> ColumnElement[str]:
    return literal_column(f"'{dim}'", String)  # one of the constants above, never input


def _grouped_by_rank(c: Any) -> Any:
    """Any database: each grouping's durations ranked (``row_number()``, the measured ones
    first), then per group the counts and, for each percentile, the values at rank ``lo``
    and ``lo + 1`` (0-based) where ``lo = floor(p * (n - 1) / 100)``, in integers."""
    branches = []
    for dim in ("all", *DIMENSIONS):
        key = None if dim == "all" else c.c[dim]
        part = [c.c.metric, *([key] if key is not None else [])]
        branches.append(
            select(
                _dim(dim).label("dim"),
                (cast(key, String) if key is not None else cast(null(), String)).label("key"),
                c.c.metric,
                c.c.state,
                c.c.used,
                func.row_number()
                .over(partition_by=part, order_by=[c.c.used.is_(None), c.c.used])
                .label("rn"),
                func.count(c.c.used).over(partition_by=part).label("n"),
            )
        )
    r = branches[0].union_all(*branches[1:]).subquery("r")
    picks = []
    for p in PERCENTS:
        lo = (p * (r.c.n - 1)) // 100
        picks += [
            func.max(case((r.c.rn - 1 == lo, r.c.used), else_=None)),
            func.max(case((r.c.rn - 1 == lo + 1, r.c.used), else_=None)),
        ]
    return select(r.c.dim, r.c.key, r.c.metric, *_counts(r), func.max(r.c.n), *picks).group_by(
        r.c.dim, r.c.key, r.c.metric
    )


def interpolate(percent: int, n: int, lo: float | None, hi: float | None) -> float | None:
    """``percentile_cont``: the value at 0-based position ``percent * (n - 1) / 100`` of the
    sorted values, linear between ``lo`` (rank ``floor``) and ``hi`` (the next one)."""
    if not n or lo is None:
        return None
    frac = (percent * (n - 1)) % 100 / 100
    return float(lo) + frac * (float(lo if hi is None else hi) - float(lo))


def _seconds(value: Any) -> float | None:
    return None if value is None else round(float(value), 2)


async def sla_compliance(
    session: AsyncSession,
    *,
    since: datetime | None,
    now: datetime,
    scope: Scope = None,
    portable: bool | None = None,
) -> SlaCompliance:
    """The period's compliance; ``portable`` picks the percentile method (default: the
    database's own on PostgreSQL, the ranked one elsewhere)."""
    if portable is None:
        portable = not is_postgres(session)
    clocks = _clocks(since, now, scope)
    groups: dict[tuple[str, str | None], dict[str, SlaFigures]] = {}
    if portable:
        statement = _grouped_by_rank(clocks.cte("c"))
        for dim, key, metric, met, bad, open_, paused, n, *picks in await session.execute(
            statement
        ):
            n = int(n or 0)
            p50 = interpolate(PERCENTS[0], n, picks[0], picks[1])
            p90 = interpolate(PERCENTS[1], n, picks[2], picks[3])
            groups.setdefault((dim, key), {})[metric] = SlaFigures(
                int(met), int(bad), int(open_), int(paused), n, _seconds(p50), _seconds(p90)
            )
    else:
        statement = _grouped_with_percentile_cont(clocks.subquery("c"))
        for bits, *keys, metric, met, bad, open_, paused, n, p50, p90 in await session.execute(
            statement
        ):
            dim = _GROUPING[int(bits)]
            value = None if dim == "all" else keys[DIMENSIONS.index(dim)]
            key = None if value is None else str(value)
            groups.setdefault((dim, key), {})[metric] = SlaFigures(
                int(met), int(bad), int(open_), int(paused), int(n), _seconds(p50), _seconds(p90)
            )
    return await _assemble(session, groups)


def _ordered(found: dict[str, Metrics], known: tuple[str, ...]) -> dict[str, Metrics]:
    order = [*known, UNCLASSIFIED]
    keys = sorted(found, key=lambda k: (order.index(k) if k in order else len(order), k))
    return {k: found[k] for k in keys}


async def _assemble(
    session: AsyncSession, groups: dict[tuple[str, str | None], dict[str, SlaFigures]]
) -> SlaCompliance:
    by: dict[str, dict[str | None, dict[str, SlaFigures]]] = {d: {} for d in DIMENSIONS}
    for (dim, key), figures in groups.items():
        if dim in by:
            by[dim][key] = figures
    agent_ids = sorted(int(k) for k in by["agent"] if k is not None)
    users: dict[int, tuple[str, str]] = {}
    if agent_ids:
        users = {
            uid: (email, name)
            for uid, email, name in await session.execute(
                select(User.id, User.email, User.name).where(User.id.in_(agent_ids))
            )
        }
    agents = [
        SlaAgent(
            user_id=None if key is None else int(key),
            email=None if key is None else users.get(int(key), (None, None))[0],
            name=None if key is None else users.get(int(key), (None, None))[1],
            metrics=_all_metrics(figures),
        )
        for key, figures in by["agent"].items()
    ]
    agents.sort(key=lambda a: (a.user_id is None, a.email or "", a.user_id or 0))
    return SlaCompliance(
        metrics=_all_metrics(groups.get(("all", None))),
        by_category=_ordered(
            {k or UNCLASSIFIED: _all_metrics(v) for k, v in by["category"].items()}, CATEGORIES
        ),
        by_urgency=_ordered(
            {k or UNCLASSIFIED: _all_metrics(v) for k, v in by["urgency"].items()}, URGENCIES
        ),
        by_agent=agents,
    )


__all__ = [
    "SLA_METRICS",
    "SlaAgent",
    "SlaCompliance",
    "SlaFigures",
    "interpolate",
    "sla_compliance",
]
