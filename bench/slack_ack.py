"""Slack ack benchmark: how fast the running app acknowledges Slack, against a trivial
FastAPI endpoint of the same app, in one run.

Everything runs as in production, on loopback: the desk is ``uvicorn server.asgi:app`` in
its own process; Slack's Web API is the fake from tests/support/fake_slack.py in another
process; mail goes to an aiosmtpd. Drafts are made and posted to the triage channel first.
The script then sends 200 signed requests (a third each: Approve clicks, Edit clicks,
/desk commands), 20 at a time, timing each acknowledgement; and 200 GET /healthz (the
trivial endpoint, same app, same concurrency) before and after. It prints p50/p99 for
both and the ratios, and checks the work owed after the acks was done (one mail per
approval). Target: p99 ack under 300 ms.

The ratio p99 ack / p99 /healthz is the figure to compare across commits and machines: both
are measured in the same run, on the same loaded cores, so it needs no second checkout to
be stated. The last line says it in one sentence; ``--json`` prints every figure as one
JSON object instead (times in ms).

    .venv/bin/python bench/slack_ack.py [--requests 200] [--concurrency 20] [--postgres URL]
                                        [--server-log FILE] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

from bot.config import SlackConfig  # noqa: E402
from core.config import Settings  # noqa: E402
from core.inbound.mailboxes import MailboxSpec  # noqa: E402
from core.mail.transport import FetchedMail  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from server.slack import slack_notifier  # noqa: E402
from server.wiring import build_desk  # noqa: E402
from tests.support.db import scratch_postgres  # noqa: E402
from tests.support.mail import make_mail  # noqa: E402
from tests.support.slack_driver import sign  # noqa: E402
from tests.support.smtp import running_smtp_server  # noqa: E402

SECRET = "bench-signing-secret"
CHANNEL = "CBENCH001"
ADMIN = "UBENCHADM"
TEAM = "T0FAKE001"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def fresh_database(pg_url: str | None, tmp: Path) -> tuple[str, Any]:
    if not pg_url:
        return f"sqlite:///{tmp / 'bench.db'}", lambda: None
    return scratch_postgres(pg_url, "desk_bench")


def environment(database_url: str, data_dir: Path, slack_base: str) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "DESK_DATA_DIR": str(data_dir),
        "DESK_SECRET_KEY": "bench-secret-key",
        "DESK_AI_PROVIDER": "offline",
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": f"{slack_base}/api/",
        "SLACK_TRIAGE_CHANNEL": CHANNEL,
        "DESK_ADMIN_SLACK_IDS": ADMIN,
        "SLACK_POST_INTERVAL": "0",
    }


async def prepare(env: dict[str, str], smtp_port: int, drafts: int) -> list[tuple[int, str]]:
    """Mail in, drafts made and posted to the fake Slack; returns (draft id, message ts)."""
    desk_env = {k: v for k, v in env.items() if k.startswith(("DATABASE", "DESK_"))}
    desk = build_desk(Settings(_env_file=None, **desk_env))  # type: ignore[arg-type]
    try:
        mailbox = await desk.mailboxes.add(
            MailboxSpec(
                name="bench",
                address="support@desk.test",
                imap_host="127.0.0.1",
                imap_port=143,
                imap_user="x",
                imap_tls="none",
                smtp_host="127.0.0.1",
                smtp_port=smtp_port,
                smtp_user="",
                smtp_tls="none",
                password="unused",
            )
        )
        raws = [
            make_mail(sender=f"customer{i}@example.com", subject=f"Invoice question {i}")
            for i in range(drafts)
        ]
        items = [desk.ingestor.parse_one(FetchedMail(uid=i + 1, raw=r)) for i, r in enumerate(raws)]
        await desk.ingestor.ingest_batch(mailbox, None, items)
        report = await (await desk.triage_service()).triage_queued(limit=drafts)
        slack_env = {k: v for k, v in env.items() if k.startswith(("SLACK_", "DESK_ADMIN"))}
        notifier = slack_notifier(desk, SlackConfig(_env_file=None, **slack_env))  # type: ignore[arg-type]
        assert notifier is not None
        posted = await notifier.post_new_drafts(sorted(report.drafted))
        assert not posted.errors, posted.errors
        out = []
        for draft_id in sorted(report.drafted):
            post = await notifier.services.posts.get(draft_id)
            assert post is not None and post.ts
            out.append((draft_id, post.ts))
        return out
    finally:
        await desk.close()


def kinds_count(requests: int, kind: str) -> int:
    """How many of ``requests`` are of ``kind`` (they go approve, edit, command, ...)."""
    return len(range(("approve", "edit", "command").index(kind), requests, 3))


def trigger() -> str:
    return f"{uuid.uuid4().int % 10**12}.{uuid.uuid4().hex}"


def click(draft_id: int, ts: str, action_id: str) -> bytes:
    payload = {
        "type": "block_actions",
        "user": {"id": ADMIN, "team_id": TEAM, "name": "bench"},
        "team": {"id": TEAM},
        "api_app_id": "ABENCH",
        "trigger_id": trigger(),
        "container": {"type": "message", "channel_id": CHANNEL, "message_ts": ts},
        "channel": {"id": CHANNEL},
        "actions": [
            {
                "action_id": action_id,
                "block_id": f"draft:{draft_id}",
                "type": "button",
                "value": f"{draft_id}:1",
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


def command(text_: str, response_url: str) -> bytes:
    form = {
        "command": "/desk",
        "text": text_,
        "user_id": ADMIN,
        "team_id": TEAM,
        "channel_id": CHANNEL,
        "response_url": response_url,
        "trigger_id": trigger(),
    }
    return urlencode(form).encode()


class Client:
    """aiohttp, not httpx: on this kind of machine httpx's own overhead would dominate."""

    def __init__(self, base: str, concurrency: int) -> None:
        self.http = aiohttp.ClientSession(base)
        self.sem = asyncio.Semaphore(concurrency)

    async def timed(self, method: str, path: str, body: bytes | None = None) -> float:
        headers = {}
        if body is not None:
            headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(SECRET, body)}
        async with self.sem:
            start = time.perf_counter()
            async with self.http.request(method, path, data=body, headers=headers) as response:
                await response.read()
            elapsed = time.perf_counter() - start
        if response.status != 200:
            raise SystemExit(f"{method} {path} answered {response.status}")
        return elapsed

    async def many(self, requests: list[tuple[str, str, bytes | None]]) -> list[float]:
        return list(await asyncio.gather(*(self.timed(*r) for r in requests)))


async def stats(http: aiohttp.ClientSession, slack_base: str) -> dict[str, Any]:
    async with http.get(f"{slack_base}/_stats") as r:
        return await r.json()  # type: ignore[no-any-return]


async def drain(
    http: aiohttp.ClientSession,
    slack_base: str,
    smtp: Any,
    quiet: float = 0.5,
    owed: dict[str, int] | None = None,
) -> None:
    """Wait until the work after the acks is done: everything ``owed`` has arrived (mails,
    and Slack calls by method), or, without ``owed``, no new Slack call or mail for a while.
    Owed work that stops arriving is waited for 10 s more, then the run reports it missing."""
    last: tuple[int, int] = (-1, -1)
    still, deadline = time.monotonic(), time.monotonic() + 180
    while time.monotonic() < deadline:
        got = await stats(http, slack_base)
        now = (got["calls"], len(smtp.messages))
        if owed is None and now == last:
            return
        if owed is not None:
            have = {**got["by_method"], "mail": len(smtp.messages)}
            if all(have.get(k, 0) >= n for k, n in owed.items()):
                return
            if now != last:
                still = time.monotonic()
            elif time.monotonic() - still > 10:
                return
        last = now
        await asyncio.sleep(quiet)


async def run(args: argparse.Namespace) -> None:
    fake = subprocess.Popen(
        [sys.executable, "-m", "tests.support.fake_slack"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    server = None
    slack_base = f"http://127.0.0.1:{fake.stdout.readline().strip()}"  # type: ignore[union-attr]
    with tempfile.TemporaryDirectory() as tmpdir, running_smtp_server() as smtp:
        tmp = Path(tmpdir)
        url, drop = fresh_database(args.postgres, tmp)
        try:
            async with aiohttp.ClientSession() as http:
                await http.post(
                    f"{slack_base}/_users",
                    json={"id": ADMIN, "email": "bench@desk.test", "name": "bench", "admin": True},
                )
                upgrade(url)
                env = environment(url, tmp / "data", slack_base)
                n_approve = len(range(0, args.requests, 3))
                n_edit = len(range(1, args.requests, 3))
                posted = await prepare(env, smtp.port, n_approve + n_edit)
                port = free_port()
                server = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "uvicorn",
                        "server.asgi:app",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(port),
                        "--log-level",
                        "warning",
                    ],
                    cwd=ROOT,
                    env={**os.environ, **env},
                    stderr=open(args.server_log, "w") if args.server_log else None,  # noqa: SIM115
                )
                client = Client(f"http://127.0.0.1:{port}", args.concurrency)
                try:
                    for _ in range(600):
                        try:
                            await client.timed("GET", "/healthz")
                            break
                        except aiohttp.ClientError:
                            await asyncio.sleep(0.05)
                    else:
                        raise SystemExit("the app did not start")
                    slack: list[tuple[str, str, bytes | None]] = []
                    kinds: list[str] = []
                    for i in range(args.requests):
                        kind = ("approve", "edit", "command")[i % 3]
                        if kind == "approve":
                            body = click(*posted[i // 3], "draft_approve")
                        elif kind == "edit":
                            body = click(*posted[n_approve + i // 3], "draft_edit")
                        else:
                            words = "help" if i % 2 else "search invoice status:pending"
                            body = command(words, f"{slack_base}/respond/{i}")
                        slack.append(("POST", "/slack/events", body))
                        kinds.append(kind)
                    trivial: list[tuple[str, str, bytes | None]] = [
                        ("GET", "/healthz", None)
                    ] * args.requests

                    # warm-up, one of each kind (a draft that does not exist: nothing is sent),
                    # so first-use costs (imports, statement compilation) stay out of the numbers
                    def warm() -> list[tuple[str, str, bytes | None]]:
                        return [
                            ("POST", "/slack/events", command("help", f"{slack_base}/respond/w")),
                            ("POST", "/slack/events", click(999_999, "1.1", "draft_approve")),
                            ("POST", "/slack/events", click(999_999, "1.1", "draft_edit")),
                        ]

                    await client.many(trivial[: args.concurrency])
                    warm_rounds = args.concurrency // 3 * 3
                    for _ in range(warm_rounds):
                        await client.many(warm())
                    await drain(http, slack_base, smtp)
                    # each warm-up round fills one edit modal (a notice) and answers one command
                    owed = {
                        "mail": n_approve,
                        "views.update": n_edit + warm_rounds,
                        "response_url": kinds_count(args.requests, "command") + warm_rounds,
                    }
                    base1 = await client.many(trivial)
                    started = time.monotonic()
                    acks = await client.many(slack)
                    acked_in = time.monotonic() - started
                    await drain(http, slack_base, smtp, owed=owed)
                    worked_for = time.monotonic() - started
                    base2 = await client.many(trivial)
                    final = await stats(http, slack_base)
                finally:
                    await client.http.close()
        finally:
            if server is not None:
                server.terminate()
                server.wait(10)
            fake.terminate()
            fake.wait(10)
            drop()
    baseline = base1 + base2
    db = "postgresql" if args.postgres else "sqlite"
    by = final["by_method"]
    complete = not final["invalid"] and all(
        {**by, "mail": len(smtp.messages)}.get(k, 0) >= n for k, n in owed.items()
    )
    if args.json:
        print(json.dumps(summary(args, db, acks, kinds, base1, base2, by, final, smtp, owed)))
        if not complete:
            raise SystemExit("the work after the acks was not all done")
        return

    def line(name: str, values: list[float]) -> str:
        return f"  {name:14} p50 {pct(values, 0.5) * 1000:7.1f} ms   p99 {pct(values, 0.99) * 1000:7.1f} ms"

    print(
        f"{args.requests} signed Slack requests, {args.concurrency} at a time, uvicorn on loopback, {db}"
    )
    print(line("slack acks", acks) + f"   max {max(acks) * 1000:7.1f} ms")
    for k in ("approve", "edit", "command"):
        print("  " + line(k, [a for kk, a in zip(kinds, acks, strict=True) if kk == k]))
    print(line("GET /healthz", baseline) + "   (same app, same concurrency, before and after)")
    print(line("  before", base1))
    print(line("  after", base2))
    p99 = pct(acks, 0.99)
    print(
        f"  ratio slack/trivial: p50 {pct(acks, 0.5) / pct(baseline, 0.5):.1f}x   "
        f"p99 {p99 / pct(baseline, 0.99):.1f}x   target p99 < 300 ms: {'met' if p99 < 0.3 else 'MISSED'}"
    )
    print(
        f"  work after the acks: {len(smtp.messages)}/{n_approve} approvals mailed, "
        f"{by.get('views.update', 0)}/{owed['views.update']} edit modals filled, "
        f"{by.get('response_url', 0)}/{owed['response_url']} command answers, "
        f"{final['calls']} Slack API calls ({final['invalid']} refused); "
        f"200 acked in {acked_in:.2f} s, their work done {worked_for:.1f} s after the first"
    )
    print(
        f"  in one line: p99 ack {p99 * 1000:.0f} ms = {p99 / pct(baseline, 0.99):.1f}x the p99 of "
        f"GET /healthz ({pct(baseline, 0.99) * 1000:.0f} ms) in the same run, {db}; "
        f"owed work {'complete' if complete else 'NOT complete'}"
    )
    if not complete:
        raise SystemExit("the work after the acks was not all done")


def summary(
    args: argparse.Namespace,
    db: str,
    acks: list[float],
    kinds: list[str],
    base1: list[float],
    base2: list[float],
    by: dict[str, int],
    final: dict[str, Any],
    smtp: Any,
    owed: dict[str, int],
) -> dict[str, Any]:
    """Every figure of a run, times in ms, for ``--json``."""

    def ms(values: list[float]) -> dict[str, float]:
        return {
            "p50": round(pct(values, 0.5) * 1000, 1),
            "p99": round(pct(values, 0.99) * 1000, 1),
            "max": round(max(values) * 1000, 1),
        }

    baseline = base1 + base2
    return {
        "database": db,
        "requests": args.requests,
        "concurrency": args.concurrency,
        "acks": ms(acks),
        "by_kind": {
            k: ms([a for kk, a in zip(kinds, acks, strict=True) if kk == k])
            for k in ("approve", "edit", "command")
        },
        "healthz": ms(baseline),
        "ratio": {
            "p50": round(pct(acks, 0.5) / pct(baseline, 0.5), 2),
            "p99": round(pct(acks, 0.99) / pct(baseline, 0.99), 2),
        },
        "owed": {
            "approvals_mailed": len(smtp.messages),
            "approvals": owed["mail"],
            "edit_modals_filled": by.get("views.update", 0),
            "edit_modals": owed["views.update"],
            "command_answers": by.get("response_url", 0),
            "commands": owed["response_url"],
            "slack_calls": final["calls"],
            "refused": final["invalid"],
            "complete": not final["invalid"]
            and all({**by, "mail": len(smtp.messages)}.get(k, 0) >= n for k, n in owed.items()),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument("--server-log", help="write the app's log here instead of the terminal")
    parser.add_argument("--json", action="store_true", help="print every figure as one JSON object")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
