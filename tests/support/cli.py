"""The `desk` command in-process: an environment of its own (test database, data directory,
no AI keys) and a runner that returns (exit code, stdout, stderr)."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.cli import main
from tests.support.leaks import seen


@pytest.fixture()
def cli_env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("DESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DESK_SECRET_KEY", "cli-test-key")
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "DESK_AI_PROVIDER"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path / "data"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    seen(out, f"stdout of desk {' '.join(argv[:2])}")  # tests.support.leaks
    seen(err, f"stderr of desk {' '.join(argv[:2])}")
    return code, out, err
