"""desk kb: the commands of the issue's contract and their --json shapes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import run

ARTICLE_KEYS = {
    "id",
    "title",
    "body",
    "category",
    "language",
    "status",
    "origin",
    "version",
    "source_ticket_ids",
    "reviewed_by_id",
    "helpful",
    "unhelpful",
    "last_cited_at",
    "public_url",
    "created_at",
    "updated_at",
}


def out_json(capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    return json.loads(out)


def test_add_publish_list_show_search(
    cli_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "users", "add", "mia@team.test", "--role", "manager")[0] == 0
    body = tmp_path / "refund.md"
    body.write_text("Money back **within five days** for INV-2291.\n", encoding="utf-8")
    draft = out_json(
        capsys,
        "kb",
        "add",
        "--title",
        "Refund policy",
        "--file",
        str(body),
        "--category",
        "billing",
        "--json",
    )
    assert isinstance(draft, dict) and set(draft) == ARTICLE_KEYS
    assert (draft["status"], draft["version"], draft["category"], draft["language"]) == (
        "draft",
        1,
        "Billing",
        "en",
    )
    assert out_json(capsys, "kb", "search", "refund", "--json") == []  # drafts are not found

    code, out, _ = run(capsys, "kb", "publish", str(draft["id"]), "--by", "mia@team.test")
    assert (code, out.startswith(f"published #{draft['id']}  [published]")) == (0, True)
    de = out_json(
        capsys,
        "kb",
        "add",
        "--title",
        "Doppelte Rechnungen",
        "--text",
        "Wir erstatten.",
        "--language",
        "de",
        "--publish",
        "--by",
        "mia@team.test",
        "--json",
    )
    assert isinstance(de, dict) and de["status"] == "published" and de["reviewed_by_id"]

    listed = out_json(capsys, "kb", "list", "--json")
    assert [a["id"] for a in listed] == [de["id"], draft["id"]]  # type: ignore[index]
    assert out_json(capsys, "kb", "list", "--status", "draft", "--json") == []
    shown = out_json(capsys, "kb", "show", str(draft["id"]), "--json")
    assert isinstance(shown, dict) and shown["status"] == "published"

    hits = out_json(capsys, "kb", "search", "INV-2291", "--k", "3", "--json")
    assert isinstance(hits, list) and [set(h) for h in hits] == [
        {"id", "title", "score", "snippet"}
    ]
    assert hits[0]["id"] == draft["id"] and "INV-2291" in hits[0]["snippet"]
    code, out, _ = run(capsys, "kb", "search", "rechnungen")
    assert code == 0 and f"#{de['id']}" in out and "Doppelte Rechnungen" in out
    assert run(capsys, "kb", "search", '"AND OR *')[0] == 0

    code, out, _ = run(capsys, "kb", "show", str(draft["id"]))
    assert code == 0 and "Money back **within five days**" in out


def test_edit_and_archive(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "users", "add", "mia@team.test", "--role", "manager")
    a = out_json(capsys, "kb", "add", "--title", "Refunds", "--text", "Five days.", "--json")
    assert isinstance(a, dict)
    edited = out_json(
        capsys, "kb", "edit", str(a["id"]), "--text", "A week.", "--version", "1", "--json"
    )
    assert isinstance(edited, dict) and (edited["version"], edited["body"]) == (2, "A week.")
    code, _, err = run(capsys, "kb", "edit", str(a["id"]), "--title", "X", "--version", "1")
    assert code == 1 and "at version 2, not 1" in err
    code, out, _ = run(capsys, "kb", "archive", str(a["id"]), "--by", "mia@team.test")
    assert code == 0 and "[archived]" in out


def test_refusals_are_one_line_and_an_exit_code(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "users", "add", "al@team.test", "--role", "agent")
    code, _, err = run(capsys, "kb", "add", "--title", "T", "--text", "B", "--publish")
    assert code == 1 and "needs a person" in err
    a = out_json(capsys, "kb", "add", "--title", "T", "--text", "B", "--json")
    assert isinstance(a, dict)
    code, _, err = run(capsys, "kb", "publish", str(a["id"]), "--by", "al@team.test")
    assert code == 1 and "needs the role admin or manager; you are agent" in err
    code, _, err = run(capsys, "kb", "show", "999")
    assert code == 1 and "article 999 not found" in err
    code, _, err = run(capsys, "kb", "add", "--title", "T", "--text", "B", "--language", "xx-yy")
    assert code == 1 and "ISO 639" in err
    for argv in (
        ("kb", "search", "x", "--k", "0"),
        ("kb", "search", "x", "--k", "101"),
        ("kb", "list", "--status", "gone"),
        ("kb", "show", "0"),
        ("kb", "add", "--title", "T"),
        ("kb", "add", "--title", "T", "--text", "B", "--file", "f"),
        ("kb", "publish", "1"),
    ):
        with pytest.raises(SystemExit) as caught:
            run(capsys, *argv)
        assert caught.value.code == 2, argv
        capsys.readouterr()
