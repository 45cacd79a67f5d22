"""`desk escalation`: the VIP list and the refund limit from the shell, and a VIP's mail
escalated with its reason in `desk show --json`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.mail.maildir import deliver_to_maildir
from tests.support.cli import run
from tests.support.mail import make_mail


def test_a_vip_added_from_the_shell_escalates_their_next_mail(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "migrate")[0] == 0
    assert run(capsys, "demo")[0] == 0  # the embedded mailbox, with the sample mail
    code, out, err = run(capsys, "escalation", "vip", "add", "@Acme.com", "--by", "ann@team.test")
    assert code == 0 and out == "acme.com added to the VIP list\n", err
    code, out, _ = run(capsys, "escalation", "vip", "add", "acme.com", "--json")
    assert json.loads(out) == {"entry": "acme.com", "added": False, "vip": ["acme.com"]}
    code, out, _ = run(capsys, "escalation", "vip", "add", "boss@example.org")
    assert code == 0
    code, out, _ = run(capsys, "escalation", "vip", "list", "--json")
    assert json.loads(out) == ["acme.com", "boss@example.org"]

    deliver_to_maildir(
        cli_env / "maildir" / "inbox",
        make_mail(sender="Jo <jo@acme.com>", subject="Export", body="The export is empty."),
    )
    assert run(capsys, "fetch")[0] == 0
    tickets = json.loads(run(capsys, "tickets", "--json")[1])
    [ticket] = [t for t in tickets if t["sender_email"] == "jo@acme.com"]
    # the sample mail (none from a VIP, none asking for a person) is not escalated by a rule
    assert not any("VIP" in (t["escalation_reason"] or "") for t in tickets if t != ticket)
    code, out, _ = run(capsys, "show", str(ticket["id"]), "--json")
    shown = json.loads(out)
    assert shown["escalation_required"] is True
    assert "VIP sender (domain acme.com)" in shown["escalation_reason"]
    assert "VIP sender (domain acme.com)" in shown["drafts"][0]["escalation_reason"]
    code, out, _ = run(capsys, "show", str(ticket["id"]))
    assert "ESCALATE: " in out and "VIP sender (domain acme.com)" in out

    code, out, _ = run(capsys, "escalation", "vip", "remove", "boss@example.org", "--json")
    assert json.loads(out) == {"entry": "boss@example.org", "removed": True, "vip": ["acme.com"]}
    code, out, _ = run(capsys, "escalation", "limit", "1,000", "--json")
    assert code == 0 and json.loads(out) == {"refund_limit": "1000"}
    code, out, _ = run(capsys, "escalation", "show", "--json")
    shown = json.loads(out)
    assert shown["refund_limit"] == "1000" and shown["vip"] == ["acme.com"]
    assert "asks_for_human" in shown["rules"] and "vip_sender" in shown["rules"]
    code, out, _ = run(capsys, "escalation", "show")
    assert "refund limit: 1000" in out and "acme.com" in out


def test_bad_entries_and_limits_are_one_line_exit_1(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "migrate")[0] == 0
    code, _, err = run(capsys, "escalation", "vip", "add", "not a domain")
    assert code == 1 and "not an email address or a domain" in err
    assert len(err.strip().splitlines()) == 1
    code, _, err = run(capsys, "escalation", "vip", "remove", "acme.com")
    assert code == 1 and "acme.com is not on the VIP list" in err
    code, _, err = run(capsys, "escalation", "limit", "lots")
    assert code == 1 and "refund limit must be a number" in err
    code, out, _ = run(capsys, "escalation", "vip", "list")
    assert out == "no VIP senders\n"
