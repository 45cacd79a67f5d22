"""The SLA on the draft card and in App Home, as pure block functions: the nearest due time
as a Slack date token, amber at a warning level, red at breach, a paused clock waiting on the
customer; App Home's at-risk, breached and workload sections."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.blocks.draft import draft_message, sla_line
from bot.blocks.lists import TicketLine, home_view, ticket_line
from bot.blocks.workload import workload_blocks
from core.reports.headlines import QueueCounts
from core.reports.workload import AgentLoad
from core.tickets.sla_due import SlaDue, nearest_due
from db.models import SlaClock
from tests.slack.test_blockkit import _card
from tests.support.blockkit import problems, view_problems

DUE = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
TOKEN = f"<!date^{int(DUE.timestamp())}^{{date_short_pretty}} {{time}}|2026-12-07 15:00 UTC>"


def _due(**over: object) -> SlaDue:
    values: dict[str, object] = dict(
        metric="first_response", due_at=DUE, state="ok", level=None, paused=False
    )
    values.update(over)
    return SlaDue(**values)  # type: ignore[arg-type]


def _context(blocks: list[dict]) -> str:  # type: ignore[type-arg]
    return "\n".join(
        e["text"] for b in blocks if b["type"] == "context" for e in b["elements"] if "text" in e
    )


@pytest.mark.parametrize(
    ("due", "line"),
    [
        (_due(), f":stopwatch: First response due {TOKEN}"),
        (
            _due(state="warning", level=75),
            f":large_yellow_circle: First response due {TOKEN} (75% used)",
        ),
        (
            _due(metric="next_response", state="breached", level=90),
            f":red_circle: Next response breached: was due {TOKEN}",
        ),
        (
            _due(metric="resolution", paused=True),
            ":double_vertical_bar: Resolution clock paused: Waiting on customer",
        ),
        (
            _due(state="warning", level=90, waiting="resolution"),
            f":large_yellow_circle: First response due {TOKEN} (90% used)"
            " · Resolution paused: Waiting on customer",
        ),
        (
            _due(metric="resolution", paused=True, state="breached"),
            f":double_vertical_bar: Resolution clock paused, breached (was due {TOKEN}):"
            " Waiting on customer",
        ),
    ],
)
def test_sla_line_says_the_state_in_an_emoji_and_words(due: SlaDue, line: str) -> None:
    assert sla_line(due) == line


def test_the_card_shows_the_sla_beside_the_owner_while_it_is_acted_on() -> None:
    card = _card(sla=_due(state="warning", level=90))
    blocks = draft_message(card).main.blocks
    assert problems(blocks) == []
    context = _context(blocks)
    assert f":large_yellow_circle: First response due {TOKEN} (90% used)" in context
    assert context.index("Owner: nobody yet") < context.index(":large_yellow_circle:")

    for status in ("sent", "rejected", "superseded"):  # history: no clock shown
        assert ":large_yellow_circle:" not in _context(
            draft_message(_card(status=status, sla=card.sla)).main.blocks
        )
    assert ":stopwatch:" not in _context(draft_message(_card()).main.blocks)  # no clock


def _clock(metric: str, due: datetime, **kw: object) -> SlaClock:
    return SlaClock(
        ticket_id=1,
        metric=metric,
        cycle=kw.pop("cycle", 0),
        target_minutes=60,
        started_at=DUE - timedelta(hours=1),
        resumed_at=DUE - timedelta(hours=1),
        due_at=due,
        warned=kw.pop("warned", []),
        **kw,
    )


def test_nearest_due_is_the_running_clock_due_first_else_the_paused_one() -> None:
    later = DUE + timedelta(hours=3)
    first = _clock("first_response", DUE, warned=[75])
    resolution = _clock("resolution", later)
    assert nearest_due([resolution, first]) == _due(state="warning", level=75)
    waiting = _clock("resolution", DUE - timedelta(hours=2), paused_at=DUE)
    assert nearest_due([waiting, first]) == _due(state="warning", level=75, waiting="resolution")
    met = _clock("first_response", DUE, stopped_at=DUE)
    assert nearest_due([met, resolution]) == _due(metric="resolution", due_at=later)
    paused = _clock("resolution", later, paused_at=DUE, warned=[75, 90, 100], breached_at=later)
    assert nearest_due([met, paused]) == _due(
        metric="resolution", due_at=later, state="breached", level=90, paused=True
    )
    late = _clock("next_response", DUE - timedelta(hours=1), cycle=2, breached_at=DUE)
    assert nearest_due([paused, late, first]).state == "breached"  # type: ignore[union-attr]
    assert nearest_due([met]) is None and nearest_due([]) is None


def _line(n: int, **over: object) -> TicketLine:
    values: dict[str, object] = dict(
        ticket_id=n,
        subject=f"case {n}",
        requester="carla@example.com",
        category="Billing",
        urgency="High",
        status="open",
        approval_status="pending",
        received_at=DUE,
        escalation=False,
        assignee=None,
        permalink=f"https://slack.test/p{n}",
    )
    values.update(over)
    return TicketLine(**values)  # type: ignore[arg-type]


def test_a_ticket_line_names_its_nearest_running_due_time() -> None:
    view = {
        "id": 4,
        "subject": "x",
        "status": "open",
        "sla": {
            "first_response": {
                "due": "2026-12-07T15:00:00+00:00",
                "breached": True,
                "state": "running",
            },
            "resolution": {
                "due": "2026-12-06T15:00:00+00:00",
                "breached": False,
                "state": "paused",
            },
        },
    }
    line = TicketLine.from_view(view, None)
    assert (line.sla_metric, line.sla_due, line.sla_breached) == ("first_response", DUE, True)
    short = TOKEN.replace("{date_short_pretty}", "{date_short}")
    assert f":red_circle: first response breached, was due {short}" in str(ticket_line(line))
    none = TicketLine.from_view({"id": 5, "sla": {}}, None)
    assert none.sla_due is None and " due " not in ticket_line(none)["text"]["text"]


def _counts() -> QueueCounts:
    return QueueCounts(pending=1, approved=0, sent_today=0, escalated=0, failed=0)


def _text(view: dict) -> str:  # type: ignore[type-arg]
    return "\n".join(str(b) for b in view["blocks"])


def test_home_lists_breached_then_at_risk_and_says_so_when_both_are_empty() -> None:
    view = home_view(
        name="Amy",
        role="agent",
        counts=_counts(),
        mine=[],
        oldest=[],
        breached=[_line(1), _line(2)],
        at_risk=[_line(3)],
    )
    assert view_problems(view) == []
    text = _text(view)
    assert text.index("SLA breached") < text.index("case 1") < text.index("case 2")
    assert text.index("case 2") < text.index("At risk of breaching") < text.index("case 3")
    assert text.index("case 3") < text.index("Assigned to you")
    assert "https://slack.test/p1" in text  # linked like the other lines

    calm = _text(home_view(name="Amy", role="agent", counts=_counts(), mine=[], oldest=[]))
    assert "SLA breached" not in calm and "At risk" not in calm
    quiet = _text(
        home_view(
            name="Amy", role="agent", counts=_counts(), mine=[], oldest=[], breached=[], at_risk=[]
        )
    )
    assert "Nothing at risk of an SLA breach, nothing breached." in quiet


def _agent(n: int) -> AgentLoad:
    return AgentLoad(
        user_id=n,
        email=f"a{n}@team.test",
        name=f"Agent {n}",
        open=n,
        waiting=0,
        at_risk=1,
        breached=0,
        capacity=15,
        available=True,
        away_since=None,
    )


def test_home_workload_is_the_workload_blocks_limited() -> None:
    agents = [_agent(n) for n in range(12)]
    blocks = workload_blocks(agents, limit=8, more="`/desk workload` lists all")
    assert len([b for b in blocks if b["type"] == "section"]) == 8
    assert "…and 4 more: `/desk workload` lists all" in str(blocks[-1])
    view = home_view(
        name="Mia", role="manager", counts=_counts(), mine=[], oldest=[], workload=blocks
    )
    assert view_problems(view) == []
    text = _text(view)
    assert text.index("Oldest pending drafts") < text.index("Team workload")
    assert "Agent 7" in text and "Agent 8" not in text
