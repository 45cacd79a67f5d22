"""The suite-wide secret check (tests/support/leaks.py) sees a secret wherever it shows:
log lines, error messages, HTTP responses, desk's output, Slack calls; lets an API token
show once, where it is issued; and fails the test that leaked. Each test here leaks on
purpose, reads what the check found, and clears it so that it does not fail itself."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from core.access.users import ensure_user
from core.audit import Actor
from core.errors import MailAuthError
from server.wiring import Desk
from tests.support.cli import run
from tests.support.fake_slack import FakeSlack
from tests.support.leaks import REGISTRY, register_secret, seen
from tests.support.mail import make_mail

SECRET = "leak-check-secret-0001"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def found() -> Iterator[list[str]]:
    """What the check found during the test, cleared before the check runs."""
    register_secret(SECRET)
    REGISTRY.findings.clear()
    yield REGISTRY.findings
    REGISTRY.findings.clear()


def test_log_lines_at_every_level_of_ours_and_warnings_of_any(found: list[str]) -> None:
    logging.getLogger("core.inbound.fetch").debug("login with %s", SECRET)
    assert len(found) == 1 and "log core.inbound.fetch DEBUG" in found[0]
    assert SECRET not in found[0]  # the report masks it
    logging.getLogger("some.library").info("chatty %s", SECRET)
    assert len(found) == 1  # a library's INFO is its own business
    logging.getLogger("some.library").warning("careless %s", SECRET)
    try:
        raise ValueError(f"wrapped {SECRET}")
    except ValueError:
        logging.getLogger("server.worker").exception("cycle failed")
    assert len(found) == 3 and "log server.worker ERROR" in found[2]


def test_error_messages_and_their_data(found: list[str]) -> None:
    MailAuthError("the server refused the login")
    assert found == []
    MailAuthError("refused", password=SECRET)
    assert len(found) == 1 and "MailAuthError error" in found[0]


async def test_http_responses_the_tests_receive(found: list[str]) -> None:
    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        kind = b"image/png" if scope["path"] == "/png" else b"application/json"
        await send(
            {"type": "http.response.start", "status": 422, "headers": [(b"content-type", kind)]}
        )
        await send({"type": "http.response.body", "body": f'{{"detail": "{SECRET}"}}'.encode()})

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        await c.get("/png")
        assert found == []  # binary bodies are not searched
        await c.post("/api/v1/things")
    assert len(found) == 1 and "HTTP response 422 to POST /api/v1/things" in found[0]


def test_desk_output(
    found: list[str], cli_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    eml = tmp_path / "leak.eml"
    eml.write_bytes(make_mail(body=f"my password is {SECRET}, please reset it"))
    code, out, _ = run(capsys, "parse", str(eml))
    assert code == 0 and "my password is" in out
    assert len(found) == 1 and "stdout of desk parse" in found[0]


async def test_calls_to_slack(found: list[str], fake_slack: FakeSlack) -> None:
    client = AsyncWebClient(token="xoxb-leak-check", base_url=fake_slack.api_url)
    await client.chat_postMessage(channel="C0LEAK001", text="all fine")
    assert found == []  # the token goes in a header, as to Slack
    await client.chat_postMessage(channel="C0LEAK001", text=f"key: {SECRET}")
    assert len(found) == 1 and "Slack chat.postMessage" in found[0]


async def test_an_api_token_shows_once_where_it_is_issued(desk: Desk, found: list[str]) -> None:
    ann = await ensure_user(desk.sessions, "ann@team.test", role="manager")
    issued = await desk.tokens.create(ann.id, by=Actor(name="cli", source="cli"))
    seen(f"your token: {issued.token}", "the modal that issues it")
    assert found == []
    seen(f"tokens: {issued.token}", "a listing")
    assert len(found) == 1 and "shown a second time" in found[0]
    logging.getLogger("core.access.tokens").info("authenticated %s", issued.token)
    assert len(found) == 2 and "log core.access.tokens INFO" in found[1]


def test_a_leak_fails_the_test_that_made_it(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["tests.support.leaks"]\n')
    (tmp_path / "test_leaky.py").write_text(
        "import logging\n"
        "from tests.support.leaks import register_secret\n"
        "def test_leaky():\n"
        "    register_secret('a-secret-for-the-inner-run')\n"
        "    logging.getLogger('core.x').info('oops a-secret-for-the-inner-run')\n"
        "def test_clean():\n"
        "    logging.getLogger('core.x').info('nothing to see')\n"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            str(tmp_path),
        ],
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "2 passed, 1 error" in done.stdout, done.stdout  # the leaky one errs at teardown
    assert "ERROR at teardown of test_leaky" in done.stdout
    assert "a secret leaked:" in done.stdout and "in log core.x INFO" in done.stdout
