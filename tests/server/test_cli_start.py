"""`desk` starts at once: what each command loads, checked by module, never by the clock
(the start-up figures are in bench/cli_start.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from server.cli import build_parser
from server.cli.commands import COMMANDS, modules

ROOT = Path(__file__).resolve().parents[2]
HEAVY = (
    "sklearn",
    "scipy",
    "numpy",
    "matplotlib",
    "slack_bolt",
    "slack_sdk",
    "fastapi",
    "starlette",
    "uvicorn",
    "openai",
    "apscheduler",
    "joblib",
    "pycld2",  # language detection: the ingest's, never a reader's
)
ENGINE = ("sqlalchemy", "pydantic", "pydantic_settings", "core.config", "db", "server.wiring")
PROBE = """
import json, sys
from server.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules)) + "\\n")
sys.exit(code)
"""


def _loaded(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[int, set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    line = next(x for x in done.stderr.splitlines() if x.startswith("MODULES "))
    return done.returncode, set(json.loads(line.removeprefix("MODULES ")))


def _roots(names: set[str]) -> set[str]:
    return {n.split(".")[0] for n in names} | names


@pytest.mark.parametrize("argv", [["--help"], ["--version"], [], ["no-such-command"]])
def test_help_and_version_load_nothing_of_the_engine(argv: list[str], tmp_path: Path) -> None:
    code, loaded = _loaded(argv, {}, tmp_path)
    assert code in (0, 2)
    assert not _roots(loaded) & set(HEAVY + ENGINE), sorted(_roots(loaded) & set(HEAVY + ENGINE))


def test_tickets_loads_no_heavy_library(database_url: str, tmp_path: Path) -> None:
    env = {"DATABASE_URL": database_url, "DESK_DATA_DIR": str(tmp_path / "data")}
    for argv in (["tickets", "--json"], ["show", "1", "--json"]):
        code, loaded = _loaded(argv, env, tmp_path)
        assert code in (0, 1)  # ticket 1 does not exist: exit 1, after a real query
        assert not _roots(loaded) & set(HEAVY), sorted(_roots(loaded) & set(HEAVY))
        # the list reads through the plain driver; `show` still runs the engine
        assert ("sqlalchemy" in loaded) == (argv[0] == "show"), argv


def test_every_command_is_in_the_table_and_registered_by_its_module() -> None:
    full = build_parser()
    [sub] = [a for a in full._actions if a.dest == "command"]
    assert list(sub.choices) == list(COMMANDS)  # type: ignore[union-attr]
    for module in modules():
        light = build_parser([next(c for c, (m, _) in COMMANDS.items() if m == module)])
        [lsub] = [a for a in light._actions if a.dest == "command"]
        owned = [c for c, (m, _) in COMMANDS.items() if m == module]
        for command, parser in lsub.choices.items():  # type: ignore[union-attr]
            # the module's own commands get their arguments; the others are bare entries
            assert bool(parser._actions) == (command in owned), command
