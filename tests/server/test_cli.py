"""The `desk` command end to end on the embedded defaults (Maildir in, outbox out)."""

from __future__ import annotations

import io
import json
import mailbox
from pathlib import Path

import pytest

from core.mail.maildir import deliver_to_maildir
from server.cli import main
from tests.support.cli import run
from tests.support.mail import make_dsn


def test_embedded_flow_from_demo_mail_to_outbox(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "migrate")[0] == 0
    code, out, _ = run(capsys, "demo")
    assert code == 0 and "sample messages" in out
    code, out, err = run(capsys, "fetch", "--json")
    assert code == 0, err
    fetched = json.loads(out)
    [box] = fetched["mailboxes"]
    assert box["stored"] == 8 and box["threaded"] == 1 and box["noise"] == 1
    assert fetched["triage"]["drafted"] >= 6

    code, out, _ = run(capsys, "tickets", "--json")
    tickets = json.loads(out)
    seed_fields = {
        "id",
        "sender_email",
        "subject",
        "received_at",
        "category",
        "urgency",
        "summary",
        "fix_steps",
        "draft_response",
        "approval_status",
        "approved_by",
        "approved_at",
        "sent_at",
        "thread_id",
        "message_id",
        "assigned_to",
        "ai_processed",
        "escalation_required",
    }
    assert tickets and all(seed_fields <= set(t) for t in tickets)
    billing = next(t for t in tickets if t["sender_email"] == "maria.lopez@example.com")
    assert billing["approval_status"] == "pending"

    code, out, _ = run(capsys, "show", str(billing["id"]), "--json")
    shown = json.loads(out)
    assert [m["direction"] for m in shown["messages"]] == ["in", "in"]  # the follow-up threaded in
    assert all({"direction", "from", "date", "text"} <= set(m) for m in shown["messages"])

    german = next(t for t in tickets if t["sender_email"] == "juergen@example.de")
    assert "Jürgen" in german["sender_name"] and "für" in german["subject"]
    code, out, _ = run(capsys, "show", str(german["id"]), "--json")
    assert "129,00 €" in json.loads(out)["messages"][0]["text"]

    code, out, _ = run(
        capsys,
        "edit",
        str(billing["id"]),
        "--by",
        "ann@team.test",
        "--text",
        "We are on it, Maria.",
    )
    assert code == 0 and "version 2" in out
    code, out, err = run(capsys, "approve", str(billing["id"]), "--by", "ann@team.test")
    assert code == 0, err
    code, out, err = run(capsys, "approve", str(billing["id"]), "--by", "ben@team.test")
    assert code == 1 and "already approved by ann@team.test" in err
    code, out, err = run(capsys, "send", "--json")
    assert code == 0 and json.loads(out)["sent"] == 1
    sent = list(mailbox.Maildir(cli_env / "maildir" / "outbox", create=False))
    assert len(sent) == 1 and sent[0]["To"] == "maria.lopez@example.com"
    assert sent[0]["In-Reply-To"] == "<demo-billing-2@example.com>"
    assert "We are on it, Maria." in sent[0].get_payload(decode=True).decode()

    code, out, _ = run(capsys, "tickets", "--status", "sent", "--json")
    assert [t["id"] for t in json.loads(out)] == [billing["id"]]
    # a second fetch finds nothing new
    code, out, _ = run(capsys, "fetch", "--json")
    assert json.loads(out)["mailboxes"][0]["fetched"] == 0


def test_a_bounced_customer_is_cleared_and_the_reply_retried(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "migrate")[0] == 0
    assert run(capsys, "demo")[0] == 0
    assert run(capsys, "fetch")[0] == 0
    tickets = json.loads(run(capsys, "tickets", "--json")[1])
    maria = next(t for t in tickets if t["sender_email"] == "maria.lopez@example.com")
    # her mail server says the address is gone
    deliver_to_maildir(cli_env / "maildir" / "inbox", make_dsn("maria.lopez@example.com"))
    code, out, err = run(capsys, "fetch", "--json")
    assert code == 0 and json.loads(out)["mailboxes"][0]["bounces"] == 1, err
    code, out, _ = run(capsys, "recipients", "list", "--json")
    [marked] = json.loads(out)
    assert marked["email"] == "maria.lopez@example.com" and "5.1.1" in marked["reason"]

    assert run(capsys, "approve", str(maria["id"]), "--by", "ann@team.test")[0] == 0
    code, out, _ = run(capsys, "send", "--json")
    assert json.loads(out)["failed"] == 1  # refused: the address is marked
    code, out, err = run(
        capsys, "recipients", "clear", "MARIA.lopez@example.com", "--by", "ann@team.test"
    )
    assert code == 0 and "may be mailed again" in out, err
    code, _, err = run(
        capsys, "recipients", "clear", "maria.lopez@example.com", "--by", "ann@team.test"
    )
    assert code == 1 and "not marked undeliverable" in err
    assert "no address" in run(capsys, "recipients", "list")[1]
    code, out, err = run(capsys, "retry", str(maria["id"]), "--by", "ann@team.test")
    assert code == 0 and "queued again" in out, err
    code, out, _ = run(capsys, "send", "--json")
    assert json.loads(out)["sent"] == 1
    assert len(list(mailbox.Maildir(cli_env / "maildir" / "outbox", create=False))) == 1


def test_usage_and_failure_exit_codes(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "migrate")[0] == 0
    with pytest.raises(SystemExit) as exc:
        main(["tickets", "--sort", "sideways"])
    assert exc.value.code == 2
    code, _, err = run(capsys, "show", "999")
    assert code == 1 and "ticket 999 not found" in err
    code, _, err = run(capsys, "tickets", "--urgency", "extreme")
    assert code == 1 and "unknown urgency" in err
    code, _, err = run(capsys, "reject", "1", "--by", "not-an-email", "--reason", "x")
    assert code == 1
    code, _, err = run(
        capsys, "edit", "1", "--by", "a@b.test", "--file", str(cli_env / "missing.txt")
    )
    assert code == 1 and "cannot read" in err


def test_unmigrated_database_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    code, _, err = run(capsys, "tickets")
    assert code == 1 and "desk migrate" in err


def test_mailbox_add_never_takes_a_password_argument(
    cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(capsys, "migrate")[0] == 0
    base = [
        "mailbox",
        "add",
        "main",
        "--address",
        "help@x.test",
        "--imap-host",
        "127.0.0.1",
        "--imap-port",
        "1",
        "--imap-user",
        "u",
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        "1",
        "--smtp-user",
        "u",
        "--tls",
        "none",
    ]
    with pytest.raises(SystemExit) as exc:
        main([*base, "--password", "hunter2"])
    assert exc.value.code == 2
    monkeypatch.setenv("MAILBOX_PW", "s3cret")
    code, out, err = run(capsys, *base, "--password-env", "MAILBOX_PW")
    assert code == 0, err
    code, out, err = run(capsys, "mailbox", "test", "main")
    assert code == 1 and "IMAP:" in out and "127.0.0.1:1" in out


def test_template_text_from_a_file_or_stdin(
    cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(capsys, "migrate")[0] == 0
    body = cli_env.parent / "welcome.txt"
    body.write_text("Hello {{ customer_name }}, thanks for writing.", encoding="utf-8")
    code, out, err = run(
        capsys, "templates", "add", "welcome", "--by", "a@b.test", "--file", str(body)
    )
    assert code == 0 and "created" in out, err
    monkeypatch.setattr("sys.stdin", io.StringIO("Hi {{ customer_name }}!"))
    code, out, err = run(capsys, "templates", "edit", "welcome", "--by", "a@b.test", "--file", "-")
    assert code == 0, err
    code, out, _ = run(capsys, "templates", "show", "welcome", "--json")
    assert json.loads(out)["body"] == "Hi {{ customer_name }}!"
    missing = str(cli_env / "missing.txt")
    code, _, err = run(capsys, "templates", "add", "x", "--by", "a@b.test", "--file", missing)
    assert code == 1 and "cannot read" in err
    code, _, err = run(
        capsys, "templates", "edit", "welcome", "--by", "a@b.test", "--file", missing
    )
    assert code == 1 and "cannot read" in err


def test_a_bad_setting_is_named_not_a_traceback(
    cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(capsys, "migrate")[0] == 0
    monkeypatch.setenv("SLACK_TRIAGE_CHANNEL", "#support")
    # refused before it listens (were it to listen, the bad host would fail it, not hang it)
    code, _, err = run(capsys, "web", "--host", "256.0.0.1")
    assert code == 1 and "configuration error: SLACK_TRIAGE_CHANNEL" in err
    assert "not a channel id" in err and "Traceback" not in err
    monkeypatch.delenv("SLACK_TRIAGE_CHANNEL")
    monkeypatch.setenv("DESK_PARSE_WORKERS", "many")
    code, _, err = run(capsys, "tickets")
    assert code == 1 and "configuration error: DESK_PARSE_WORKERS" in err


def test_decisions_from_the_shell_follow_the_user_s_role(
    cli_env: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.server.test_cli_users import audit

    assert run(capsys, "migrate")[0] == 0
    assert run(capsys, "demo")[0] == 0
    assert run(capsys, "fetch")[0] == 0
    pending = json.loads(run(capsys, "tickets", "--status", "pending", "--json")[1])
    first, second, third = (str(t["id"]) for t in pending[:3])
    assert run(capsys, "users", "add", "mia@team.test", "--role", "manager")[0] == 0
    code, out, err = run(
        capsys, "bulk", "assign", first, second, "--to", "bob@team.test", "--by", "mia@team.test",
        "--yes",
    )  # fmt: skip
    assert code == 0 and out.startswith("assigned 2"), err

    # ann (an agent on first use) may not decide bob's tickets; each refusal says why
    for argv in (
        ["approve", first],
        ["reject", first, "--reason", "no"],
        ["edit", first, "--text", "mine now"],
        ["retry", first],
    ):
        code, out, err = run(capsys, *argv, "--by", "ann@team.test")
        assert code == 1 and out == "", argv
        assert f"ticket {first} is assigned to bob@team.test" in err, argv
    code, out, err = run(capsys, "bulk", "approve", first, third, "--by", "ann@team.test", "--yes")
    assert code == 1 and out.startswith("approved 1"), err
    assert f"ticket {first}: ticket {first} is assigned to bob@team.test" in err
    assert run(capsys, "approve", first, "--by", "bob@team.test")[0] == 0
    assert run(capsys, "approve", second, "--by", "mia@team.test")[0] == 0  # a manager may

    # a deactivated user is refused everything at once
    assert run(capsys, "users", "deactivate", "bob@team.test")[0] == 0
    pending = json.loads(run(capsys, "tickets", "--status", "pending", "--json")[1])
    free = str(pending[0]["id"])
    for argv in (
        ["reject", free, "--reason", "no"],
        ["bulk", "reject", free, "--reason", "no", "--yes"],
    ):
        code, out, err = run(capsys, *argv, "--by", "bob@team.test")
        assert code == 1 and "bob@team.test is not an active desk user" in err, argv
    approvals = [e for e in audit(database_url, "draft.") if e[0] == "draft.approved"]
    assert {(who, source) for _, source, who, _ in approvals} >= {
        ("bob@team.test", "cli"),
        ("mia@team.test", "cli"),
    }
    assert all(source == "cli" for _, source, _, _ in approvals)
