"""A desk wired exactly as production wires it, on the test database and a temp data dir."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.config import Settings, SlackSettings
from server.wiring import Desk, build_desk

SUPPORT = "support@desk.test"


def settings_for(database_url: str, data_dir: Path, **extra: object) -> Settings:
    values: dict[str, object] = {
        "DATABASE_URL": database_url,
        "DESK_DATA_DIR": data_dir,
        "DESK_SUPPORT_ADDRESS": SUPPORT,
        "DESK_SECRET_KEY": "test-secret-key",
        "DESK_SEND_BACKOFF_SECONDS": 0,
        "DESK_FETCH_BATCH": 50,
    }
    values.update(extra)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


@pytest.fixture()
async def desk(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Desk]:
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "DESK_AI_PROVIDER"):
        monkeypatch.delenv(var, raising=False)
    d = build_desk(settings_for(database_url, tmp_path / "data"))
    yield d
    await d.close()


def configure_slack(desk: Desk, env: dict[str, str]) -> None:
    """Give a test desk a ``slack`` section (as if those variables were set when it was
    built); only before its Slack services exist, which are built once from it."""
    assert desk.slack_services is None, "Slack is already wired"
    slack = SlackSettings(_env_file=None, **env)  # type: ignore[arg-type]
    desk.settings = desk.settings.model_copy(update={"slack": slack})
