"""CLI start-up benchmark: `desk` commands as whole processes against the libraries every
command needs, in one run.

The script makes a small SQLite database in a temporary directory (migrated, the sample
mail fetched and triaged: eight tickets), then times, as separate processes, round-robin so
that a busy moment on a shared machine hits every command alike:

- the baseline, ``python -c "import sqlalchemy, pydantic"``;
- ``desk --help``, ``desk --version``, ``desk tickets --json``, ``desk show 1 --json``.

It prints the median wall time of each (``--runs`` rounds, default 9) and its ratio to the
baseline's median. ``desk`` is run as ``python -m server.cli`` from this tree (what the
installed ``desk`` script runs), with bytecode caching on as in any installed copy (one
untimed warm-up run writes the caches). Targets: ``--help``, ``--version`` and ``tickets
--json`` under 0.5 s on an idle machine; as ratios, help and version well under the
baseline (they import neither library) and tickets/show within about 2x of it (they also
load the ORM, the async driver and the desk's models).

    .venv/bin/python bench/cli_start.py [--runs 9]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ("import sqlalchemy, pydantic", [sys.executable, "-c", "import sqlalchemy, pydantic"])
COMMANDS = (
    ["--help"],
    ["--version"],
    ["tickets", "--json"],
    ["show", "1", "--json"],
)


def desk(*argv: str) -> list[str]:
    return [sys.executable, "-m", "server.cli", *argv]


def environment(workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env |= {
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite:///{workdir / 'desk.db'}",
        "DESK_DATA_DIR": str(workdir / "data"),
        "DESK_SECRET_KEY": "bench-cli-start",
        "DESK_AI_PROVIDER": "offline",
    }
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"):
        env.pop(var, None)
    return env


def prepare(env: dict[str, str], workdir: Path) -> None:
    for argv in (["migrate"], ["demo"], ["fetch"]):
        done = subprocess.run(desk(*argv), cwd=workdir, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"desk {' '.join(argv)} failed: {done.stderr.strip()}")


def timed(cmd: list[str], env: dict[str, str], workdir: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        cmd, cwd=workdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {done.stderr.decode().strip()}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=9, help="rounds (median of them)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="desk-cli-start-") as tmp:
        workdir = Path(tmp)
        env = environment(workdir)
        prepare(env, workdir)
        runs: dict[str, tuple[list[str], list[float]]] = {BASELINE[0]: (BASELINE[1], [])}
        for argv in COMMANDS:
            runs["desk " + " ".join(argv)] = (desk(*argv), [])
        for cmd, _ in runs.values():  # warm-up: bytecode caches, the OS page cache
            timed(cmd, env, workdir)
        for _ in range(args.runs):
            for cmd, times in runs.values():
                times.append(timed(cmd, env, workdir))

    base = statistics.median(runs[BASELINE[0]][1])
    print(f"CLI start-up, median of {args.runs} runs as whole processes (SQLite, 8 tickets)")
    for name, (_, times) in runs.items():
        median = statistics.median(times)
        print(
            f"  {name:30} {median:6.3f} s  {median / base:5.2f} x baseline"
            f"  (min {min(times):.3f}, max {max(times):.3f})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
