"""`desk bulk`, `desk stats`, `desk templates`, `desk scheduler` end to end on the embedded
defaults (demo mail in the Maildir inbox, replies into the outbox)."""

from __future__ import annotations

import builtins
import json
import sys
from pathlib import Path

import pytest

from tests.support.cli import run


def _demo(capsys: pytest.CaptureFixture[str]) -> list[dict]:  # type: ignore[type-arg]
    assert run(capsys, "demo")[0] == 0
    assert run(capsys, "fetch")[0] == 0
    code, out, _ = run(capsys, "tickets", "--status", "pending", "--json")
    assert code == 0
    return json.loads(out)


def test_bulk_commands(
    cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pending = _demo(capsys)
    assert len(pending) >= 5
    escalated = [t["id"] for t in pending if t["escalation_required"]]

    code, _, err = run(capsys, "bulk", "approve", "--status", "pending", "--by", "ann@team.test")
    assert code == 2 and "--yes" in err  # not a terminal: refuses, but shows what matches
    assert f"#{pending[-1]['id']}" in err or f"#{pending[0]['id']}" in err
    code, _, err = run(capsys, "bulk", "approve", "--by", "ann@team.test", "--yes")
    assert code == 1 and "name the tickets" in err

    # on a terminal it asks; "n" cancels, "y" goes ahead with what was shown
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(builtins, "input", lambda _prompt: "n")
    code, out, _ = run(capsys, "bulk", "approve", "--status", "pending", "--by", "ann@team.test")
    assert code == 0 and "cancelled" in out
    monkeypatch.setattr(builtins, "input", lambda _prompt: "y")
    code, out, _ = run(
        capsys, "bulk", "approve", "--status", "pending", "--by", "ann@team.test", "--json"
    )
    assert code == 0
    result = json.loads(out)
    assert len(result["done"]) == len(pending) - len(escalated)
    assert sorted(i["ticket_id"] for i in result["skipped"]) == sorted(escalated)
    assert {i["reason"] for i in result["skipped"]} <= {"escalated"}

    code, out, _ = run(
        capsys, "bulk", "send", "--status", "approved", "--by", "ann@team.test", "--yes"
    )
    assert code == 0 and out.startswith(f"sent {len(pending) - len(escalated)}")
    outbox = cli_env / "maildir" / "outbox" / "new"
    assert len(list(outbox.iterdir())) == len(pending) - len(escalated)
    code, out, _ = run(capsys, "bulk", "send", "--status", "sent", "--by", "ann@team.test", "--yes")
    assert code == 0 and "nothing to send" in out  # nothing goes out twice

    if escalated:
        code, out, _ = run(
            capsys,
            "bulk",
            "reject",
            *map(str, escalated),
            "--reason",
            "needs a human",
            "--by",
            "ann@team.test",
            "--yes",
        )
        assert code == 0 and out.startswith(f"rejected {len(escalated)}")
    ids = [str(t["id"]) for t in pending[:2]]
    assign = ("bulk", "assign", *ids, "--to", "bob@team.test", "--by", "ann@team.test", "--yes")
    code, out, err = run(capsys, *assign)  # ann is an agent: she may assign only herself
    assert code == 1 and "nothing to assign" in out and "only take unassigned" in err
    assert run(capsys, "users", "set-role", "ann@team.test", "manager")[0] == 0
    code, out, _ = run(capsys, *assign)
    assert code == 0 and out.startswith("assigned 2")
    code, out, _ = run(capsys, "tickets", "--json")
    assert {t["assigned_to_email"] for t in json.loads(out) if str(t["id"]) in ids} == {
        "bob@team.test"
    }


def test_stats_templates_and_scheduler_commands(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pending = _demo(capsys)
    run(capsys, "approve", str(pending[0]["id"]), "--by", "ann@team.test")
    run(capsys, "send")

    code, out, _ = run(capsys, "stats", "--period", "all", "--by", "agent", "--trend", "week")
    assert code == 0 and "first response" in out and "ann" in out and "Per week" in out
    chart = cli_env.parent / "stats.png"
    code, out, err = run(capsys, "stats", "--by", "category", "--json", "--chart", str(chart))
    assert code == 0 and chart.read_bytes().startswith(b"\x89PNG") and "chart written" in err
    figures = json.loads(out)
    assert figures["tickets"] >= 7 and figures["drafts"]["approved"] == 1
    code, out, _ = run(capsys, "stats", "--csv")
    assert code == 0 and out.splitlines()[0] == "section,key,metric,value"

    code, _, err = run(
        capsys,
        "templates",
        "add",
        "thanks",
        "--body",
        "Hi {{ custmer_name }}",
        "--by",
        "ann@team.test",
    )
    assert code == 1 and "custmer_name" in err
    code, out, _ = run(
        capsys,
        "templates",
        "add",
        "thanks",
        "--category",
        "billing",
        "--by",
        "ann@team.test",
        "--body",
        "Hi {{ customer_first_name }}, ticket #{{ ticket_id }} is sorted. {{ agent_name }}",
    )
    assert code == 0 and "[Billing]" in out
    code, out, _ = run(
        capsys,
        "templates",
        "render",
        "thanks",
        "--ticket",
        str(pending[0]["id"]),
        "--agent",
        "ann@team.test",
    )
    assert code == 0 and f"ticket #{pending[0]['id']} is sorted. ann" in out
    code, out, _ = run(
        capsys,
        "templates",
        "edit",
        "thanks",
        "--category",
        "general",
        "--ai-draft",
        "--by",
        "ann@team.test",
    )
    assert code == 0 and "[general]" in out and "AI draft" in out
    code, out, _ = run(capsys, "templates", "list", "--json")
    assert [t["name"] for t in json.loads(out)] == ["thanks"]
    code, out, _ = run(capsys, "templates", "show", "thanks")
    assert code == 0 and "variables: agent_name, customer_first_name, ticket_id" in out
    assert run(capsys, "templates", "delete", "thanks", "--by", "ann@team.test")[0] == 0
    assert run(capsys, "templates", "list")[1].strip() == "no templates"

    code, out, _ = run(capsys, "scheduler", "status")
    assert code == 0 and out.startswith("scheduler: stopped (switch on")
    code, out, _ = run(capsys, "scheduler", "start", "--interval", "45")
    assert code == 0 and "every 45s" in out and "no worker is running" in out
    assert run(capsys, "scheduler", "stop")[0] == 0
    code, out, _ = run(capsys, "scheduler", "status", "--json")
    status = json.loads(out)
    assert status["enabled"] is False and status["interval_seconds"] == 45
    assert status["mailboxes"][0]["interval_seconds"] == 45
    code, _, err = run(capsys, "scheduler", "start", "--interval", "0")
    assert code == 1 and "interval" in err
