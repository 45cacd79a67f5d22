"""Triage throughput: OpenAI path against a loopback server, and the offline provider.

    .venv/bin/python bench/triage.py [--emails 500] [--delay 0.5] [--concurrency 32]

The loopback OpenAI-compatible server answers every request after a fixed delay. With
concurrency C the ideal wall time is emails x delay / C; the target is a ratio <= 1.5.
The offline provider's throughput (emails/s, one core, model already trained) is printed too.
Exit status 1 when the ratio misses the target.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.ai.config import AISettings  # noqa: E402
from core.ai.offline import OfflineProvider, get_model  # noqa: E402
from core.ai.result import TriageRequest  # noqa: E402
from core.ai.service import Triager, build_triager  # noqa: E402
from tests.support.fake_openai import serve_in_subprocess  # noqa: E402

TARGET_RATIO = 1.5

SAMPLES = [
    (
        "Charged twice",
        "Hi,\n\nI was charged twice for my subscription this month. Please refund one.\n\nAnn",
    ),
    ("App crash", "The desktop app crashes every time I open the reports page since the update."),
    ("Cannot log in", "I forgot my password and the reset link never arrives. Can you help?"),
    ("Idea", "It would be great to have a dark mode and keyboard shortcuts in the editor."),
    ("Order status", "Where is my order #48213? Tracking has not moved for a week."),
    ("Danke", "Hallo, vielen Dank für die schnelle Hilfe gestern, alles funktioniert wieder."),
    ("Factura", "Hola, la factura de marzo tiene un importe incorrecto, ¿pueden revisarla?"),
    ("Panne", "Bonjour, le serveur ne répond plus depuis ce matin, toute l'équipe est bloquée."),
]


def requests(n: int) -> list[TriageRequest]:
    return [
        TriageRequest(
            subject=f"{SAMPLES[i % len(SAMPLES)][0]} ({i})",
            text=SAMPLES[i % len(SAMPLES)][1],
            sender_email=f"customer{i}@example.com",
            sender_name="Bench Customer",
        )
        for i in range(n)
    ]


async def bench_openai(n: int, delay: float, concurrency: int) -> tuple[float, int]:
    # the server gets its own process: a real API does not share the client's GIL either
    with serve_in_subprocess(api_key="bench-key", delay=delay) as base_url:
        settings = AISettings(
            provider="openai",
            api_key="bench-key",
            base_url=base_url,
            concurrency=concurrency,
            timeout_seconds=30,
            max_retries=0,
        )
        triager = build_triager(settings)
        await triager.warm_up()
        try:
            started = time.perf_counter()
            items = await triager.triage_many(requests(n), concurrency=concurrency)
            wall = time.perf_counter() - started
        finally:
            await triager.aclose()
    ok = sum(
        1 for item in items if item.triaged is not None and item.triaged.meta.provider == "openai"
    )
    return wall, ok


async def bench_offline(n: int) -> float:
    triager = Triager(OfflineProvider(), settings=AISettings())
    await triager.warm_up()
    batch = requests(n)
    started = time.perf_counter()
    items = await triager.triage_many(batch, concurrency=1)
    wall = time.perf_counter() - started
    assert all(item.triaged is not None for item in items)
    return n / wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--emails", type=int, default=500)
    parser.add_argument("--delay", type=float, default=0.5, help="server answer delay, seconds")
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()

    started = time.perf_counter()
    model = get_model()
    print(
        f"offline model: {model.n_examples} examples, trained in {time.perf_counter() - started:.2f}s"
    )

    wall, ok = asyncio.run(bench_openai(args.emails, args.delay, args.concurrency))
    ideal = args.emails * args.delay / args.concurrency
    ratio = wall / ideal
    print(
        f"openai (loopback, {args.delay * 1000:.0f} ms per answer, concurrency {args.concurrency}): "
        f"{args.emails} emails in {wall:.2f}s, ideal {ideal:.2f}s, ratio {ratio:.3f} "
        f"(target <= {TARGET_RATIO}) {'OK' if ratio <= TARGET_RATIO else 'MISSED'}; "
        f"{ok}/{args.emails} answered by the model"
    )
    rate = asyncio.run(bench_offline(args.emails))
    print(f"offline provider: {rate:.0f} emails/s ({args.emails} emails, one core)")
    return 0 if ratio <= TARGET_RATIO and ok == args.emails else 1


if __name__ == "__main__":
    sys.exit(main())
