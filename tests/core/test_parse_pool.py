"""The parse workers' lifecycle: they stop with the process that started them.

A worker process outliving its parent would hold memory and a process slot for ever, and
every restart of `desk worker` would leave more of them behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import asyncio, signal, sys
from pathlib import Path
from core.inbound.attachments import AttachmentStore
from core.inbound.ingest import Ingestor
from db.session import create_engine, create_session_factory

async def main():
    tmp = Path(sys.argv[1])
    ingestor = Ingestor(
        create_session_factory(create_engine(f"sqlite:///{tmp / 'unused.db'}")),
        token_key=b"k" * 32,
        attachments=AttachmentStore(tmp / "attachments"),
        parse_workers=2,
    )
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await ingestor.warm_up()
    print(" ".join(str(pid) for pid in ingestor.parser.executor._processes), flush=True)
    await stop.wait()
    ingestor.close()

asyncio.run(main())
"""


def _start(tmp_path: Path) -> tuple[subprocess.Popen[str], list[int]]:
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(tmp_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a deployed worker has
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip(), proc.stderr.read() if proc.stderr else "no output"
    workers = [int(pid) for pid in line.split()]
    assert len(workers) == 2
    return proc, workers


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has exited; only its parent has not read its status yet


def _wait_gone(pids: list[int], seconds: float = 10.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while (left := [p for p in pids if _alive(p)]) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def test_a_sigterm_to_the_group_stops_the_workers_after_the_parent_is_done(
    tmp_path: Path,
) -> None:
    proc, workers = _start(tmp_path)
    os.killpg(proc.pid, signal.SIGTERM)  # a deploy stopping the worker
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err, err
    assert _wait_gone(workers) == []


def test_workers_of_a_killed_parent_exit_by_themselves(tmp_path: Path) -> None:
    proc, workers = _start(tmp_path)
    try:
        assert all(_alive(p) for p in workers)
        proc.kill()  # no chance to shut the pool down
        proc.wait(10)
        assert _wait_gone(workers) == []
    finally:
        for pid in workers:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
