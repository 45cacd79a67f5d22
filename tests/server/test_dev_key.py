"""The processes refuse the public development key unless the whole desk is embedded: each
is run for real (``desk web``, ``desk worker``, ``desk run``, the Procfile's gunicorn) as a
subprocess without ``DESK_SECRET_KEY``, and must exit 1 at once with one line saying how to
make a key, before it listens or reaches the database. The embedded setup, and any setup
with a key, gets past the check (shown by stopping them at the next step: a taken port)."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from core.inbound.mailboxes import MailboxSpec
from server.wiring import Desk

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
MAKE_KEY = 'set DESK_SECRET_KEY (make one: python -c "from cryptography.fernet import Fernet;'
# nothing listens on port 9 (discard) here: a process that tried to connect would say so
UNREACHABLE_PG = "postgresql://desk@127.0.0.1:9/desk"


def desk(
    *argv: str, cwd: Path, database_url: str, timeout: float = 60, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run ``desk ARGV`` in a clean environment: no .env, no key unless ``env`` has one."""
    base = {
        "PYTHONPATH": str(ROOT),
        "PATH": f"{BIN}:/usr/bin:/bin",
        "HOME": str(cwd),
        "DATABASE_URL": database_url,
        "DESK_DATA_DIR": str(cwd / "data"),
    }
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *argv],
        cwd=cwd,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def refused(done: subprocess.CompletedProcess[str], words: str) -> str:
    """Exit 1, nothing on stdout, one line on stderr naming ``words`` and the way out."""
    assert done.returncode == 1, (done.returncode, done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert lines[0].startswith("desk: ") and words in lines[0] and MAKE_KEY in lines[0], lines
    assert done.stdout == ""
    return lines[0]


@pytest.fixture()
def taken_port() -> Iterator[int]:
    """A port something already listens on: a process that passes the key check stops
    there with "cannot listen", instead of serving for ever."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield s.getsockname()[1]


def sqlite_only(database_url: str) -> None:
    if make_url(database_url).get_backend_name() != "sqlite":
        pytest.skip("the embedded setup is SQLite")


def test_web_on_a_public_address_refuses_the_dev_key(database_url: str, tmp_path: Path) -> None:
    for host in ("0.0.0.0", "::", "192.0.2.10"):
        line = refused(
            desk("web", "--host", host, cwd=tmp_path, database_url=database_url),
            f"refusing to listen on {host} with the public development key",
        )
        assert "server database" not in line  # the address is the first reason given
    # DESK_HOST says the same as --host
    refused(
        desk("web", cwd=tmp_path, database_url=database_url, DESK_HOST="0.0.0.0"),
        "listen on 0.0.0.0",
    )
    # an empty key is no key
    refused(
        desk(
            "web", "--host", "0.0.0.0", cwd=tmp_path, database_url=database_url, DESK_SECRET_KEY=""
        ),
        "listen on 0.0.0.0",
    )


@pytest.mark.parametrize("command", ["web", "worker"])
def test_a_server_database_refuses_the_dev_key_before_it_is_reached(
    command: str, tmp_path: Path
) -> None:
    done = desk(command, cwd=tmp_path, database_url=UNREACHABLE_PG, timeout=30)
    line = refused(done, "refusing to use the public development key with a server database")
    assert "cannot reach the database" not in line


def test_worker_and_web_on_the_test_postgresql_refuse_the_dev_key(
    database_url: str, tmp_path: Path
) -> None:
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("runs with TEST_DATABASE_URL")
    refused(desk("worker", cwd=tmp_path, database_url=database_url), "server database")
    refused(
        desk("web", "--host", "0.0.0.0", cwd=tmp_path, database_url=database_url),
        "listen on 0.0.0.0",
    )


async def test_an_imap_mailbox_refuses_the_dev_key(
    desk_with_imap: Desk, database_url: str, tmp_path: Path
) -> None:
    sqlite_only(database_url)
    done = await asyncio.to_thread(desk, "worker", cwd=tmp_path, database_url=database_url)
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    # the one warning that the development key is in use, then the refusal
    assert "Traceback" not in done.stderr and len(lines) <= 2, lines
    assert "refusing to use the public development key with an IMAP mailbox" in lines[-1]
    assert MAKE_KEY in lines[-1]


@pytest.fixture()
async def desk_with_imap(desk: Desk) -> Desk:
    await desk.mailboxes.add(
        MailboxSpec(
            name="support",
            address="support@desk.test",
            imap_host="imap.desk.test",
            imap_user="support",
            smtp_host="smtp.desk.test",
            password="not-used-here",
        )
    )
    return desk


def test_run_on_a_public_address_refuses_the_dev_key(database_url: str, tmp_path: Path) -> None:
    sqlite_only(database_url)
    done = desk("run", "--host", "0.0.0.0", cwd=tmp_path, database_url=database_url)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    # `desk run` says what it starts before it checks; the refusal is its last line
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("desk: refusing to listen on 0.0.0.0") and MAKE_KEY in last


def test_old_keys_without_a_new_key_are_refused(database_url: str, tmp_path: Path) -> None:
    sqlite_only(database_url)
    done = desk("worker", cwd=tmp_path, database_url=database_url, DESK_SECRET_KEY_OLD="k-old-1")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        "desk: DESK_SECRET_KEY_OLD is set but DESK_SECRET_KEY is not: set the new key too "
        "(the old keys only open what they sealed)"
    )


def test_the_embedded_setup_and_a_real_key_pass_the_check(
    database_url: str, tmp_path: Path, taken_port: int
) -> None:
    port = str(taken_port)
    checks: list[tuple[str, dict[str, str]]] = [
        ("0.0.0.0", {"DESK_SECRET_KEY": "a-real-key-for-this-test"})
    ]
    if make_url(database_url).get_backend_name() == "sqlite":  # embedded: loopback, no IMAP
        checks.append(("127.0.0.1", {}))
    for host, env in checks:
        done = desk(
            "web", "--host", host, "--port", port, cwd=tmp_path, database_url=database_url, **env
        )
        assert done.returncode == 1, done.stderr
        assert "development key" not in done.stderr.splitlines()[-1], done.stderr
        assert "cannot listen on" in done.stderr and "another process listens there" in done.stderr


def test_gunicorn_refuses_the_dev_key(database_url: str, tmp_path: Path) -> None:
    gunicorn = BIN / "gunicorn"
    if not gunicorn.exists():
        pytest.skip("gunicorn is not installed")
    env = {
        "PYTHONPATH": str(ROOT),
        "PATH": f"{BIN}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DATABASE_URL": database_url,
        "DESK_DATA_DIR": str(tmp_path / "data"),
    }
    done = subprocess.run(
        [
            str(gunicorn),
            "server.asgi:app",
            "-k",
            "uvicorn.workers.UvicornWorker",
            "--bind",
            "127.0.0.1:0",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 3  # gunicorn stops: the worker failed to boot, not respawned
    ours = [line for line in done.stderr.splitlines() if line.startswith("desk: ")]
    assert len(ours) == 1 and "Traceback" not in done.stderr, done.stderr
    assert ours[0].startswith("desk: refusing to listen on 0.0.0.0 with the public development")
    assert MAKE_KEY in ours[0] and "Worker failed to boot" in done.stderr
