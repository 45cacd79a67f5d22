"""desk triage / desk eval / desk ai test, through their run functions."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest

from core.ai import offline
from core.ai.result import TriageResult
from server.cli import ai
from tests.ai.conftest import API_KEY
from tests.support.fake_openai import FakeOpenAI
from tests.support.services import corpora_dir

ENV_VARS = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_MODEL",
    "DESK_AI_PROVIDER",
    "DESK_COMPANY_NAME",
    "DESK_SIGNATURE",
    "DESK_AI_TIMEOUT",
    "DESK_AI_CONCURRENCY",
    "DESK_AI_MAX_RETRIES",
    "DESK_AI_CONFIDENCE_THRESHOLD",
)
LABELMAPS = Path(__file__).resolve().parents[2] / "eval" / "labelmaps"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="desk")
    sub = parser.add_subparsers(dest="command", required=True)
    ai.register(sub)
    args = parser.parse_args(argv)
    return int(args.func(args))


CSV = """body,title,queue,prio
"I was charged twice for my subscription this month, please refund one payment.",Double charge,money,high
"The mobile app crashes every time I open the settings page since the update.",App crash,tech,medium
"I forgot my password and the reset email never arrives.",Cannot log in,access,medium
"It would be great if you added a dark mode to the dashboard.",Idea,ideas,low
"Where is my parcel? The tracking number shows no movement for a week.",Delivery,questions,low
"Thank you so much, your support team was fantastic yesterday!",Thanks,misc,low
"Mystery row",?,unmapped,low
"""
LABEL_MAP = {
    "category": {
        "money": "Billing",
        "tech": "Technical",
        "access": "Login / Access",
        "ideas": "Feature Request",
        "questions": "General Inquiry",
        "misc": "Other",
    },
    "urgency": {"low": "Low", "medium": "Medium", "high": "High"},
}


@pytest.fixture()
def dataset(tmp_path: Path) -> tuple[Path, Path]:
    csv_path = tmp_path / "tickets.csv"
    csv_path.write_text(CSV, encoding="utf-8")
    map_path = tmp_path / "map.json"
    map_path.write_text(json.dumps(LABEL_MAP), encoding="utf-8")
    return csv_path, map_path


def _eval_args(dataset: tuple[Path, Path], *extra: str) -> list[str]:
    csv_path, map_path = dataset
    return [
        "eval",
        str(csv_path),
        "--text-col",
        "body",
        "--subject-col",
        "title",
        "--category-col",
        "queue",
        "--urgency-col",
        "prio",
        "--label-map",
        str(map_path),
        *extra,
    ]


def test_eval_json(dataset: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert run(*_eval_args(dataset, "--json", "--provider", "offline")) == 0
    out, err = capsys.readouterr()
    data = json.loads(out)
    # the original keys first, in order; then what was added (no language column here)
    assert list(data) == [
        "n",
        "skipped",
        "category",
        "urgency",
        "latency_ms",
        "tokens",
        "calibration",
        "languages",
    ]
    assert data["languages"] is None
    assert set(data["calibration"]) == {
        "ece",
        "bins",
        "mean_confidence",
        "correct",
        "escalated_correct",
        "escalated_correct_share",
    }
    assert 0 <= data["calibration"]["ece"] <= 1 and data["calibration"]["bins"] == 10
    assert data["n"] == 6 and data["skipped"] == 1 and data["tokens"] == 0
    assert data["category"]["accuracy"] >= 5 / 6  # clear cases
    assert set(data["category"]) == {"accuracy", "macro_f1", "confusion"}
    assert set(data["urgency"]["confusion"]) <= {"Low", "Medium", "High"}
    assert data["latency_ms"]["p95"] >= data["latency_ms"]["p50"] > 0
    assert err == ""  # no progress bar when stderr is not a terminal


def test_eval_text(dataset: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert run(*_eval_args(dataset, "--limit", "3")) == 0
    out = capsys.readouterr().out
    assert out.startswith("rows scored: 3   skipped: 1")
    assert "category: accuracy" in out and "true \\ predicted" in out and "latency ms: p50" in out


def test_eval_with_openai_records_tokens(
    dataset: tuple[Path, Path],
    fake_openai: FakeOpenAI,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    assert run(*_eval_args(dataset, "--json")) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["n"] == 6
    assert data["tokens"] == 6 * (321 + 123)
    assert len(fake_openai.chat_requests) == 6


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--limit", "0"], "--limit must be a positive number"),
        (["--text-col", "nope"], "column 'nope' not in tickets.csv"),
    ],
)
def test_eval_bad_usage(
    dataset: tuple[Path, Path], capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    assert run(*_eval_args(dataset, *extra)) == 2
    assert message in capsys.readouterr().err


def test_eval_needs_a_label_column(
    dataset: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("eval", str(dataset[0]), "--text-col", "body") == 2
    assert "nothing to score" in capsys.readouterr().err


def test_eval_bad_label_map(
    dataset: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"category": {"money": "Cash"}}', encoding="utf-8")
    assert (
        run(
            "eval",
            str(dataset[0]),
            "--text-col",
            "body",
            "--category-col",
            "queue",
            "--label-map",
            str(bad),
        )
        == 2
    )
    assert "'Cash' is not one of" in capsys.readouterr().err


def test_eval_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("eval", str(tmp_path / "none.csv"), "--text-col", "t", "--category-col", "c") == 1
    assert "no such file" in capsys.readouterr().err


def test_eval_nothing_usable(
    dataset: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty_map = tmp_path / "null.json"
    empty_map.write_text('{"category": {"money": null}}', encoding="utf-8")
    assert (
        run(
            "eval",
            str(dataset[0]),
            "--text-col",
            "body",
            "--category-col",
            "queue",
            "--label-map",
            str(empty_map),
        )
        == 1
    )
    assert "no rows to score" in capsys.readouterr().err


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal() -> None:
    terminal, pipe = FakeTerminal(), io.StringIO()
    for stream in (terminal, pipe):
        bar = ai.ProgressBar(stream, width=10)
        for done in range(1, 5):
            bar.update(done, 4)
    assert pipe.getvalue() == ""
    assert terminal.getvalue().startswith("\r[##")
    assert "4/4" in terminal.getvalue() and terminal.getvalue().endswith("\n")


EML = (
    b"From: Ann Lee <ann@example.com>\r\n"
    b"To: support@acme.example\r\n"
    b"Subject: Charged twice for order #48120\r\n"
    b"Message-ID: <abc@example.com>\r\n"
    b"Date: Mon, 03 Jun 2024 10:00:00 +0000\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"\r\n"
    b"Hello,\r\n\r\nI was charged twice for order #48120. Please refund one payment.\r\n\r\n"
    b"Best regards,\r\nAnn\r\n"
)


def test_triage_json_prints_the_result_fields(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DESK_COMPANY_NAME", "Acme")
    path = tmp_path / "mail.eml"
    path.write_bytes(EML)
    assert run("triage", str(path), "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data) == list(TriageResult.model_fields)
    assert data["category"] == "Billing"
    assert data["draft_reply"].startswith("Hi Ann,")
    assert "Acme" in data["draft_reply"]
    assert set(data["flags"]) >= {
        "escalation_required",
        "escalation_reason",
        "safety_findings",
        "fallback",
    }


def test_triage_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "mail.eml"
    path.write_bytes(EML)
    assert run("triage", str(path)) == 0
    out = capsys.readouterr().out
    assert (
        "category:   Billing" in out
        and "draft reply:" in out
        and f"(offline {offline.MODEL_NAME}" in out
    )


def test_triage_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("triage", str(tmp_path / "none.eml")) == 1
    assert "cannot read" in capsys.readouterr().err


def test_ai_test_offline(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("ai", "test") == 0
    assert capsys.readouterr().out.startswith("OK: offline provider ready")


def test_ai_test_openai(
    fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    assert run("ai", "test") == 0
    assert "API key accepted" in capsys.readouterr().out
    monkeypatch.setenv("OPENAI_API_KEY", "sk-wrong")
    assert run("ai", "test") == 1
    err = capsys.readouterr().err
    assert "refused the API key (HTTP 401)" in err and "OPENAI_API_KEY" in err
    fake_openai.stop()
    assert run("ai", "test") == 1
    assert "unreachable" in capsys.readouterr().err


def test_ai_test_missing_key(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DESK_AI_PROVIDER", "openai")
    assert run("ai", "test") == 1
    assert "needs an API key (OPENAI_API_KEY)" in capsys.readouterr().err


@pytest.mark.corpora
def test_eval_on_the_helpdesk_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    folder = corpora_dir("tickets", "tobibueck_helpdesk_600")
    code = run(
        "eval",
        str(folder / "helpdesk_customer_tickets.csv"),
        "--text-col",
        "body",
        "--subject-col",
        "subject",
        "--category-col",
        "queue",
        "--urgency-col",
        "priority",
        "--label-map",
        str(LABELMAPS / "tobibueck.json"),
        "--limit",
        "150",
        "--json",
        "--provider",
        "offline",
    )
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["n"] == 150 and data["skipped"] == 0
    # floors below the measured figures (0.34 / 0.42 on all 600, 0.347 / 0.413 on these 150;
    # 0.53 / 0.46 with the first, generated-only model): they catch a broken pipeline
    # (nothing scored, every label unmapped), they are not tuned targets
    assert data["category"]["accuracy"] > 0.30
    assert data["urgency"]["accuracy"] > 0.3


@pytest.mark.corpora
def test_eval_on_the_bitext_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    folder = corpora_dir("tickets", "bitext_customer_support_4514")
    code = run(
        "eval",
        str(folder / "Bitext_Sample_Customer_Support_Training_Dataset.csv"),
        "--text-col",
        "instruction",
        "--category-col",
        "intent",
        "--label-map",
        str(LABELMAPS / "bitext.json"),
        "--limit",
        "300",
        "--json",
    )
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["n"] == 300 and data["urgency"] is None
    assert data["category"]["accuracy"] > 0.5  # 0.73 measured on all 4,514
