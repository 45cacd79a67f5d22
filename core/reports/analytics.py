"""Analytics for a period, computed in the database (SQL aggregates, never ticket rows).

Definitions (``since`` is the start of the period; "all" has none):

- tickets of the period: received at or after ``since``;
- first response time: ``first_response_at - received_at`` of those tickets that have a
  reply; average and median (``percentile_cont`` on PostgreSQL, the middle row(s) by
  ``ORDER BY .. LIMIT/OFFSET`` on SQLite);
- resolution time: ``resolved_at - received_at`` of resolved tickets of the period that
  went through triage (noise, which the ingest resolves at once, is left out);
- volume by category and by urgency: tickets of the period (``Unclassified`` when none);
- AI drafts of the period: created at or after ``since``. Approval rate: approved (approved,
  sending, sent, or failed after approval) / (approved + rejected). Edit rate: share of the
  approved ones whose text differs from the AI's, and the average ``edit_ratio`` (0..1, see
  ``core.tickets.edit_distance``) of those edited. Escalation rate: drafts flagged for escalation /
  drafts;
- per agent: approvals and rejections decided in the period, replies of theirs sent in the
  period with the average response time (customer message received -> reply sent) and the
  average decision time (draft created -> approved), and tickets of the period assigned to
  them;
- trend: tickets received and replies sent per day, week (starting Monday) or month, UTC;
- template usage: insertions of each response template in the period;
- per prompt variant (``core.tickets.variants``; the default prompt as ``None``): drafts of
  the period that drew it; of the decisions of the period on its drafts
  (``draft_outcomes.decided_at``), the share approved unchanged (``edit_class``
  ``unchanged``), approved edited (``light`` or ``heavy``) and rejected; the median time to
  approve (draft created -> approved) of those approved;
- SLA compliance: the clocks started in the period, per metric and by category, urgency
  and agent (``core.reports.sla_compliance``, whose docstring defines the figures).

``scope`` limits everything to some mailboxes (a Slack workspace's: pass
``core.access.teams.team_mailbox_ids(...)``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Float, Select, String, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from core.access.teams import ticket_in
from core.errors import ValidationError
from core.reports.sla_compliance import SlaCompliance, sla_compliance
from core.vocabulary import CATEGORIES, URGENCIES
from db.base import utcnow
from db.models import Draft, DraftOutcome, Message, ResponseTemplate, TemplateUse, Ticket, User
from db.session import SessionFactory, is_postgres

PERIODS: dict[str, int | None] = {"7d": 7, "30d": 30, "all": None}
TRENDS = ("day", "week", "month")
MAX_BUCKETS = 400
UNCLASSIFIED = "Unclassified"
DEFAULT_VARIANT = "(default)"  # the default prompt's row in text and CSV

Scope = Select[Any] | Sequence[int] | None


# --- dialect-specific SQL --------------------------------------------------------------------


class seconds_between(FunctionElement[float]):
    """``later - earlier`` in seconds (a float), on PostgreSQL and SQLite."""

    type = Float()
    inherit_cache = True
    name = "seconds_between"


@compiles(seconds_between, "postgresql")
def _seconds_pg(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return (
        f"EXTRACT(EPOCH FROM ({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)}))"
    )


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return (
        f"((julianday({compiler.process(later, **kw)}) - "
        f"julianday({compiler.process(earlier, **kw)})) * 86400.0)"
    )


class bucket_start(FunctionElement[str]):
    """The first day (``YYYY-MM-DD``, UTC) of the day/week/month a timestamp falls in."""

    type = String()
    inherit_cache = True
    name = "bucket_start"

    def __init__(self, unit: str, column: ColumnElement[Any] | InstrumentedAttribute[Any]) -> None:
        if unit not in TRENDS:
            raise ValueError(unit)
        self.unit = unit
        super().__init__(column)


@compiles(bucket_start, "postgresql")
def _bucket_pg(element: bucket_start, compiler: SQLCompiler, **kw: Any) -> str:
    (column,) = list(element.clauses)
    col = compiler.process(column, **kw)
    return f"to_char(date_trunc('{element.unit}', {col} AT TIME ZONE 'UTC'), 'YYYY-MM-DD')"


@compiles(bucket_start, "sqlite")
def _bucket_sqlite(element: bucket_start, compiler: SQLCompiler, **kw: Any) -> str:
    (column,) = list(element.clauses)
    col = compiler.process(column, **kw)  # SQLite stores UTC, naive: 'YYYY-MM-DD HH:MM:SS'
    if element.unit == "day":
        return f"date({col})"
    if element.unit == "week":  # the Sunday on or after, minus six days: the Monday
        return f"date({col}, 'weekday 0', '-6 days')"
    return f"strftime('%Y-%m-01', {col})"


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Durations:
    count: int
    avg_seconds: float | None
    median_seconds: float | None


@dataclass(frozen=True, slots=True)
class AgentFigures:
    user_id: int
    email: str
    name: str
    approved: int = 0
    rejected: int = 0
    sent: int = 0
    assigned: int = 0
    avg_response_seconds: float | None = None
    avg_decision_seconds: float | None = None

    @property
    def handled(self) -> int:
        return self.approved + self.rejected


@dataclass(frozen=True, slots=True)
class TrendPoint:
    start: date
    received: int
    sent: int


@dataclass(frozen=True, slots=True)
class TemplateUsage:
    template_id: int
    name: str
    uses: int


@dataclass(frozen=True, slots=True)
class VariantFigures:
    """One prompt variant's drafts and decisions (``name`` None: the default prompt)."""

    name: str | None
    drafts: int = 0
    decided: int = 0
    unchanged: int = 0
    edited: int = 0
    rejected: int = 0
    median_approve_seconds: float | None = None

    def _rate(self, n: int) -> float | None:
        return n / self.decided if self.decided else None

    @property
    def unchanged_rate(self) -> float | None:
        return self._rate(self.unchanged)

    @property
    def edited_rate(self) -> float | None:
        return self._rate(self.edited)

    @property
    def rejected_rate(self) -> float | None:
        return self._rate(self.rejected)

    def as_dict(self) -> dict[str, Any]:
        return {
            "variant": self.name,
            "drafts": self.drafts,
            "decided": self.decided,
            "unchanged": self.unchanged,
            "edited": self.edited,
            "rejected": self.rejected,
            "unchanged_rate": _round(self.unchanged_rate),
            "edited_rate": _round(self.edited_rate),
            "rejected_rate": _round(self.rejected_rate),
            "median_approve_seconds": _round(self.median_approve_seconds),
        }


@dataclass(frozen=True, slots=True)
class Analytics:
    period: str
    since: datetime | None
    until: datetime
    tickets: int
    first_response: Durations
    resolution: Durations
    by_category: dict[str, int]
    by_urgency: dict[str, int]
    drafts: int
    approved: int
    rejected: int
    edited: int
    avg_edit_ratio: float | None
    escalated: int
    agents: list[AgentFigures] = field(default_factory=list)
    trend_unit: str = "day"
    trend: list[TrendPoint] = field(default_factory=list)
    templates: list[TemplateUsage] = field(default_factory=list)
    sla: SlaCompliance = field(default_factory=SlaCompliance)
    variants: list[VariantFigures] = field(default_factory=list)
    # set when the figures come from a report computed ahead (``core.workflow.reports_ahead``):
    # when it was computed; None when computed for this request
    computed_at: datetime | None = None

    @property
    def approval_rate(self) -> float | None:
        decided = self.approved + self.rejected
        return self.approved / decided if decided else None

    @property
    def edit_rate(self) -> float | None:
        return self.edited / self.approved if self.approved else None

    @property
    def escalation_rate(self) -> float | None:
        return self.escalated / self.drafts if self.drafts else None

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of the API and ``desk stats --json``."""
        return {
            "period": self.period,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat(),
            "tickets": self.tickets,
            "first_response": asdict(self.first_response),
            "resolution": asdict(self.resolution),
            "by_category": self.by_category,
            "by_urgency": self.by_urgency,
            "drafts": {
                "created": self.drafts,
                "approved": self.approved,
                "rejected": self.rejected,
                "approval_rate": _round(self.approval_rate),
                "edited": self.edited,
                "edit_rate": _round(self.edit_rate),
                "avg_edit_ratio": _round(self.avg_edit_ratio),
                "escalated": self.escalated,
                "escalation_rate": _round(self.escalation_rate),
            },
            "agents": [{**asdict(a), "handled": a.handled} for a in self.agents],
            "trend": {
                "unit": self.trend_unit,
                "points": [
                    {"start": p.start.isoformat(), "received": p.received, "sent": p.sent}
                    for p in self.trend
                ],
            },
            "templates": [asdict(t) for t in self.templates],
            "sla": self.sla.as_dict(),
            "variants": [v.as_dict() for v in self.variants],
            "computed_at": self.computed_at.isoformat() if self.computed_at else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, computed_at: datetime | None = None) -> Analytics:
        """The inverse of ``as_dict`` (to 4 decimals, as it rounds): a report kept as JSON."""
        drafts = data["drafts"]
        return cls(
            period=data["period"],
            since=datetime.fromisoformat(data["since"]) if data["since"] else None,
            until=datetime.fromisoformat(data["until"]),
            tickets=data["tickets"],
            first_response=Durations(**data["first_response"]),
            resolution=Durations(**data["resolution"]),
            by_category=dict(data["by_category"]),
            by_urgency=dict(data["by_urgency"]),
            drafts=drafts["created"],
            approved=drafts["approved"],
            rejected=drafts["rejected"],
            edited=drafts["edited"],
            avg_edit_ratio=drafts["avg_edit_ratio"],
            escalated=drafts["escalated"],
            agents=[
                AgentFigures(**{k: v for k, v in a.items() if k != "handled"})
                for a in data["agents"]
            ],
            trend_unit=data["trend"]["unit"],
            trend=[
                TrendPoint(date.fromisoformat(p["start"]), p["received"], p["sent"])
                for p in data["trend"]["points"]
            ],
            templates=[TemplateUsage(**t) for t in data["templates"]],
            sla=SlaCompliance.from_dict(data["sla"]),
            variants=[
                VariantFigures(
                    v["variant"],
                    drafts=v["drafts"],
                    decided=v["decided"],
                    unchanged=v["unchanged"],
                    edited=v["edited"],
                    rejected=v["rejected"],
                    median_approve_seconds=v["median_approve_seconds"],
                )
                for v in data["variants"]
            ],
            computed_at=computed_at,
        )

    def csv_rows(self) -> list[tuple[str, str, str, str]]:
        """(section, key, metric, value) rows: one flat table for spreadsheets."""
        rows: list[tuple[str, str, str, str]] = []

        def add(section: str, key: str, metric: str, value: object) -> None:
            rows.append((section, key, metric, "" if value is None else str(value)))

        add("summary", "period", "since", self.since.isoformat() if self.since else "")
        add("summary", "period", "until", self.until.isoformat())
        add("summary", "tickets", "count", self.tickets)
        for name, d in (("first_response", self.first_response), ("resolution", self.resolution)):
            add("summary", name, "count", d.count)
            add("summary", name, "avg_seconds", _round(d.avg_seconds))
            add("summary", name, "median_seconds", _round(d.median_seconds))
        for key, value in self.as_dict()["drafts"].items():
            add("drafts", "ai", key, value)
        for key, n in self.by_category.items():
            add("category", key, "tickets", n)
        for key, n in self.by_urgency.items():
            add("urgency", key, "tickets", n)
        for a in self.agents:
            for metric in ("handled", "approved", "rejected", "sent", "assigned"):
                add("agent", a.email, metric, getattr(a, metric))
            add("agent", a.email, "avg_response_seconds", _round(a.avg_response_seconds))
            add("agent", a.email, "avg_decision_seconds", _round(a.avg_decision_seconds))
        for p in self.trend:
            add(f"trend_{self.trend_unit}", p.start.isoformat(), "received", p.received)
            add(f"trend_{self.trend_unit}", p.start.isoformat(), "sent", p.sent)
        for t in self.templates:
            add("template", t.name, "uses", t.uses)
        rows += self.sla.csv_rows()
        for v in self.variants:
            for metric, value in v.as_dict().items():
                if metric != "variant":
                    add("variant", v.name or DEFAULT_VARIANT, metric, value)
        return rows

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(("section", "key", "metric", "value"))
        writer.writerows(self.csv_rows())
        return out.getvalue()


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(float(value), digits)


def period_start(period: str, now: datetime) -> datetime | None:
    if period not in PERIODS:
        raise ValidationError(
            f"unknown period {period!r}; use one of {', '.join(PERIODS)}", field="period"
        )
    days = PERIODS[period]
    return None if days is None else now - timedelta(days=days)


# --- the service -----------------------------------------------------------------------------


class AnalyticsService:
    def __init__(
        self, session_factory: SessionFactory, *, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.sessions = session_factory
        self.clock = clock

    async def report(
        self, period: str = "30d", *, trend: str = "day", scope: Scope = None
    ) -> Analytics:
        """The figures of ``period``, computed now (the desk's surfaces get all time
        computed ahead: ``core.workflow.reports_ahead``, which calls this)."""
        if trend not in TRENDS:
            raise ValidationError(
                f"unknown trend {trend!r}; use one of {', '.join(TRENDS)}", field="trend"
            )
        now = self.clock()
        since = period_start(period, now)
        async with self.sessions() as session:
            postgres = is_postgres(session)
            tickets, first, resolution = await _ticket_figures(
                session, since, scope, postgres=postgres
            )
            categories = await _grouped(session, Ticket.category, since, scope)
            urgencies = await _grouped(session, Ticket.urgency, since, scope)
            drafts = await _draft_figures(session, since, scope)
            agents = await _agent_figures(session, since, scope)
            trend_points = await _trend(session, trend, since, now, scope)
            templates = await _template_usage(session, since, scope)
            sla = await sla_compliance(session, since=since, now=now, scope=scope)
            variants = await _variant_figures(session, since, scope, postgres=postgres)
        return Analytics(
            period=period,
            since=since,
            until=now,
            tickets=tickets,
            first_response=first,
            resolution=resolution,
            by_category=_ordered(categories, CATEGORIES),
            by_urgency=_ordered(urgencies, URGENCIES),
            drafts=drafts["drafts"],
            approved=drafts["approved"],
            rejected=drafts["rejected"],
            edited=drafts["edited"],
            avg_edit_ratio=drafts["avg_edit_ratio"],
            escalated=drafts["escalated"],
            agents=agents,
            trend_unit=trend,
            trend=trend_points,
            templates=templates,
            sla=sla,
            variants=variants,
        )


def _ticket_conditions(since: datetime | None, scope: Scope) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if since is not None:
        conds.append(Ticket.received_at >= since)
    if scope is not None:
        conds.append(Ticket.mailbox_id.in_(scope))
    return conds


async def _ticket_figures(
    session: AsyncSession, since: datetime | None, scope: Scope, *, postgres: bool
) -> tuple[int, Durations, Durations]:
    conds = _ticket_conditions(since, scope)
    frt = case(
        (
            Ticket.first_response_at >= Ticket.received_at,
            seconds_between(Ticket.first_response_at, Ticket.received_at),
        ),
        else_=None,
    )
    resolved = and_(
        Ticket.resolved_at.is_not(None),
        Ticket.ai_processed.is_(True),
        Ticket.resolved_at >= Ticket.received_at,
    )
    res = case((resolved, seconds_between(Ticket.resolved_at, Ticket.received_at)), else_=None)
    columns: list[Any] = [
        func.count(),
        func.count(frt),
        func.avg(frt),
        func.count(res),
        func.avg(res),
    ]
    if postgres:
        columns += [
            func.percentile_cont(0.5).within_group(frt),
            func.percentile_cont(0.5).within_group(res),
        ]
    row = (await session.execute(select(*columns).select_from(Ticket).where(*conds))).one()
    n, n_frt, avg_frt, n_res, avg_res = row[:5]
    if postgres:
        med_frt, med_res = row[5], row[6]
    else:
        med_frt = await _sqlite_median(session, frt, n_frt, conds)
        med_res = await _sqlite_median(session, res, n_res, conds)
    return (
        int(n),
        Durations(int(n_frt), _float(avg_frt), _float(med_frt)),
        Durations(int(n_res), _float(avg_res), _float(med_res)),
    )


async def _sqlite_median(
    session: AsyncSession, expr: ColumnElement[Any], n: int, conds: list[ColumnElement[bool]]
) -> float | None:
    """The median of ``expr`` over rows where it is not NULL: the middle one (odd count) or
    the average of the middle two (even), picked with ORDER BY / LIMIT / OFFSET."""
    if not n:
        return None
    value = expr.label("v")
    middle = (
        select(value)
        .select_from(Ticket)
        .where(*conds, expr.is_not(None))
        .order_by(value)
        .limit(2 - n % 2)
        .offset((n - 1) // 2)
        .subquery()
    )
    return _float(await session.scalar(select(func.avg(middle.c.v))))


async def _grouped(
    session: AsyncSession, column: Any, since: datetime | None, scope: Scope
) -> dict[str, int]:
    rows = await session.execute(
        select(column, func.count())
        .select_from(Ticket)
        .where(*_ticket_conditions(since, scope))
        .group_by(column)
    )
    out: dict[str, int] = {}
    for key, n in rows:
        name = key or UNCLASSIFIED
        out[name] = out.get(name, 0) + int(n)
    return out


def _ordered(counts: dict[str, int], known: tuple[str, ...]) -> dict[str, int]:
    order = [*known, UNCLASSIFIED]
    keys = sorted(counts, key=lambda k: (order.index(k) if k in order else len(order), k))
    return {k: counts[k] for k in keys if counts[k]}


def _scoped_drafts(scope: Scope, since: datetime | None) -> list[ColumnElement[bool]]:
    """The drafts of ``scope``'s tickets: a period's read their own tickets, all time's
    the scope's tickets once (``core.access.teams.ticket_in``)."""
    if scope is None:
        return []
    return [ticket_in(Draft.ticket_id, scope, per_row=since is not None)]


async def _draft_figures(
    session: AsyncSession, since: datetime | None, scope: Scope
) -> dict[str, Any]:
    conds = _scoped_drafts(scope, since)
    if since is not None:
        conds.append(Draft.created_at >= since)
    approved = Draft.approved_at.is_not(None)
    edited = and_(approved, Draft.body != Draft.ai_body)
    row = (
        await session.execute(
            select(
                func.count(),
                func.count(case((approved, 1), else_=None)),
                func.count(case((Draft.status == "rejected", 1), else_=None)),
                func.count(case((edited, 1), else_=None)),
                func.avg(case((edited, Draft.edit_ratio), else_=None)),
                func.count(case((Draft.escalation_required.is_(True), 1), else_=None)),
            )
            .select_from(Draft)
            .where(*conds)
        )
    ).one()
    return {
        "drafts": int(row[0]),
        "approved": int(row[1]),
        "rejected": int(row[2]),
        "edited": int(row[3]),
        "avg_edit_ratio": _float(row[4]),
        "escalated": int(row[5]),
    }


async def _agent_figures(
    session: AsyncSession, since: datetime | None, scope: Scope
) -> list[AgentFigures]:
    scoped = _scoped_drafts(scope, since)
    figures: dict[int, dict[str, Any]] = {}

    def slot(user_id: int) -> dict[str, Any]:
        return figures.setdefault(user_id, {})

    approved_conds = [*scoped, Draft.approved_by_id.is_not(None)]
    if since is not None:
        approved_conds.append(Draft.approved_at >= since)
    for user_id, n, decision in await session.execute(
        select(
            Draft.approved_by_id,
            func.count(),
            func.avg(seconds_between(Draft.approved_at, Draft.created_at)),
        )
        .where(*approved_conds)
        .group_by(Draft.approved_by_id)
    ):
        slot(user_id).update(approved=int(n), avg_decision_seconds=_float(decision))

    rejected_conds = [*scoped, Draft.rejected_by_id.is_not(None), Draft.status == "rejected"]
    if since is not None:
        rejected_conds.append(Draft.rejected_at >= since)
    for user_id, n in await session.execute(
        select(Draft.rejected_by_id, func.count())
        .where(*rejected_conds)
        .group_by(Draft.rejected_by_id)
    ):
        slot(user_id)["rejected"] = int(n)

    sent_conds = [*scoped, Draft.approved_by_id.is_not(None), Draft.sent_at.is_not(None)]
    if since is not None:
        sent_conds.append(Draft.sent_at >= since)
    for user_id, n, response in await session.execute(
        select(
            Draft.approved_by_id,
            func.count(),
            func.avg(seconds_between(Draft.sent_at, Message.received_at)),
        )
        .outerjoin(Message, Message.id == Draft.in_reply_to_message_id)
        .where(*sent_conds)
        .group_by(Draft.approved_by_id)
    ):
        slot(user_id).update(sent=int(n), avg_response_seconds=_float(response))

    for user_id, n in await session.execute(
        select(Ticket.assigned_to_id, func.count())
        .where(*_ticket_conditions(since, scope), Ticket.assigned_to_id.is_not(None))
        .group_by(Ticket.assigned_to_id)
    ):
        slot(user_id)["assigned"] = int(n)

    if not figures:
        return []
    users = {
        uid: (email, name)
        for uid, email, name in await session.execute(
            select(User.id, User.email, User.name).where(User.id.in_(list(figures)))
        )
    }
    out = [
        AgentFigures(
            user_id=uid,
            email=users.get(uid, ("?", ""))[0],
            name=users.get(uid, ("", ""))[1],
            **values,
        )
        for uid, values in figures.items()
    ]
    return sorted(out, key=lambda a: (-a.handled, -a.sent, a.email))


async def _variant_figures(
    session: AsyncSession, since: datetime | None, scope: Scope, *, postgres: bool
) -> list[VariantFigures]:
    """Per prompt variant: drafts of the period, decisions of the period, median time to
    approve (see the module). Only variants with drafts or decisions in the period."""
    drafted = [*_scoped_drafts(scope, since)]
    if since is not None:
        drafted.append(Draft.created_at >= since)
    figures: dict[str | None, dict[str, Any]] = {
        name: {"drafts": int(n)}
        for name, n in await session.execute(
            select(Draft.prompt_variant, func.count())
            .where(*drafted)
            .group_by(Draft.prompt_variant)
        )
    }
    decided = [*_scoped_drafts(scope, since)]
    if since is not None:
        decided.append(DraftOutcome.decided_at >= since)
    approved = DraftOutcome.decision == "approved"
    waited = case(
        (
            and_(approved, Draft.approved_at >= Draft.created_at),
            seconds_between(Draft.approved_at, Draft.created_at),
        ),
        else_=None,
    )
    columns: list[Any] = [
        DraftOutcome.prompt_variant,
        func.count(),
        func.count(case((and_(approved, DraftOutcome.edit_class == "unchanged"), 1))),
        func.count(case((and_(approved, DraftOutcome.edit_class != "unchanged"), 1))),
        func.count(case((DraftOutcome.decision == "rejected", 1))),
        func.count(waited),
    ]
    if postgres:
        columns.append(func.percentile_cont(0.5).within_group(waited))
    rows = await session.execute(
        select(*columns)
        .select_from(DraftOutcome)
        .join(Draft, Draft.id == DraftOutcome.draft_id)
        .where(*decided)
        .group_by(DraftOutcome.prompt_variant)
    )
    for row in rows:
        name, n, unchanged, edited, rejected, n_waited = row[:6]
        if postgres:
            median = _float(row[6])
        else:
            median = await _variant_median(session, waited, int(n_waited), decided, name)
        figures.setdefault(name, {}).update(
            decided=int(n),
            unchanged=int(unchanged),
            edited=int(edited),
            rejected=int(rejected),
            median_approve_seconds=median,
        )
    out = [VariantFigures(name, **values) for name, values in figures.items()]
    return sorted(out, key=lambda v: (v.name is not None, v.name or ""))


async def _variant_median(
    session: AsyncSession,
    expr: ColumnElement[Any],
    n: int,
    conds: list[ColumnElement[bool]],
    name: str | None,
) -> float | None:
    """SQLite: the median of ``expr`` over one variant's decided drafts (as _sqlite_median)."""
    if not n:
        return None
    value = expr.label("v")
    which = (
        DraftOutcome.prompt_variant.is_(None)
        if name is None
        else DraftOutcome.prompt_variant == name
    )
    middle = (
        select(value)
        .select_from(DraftOutcome)
        .join(Draft, Draft.id == DraftOutcome.draft_id)
        .where(*conds, which, expr.is_not(None))
        .order_by(value)
        .limit(2 - n % 2)
        .offset((n - 1) // 2)
        .subquery()
    )
    return _float(await session.scalar(select(func.avg(middle.c.v))))


async def _trend(
    session: AsyncSession, unit: str, since: datetime | None, now: datetime, scope: Scope
) -> list[TrendPoint]:
    received_bucket = bucket_start(unit, Ticket.received_at).label("b")
    received = {
        b: int(n)
        for b, n in await session.execute(
            select(received_bucket, func.count())
            .where(*_ticket_conditions(since, scope))
            .group_by(received_bucket)
        )
    }
    sent_bucket = bucket_start(unit, Draft.sent_at).label("b")
    sent_conds = [*_scoped_drafts(scope, since), Draft.sent_at.is_not(None)]
    if since is not None:
        sent_conds.append(Draft.sent_at >= since)
    sent = {
        b: int(n)
        for b, n in await session.execute(
            select(sent_bucket, func.count()).where(*sent_conds).group_by(sent_bucket)
        )
    }
    keys = {date.fromisoformat(str(k)) for k in (*received, *sent) if k}
    if not keys and since is None:
        return []
    first = _bucket_of(unit, since.date()) if since is not None else min(keys)
    last = _bucket_of(unit, now.date())
    starts: list[date] = []
    current = first
    while current <= last:
        starts.append(current)
        current = _next_bucket(unit, current)
    starts = starts[-MAX_BUCKETS:]
    return [
        TrendPoint(d, received.get(d.isoformat(), 0), sent.get(d.isoformat(), 0)) for d in starts
    ]


def _bucket_of(unit: str, day: date) -> date:
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day


def _next_bucket(unit: str, start: date) -> date:
    if unit == "day":
        return start + timedelta(days=1)
    if unit == "week":
        return start + timedelta(days=7)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)


async def _template_usage(
    session: AsyncSession, since: datetime | None, scope: Scope
) -> list[TemplateUsage]:
    conds: list[ColumnElement[bool]] = []
    if since is not None:
        conds.append(TemplateUse.used_at >= since)
    if scope is not None:
        conds.append(ticket_in(TemplateUse.ticket_id, scope, per_row=since is not None))
    rows = await session.execute(
        select(ResponseTemplate.id, ResponseTemplate.name, func.count(TemplateUse.id))
        .join(TemplateUse, TemplateUse.template_id == ResponseTemplate.id)
        .where(*conds)
        .group_by(ResponseTemplate.id, ResponseTemplate.name)
        .order_by(func.count(TemplateUse.id).desc(), ResponseTemplate.name)
    )
    return [TemplateUsage(int(i), str(name), int(n)) for i, name, n in rows]


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


__all__ = [
    "AgentFigures",
    "Analytics",
    "AnalyticsService",
    "Durations",
    "TemplateUsage",
    "TrendPoint",
    "VariantFigures",
    "bucket_start",
    "period_start",
    "seconds_between",
]
