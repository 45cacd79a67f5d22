"""`desk tickets` reads through the plain driver (db.lite) with the statement the core's
reader runs through SQLAlchemy (core.tickets.listing): both give the same tickets, field
for field, on both databases, for every filter and sort."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

import pytest

from core.config import Settings
from core.tickets.listing import TicketQuery
from server.wiring import build_desk
from tests.support.cli import run

QUERIES = [
    {},
    {"status": "open"},
    {"status": "pending"},
    {"category": "billing"},
    {"urgency": "high"},
    {"q": "refund"},
    {"q": '"refund" -zebra or "no-such-word"', "sort": "date"},  # search grammar, snippets
    {"q": "example.com"},  # a substring of the senders' addresses
    {"q": "no-such-word-anywhere"},
    {"q": "100%_off\\"},  # LIKE's wildcards and escape are searched as typed
    {"sender": "MARIA.LOPEZ@example.com"},
    {"language": "de"},
    {"sort": "urgency"},
    {"sort": "-status", "limit": 3, "offset": 2},
]


def _argv(query: dict[str, object]) -> list[str]:
    return [f"--{key}={value}" for key, value in query.items()]


async def _reader_lists() -> list[list[dict[str, object]]]:
    desk = build_desk(Settings())
    try:
        return [await desk.tickets.list(TicketQuery(**q)) for q in QUERIES]  # type: ignore[arg-type]
    finally:
        await desk.close()


def test_cli_list_equals_the_readers_list(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "migrate")[0] == 0
    # a published article the demo's double-charge mail cites (the offline provider)
    for argv in (
        ("users", "add", "mia@team.test", "--role", "manager"),
        (
            "kb",
            "add",
            "--title",
            "Refund policy",
            "--publish",
            "--by",
            "mia@team.test",
            "--text",
            "Charged twice for an invoice: the duplicate payment is refunded within five days.",
        ),
        ("demo",),
    ):
        code, _, err = run(capsys, *argv)
        assert code == 0, err
    code, _, err = run(capsys, "fetch", "--json")
    assert code == 0, err
    code, _, err = run(capsys, "approve", "1", "--by", "lead@example.com")
    assert code == 0, err

    seen = 0
    for query, expected in zip(QUERIES, asyncio.run(_reader_lists()), strict=True):
        code, out, err = run(capsys, "tickets", "--json", *_argv(query))
        assert code == 0, err
        assert json.loads(out) == json.loads(json.dumps(expected)), query
        seen += len(expected)
    assert seen > 10  # the queries found tickets, so the comparison compared something
    listed = json.loads(run(capsys, "tickets", "--json")[1])
    refund = [{"id": 1, "title": "Refund policy"}]
    cited = [t["id"] for t in listed if t["citations"] == refund]
    assert cited and all(t["citations"] in ([], refund) for t in listed)
    assert {t["prompt_variant"] for t in listed} == {None}
    assert len(cited) < len(listed)  # and the mail about something else cites nothing
    for ticket in listed:
        code, out, err = run(capsys, "show", str(ticket["id"]), "--json")
        assert code == 0, err
        shown = json.loads(out)
        assert (shown["citations"], shown["prompt_variant"]) == (ticket["citations"], None)
    approved = [t for t in listed if t["id"] == 1]
    assert approved[0]["approved_by"] == "lead@example.com"
    assert approved[0]["approved_at"].endswith("+00:00")  # UTC, as the ORM gives it
    # the demo's German mail is the one German ticket; the filter takes any case and region
    languages = {
        t["subject"]: t["language"] for t in json.loads(run(capsys, "tickets", "--json")[1])
    }
    assert languages["Frage zur Rechnung für Oktober"] == "de"
    assert set(languages.values()) <= {"en", "de", None}
    code, out, _ = run(capsys, "tickets", "--json", "--language", "DE-at")
    assert code == 0 and [t["language"] for t in json.loads(out)] == ["de"]
    code, _, err = run(capsys, "tickets", "--json", "--language", "german")
    assert code == 1 and "not a language code: 'german'" in err


def test_cli_list_opens_no_new_database_and_says_what_is_missing(
    cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = cli_env.parent / "nowhere.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{missing}")
    code, _, err = run(capsys, "tickets", "--json")
    assert (
        code == 1
        and "no database at" in err
        and "run `desk migrate`" in err
        and "Traceback" not in err
    )
    assert not missing.exists()  # a read creates no database file

    empty = cli_env.parent / "empty.db"
    sqlite3.connect(empty).close()
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{empty}")
    code, _, err = run(capsys, "tickets", "--json")
    assert code == 1 and "run `desk migrate`" in err
