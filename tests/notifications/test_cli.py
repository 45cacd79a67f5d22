"""`desk users notify`: show a user's notification preferences, set one kind's channel
(audited, source cli), refuse a bad kind or channel in one line with nothing changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import run


def test_show_and_set_a_users_channel(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "users", "add", "amy@team.test", "--role", "agent")
    assert code == 0, err

    code, out, err = run(capsys, "users", "notify", "amy@team.test", "--json")
    assert code == 0, err
    shown = json.loads(out)
    assert shown["email"] == "amy@team.test" and shown["channels"]["assigned"] == "slack"
    assert set(shown) == {
        "email",
        "channels",
        "tz",
        "quiet_hours",
        "business_days",
        "draft_waiting_minutes",
        "digest",
    }

    code, out, err = run(
        capsys,
        "users",
        "notify",
        "amy@team.test",
        "--kind",
        "assigned",
        "--channel",
        "email",
        "--json",
    )
    assert code == 0, err
    assert json.loads(out)["channels"]["assigned"] == "email"
    code, out, _ = run(capsys, "users", "notify", "amy@team.test")
    assert "assigned          email" in out and "quiet hours       off" in out

    for argv, says in (
        (["--kind", "birthdays", "--channel", "email"], "unknown notification kind"),
        (["--kind", "assigned"], "--kind and --channel go together"),
    ):
        code, out, err = run(capsys, "users", "notify", "amy@team.test", *argv)
        assert code == 1 and says in err and out == "", (argv, err)
    code, _, err = run(capsys, "users", "notify", "nobody@team.test")
    assert code == 1 and "nobody@team.test" in err
    code, out, _ = run(capsys, "users", "notify", "amy@team.test", "--json")
    assert json.loads(out)["channels"]["assigned"] == "email"
    code, out, err = run(capsys, "audit", "--action", "notifications.preferences", "--json")
    assert code == 0, err
    (event,) = json.loads(out)["items"]
    assert event["surface"] == "cli"
    assert event["changes"]["channels"][1]["assigned"] == "email"
