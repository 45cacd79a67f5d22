"""`desk users set`, `desk assignment list|set`, `desk workload` and `desk tickets
--assignee`: their `--json` shapes, refusals that change nothing, and the audit trail."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from core.workflow import assignment
from core.workflow.calendars import hours_to_json, parse_hours
from db.models import AgentProfile, AuditEvent, Mailbox, SlaCalendar, Ticket, User
from db.session import sync_url
from server.cli import assignment as assignment_cli
from tests.support.cli import run

PROFILE = {
    "user_id",
    "email",
    "skills",
    "languages",
    "capacity",
    "available",
    "away_since",
    "availability_source",  # who set `available` last: person | slack_presence
    "timezone",
    "shift_calendar_id",
    "last_assigned_at",
}
WORKLOAD = {
    "user_id",
    "email",
    "name",
    "open",
    "waiting",
    "at_risk",
    "breached",
    "capacity",
    "available",
    "away_since",
}


class Db:
    """The test database through the plain driver (the CLI runs its own event loop)."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(sync_url(url))

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def mailbox(self, name: str) -> int:
        with self.session() as s, s.begin():
            box = Mailbox(name=name, address=f"{name}@desk.test")
            s.add(box)
            s.flush()
            return box.id

    def user_id(self, email: str) -> int:
        with self.session() as s:
            return s.scalars(select(User.id).where(User.email == email)).one()


@pytest.fixture()
def db(database_url: str) -> Any:
    d = Db(database_url)
    yield d
    d.engine.dispose()


def ok(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    return json.loads(out) if "--json" in argv else out


def refused(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code, out, err = run(capsys, *argv)
    assert code == 1, (out, err)
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    return err


def test_the_cli_offers_the_engines_strategies() -> None:
    assert assignment_cli.STRATEGIES == assignment.STRATEGIES
    assert assignment_cli.FALLBACKS == assignment.FALLBACKS


def test_users_set_makes_and_changes_a_profile(
    cli_env: Path, db: Db, capsys: pytest.CaptureFixture[str]
) -> None:
    ok(capsys, "users", "add", "ann@team.test", "--role", "agent")

    got = ok(
        capsys,
        "users",
        "set",
        "ann@team.test",
        "--skills",
        "billing,Technical",
        "--languages",
        "en,DE",
        "--capacity",
        "8",
        "--tz",
        "Europe/Berlin",
        "--json",
    )
    assert set(got) == PROFILE
    assert (got["skills"], got["languages"], got["capacity"], got["available"]) == (
        ["Billing", "Technical"],
        ["en", "de"],
        8,
        True,
    )
    assert got["timezone"] == "Europe/Berlin"
    away = ok(capsys, "users", "set", "ann@team.test", "--away", "--json")
    assert away["available"] is False and away["away_since"] is not None
    line = ok(capsys, "users", "set", "ann@team.test", "--available")
    assert line.strip() == (
        "ann@team.test: available, capacity 8, skills Billing, Technical, languages en, de,"
        " time zone Europe/Berlin, shift calendar -"
    )

    for argv, says in (
        (["--skills", "Sales"], "unknown category 'Sales'"),
        (["--languages", "english!"], "not a language code"),
        (["--tz", "Mars/Olympus"], "unknown time zone"),
        (["--capacity", "5000"], "capacity must be between 0 and 1000"),
        ([], "nothing to set"),
    ):
        assert says in refused(capsys, "users", "set", "ann@team.test", *argv)
    with db.session() as s, s.begin():
        cal = SlaCalendar(
            name="berlin",
            tz="Europe/Berlin",
            hours=hours_to_json(parse_hours("mon-fri 09:00-17:00")),
            holidays=[],
        )
        s.add(cal)
    shifted = ok(capsys, "users", "set", "ann@team.test", "--shift", "berlin", "--json")
    assert shifted["shift_calendar_id"] == cal.id
    assert "no business calendar 'nope'" in refused(
        capsys, "users", "set", "ann@team.test", "--shift", "nope"
    )
    assert (
        ok(capsys, "users", "set", "ann@team.test", "--shift", "", "--json")["shift_calendar_id"]
        is None
    )
    assert "no desk user has the address" in refused(
        capsys, "users", "set", "nobody@team.test", "--away"
    )
    with pytest.raises(SystemExit) as usage:
        run(capsys, "users", "set", "ann@team.test", "--away", "--available")
    assert usage.value.code == 2
    capsys.readouterr()

    with db.session() as s:
        [profile] = list(s.scalars(select(AgentProfile)))
        events = list(s.scalars(select(AuditEvent).where(AuditEvent.action == "user.profile")))
    assert (profile.capacity, profile.skills, profile.available) == (
        8,
        ["Billing", "Technical"],
        True,
    )
    assert [e.source for e in events] == ["cli"] * 5
    assert events[1].changes == {"available": [True, False]}


def test_assignment_set_and_list(cli_env: Path, db: Db, capsys: pytest.CaptureFixture[str]) -> None:
    db.mailbox("support")
    db.mailbox("billing")

    assert ok(capsys, "assignment", "list", "--json") == [
        {"mailbox": "billing", "strategy": "manual", "fallback": "any_agent"},
        {"mailbox": "support", "strategy": "manual", "fallback": "any_agent"},
    ]
    assert ok(capsys, "assignment", "set", "--strategy", "balanced", "--json") == [
        {"mailbox": "billing", "strategy": "balanced", "fallback": "any_agent"},
        {"mailbox": "support", "strategy": "balanced", "fallback": "any_agent"},
    ]
    out = ok(
        capsys,
        "assignment",
        "set",
        "--mailbox",
        "billing",
        "--strategy",
        "round_robin",
        "--fallback",
        "leave_unassigned",
    )
    assert out.splitlines()[1].split() == ["billing", "round_robin", "leave_unassigned"]
    assert "no mailbox named 'nope'" in refused(
        capsys, "assignment", "set", "--mailbox", "nope", "--strategy", "manual"
    )
    with pytest.raises(SystemExit) as usage:
        run(capsys, "assignment", "set", "--strategy", "random")
    assert usage.value.code == 2
    capsys.readouterr()
    assert [r["strategy"] for r in ok(capsys, "assignment", "list", "--json")] == [
        "round_robin",
        "balanced",
    ]


def test_workload_and_tickets_by_assignee(
    cli_env: Path, db: Db, capsys: pytest.CaptureFixture[str]
) -> None:
    box = db.mailbox("support")
    ok(capsys, "users", "add", "ann@team.test", "--role", "agent")
    ok(capsys, "users", "add", "bob@team.test", "--role", "agent")
    ok(capsys, "users", "add", "boss@team.test", "--role", "manager")
    ok(capsys, "users", "set", "ann@team.test", "--capacity", "4")
    ok(capsys, "users", "set", "bob@team.test", "--away")
    ann, boss = db.user_id("ann@team.test"), db.user_id("boss@team.test")
    with db.session() as s, s.begin():
        for n, (owner, status) in enumerate(
            [
                (ann, "open"),
                (ann, "answered"),
                (ann, "waiting"),
                (ann, "resolved"),
                (boss, "open"),
                (None, "open"),
            ]
        ):
            s.add(
                Ticket(
                    mailbox_id=box,
                    requester_email=f"c{n}@cust.test",
                    subject=f"case {n}",
                    assigned_to_id=owner,
                    status=status,
                )
            )

    rows = ok(capsys, "workload", "--json")
    assert all(set(r) == WORKLOAD for r in rows)
    assert [(r["email"], r["open"], r["waiting"], r["capacity"], r["available"]) for r in rows] == [
        ("ann@team.test", 2, 1, 4, True),
        ("boss@team.test", 1, 0, 15, False),  # owns a ticket, has no profile
        ("bob@team.test", 0, 0, 15, False),
    ]
    assert all(r["at_risk"] == 0 and r["breached"] == 0 for r in rows)
    table = ok(capsys, "workload").splitlines()
    assert table[1].split() == ["ann@team.test", "2", "1", "0", "0", "4", "available"]

    mine = ok(capsys, "tickets", "--assignee", "ANN@team.test", "--json")
    assert sorted(t["subject"] for t in mine) == ["case 0", "case 1", "case 2", "case 3"]
    assert {t["assigned_to_email"] for t in mine} == {"ann@team.test"}
    open_mine = ok(capsys, "tickets", "--assignee", "ann@team.test", "--status", "open", "--json")
    assert [t["subject"] for t in open_mine] == ["case 0"]
    assert ok(capsys, "tickets", "--assignee", "bob@team.test", "--json") == []
    assert "no desk user 'nobody@team.test'" in refused(
        capsys, "tickets", "--assignee", "nobody@team.test"
    )
    assert "not an email address" in refused(capsys, "tickets", "--assignee", "ann")
