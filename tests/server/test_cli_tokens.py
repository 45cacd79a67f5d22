"""`desk tokens`: create prints the token once (and nothing else on stdout), list never
shows it, revoke stops it at once; bad requests are refused naming what is wrong; the
audit trail says cli."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from pathlib import Path

import pytest

from core.access.tokens import TokenService
from core.errors import InvalidToken
from core.secrets import SecretBox
from db.session import create_engine, create_session_factory
from tests.server.test_cli_users import audit
from tests.support.cli import run


def authenticate(database_url: str, token: str) -> str | None:
    """The token's owner's role at this moment, as the API would see it."""

    async def check() -> str | None:
        engine = create_engine(database_url)
        try:
            tokens = TokenService(create_session_factory(engine), SecretBox("cli-test-key"))
            return (await tokens.authenticate(token)).role
        finally:
            await engine.dispose()

    return asyncio.run(check())


def test_create_list_revoke(
    cli_env: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "migrate")[0] == 0
    assert run(capsys, "users", "add", "root@team.test", "--role", "admin")[0] == 0
    assert run(capsys, "users", "add", "ann@team.test", "--role", "manager")[0] == 0

    code, out, err = run(
        capsys,
        "tokens",
        "create",
        "--user",
        "ann@team.test",
        "--scope",
        "write,read",
        "--expires",
        "30d",
        "--name",
        "ci",
        "--json",
    )
    assert code == 0, err
    made = json.loads(out)
    assert {"id", "token", "scopes", "expires_at", "user", "kind", "name"} <= set(made)
    assert (made["scopes"], made["user"], made["kind"], made["name"]) == (
        ["read", "write"],
        "ann@team.test",
        "personal",
        "ci",
    )
    lifetime = datetime.fromisoformat(made["expires_at"]) - datetime.fromisoformat(
        made["created_at"]
    )
    assert lifetime.days == 30
    assert authenticate(database_url, made["token"]) == "manager"

    # text mode: the token alone on stdout (for `TOKEN=$(desk tokens create ...)`)
    code, out, err = run(
        capsys, "tokens", "create", "--user", "root@team.test", "--service", "--name", "zapier"
    )
    assert code == 0 and out.count("\n") == 1 and out.startswith("desk_")
    assert "shown only now" in err
    service = out.strip()
    assert authenticate(database_url, service) == "admin"

    code, out, _ = run(capsys, "tokens", "list", "--json")
    listed = json.loads(out)
    assert [(t["id"], t["kind"]) for t in listed] == [(made["id"], "personal"), (2, "service")]
    assert all("token" not in t for t in listed)
    code, out, _ = run(capsys, "tokens", "list")
    assert made["token"] not in out and service not in out
    assert out.count(" active ") == 2
    secret = made["token"].split("_", 2)[2]
    assert secret not in out
    code, out, _ = run(capsys, "tokens", "list", "--user", "root@team.test", "--json")
    assert [t["name"] for t in json.loads(out)] == ["zapier"]

    code, out, _ = run(capsys, "tokens", "revoke", str(made["id"]))
    assert code == 0 and out.strip() == f"token {made['id']} of ann@team.test is revoked"
    with pytest.raises(InvalidToken, match="revoked"):
        authenticate(database_url, made["token"])
    code, out, _ = run(capsys, "tokens", "revoke", str(made["id"]), "--json")
    assert code == 0 and json.loads(out)["revoked_at"] is not None
    code, out, _ = run(capsys, "tokens", "revoke", str(made["id"]))
    assert code == 0 and "revoked already" in out
    assert " revoked " in run(capsys, "tokens", "list")[1]

    # deactivating the owner stops their token at the next request
    assert run(capsys, "users", "deactivate", "root@team.test")[0] == 1  # the last admin
    assert run(capsys, "users", "set-role", "ann@team.test", "admin")[0] == 0
    assert run(capsys, "users", "deactivate", "root@team.test")[0] == 0
    with pytest.raises(InvalidToken, match="not an active desk user"):
        authenticate(database_url, service)

    trail = audit(database_url, "token_")
    assert [(a, s) for a, s, _, _ in trail] == [
        ("token_created", "cli"),
        ("token_created", "cli"),
        ("token_revoked", "cli"),
    ]
    assert all(
        made["token"] not in json.dumps(d) and service not in json.dumps(d) for *_, d in trail
    )


def test_bad_requests_are_refused(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "migrate")[0] == 0
    assert run(capsys, "users", "add", "cat@team.test", "--role", "agent")[0] == 0
    for argv, says in (
        (["--user", "nobody@team.test"], "desk users add"),
        (["--user", "cat@team.test", "--scope", "read,root"], "unknown scope root"),
        (["--user", "cat@team.test", "--expires", "400d"], "365 days"),
        (["--user", "cat@team.test", "--expires", "soon"], "not a duration"),
        (["--user", "cat@team.test", "--service", "--name", "x"], "owned by an admin"),
    ):
        code, out, err = run(capsys, "tokens", "create", *argv)
        assert code == 1 and says in err and out == "", (argv, err)
    code, _, err = run(capsys, "tokens", "revoke", "999")
    assert code == 1 and "token 999 not found" in err
    code, _, err = run(capsys, "tokens", "list", "--user", "nobody@team.test")
    assert code == 1 and "no desk user" in err
    assert run(capsys, "tokens", "list")[1].strip() == "no tokens"
