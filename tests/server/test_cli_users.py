"""`desk users`: list, add, set-role, deactivate, reactivate from the shell, with `--json`
shapes, clear refusals (exit 1, one line on stderr, nothing changed) and the audit trail
(source cli)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from core.access.users import ROLES
from db.session import sync_url
from server.cli import main
from server.cli import users as users_cli
from tests.support.cli import run

FIELDS = {
    "id",
    "email",
    "name",
    "role",
    "is_active",
    "slack_team_id",
    "slack_user_id",
    "created_at",
}


def audit(database_url: str, prefix: str = "user.") -> list[tuple[str, str, str, dict[str, Any]]]:
    engine = create_engine(sync_url(database_url))
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT action, source, actor, data FROM audit_events ORDER BY id")
            ).all()
    finally:
        engine.dispose()
    return [
        (a, s, who, d if isinstance(d, dict) else json.loads(d))
        for a, s, who, d in rows
        if a.startswith(prefix)
    ]


def users(capsys: pytest.CaptureFixture[str], *extra: str) -> list[dict[str, Any]]:
    code, out, err = run(capsys, "users", "list", "--json", *extra)
    assert code == 0, err
    return json.loads(out)


def test_the_cli_offers_the_directory_roles() -> None:
    assert users_cli.ROLES == ROLES


def test_add_list_and_change_users(
    cli_env: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "migrate")[0] == 0
    assert run(capsys, "users", "list")[1].strip() == "no users"
    assert users(capsys) == []

    code, out, err = run(capsys, "users", "add", "Root@Team.test", "--role", "admin", "--json")
    assert code == 0, err
    root = json.loads(out)
    assert set(root) == FIELDS
    assert (root["email"], root["name"], root["role"], root["is_active"]) == (
        "root@team.test",
        "root",
        "admin",
        True,
    )
    code, out, err = run(
        capsys,
        "users",
        "add",
        "ann@team.test",
        "--role",
        "agent",
        "--name",
        "Ann Lee",
        "--slack-id",
        "U0ANN",
        "--by",
        "root@team.test",
    )
    assert code == 0 and out.startswith("ann@team.test added as agent"), err
    listed = users(capsys)
    assert [(u["email"], u["name"], u["slack_user_id"]) for u in listed] == [
        ("root@team.test", "root", None),
        ("ann@team.test", "Ann Lee", "U0ANN"),
    ]
    code, out, _ = run(capsys, "users", "list")
    assert "ann@team.test" in out and "Ann Lee" in out and "?/U0ANN" in out

    code, out, _ = run(capsys, "users", "set-role", "ANN@team.test", "manager", "--json")
    assert code == 0 and json.loads(out)["role"] == "manager"
    code, out, _ = run(capsys, "users", "set-role", "ann@team.test", "manager")
    assert code == 0 and out.strip() == "ann@team.test is now manager"  # nothing changed
    code, out, _ = run(capsys, "users", "deactivate", "ann@team.test")
    assert code == 0 and "deactivated" in out
    assert [u["email"] for u in users(capsys, "--inactive")] == ["ann@team.test"]
    assert [u["email"] for u in users(capsys, "--active")] == ["root@team.test"]
    code, out, _ = run(capsys, "users", "reactivate", "ann@team.test", "--json")
    assert code == 0 and json.loads(out)["is_active"] is True

    trail = audit(database_url)
    assert [(a, s, who) for a, s, who, _ in trail] == [
        ("user.added", "cli", "cli"),
        ("user.added", "cli", "root@team.test"),
        ("user.role", "cli", "cli"),
        ("user.deactivated", "cli", "cli"),
        ("user.reactivated", "cli", "cli"),
    ]
    assert trail[2][3]["before"]["role"] == "agent" and trail[2][3]["after"]["role"] == "manager"


def test_refusals_are_one_line_and_change_nothing(
    cli_env: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "migrate")[0] == 0
    assert run(capsys, "users", "add", "root@team.test", "--role", "admin")[0] == 0
    before = users(capsys)

    for argv, says in (
        (["add", "root@team.test", "--role", "agent"], "root@team.test is already a desk user"),
        (["add", "not an address", "--role", "agent"], "is not an email address"),
        (["add", "x@team.test", "--role", "agent", "--slack-id", "nope"], "not a Slack user id"),
        (["set-role", "nobody@team.test", "agent"], "no desk user has the address"),
        (["set-role", "root@team.test", "agent"], "root@team.test is the last active admin"),
        (["deactivate", "root@team.test"], "root@team.test is the last active admin"),
        (["reactivate", "ghost@team.test"], "no desk user has the address"),
    ):
        code, out, err = run(capsys, "users", *argv)
        assert code == 1 and says in err and out == "", (argv, err)
        assert err.startswith("desk: ") and err.count("\n") == 1
    for bad in (["add", "a@team.test", "--role", "boss"], ["set-role", "root@team.test", "x"]):
        with pytest.raises(SystemExit) as exc:
            main(["users", *bad])
        assert exc.value.code == 2
    assert users(capsys) == before
    assert len(audit(database_url)) == 1
