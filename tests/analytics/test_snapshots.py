"""All-time reports computed ahead (core.workflow.reports_ahead): served from the kept JSON while
young, saying when they were computed; computed again when old, when asked ``fresh``, and
by the worker's ``reports`` job; the kept JSON gives back the same figures. The clock is
passed in: nothing here reads the wall clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from core.access.teams import team_mailbox_ids
from core.reports.analytics import Analytics, AnalyticsService
from core.workflow.reports_ahead import ReportsAhead
from db.models import Mailbox, ReportSnapshot, Ticket
from server.wiring import Desk
from tests.analytics.data import NOW, seed
from tests.analytics.sla_data import seed_sla

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


async def _tickets(desk: Desk, n: int, *, category: str = "Billing") -> int:
    async with desk.sessions() as s, s.begin():
        box = await s.scalar(select(Mailbox.id).where(Mailbox.name == "snap"))
        if box is None:
            mailbox = Mailbox(name="snap", address="snap@desk.test")
            s.add(mailbox)
            await s.flush()
            box = mailbox.id
        s.add_all(
            Ticket(
                mailbox_id=box,
                requester_email=f"c{i}@example.com",
                subject="Charged twice",
                category=category,
                urgency="High",
                received_at=T0 - timedelta(days=i),
                last_message_at=T0,
            )
            for i in range(n)
        )
    return int(box)


def _figures(a: Analytics) -> dict[str, object]:
    return {k: v for k, v in a.as_dict().items() if k != "computed_at"}


async def test_all_time_is_served_from_its_snapshot_while_young(desk: Desk) -> None:
    clock = Clock()
    service = ReportsAhead(AnalyticsService(desk.sessions, clock=clock))
    await _tickets(desk, 3)
    first = await service.report("all")
    assert first.computed_at is None and first.tickets == 3  # computed for the request
    await _tickets(desk, 2, category="Technical")
    clock.now = T0 + timedelta(minutes=9)
    kept = await service.report("all")
    assert kept.computed_at == T0 and kept.tickets == 3  # the snapshot, and it says so
    assert _figures(kept) == _figures(first)
    assert kept.as_dict()["computed_at"] == T0.isoformat()
    now = await service.report("all", fresh=True)
    assert now.computed_at is None and now.tickets == 5
    assert (await service.report("all")).computed_at == T0 + timedelta(minutes=9)  # kept too
    clock.now = T0 + timedelta(minutes=30)  # older than MAX_AGE: computed again
    again = await service.report("all")
    assert again.computed_at is None and again.tickets == 5
    assert (await service.report("30d")).computed_at is None  # other periods: always live


async def test_each_scope_and_trend_has_its_own_snapshot(desk: Desk) -> None:
    clock = Clock()
    service = ReportsAhead(AnalyticsService(desk.sessions, clock=clock))
    box = await _tickets(desk, 2)
    await service.report("all")
    await service.report("all", trend="week")
    await service.report("all", scope=team_mailbox_ids("T1", "T1"))
    await service.report("all", scope=[box + 1])  # another mailbox: none of these tickets
    async with desk.sessions() as s:
        keys = sorted(await s.scalars(select(ReportSnapshot.key)))
    assert keys == sorted(["all|day|*", "all|week|*", f"all|day|{box}", f"all|day|{box + 1}"])
    assert (await service.report("all", scope=[box + 1])).tickets == 0
    assert (await service.report("all", scope=team_mailbox_ids("T1", "T1"))).tickets == 2


async def test_the_worker_job_computes_every_kept_snapshot_again(desk: Desk) -> None:
    from server.worker import REPORTS_SECONDS, Worker

    clock = Clock()
    service = ReportsAhead(AnalyticsService(desk.sessions, clock=clock))
    await _tickets(desk, 1)
    await service.report("all", trend="month")
    await _tickets(desk, 4, category="Other")
    clock.now = T0 + timedelta(minutes=5)
    assert await service.refresh() == ["all|month|*"]
    kept = await service.report("all", trend="month")
    assert kept.computed_at == clock.now and kept.tickets == 5
    assert kept.by_category == {"Billing": 1, "Other": 4}
    worker = Worker(desk, control_seconds=60)
    await worker.tick()
    job = worker.scheduler.get_job("reports")
    assert job is not None and job.trigger.interval.total_seconds() == REPORTS_SECONDS
    await worker.refresh_reports()  # the desk's own clock: computed again, now
    async with desk.sessions() as s:
        stored = await s.get(ReportSnapshot, "all|month|*")
    assert stored is not None and stored.computed_at > clock.now


async def test_an_older_computation_never_replaces_a_newer_snapshot(desk: Desk) -> None:
    late, early = Clock(), Clock()
    late.now = T0 + timedelta(minutes=3)
    await _tickets(desk, 1)
    await ReportsAhead(AnalyticsService(desk.sessions, clock=late)).report("all")
    await ReportsAhead(AnalyticsService(desk.sessions, clock=early)).report("all", fresh=True)
    async with desk.sessions() as s:
        stored = await s.get(ReportSnapshot, "all|day|*")
    assert stored is not None and stored.computed_at == late.now


async def _round_trip(desk: Desk) -> Analytics:
    service = ReportsAhead(AnalyticsService(desk.sessions, clock=lambda: NOW))
    for trend in ("day", "week", "month"):
        live = await service.report("all", trend=trend)
        kept = await service.report("all", trend=trend)
        assert kept.computed_at == NOW and live.computed_at is None
        assert _figures(kept) == _figures(live)
        assert kept.to_csv() == live.to_csv()
    return kept


async def test_the_kept_json_gives_back_every_figure(desk: Desk) -> None:
    """On the hand-worked data (agents, trend, templates, variants): the report served
    from its snapshot is the one computed, figure for figure, in JSON and in CSV."""
    await seed(desk)
    kept = await _round_trip(desk)
    assert kept.agents and kept.trend and kept.templates and kept.variants


async def test_the_kept_json_gives_back_the_sla_figures(desk: Desk) -> None:
    await seed_sla(desk)
    kept = await _round_trip(desk)
    assert kept.sla.by_agent and kept.sla.by_category and kept.sla.clocks
