"""Ingest benchmark: the desk's full ingest against a raw imap-tools fetch, in one run.

4,000 messages from ../shared/corpora/inbox/ are appended to a private Dovecot. For each
database (SQLite always; PostgreSQL when TEST_DATABASE_URL or --postgres is given) the
script times a raw imap-tools fetch of every message (the baseline), then the desk's full
ingest (fetch, parse, classify, thread, store, set \\Seen) of the same messages into a fresh
database, then the raw fetch again; the baseline is the mean of the two raw runs. It prints
messages/s for both and ingest/raw; with ``--repeat N`` (default 3) it does so N times
per database and prints the median ratio, as one round on a shared machine can be off by
a quarter. Target: ingest >= 0.5 x raw fetch. The baseline is imap-tools at its fastest
(``bulk=500``: one FETCH per 500 messages); for scale the script also prints imap-tools'
default fetch (``bulk=False``, one FETCH per message), once.

``--triage``: the desk's side is a whole ``desk fetch`` instead (``server.worker.fetch_asked``:
fetch, parse, thread, store, then the offline triage of the mail that needs a reply, in
batches, and the automatic assignment), against the same raw fetch. Target: >= 0.3.

``--history URL`` (PostgreSQL): the store as history grows. ``URL`` is a database an earlier
``bench/search.py --tickets 1000000 --keep`` loaded (a million tickets, two million
messages). Each round ingests the same ``--count`` mails (default here 1,000) into a fresh,
empty database and into that one, under a new mailbox each time (so none is a duplicate;
the lookups still run over every ticket and message of the history), in alternating order,
and prints both times and history/empty. Target: within 1.2x.

``--cpu`` (Linux) also prints the CPU seconds each process spent during the ingest (this
one, its parse workers, the database server, Dovecot) and how busy that kept the cores:
where the time goes, and whether a faster pipeline or less work is what would help.

    .venv/bin/python bench/ingest.py [--count 4000] [--repeat 3] [--postgres postgresql://postgres@127.0.0.1/postgres] [--cpu] [--triage]
    .venv/bin/python bench/ingest.py --history postgresql://postgres@127.0.0.1/desk_bench_search_... [--count 1000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


from core.config import Settings  # noqa: E402
from core.inbound.mailboxes import MailboxSpec  # noqa: E402
from core.mail.imap import raw_fetch_all  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from server.wiring import build_desk  # noqa: E402
from server.worker import fetch_asked  # noqa: E402
from tests.support.db import scratch_postgres  # noqa: E402
from tests.support.dovecot import running_dovecot  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpora" / "inbox"


def load_messages(count: int) -> list[bytes]:
    files = sorted(
        p for p in CORPUS.rglob("*") if p.is_file() and p.name not in {"LICENSE", "NOTICE"}
    )
    out: list[bytes] = []
    for path in files:
        raw = path.read_bytes()
        if b"\0" in raw:  # IMAP APPEND cannot carry NULs
            continue
        out.append(raw)
        if len(out) == count:
            break
    if len(out) < count:
        sys.exit(f"only {len(out)} messages under {CORPUS}")
    return out


def fresh_database(kind: str, pg_url: str | None, tmp: Path) -> tuple[str, Callable[[], None]]:
    if kind == "sqlite":
        path = tmp / f"bench-{uuid.uuid4().hex[:6]}.db"
        return f"sqlite:///{path}", lambda: path.unlink(missing_ok=True)
    assert pg_url
    return scratch_postgres(pg_url, "desk_bench")


def cpu_by_process() -> dict[int, tuple[str, float]]:
    """CPU seconds (user + system) so far of every process, with its command line."""
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[int, tuple[str, float]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text().rsplit(") ", 1)[1].split()
            cmd = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError):
            continue  # gone meanwhile
        out[int(entry)] = (cmd.strip()[:70], (int(stat[11]) + int(stat[12])) / tick)
    return out


def print_cpu(
    before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]], wall: float
) -> None:
    spent = {
        pid: (cmd, used - before.get(pid, (cmd, 0.0))[1]) for pid, (cmd, used) in after.items()
    }
    busy = {pid: v for pid, v in spent.items() if v[1] >= 0.01}
    total = sum(used for _, used in busy.values())
    for pid, (cmd, used) in sorted(busy.items(), key=lambda kv: -kv[1][1]):
        print(f"    {used:5.2f} s cpu  {pid:>7}  {cmd}")
    cores = os.cpu_count() or 1
    print(
        f"    {total:5.2f} s cpu in {wall:.2f} s on {cores} cores: {total / wall / cores:.0%} busy"
    )


async def desk_ingest(
    database_url: str,
    data_dir: Path,
    cfg,  # type: ignore[no-untyped-def]
    *,
    cpu: bool = False,
    triage: bool = False,
    mailbox: str = "bench",
) -> tuple[float, dict[str, int]]:
    desk = build_desk(
        Settings(
            _env_file=None,
            DATABASE_URL=database_url,
            DESK_DATA_DIR=data_dir,
            DESK_SECRET_KEY="bench",
        )  # type: ignore[arg-type]
    )
    try:
        await desk.mailboxes.add(
            MailboxSpec(
                name=mailbox,
                address="support@desk.test",
                imap_host=cfg.host,
                imap_port=cfg.port,
                imap_user=cfg.username,
                imap_tls="none",
                smtp_host="127.0.0.1",
                smtp_port=25,
                smtp_user="",
                smtp_tls="none",
                password=cfg.password,
            )
        )
        await desk.warm_up()  # as `desk worker` does at start
        triage_seconds = 0.0
        if triage:  # and its triager's model, loaded once per process
            await (await desk.triage_service()).provider.warm_up()  # type: ignore[attr-defined]
            build_service = desk.triage_service

            async def timed_service():  # type: ignore[no-untyped-def]
                service = await build_service()
                queued = service.triage_queued

                async def timed(**kw):  # type: ignore[no-untyped-def]
                    nonlocal triage_seconds
                    t0 = time.perf_counter()
                    try:
                        return await queued(**kw)
                    finally:
                        triage_seconds += time.perf_counter() - t0

                service.triage_queued = timed  # type: ignore[method-assign]
                return service

            desk.triage_service = timed_service  # type: ignore[method-assign]
        before = cpu_by_process() if cpu else {}
        start = time.perf_counter()
        if triage:
            cycle = await fetch_asked(desk, mailbox=mailbox, triage_limit=10_000)  # desk fetch
            [poll] = cycle.polls
            if poll.fetch is None or poll.error:
                raise SystemExit(f"fetch failed: {poll.error or poll.skipped}")
            result = poll.fetch
        else:
            [result] = await desk.fetcher.fetch_all(mailbox)
        elapsed = time.perf_counter() - start
        if cpu:
            print_cpu(before, cpu_by_process(), elapsed)
        if result.error:
            raise SystemExit(f"ingest failed: {result.error}")
        report = result.report.as_dict()
        if triage:
            assert cycle.triage is not None
            report |= {f"triage_{k}": v for k, v in cycle.triage.as_dict().items()}
            report["triage_ms"] = round(triage_seconds * 1000)
        return elapsed, report
    finally:
        await desk.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=4000)
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument("--cpu", action="store_true", help="CPU time per process (Linux)")
    parser.add_argument(
        "--triage", action="store_true", help="a whole desk fetch: ingest and offline triage"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="rounds per database; the median ratio is printed"
    )
    parser.add_argument(
        "--history",
        metavar="URL",
        help="a kept bench/search.py database: the same batch into it and into an empty one",
    )
    args = parser.parse_args()
    if args.history and args.count == parser.get_default("count"):
        args.count = 1000
    if not CORPUS.exists():
        sys.exit(f"corpus not found: {CORPUS}")
    messages = load_messages(args.count)
    kinds = ["sqlite"] + (["postgresql"] if args.postgres else [])
    # The databases and data directories go where the desk keeps them by default (the
    # project's directory: ./desk.db, ./.desk), not /tmp, where file creation is ~15x
    # slower on these machines.
    with (
        running_dovecot() as server,
        tempfile.TemporaryDirectory(dir=ROOT, prefix=".bench-") as tmpdir,
    ):
        tmp = Path(tmpdir)
        user, password = server.take_account()
        server.append_many(user, password, messages)
        cfg = server.config(user, password)
        raw_fetch_all(cfg)  # warm the server's caches and indexes once
        print(
            f"{len(messages)} messages, {sum(map(len, messages)) / 1e6:.1f} MB, Dovecot on loopback"
        )
        if args.history:
            history_rounds(args.history, args.postgres, tmp, cfg, len(messages), args.repeat)
            return
        t0 = time.perf_counter()
        raw_fetch_all(cfg, bulk=False)
        one_by_one = len(messages) / (time.perf_counter() - t0)
        for kind in kinds:
            rounds = [
                one_round(
                    kind, args.postgres, tmp, cfg, len(messages), cpu=args.cpu, triage=args.triage
                )
                for _ in range(args.repeat)
            ]
            ratios = [r for r, _ in rounds]
            if args.repeat > 1:
                print(
                    f"{kind:10}  median ratio of {args.repeat} rounds {statistics.median(ratios):.2f} "
                    f"(min {min(ratios):.2f}, max {max(ratios):.2f}; target >= {target(args.triage)})"
                )
            ingest = statistics.median(rate for _, rate in rounds)
            print(
                f"{kind:10}  for scale: imap-tools' default fetch (bulk=False, one FETCH per "
                f"message) {one_by_one:.0f} msg/s; the median ingest is {ingest / one_by_one:.2f} of it"
            )


def history_rounds(
    history: str, pg_url: str | None, tmp: Path, cfg, count: int, repeat: int
) -> None:  # type: ignore[no-untyped-def]
    """``--history``: the batch into an empty database and into ``history``, ``repeat``
    times in alternating order; prints each pair and the median of history/empty."""
    upgrade(history)  # a no-op on a database at head; a kept older one is brought up to it
    ratios: list[float] = []
    for i in range(repeat):
        times: dict[str, float] = {}
        for which in ("empty", "history") if i % 2 == 0 else ("history", "empty"):
            mailbox = f"bench-{uuid.uuid4().hex[:8]}"
            data = tmp / f"data-{uuid.uuid4().hex[:6]}"
            if which == "history":
                times[which], report = asyncio.run(desk_ingest(history, data, cfg, mailbox=mailbox))
            else:
                url, drop = fresh_database("postgresql", pg_url or history, tmp)
                try:
                    upgrade(url)
                    times[which], report = asyncio.run(desk_ingest(url, data, cfg, mailbox=mailbox))
                finally:
                    drop()
            assert report["stored"] + report["quarantined"] == count, report
        ratio = times["history"] / times["empty"]
        ratios.append(ratio)
        print(
            f"round {i + 1}: {count} mails into an empty database {times['empty']:.2f} s, "
            f"into the history {times['history']:.2f} s: {ratio:.2f}x "
            f"[tickets {report['new_tickets']}, threaded {report['threaded']}]"
        )
    print(
        f"history/empty: median {statistics.median(ratios):.2f}x of {repeat} rounds "
        f"(min {min(ratios):.2f}, max {max(ratios):.2f}; target <= 1.2)"
    )


def target(triage: bool) -> str:
    return "0.30" if triage else "0.50"


def one_round(
    kind: str, pg_url: str | None, tmp: Path, cfg, count: int, *, cpu: bool, triage: bool = False
) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """raw fetch, ingest into a fresh database, raw fetch; prints them, returns
    (ingest/raw, ingest messages/s)."""
    url, drop = fresh_database(kind, pg_url, tmp)
    try:
        upgrade(url)
        t0 = time.perf_counter()
        n1 = raw_fetch_all(cfg)
        raw1 = time.perf_counter() - t0
        ingest_s, report = asyncio.run(
            desk_ingest(url, tmp / f"data-{uuid.uuid4().hex[:6]}", cfg, cpu=cpu, triage=triage)
        )
        t0 = time.perf_counter()
        n2 = raw_fetch_all(cfg)
        raw2 = time.perf_counter() - t0
    finally:
        drop()
    assert n1 == n2 == count, (n1, n2)
    stored = report["stored"] + report["duplicates"] + report["quarantined"]
    assert stored == count, report
    raw_rate = count / ((raw1 + raw2) / 2)
    ingest_rate = count / ingest_s
    elapsed = ingest_s
    ratio = ingest_rate / raw_rate
    what = "desk fetch+triage" if triage else "desk ingest"
    spent = f", triage {report['triage_ms'] / 1000:.2f} s of it" if triage else ""
    drafts = (
        f", drafted {report['triage_drafted']}, superseded {report['triage_superseded']}, "
        f"triage failed {report['triage_failed']}"
        if triage
        else ""
    )
    print(
        f"{kind:10}  raw imap-tools fetch {raw_rate:8.0f} msg/s   {what} {ingest_rate:8.0f} msg/s   "
        f"ratio {ratio:.2f} (target >= {target(triage)})   "
        f"[stored {report['stored']}, duplicates {report['duplicates']}, quarantined {report['quarantined']}, "
        f"tickets {report['new_tickets']}, threaded {report['threaded']}{drafts}; {elapsed:.2f} s{spent}]"
    )
    return ratio, ingest_rate


if __name__ == "__main__":
    main()
