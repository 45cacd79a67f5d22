"""Slack builders for /desk stats, App Home and new-ticket notices: pure, within limits."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.blocks import analytics as b
from core.control.scheduler import MailboxSchedule, SchedulerStatus, WorkerView
from core.errors import ValidationError
from core.reports.analytics import AnalyticsService
from core.workflow.notifications import NewTicket, TicketBatch
from server.wiring import Desk
from tests.analytics.data import NOW, seed
from tests.support.blockkit import problems


def test_parse_stats_options() -> None:
    assert b.parse_stats_options("") == b.StatsOptions("30d", None, None)
    opts = b.parse_stats_options("7d by:agent trend=week")
    assert opts == b.StatsOptions("7d", "agent", "week")
    assert opts.chart_filename() == "desk-stats-7d-agent-week.png"
    with pytest.raises(ValidationError, match="by:weather"):
        b.parse_stats_options("by:weather")


async def test_stats_blocks_for_every_option(desk: Desk) -> None:
    await seed(desk)
    a = await AnalyticsService(desk.sessions, clock=lambda: NOW).report("30d", trend="week")
    for by in (None, "category", "urgency", "agent"):
        for trend in (None, "week"):
            blocks = b.analytics_blocks(a, by=by, trend=trend)
            assert not problems(blocks), problems(blocks)
    text = json.dumps(b.analytics_blocks(a, by="agent", trend="week"))
    assert "Desk stats, last 30 days" in text and "approved" in text and "Per week" in text
    assert "Alice" in text and "refund (2)" in text
    assert "avg 4 min" in json.dumps(b.home_headline_blocks(a))  # (60+120+300+600+50)/5 s
    assert not problems(b.home_headline_blocks(a), "home")


def test_scheduler_status_block() -> None:
    at = datetime(2025, 3, 31, 12, tzinfo=UTC)
    worker = WorkerView("h:1:abc", "running", True, at, at, at, at, None, None, {})
    box = MailboxSchedule("support", 120, at, None, at, "login failed", 3)
    status = SchedulerStatus(True, 120, [worker], [box])
    [block] = b.scheduler_status_blocks(status)
    text = block["text"]["text"]
    assert "Auto-fetch running" in text and "1 worker" in text and "3 failed fetches" in text
    assert "support: login failed" in text
    stopped = SchedulerStatus(False, 60, [], [])
    assert "stopped, and no worker" in b.scheduler_status_blocks(stopped)[0]["text"]["text"]


def _ticket(i: int, urgency: str) -> NewTicket:
    return NewTicket(i, f"Subject {i} <b>", f"c{i}@cust.test", "Technical", urgency, None, i)


def test_one_message_per_batch_mentions_oncall_for_high() -> None:
    batch = TicketBatch(
        "support", None, [_ticket(i, "High" if i == 2 else "Low") for i in range(1, 21)], "S0ONCALL"
    )
    text, blocks = b.new_tickets_message(batch, links={1: "https://x.slack.com/p1"})
    assert text.startswith("<!subteam^S0ONCALL> 20 new tickets in support, 1 High urgency")
    assert not problems(blocks)
    body = json.dumps(blocks)
    assert "<https://x.slack.com/p1|#1>" in body and "Subject 1 &lt;b&gt;" in body
    assert "and 5 more" in body
    calm = TicketBatch("support", None, [_ticket(1, "Low")], "S0ONCALL")
    text, _ = b.new_tickets_message(calm)
    assert "subteam" not in text and text == "1 new ticket in support"
    assert b.oncall_mention("<!subteam^S0ABC|@oncall>") == "<!subteam^S0ABC>"
    assert b.oncall_mention("oncall") == "@oncall" and b.oncall_mention(None) is None
