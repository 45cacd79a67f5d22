"""`desk sla ...` and `desk wait | resolve | reopen` as the CLI contract says: add, list,
preview (its --json keys), bad input as one line with nothing stored."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from db.models import Mailbox, Ticket
from db.session import sync_url
from tests.support.cli import run

ICAL = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261225\nEND:VEVENT\nEND:VCALENDAR\n"


def _ok(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    return out


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    return json.loads(_ok(capsys, *argv, "--json"))


def _setup(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    ical = tmp_path / "holidays.ics"
    ical.write_text(ICAL)
    out = _ok(
        capsys,
        *("sla", "calendar", "add", "berlin", "--tz", "Europe/Berlin"),
        *("--hours", "mon-fri 09:00-17:00", "--hours", "sat 10:00-14:00"),
        *("--holiday", "2026-12-24", "--ical", str(ical)),
    )
    assert out.startswith("calendar berlin (1): Europe/Berlin, mon 09:00-17:00;")
    assert "2 holidays" in out
    _ok(
        capsys,
        *("sla", "policy", "add", "standard", "--calendar", "berlin", "--default"),
        *("--first-response", "8h", "--next-response", "4h", "--resolution", "3d"),
    )
    _ok(
        capsys,
        *("sla", "policy", "add", "urgent", "--calendar", "berlin", "--urgency", "high"),
        *("--first-response", "4h", "--warn", "50,90", "--position", "1"),
    )


def test_add_list_and_preview(
    cli_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _setup(capsys, tmp_path)
    listed = _json(capsys, "sla", "list")
    assert [c["name"] for c in listed["calendars"]] == ["berlin"]
    assert listed["calendars"][0]["holidays"] == ["2026-12-24", "2026-12-25"]
    assert [p["name"] for p in listed["policies"]] == ["urgent", "standard"]
    urgent = listed["policies"][0]
    assert urgent["urgency"] == "High" and urgent["warn_levels"] == [50, 90]
    assert (urgent["first_response"], urgent["next_response"]) == ("4h", "-")
    table = _ok(capsys, "sla", "list")
    assert "urgent" in table and "default" in table

    preview = _json(
        capsys, "sla", "preview", "--policy", "urgent", "--at", "2026-12-04T16:30:00+01:00"
    )
    assert preview == {
        "policy": "urgent",
        "first_response_due": "2026-12-05T13:30:00+01:00",  # Friday 0.5 h, Saturday 3.5 h
        "next_response_due": None,
        "resolution_due": None,
    }
    # no offset: the calendar's own zone; 0.5 h Friday, 4 h Saturday, 3.5 h Monday
    preview = _json(capsys, "sla", "preview", "--policy", "standard", "--at", "2026-12-04T16:30")
    assert preview["first_response_due"] == "2026-12-07T12:30:00+01:00"
    assert preview["next_response_due"] == "2026-12-05T13:30:00+01:00"
    text = _ok(capsys, "sla", "preview", "--policy", "urgent", "--at", "2026-12-04T15:30:00Z")
    assert "Sat 2026-12-05 13:30 +0100" in text

    changed = _json(capsys, "sla", "policy", "set", "urgent", "--first-response", "2h")
    assert changed["version"] == 2 and changed["first_response"] == "2h"


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (
            ["sla", "calendar", "add", "x", "--tz", "Mars/Base", "--hours", "mon 09:00-10:00"],
            "unknown time zone",
        ),
        (
            ["sla", "calendar", "add", "x", "--tz", "UTC", "--hours", "mon 10:00-09:00"],
            "ends before",
        ),
        (
            ["sla", "calendar", "add", "berlin", "--tz", "UTC", "--hours", "mon 09:00-10:00"],
            "exists already",
        ),
        (
            ["sla", "policy", "add", "p", "--calendar", "nowhere", "--first-response", "4h"],
            "no calendar",
        ),
        (
            ["sla", "policy", "add", "p", "--calendar", "berlin", "--first-response", "4 hours"],
            "not a duration",
        ),
        (
            [
                "sla",
                "policy",
                "add",
                "p",
                "--calendar",
                "berlin",
                "--first-response",
                "4h",
                "--urgency",
                "urgent",
            ],
            "unknown urgency",
        ),
        (
            [
                "sla",
                "policy",
                "add",
                "p",
                "--calendar",
                "berlin",
                "--first-response",
                "4h",
                "--warn",
                "150",
            ],
            "between 1 and 99",
        ),
        (
            [
                "sla",
                "policy",
                "add",
                "p",
                "--calendar",
                "berlin",
                "--first-response",
                "4h",
                "--escalate-to",
                "nobody@team.test",
            ],
            "no desk user",
        ),
        (["sla", "policy", "set", "standard"], "nothing to change"),
        (["sla", "preview", "--policy", "nope", "--at", "2026-12-04T16:30:00Z"], "no SLA policy"),
    ],
)
def test_bad_input_is_one_line_and_stores_nothing(
    cli_env: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    says: str,
) -> None:
    _setup(capsys, tmp_path)
    before = _json(capsys, "sla", "list")
    code, out, err = run(capsys, *argv)
    assert code == 1 and out == ""
    assert says in err and err.count("\n") == 1, err
    assert _json(capsys, "sla", "list") == before


def test_a_bad_time_is_bad_usage(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        run(capsys, "sla", "preview", "--policy", "x", "--at", "friday")
    assert exit_.value.code == 2
    assert "not an ISO 8601 time" in capsys.readouterr().err


def seed_ticket(database_url: str) -> int:
    engine = create_engine(sync_url(database_url))
    try:
        with Session(engine) as s, s.begin():
            box = Mailbox(name="support", address="support@desk.test")
            s.add(box)
            s.flush()
            ticket = Ticket(mailbox_id=box.id, requester_email="carla@example.com", subject="Hi")
            s.add(ticket)
            s.flush()
            return ticket.id
    finally:
        engine.dispose()


def test_wait_resolve_reopen(
    cli_env: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    tid = seed_ticket(database_url)
    assert _json(capsys, "wait", str(tid), "--by", "ann@team.test") == {
        "ticket_id": tid,
        "before": "open",
        "after": "waiting",
    }
    assert _ok(capsys, "wait", str(tid), "--by", "ann@team.test").strip().endswith("already")
    assert _ok(capsys, "resolve", str(tid), "--by", "ann@team.test").strip() == (
        f"ticket {tid}: waiting -> resolved"
    )
    assert _json(capsys, "reopen", str(tid), "--by", "ann@team.test")["after"] == "open"
    code, _, err = run(capsys, "wait", "999", "--by", "ann@team.test")
    assert code == 1 and "not found" in err


def test_escalate_to_the_group_managers(
    cli_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _setup(capsys, tmp_path)
    added = _json(
        capsys,
        *("sla", "policy", "add", "vip", "--calendar", "berlin", "--first-response", "1h"),
        *("--escalate-to", "managers"),
    )
    assert added["escalate"] == {
        "raise_urgency": False,
        "reassign_to": None,
        "group": "managers",
    }
    listed = _json(capsys, "sla", "list")
    vip = next(p for p in listed["policies"] if p["name"] == "vip")
    assert vip["escalate"]["group"] == "managers"
    standard = next(p for p in listed["policies"] if p["name"] == "standard")
    assert standard["escalate"] == {"raise_urgency": False, "reassign_to": None, "group": None}
    changed = _json(capsys, "sla", "policy", "set", "standard", "--escalate-to", "managers")
    assert changed["escalate"]["group"] == "managers" and changed["version"] == 2
    # not a group and not a desk user: refused in one line, nothing changed
    code, out, err = run(capsys, "sla", "policy", "set", "vip", "--escalate-to", "agents")
    assert code == 1 and out == "" and "no desk user" in err
    assert _json(capsys, "sla", "list") == {
        **listed,
        "policies": [changed if p["name"] == "standard" else p for p in listed["policies"]],
    }
