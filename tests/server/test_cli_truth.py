"""The `desk` command tells the truth: its version, exit codes that keep the contract, one
line for any input (never a traceback), hints that match the fault, and customer text that
cannot drive the agent's terminal."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.mail.maildir import deliver_to_maildir
from server.cli import main
from server.cli.common import terminal
from tests.support.cli import run
from tests.support.mail import make_mail

ROOT = Path(__file__).resolve().parents[2]
HOSTILE_SUBJECT = "Refund\x1b[2J\x1b]0;pwned\x07 now\u202e"


def _usage(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Run ``argv``, expecting bad usage: exit 2 and one line on stderr."""
    with pytest.raises(SystemExit) as exc:
        main(argv)
    err = capsys.readouterr().err
    assert exc.value.code == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    return err


def test_version_prints_the_package_version_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out == f"desk {version('ai-support-desk')}\n"


def test_version_as_a_process(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "server.cli", "--version"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and done.stdout.startswith("desk "), done.stderr
    assert done.stdout.split()[1][0].isdigit()


def test_bad_usage_is_exit_2_in_one_line(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "migrate")[0] == 0
    err = _usage(["tickets", "--status", "sideways"], capsys)
    assert "invalid choice: 'sideways'" in err and "pending" in err
    err = _usage(["bulk", "approve", "--status", "sideways", "--by", "a@b.test"], capsys)
    assert "invalid choice: 'sideways'" in err
    for argv in (
        ["show", "abc"],
        ["show", "0"],
        ["show", "-5"],
        ["approve", "1.5", "--by", "a@b.c"],
    ):
        assert "is not an id" in _usage(argv, capsys)
    err = _usage(["show", "99999999999999999999"], capsys)
    assert "ids run from 1 to 2147483647" in err
    assert "is not an id" in _usage(
        ["reject", "99999999999999999999", "--by", "a@b.c", "--reason", "x"], capsys
    )
    assert "invalid choice" in _usage(["no-such-command"], capsys)
    big = "99999999999999999999"
    assert "out of range" in _usage(["tickets", "--offset", big], capsys)
    assert "is not an id" in _usage(["bulk", "approve", big, "--by", "a@b.test"], capsys)
    assert "is not an id" in _usage(["templates", "render", "x", "--ticket", big], capsys)
    # a number only the database can refuse (a template is named by id or name): one line
    code, _, err = run(capsys, "templates", "show", big)
    assert code == 1 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    # the largest id there can be is merely not found: exit 1, one line
    code, _, err = run(capsys, "show", "2147483647")
    assert code == 1 and err.strip() == "desk: ticket 2147483647 not found"


def test_the_migrate_hint_only_when_the_schema_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    code, _, err = run(capsys, "tickets")
    assert code == 1 and "no desk schema" in err and "run `desk migrate`" in err
    # a refused connection is not a missing schema
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    monkeypatch.setenv("DATABASE_URL", f"postgresql://desk@127.0.0.1:{closed_port}/desk")
    code, _, err = run(capsys, "tickets", "--json")
    assert code == 1 and "cannot reach the database" in err, err
    assert "migrate" not in err and len(err.strip().splitlines()) == 1


def test_migrate_says_what_it_did(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'fresh.db'}")
    code, out, _ = run(capsys, "migrate")
    assert code == 0 and out.startswith("created the desk schema at revision ")
    revision = out.split()[-1]
    code, out, _ = run(capsys, "migrate")
    assert code == 0 and out == f"the database is already at revision {revision} (up to date)\n"


def test_a_search_the_database_refuses_is_not_blamed_on_migrations(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "migrate")[0] == 0
    code, out, err = run(capsys, "tickets", "--q", "x" * 200_000, "--json")
    if code == 0:  # this database takes it
        assert json.loads(out) == []
    else:
        assert code == 1 and "migrate" not in err and len(err.strip().splitlines()) == 1


@pytest.fixture()
def taken_port() -> Iterator[int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield s.getsockname()[1]


def test_web_on_a_taken_port_says_so_and_exits_1(
    cli_env: Path, capsys: pytest.CaptureFixture[str], taken_port: int
) -> None:
    assert run(capsys, "migrate")[0] == 0
    code, _, err = run(capsys, "web", "--port", str(taken_port))
    assert code == 1
    assert err.strip().splitlines() == [
        f"desk: cannot listen on 127.0.0.1:{taken_port}: Address already in use "
        "(another process listens there: stop it or pass --port)"
    ]


def test_run_on_a_taken_port_starts_nothing(
    cli_env: Path, capsys: pytest.CaptureFixture[str], taken_port: int
) -> None:
    code, _, err = run(capsys, "run", "--port", str(taken_port))
    assert code == 1 and f"cannot listen on 127.0.0.1:{taken_port}" in err
    assert "Traceback" not in err


def test_an_unexpected_error_is_one_line(
    cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(capsys, "migrate")[0] == 0

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the reader fell over\nwith a second line")

    monkeypatch.setattr("db.lite.LiteReader.rows", broken)  # what `desk tickets` reads with
    code, _, err = run(capsys, "tickets")
    assert code == 1 and "Traceback" not in err
    assert err.strip().splitlines() == [
        "desk: unexpected error (RuntimeError): the reader fell over with a second line "
        "(-v shows where)"
    ]
    code, _, err = run(capsys, "-v", "tickets")
    assert code == 1 and "Traceback" in err  # asked for


def test_terminal_escapes_controls_and_keeps_lines_where_asked() -> None:
    assert terminal("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert terminal("one\ntwo\tthree") == "one\\x0atwo\\x09three"
    assert terminal("one\ntwo\tthree\r\x07", lines=True) == "one\ntwo\tthree\\x0d\\x07"
    assert terminal("\u202eevil\x9b") == "\\u202eevil\\x9b"
    assert terminal("Jürgen für 129,00 €") == "Jürgen für 129,00 €"
    assert terminal(None) == ""


def test_customer_text_cannot_drive_the_terminal_but_json_stays_exact(
    cli_env: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert run(capsys, "migrate")[0] == 0
    assert run(capsys, "demo")[0] == 0
    raw = make_mail(
        sender="Eve \x1b[31mRed <eve@example.com>",
        subject=HOSTILE_SUBJECT,
        body="Line one\x1b[2J\n\tindented line two\n",
    )
    deliver_to_maildir(cli_env / "maildir" / "inbox", raw)
    assert run(capsys, "fetch")[0] == 0

    code, out, _ = run(capsys, "tickets", "--json")
    [eve] = [t for t in json.loads(out) if t["sender_email"] == "eve@example.com"]
    assert "\x1b[2J" in eve["subject"]  # stored and printed as JSON exactly

    code, out, _ = run(capsys, "tickets")
    assert code == 0 and "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "Refund\\x1b[2J" in out
    assert all(line.count("  ") for line in out.splitlines())  # still one row per ticket

    code, out, _ = run(capsys, "show", str(eve["id"]))
    assert code == 0 and "\x1b" not in out and "\u202e" not in out
    assert "Line one\\x1b[2J\n\tindented line two" in out  # the body keeps its lines

    code, out, _ = run(capsys, "show", str(eve["id"]), "--json")
    assert "\x1b[2J" in json.loads(out)["messages"][0]["text"]

    eml = tmp_path / "hostile.eml"
    eml.write_bytes(raw)
    code, out, _ = run(capsys, "parse", str(eml))
    assert code == 0 and "\x1b" not in out and "Subject:     Refund\\x1b[2J" in out
    assert "Line one\\x1b[2J\n\tindented line two" in out
    code, out, _ = run(capsys, "parse", str(eml), "--json")
    assert json.loads(out)["subject"] == HOSTILE_SUBJECT
