"""The composition root: each service built once, lazily, from one Settings; the Slack
services are the desk's own instances; importing the root loads no heavy library."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from server.wiring import Desk, build_desk
from tests.support.desk import settings_for

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("sklearn", "matplotlib", "slack_bolt", "slack_sdk", "fastapi", "openai", "uvicorn")
# nor, until a service is built, the database or mail libraries (``desk --help`` needs none)
UNTIL_USED = ("sqlalchemy", "jinja2", "imap_tools", "aiosmtplib", "db")


def test_importing_the_root_loads_no_heavy_library() -> None:
    code = (
        "import json, sys; import server.wiring; "
        f"print(json.dumps([m for m in {[*HEAVY, *UNTIL_USED]!r} if m in sys.modules]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout) == []


async def test_a_new_desk_opens_nothing_until_used(database_url: str, tmp_path: Path) -> None:
    desk = build_desk(settings_for(database_url, tmp_path / "data"))
    assert not any(desk.built(n) for n in ("engine", "sessions", "secrets", "ingestor"))
    await desk.tickets.counts_by_status()  # what `desk tickets` needs: the database
    assert desk.built("engine") and desk.built("tickets")
    assert not desk.built("ingestor") and not desk.built("sender")
    await desk.close()


async def test_each_service_is_built_once(desk: Desk) -> None:
    for name in (
        "engine", "sessions", "secrets", "store", "mailboxes", "ingestor", "fetcher",
        "tickets", "team_tickets", "drafts", "assignments", "bulk", "sender", "recipients",
        "templates", "analytics", "scheduler", "mailbox_settings", "decisions",
    ):  # fmt: skip
        assert getattr(desk, name) is getattr(desk, name), name
    assert desk.bulk.decisions is desk.decisions and desk.bulk.sender is desk.sender
    assert desk.decisions.drafts is desk.drafts
    assert desk.decisions.assignments is desk.assignments
    assert desk.bulk.reader is desk.team_tickets
    assert desk.fetcher.ingestor is desk.ingestor


async def test_the_slack_services_are_the_desks_own(desk: Desk) -> None:
    from server.slack import services_for

    services = services_for(desk)
    assert services_for(desk) is services
    same = {
        "drafts": desk.drafts,
        "sender": desk.sender,
        "tickets": desk.team_tickets,
        "store": desk.store,
        "tokens": desk.tokens,  # (the Slack app decides through decisions: no assignments of its own)
        "bulk": desk.bulk,
        "analytics": desk.analytics,
        "templates": desk.templates,
        "scheduler": desk.scheduler,
        "recipients": desk.recipients,
        "mailbox_settings": desk.mailbox_settings,
        "decisions": desk.decisions,
    }
    for name, instance in same.items():
        assert getattr(services, name) is instance, name


async def test_the_slack_section_is_read_once(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DESK_ADMIN_SLACK_IDS", "UADMIN1")
    desk = build_desk(settings_for(database_url, tmp_path / "data"))
    monkeypatch.setenv("DESK_ADMIN_SLACK_IDS", "USOMEONE")  # too late: read at the start
    from server.slack import services_for

    assert desk.settings.slack.admin_ids == {"UADMIN1"}
    assert services_for(desk).members.admin_ids == {"UADMIN1"}
    await desk.close()
