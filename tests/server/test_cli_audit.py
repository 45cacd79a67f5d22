"""`desk audit`: the audit log as a table or JSON, its filters, and bad input as exit 2."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from db.models import AuditEvent
from db.session import sync_url
from server.cli import main
from tests.support.cli import run

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _seed(database_url: str) -> list[int]:
    """Three events an hour apart, oldest first; their ids."""
    events = [
        AuditEvent(
            at=NOW - timedelta(hours=2),
            actor="ann@team.test",
            actor_id=1,
            source="api",
            action="draft.approved",
            target="ticket:1",
            ticket_id=1,
            draft_id=4,
            request_id="req-1",
            client_addr="192.0.2.1",
            changes={"status": ["pending", "approved"]},
            data={"version": 1},
        ),
        AuditEvent(
            at=NOW - timedelta(hours=1),
            actor="worker",
            source="worker",
            action="draft.sent",
            target="ticket:1",
            ticket_id=1,
            draft_id=4,
            changes={"status": ["sending", "sent"]},
            data={},
        ),
        AuditEvent(
            at=NOW,
            actor="ben\x1b[2J@team.test",
            actor_id=2,
            source="slack",
            action="user.role",
            target="user:5",
            changes={"role": ["agent", "manager"]},
            data={},
        ),
    ]
    engine = create_engine(sync_url(database_url))
    try:
        with Session(engine) as s, s.begin():
            s.add_all(events)
            s.flush()
            return [e.id for e in events]
    finally:
        engine.dispose()


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    code, out, err = run(capsys, "audit", *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def test_json_is_items_and_total_newest_first(
    cli_env: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    approved, sent, role = _seed(database_url)
    everything = _json(capsys)
    assert everything["total"] == 3
    assert [i["id"] for i in everything["items"]] == [role, sent, approved]
    assert everything["items"][2] == {
        "id": approved,
        "at": (NOW - timedelta(hours=2)).isoformat(),
        "actor": "ann@team.test",
        "actor_id": 1,
        "surface": "api",
        "action": "draft.approved",
        "target": "ticket:1",
        "ticket_id": 1,
        "draft_id": 4,
        "request_id": "req-1",
        "client_addr": "192.0.2.1",
        "changes": {"status": ["pending", "approved"]},
        "data": {"version": 1},
    }

    def ids(*argv: str) -> tuple[list[int], int]:
        found = _json(capsys, *argv)
        return [i["id"] for i in found["items"]], found["total"]

    assert ids("--actor", "ANN@team.test") == ([approved], 1)
    assert ids("--actor", "2") == ([role], 1)
    assert ids("--ticket", "1") == ([sent, approved], 2)
    assert ids("--action", "draft.") == ([sent, approved], 2)
    assert ids("--action", "draft.sent") == ([sent], 1)
    assert ids("--since", "2026-11-30T10:30:00Z", "--until", "2026-11-30T12:00") == ([sent], 1)
    assert ids("--since", "2026-11-30T12:30:00+02:00") == ([role, sent], 2)  # 10:30 UTC
    assert ids("--limit", "1", "--offset", "1") == ([sent], 3)
    assert ids("--until", "2026-11-01") == ([], 0)


def test_the_table(cli_env: Path, database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "audit")
    assert (code, out.strip()) == (0, "no audit event matches")
    approved, sent, role = _seed(database_url)
    code, out, err = run(capsys, "audit")
    assert code == 0, err
    header, *rows, footer = out.splitlines()
    assert header.split() == [
        "ID",
        "AT",
        "(UTC)",
        "SURFACE",
        "ACTOR",
        "ACTION",
        "TARGET",
        "CHANGES",
    ]
    assert [int(r.split()[0]) for r in rows] == [role, sent, approved]
    assert "2026-11-30 12:00:00" in rows[0] and "user:5" in rows[0]
    assert "role: agent -> manager" in rows[0]
    assert "\x1b" not in out and "ben\\x1b[2J@team.test" in rows[0]  # the screen stays
    assert "worker" in rows[1] and "status: sending -> sent" in rows[1]
    assert footer == "3 events"
    code, out, _ = run(capsys, "audit", "--limit", "1", "--offset", "1")
    assert out.splitlines()[-1] == "2-2 of 3 events" and str(sent) in out.splitlines()[1]
    code, out, _ = run(capsys, "audit", "--offset", "5")
    assert (code, out.strip()) == (0, "no events past 5 of 3")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--since", "yesterday"], "argument --since: 'yesterday' is not an ISO 8601"),
        (["--until", "2026-02-30"], "argument --until: '2026-02-30' is not an ISO 8601"),
        (["--since", "20261201"], "is not an ISO 8601"),
        (["--since", "2026-12-02", "--until", "2026-12-01"], "until must be later than since"),
        (["--limit", "0"], "argument --limit: 0 is out of range"),
        (["--limit", "501"], "argument --limit: 501 is more than 500"),
        (["--offset", "-1"], "argument --offset"),
        (["--ticket", "abc"], "argument --ticket: 'abc' is not an id"),
        (["--ticket", "99999999999999999999"], "is not an id"),
        (["--actor", " "], "actor: empty"),
        (["--actor", "a\x00b"], "actor: holds a NUL"),
    ],
)
def test_bad_filters_are_bad_usage_in_one_line(
    cli_env: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    try:  # argparse exits itself; a check after parsing returns the code
        code = main(["audit", *argv])
    except SystemExit as exc:
        code = exc.code  # type: ignore[assignment]
    out, err = capsys.readouterr()
    assert code == 2
    assert out == "" and len(err.strip().splitlines()) == 1 and message in err, err


def test_a_cli_action_is_in_the_log_as_cli(
    cli_env: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "scheduler", "stop", "--by", "ops@team.test")[0] == 0
    found = _json(capsys, "--action", "setting.*")
    [event] = found["items"]
    assert (event["surface"], event["actor"], event["target"]) == (
        "cli",
        "ops@team.test",
        "setting:scheduler.enabled",
    )
    assert event["changes"] == {"value": [None, "false"]} and event["actor_id"] is not None
    assert _json(capsys, "--actor", str(event["actor_id"]))["total"] == 1


def test_help_lists_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        run(capsys, "--help")
    assert "audit" in capsys.readouterr().out
