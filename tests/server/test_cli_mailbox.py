"""`desk mailbox list|show|set|remove`: a wrong host or password is fixed from the CLI,
secrets are never shown, and a mailbox that holds tickets is deactivated (not fetched),
not deleted. And mail sent
from the embedded mailbox carries the company's name."""

from __future__ import annotations

import email
import io
import json
import mailbox
from email.utils import parseaddr
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from core.control.mailbox_form import MailboxForm
from core.errors import ValidationError
from core.inbound.mailboxes import FIELD_NAMES, MailboxFields, MailboxSpec
from core.mail.maildir import deliver_to_maildir
from db.models import AuditEvent
from db.session import sync_url
from server.cli import main
from tests.support.cli import run
from tests.support.mail import make_mail

ADD = [
    "mailbox",
    "add",
    "main",
    "--address",
    "Help@X.test",
    "--imap-host",
    "imap.wrong.test",
    "--imap-user",
    "u",
    "--smtp-host",
    "127.0.0.1",
    "--smtp-port",
    "1",
    "--smtp-user",
    "u",
    "--password-env",
    "MAILBOX_PW",
]


@pytest.fixture()
def with_mailbox(
    cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Path:
    assert run(capsys, "migrate")[0] == 0
    monkeypatch.setenv("MAILBOX_PW", "first-secret")
    code, _, err = run(capsys, *ADD)
    assert code == 0, err
    return cli_env


def test_list_and_show_mask_every_secret(
    with_mailbox: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "mailbox", "list", "--json")
    [box] = json.loads(out)
    assert box["name"] == "main" and box["address"] == "help@x.test"
    assert box["imap_host"] == "imap.wrong.test" and box["imap_port"] == 993
    assert box["password"] == "********" and box["smtp_password"] is None
    code, out, _ = run(capsys, "mailbox", "show", "main", "--json")
    assert code == 0 and json.loads(out) == box
    assert set(FIELD_NAMES) <= set(box)
    code, out, _ = run(capsys, "mailbox", "show", "main")
    assert code == 0 and "imap.wrong.test" in out and "********" in out
    code, out, _ = run(capsys, "mailbox", "list")
    assert "main" in out and "imap imap.wrong.test:993 (ssl)" in out and "never fetched" in out
    for out in (
        run(capsys, "mailbox", "list", "--json")[1],
        run(capsys, "mailbox", "show", "main")[1],
    ):
        assert "first-secret" not in out
    code, _, err = run(capsys, "mailbox", "show", "nope")
    assert code == 1 and "no mailbox named 'nope'" in err


def test_set_changes_what_is_given_and_keeps_the_rest(
    with_mailbox: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("second-secret\n"))
    code, out, err = run(
        capsys,
        "mailbox",
        "set",
        "main",
        "--imap-host",
        " imap.right.test ",
        "--imap-port",
        "143",
        "--tls",
        "starttls",
        "--smtp-user",
        "agent",
        "--password-stdin",
        "--by",
        "ann@team.test",
    )
    assert code == 0 and "mailbox main changed" in out and "password" in out, err
    box = json.loads(run(capsys, "mailbox", "show", "main", "--json")[1])
    assert (box["imap_host"], box["imap_port"], box["imap_tls"], box["smtp_tls"]) == (
        "imap.right.test",
        143,
        "starttls",
        "starttls",
    )
    assert box["smtp_user"] == "agent" and box["imap_user"] == "u" and box["smtp_port"] == 1
    # the new password is the one used: the SMTP login on port 1 fails, but gets that far
    code, out, _ = run(capsys, "mailbox", "test", "main")
    assert code == 1 and "IMAP:" in out and "127.0.0.1:1" in out

    monkeypatch.setenv("OTHER_PW", "third-secret")
    code, _, err = run(capsys, "mailbox", "set", "main", "--smtp-password-env", "OTHER_PW")
    assert code == 0, err
    assert json.loads(run(capsys, "mailbox", "show", "main", "--json")[1])["smtp_password"]


def test_set_is_audited_without_the_secret(
    with_mailbox: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
) -> None:
    monkeypatch.setenv("NEW_PW", "fourth-secret")
    assert run(capsys, "mailbox", "set", "main", "--password-env", "NEW_PW")[0] == 0
    engine = create_engine(sync_url(database_url))
    try:
        with Session(engine) as session:
            [event] = session.scalars(
                select(AuditEvent).where(AuditEvent.action == "mailbox.changed")
            ).all()
    finally:
        engine.dispose()
    assert "fourth-secret" not in json.dumps(event.data, default=str)
    assert event.data["password_changed"] is True and event.data["mailbox"] == "main"
    assert (event.actor, event.source) == ("cli", "cli")


def test_add_is_audited_without_the_secret(with_mailbox: Path, database_url: str) -> None:
    engine = create_engine(sync_url(database_url))
    try:
        with Session(engine) as session:
            [event] = session.scalars(
                select(AuditEvent).where(AuditEvent.action == "mailbox.added")
            ).all()
    finally:
        engine.dispose()
    text = json.dumps([event.data, event.changes], default=str)
    assert "first-secret" not in text and "help@x.test" in text
    assert (event.actor, event.source, event.target) == ("cli", "cli", "mailbox:main")


def test_set_refuses_what_is_wrong(
    with_mailbox: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run(capsys, "mailbox", "set", "main", "--imap-port", "70000")
    assert code == 1 and "port 70000 is out of range" in err
    code, _, err = run(capsys, "mailbox", "set", "main", "--address", "not-an-address")
    assert code == 1 and "is not an email address" in err
    code, _, err = run(capsys, "mailbox", "set", "main")
    assert code == 1 and "nothing to change" in err
    code, _, err = run(capsys, "mailbox", "set", "nope", "--imap-host", "x")
    assert code == 1 and "no mailbox named 'nope'" in err
    monkeypatch.delenv("UNSET_PW", raising=False)
    code, _, err = run(capsys, "mailbox", "set", "main", "--password-env", "UNSET_PW")
    assert code == 1 and "no password given" in err
    with pytest.raises(SystemExit) as exc:
        main(["mailbox", "set", "main", "--password", "hunter2"])
    assert exc.value.code == 2
    box = json.loads(run(capsys, "mailbox", "show", "main", "--json")[1])
    assert box["imap_port"] == 993 and box["address"] == "help@x.test"  # nothing half-done


def test_the_embedded_mailbox_changes_only_its_address(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "migrate")[0] == 0
    assert run(capsys, "demo")[0] == 0
    code, _, err = run(capsys, "mailbox", "set", "embedded", "--imap-host", "x.test")
    assert code == 1 and "embedded Maildir inbox" in err
    code, _, err = run(capsys, "mailbox", "set", "embedded", "--address", "Help@Shop.test")
    assert code == 0, err
    assert json.loads(run(capsys, "mailbox", "show", "embedded", "--json")[1])["address"] == (
        "help@shop.test"
    )


def _mailbox_events(database_url: str, prefix: str = "mailbox.") -> list[AuditEvent]:
    engine = create_engine(sync_url(database_url))
    try:
        with Session(engine) as session:
            return list(
                session.scalars(
                    select(AuditEvent)
                    .where(AuditEvent.action.startswith(prefix))
                    .order_by(AuditEvent.id)
                )
            )
    finally:
        engine.dispose()


def test_remove_deactivates_a_mailbox_that_holds_tickets(
    cli_env: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
) -> None:
    assert run(capsys, "migrate")[0] == 0
    assert run(capsys, "demo")[0] == 0
    assert run(capsys, "fetch")[0] == 0
    held = len(json.loads(run(capsys, "tickets", "--json")[1]))
    assert held
    code, out, err = run(capsys, "mailbox", "remove", "embedded", "--by", "ann@team.test")
    assert code == 0, err
    assert f"holds {held} ticket(s)" in out and "deactivated instead of removed" in out
    assert "desk mailbox set embedded --active" in out
    assert len(json.loads(run(capsys, "tickets", "--json")[1])) == held  # all still there
    [box] = json.loads(run(capsys, "mailbox", "list", "--json")[1])
    assert box["name"] == "embedded" and box["active"] is False
    assert json.loads(run(capsys, "mailbox", "show", "embedded", "--json")[1]) == box
    assert "INACTIVE" in run(capsys, "mailbox", "list")[1]
    assert "embedded" in (status := run(capsys, "scheduler", "status")[1])
    assert "INACTIVE (not fetched)" in status
    [shown] = json.loads(run(capsys, "scheduler", "status", "--json")[1])["mailboxes"]
    assert shown["active"] is False and shown["next_fetch_at"] is None
    [event] = _mailbox_events(database_url, "mailbox.deactivated")
    assert (event.target, event.source) == ("mailbox:embedded", "cli")
    assert event.changes == {"active": [True, False]} and event.data["tickets"] == held

    # not fetched while inactive: new mail waits; naming it says how to turn it back on
    deliver_to_maildir(cli_env / "maildir" / "inbox", make_mail(subject="Sent while off"))
    fetched = json.loads(run(capsys, "fetch", "--json")[1])
    assert fetched["mailboxes"] == []
    assert len(json.loads(run(capsys, "tickets", "--json")[1])) == held
    code, _, err = run(capsys, "fetch", "--mailbox", "embedded")
    assert code == 1 and "is inactive" in err and "--active" in err

    # removing it again changes nothing and says so; --json gives the outcome
    code, out, _ = run(capsys, "mailbox", "remove", "embedded", "--json")
    assert code == 0
    assert json.loads(out) == {"name": "embedded", "outcome": "already inactive", "tickets": held}
    assert len(_mailbox_events(database_url, "mailbox.deactivated")) == 1

    code, out, err = run(capsys, "mailbox", "set", "embedded", "--active")
    assert code == 0 and "is now active" in out, err
    assert json.loads(run(capsys, "mailbox", "show", "embedded", "--json")[1])["active"] is True
    [on] = _mailbox_events(database_url, "mailbox.activated")
    assert on.changes == {"active": [False, True]}
    [polled] = json.loads(run(capsys, "fetch", "--json")[1])["mailboxes"]
    assert polled["mailbox"] == "embedded" and polled["stored"] == 1
    assert len(json.loads(run(capsys, "tickets", "--json")[1])) == held + 1
    code, out, _ = run(capsys, "mailbox", "set", "embedded", "--active")
    assert code == 0 and "was already active" in out
    assert len(_mailbox_events(database_url, "mailbox.activated")) == 1
    with pytest.raises(SystemExit) as usage:  # one or the other
        main(["mailbox", "set", "embedded", "--inactive", "--active"])
    assert usage.value.code == 2 and "not allowed with" in capsys.readouterr().err

    # a mailbox no mail came through goes
    monkeypatch.setenv("MAILBOX_PW", "s3cret")
    assert run(capsys, *ADD)[0] == 0
    code, out, err = run(capsys, "mailbox", "remove", "main", "--by", "ann@team.test")
    assert code == 0 and "mailbox main removed" in out, err
    names = [m["name"] for m in json.loads(run(capsys, "mailbox", "list", "--json")[1])]
    assert names == ["embedded"]
    code, _, err = run(capsys, "mailbox", "remove", "main")
    assert code == 1 and "no mailbox named 'main'" in err
    assert run(capsys, *ADD)[0] == 0
    code, out, _ = run(capsys, "mailbox", "remove", "main", "--json")
    assert json.loads(out) == {"name": "main", "outcome": "removed", "tickets": 0}


def test_set_inactive_with_other_changes_does_both(
    with_mailbox: Path, capsys: pytest.CaptureFixture[str], database_url: str
) -> None:
    code, out, err = run(
        capsys, "mailbox", "set", "main", "--imap-host", "imap.right.test", "--inactive"
    )
    assert code == 0 and "mailbox main changed (imap_host)" in out and "is now inactive" in out
    box = json.loads(run(capsys, "mailbox", "show", "main", "--json")[1])
    assert box["imap_host"] == "imap.right.test" and box["active"] is False
    actions = [e.action for e in _mailbox_events(database_url)]
    assert actions == ["mailbox.added", "mailbox.changed", "mailbox.deactivated"]
    code, _, err = run(capsys, "mailbox", "set", "main")
    assert code == 1 and "nothing to change" in err
    code, _, err = run(capsys, "mailbox", "set", "nope", "--active")
    assert code == 1 and "no mailbox named 'nope'" in err


def test_ai_redact_is_on_by_default_and_switched_per_mailbox(
    with_mailbox: Path, capsys: pytest.CaptureFixture[str], database_url: str
) -> None:
    box = json.loads(run(capsys, "mailbox", "show", "main", "--json")[1])
    assert box["ai_redact"] is True
    code, out, err = run(capsys, "mailbox", "set", "main", "--ai-redact", "off")
    assert code == 0, err
    assert "mailbox main is now sending its mail to an external AI provider as written" in out
    assert "changed (" not in out  # nothing else was touched
    box = json.loads(run(capsys, "mailbox", "show", "main", "--json")[1])
    assert box["ai_redact"] is False and box["active"] is True
    assert "was already" in run(capsys, "mailbox", "set", "main", "--ai-redact", "off")[1]
    code, out, _ = run(capsys, "mailbox", "set", "main", "--ai-redact", "on")
    assert code == 0 and "is now redacting personal data" in out
    assert json.loads(run(capsys, "mailbox", "list", "--json")[1])[0]["ai_redact"] is True
    changed = [e for e in _mailbox_events(database_url) if e.action == "mailbox.changed"]
    assert [e.changes for e in changed] == [
        {"ai_redact": [True, False]},
        {"ai_redact": [False, True]},
    ]
    with pytest.raises(SystemExit) as usage:
        run(capsys, "mailbox", "set", "main", "--ai-redact", "maybe")
    assert usage.value.code == 2 and "invalid choice: 'maybe'" in capsys.readouterr().err
    code, _, err = run(capsys, "mailbox", "set", "nope", "--ai-redact", "on")
    assert code == 1 and "no mailbox named 'nope'" in err


def test_the_form_and_the_spec_share_one_definition_of_the_fields() -> None:
    form = MailboxForm(address="help@x.test", imap_host=" imap.x.test ", smtp_host="smtp.x.test")
    assert isinstance(form, MailboxFields)
    assert form.validated() is form  # no password needed to check a form
    with pytest.raises(ValidationError, match="needs a password"):
        form.spec()
    spec = MailboxForm(
        address="help@x.test",
        imap_host=" imap.x.test ",
        smtp_host="smtp.x.test",
        imap_password="pw",
    ).spec()
    assert isinstance(spec, MailboxSpec) and spec.imap_host == "imap.x.test"
    assert spec.connection() == {**form.connection(), "imap_host": "imap.x.test"}
    for bad, message in (
        ({"imap_host": " "}, "the IMAP host is empty"),
        ({"smtp_port": 0}, "port 0 is out of range"),
        ({"imap_tls": "tls1.0"}, "tls must be one of"),
    ):
        fields = {**form.connection(), **bad}
        with pytest.raises(ValidationError, match=message):
            MailboxForm(**fields).validated()  # type: ignore[arg-type]
        with pytest.raises(ValidationError, match=message):
            MailboxSpec(**fields, password="pw").validated()  # type: ignore[arg-type]


def test_embedded_mail_is_from_the_company_not_the_mailbox(
    cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DESK_COMPANY_NAME", "Acme Widgets")
    assert run(capsys, "migrate")[0] == 0
    assert run(capsys, "demo")[0] == 0
    assert run(capsys, "fetch")[0] == 0
    tickets = json.loads(run(capsys, "tickets", "--status", "pending", "--json")[1])
    assert run(capsys, "approve", str(tickets[0]["id"]), "--by", "ann@team.test")[0] == 0
    assert json.loads(run(capsys, "send", "--json")[1])["sent"] == 1
    [sent] = list(mailbox.Maildir(cli_env / "maildir" / "outbox", create=False))
    name, address = parseaddr(str(email.message_from_bytes(sent.as_bytes())["From"]))
    assert name == "Acme Widgets" and address == "support@desk.local"
    shown = json.loads(run(capsys, "show", str(tickets[0]["id"]), "--json")[1])
    assert shown["messages"][-1]["direction"] == "out"
