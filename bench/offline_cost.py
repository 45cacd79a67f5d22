"""CPU cost per mail of the offline triage path, by stage, and a dump of every output.

Loads the first ``--rows`` generated examples (``core/ai/data/examples.jsonl``) and the
hand-written mails (``core/ai/data/handwritten.csv``) as TriageRequests (some with a sender
name, a ticket id, a knowledge-base source, an earlier message or an attachment, so every
branch of the draft is taken), runs them through the offline path as triage does (the
Triager of ``build_triager`` with the offline provider: the batch classified in one call,
each draft, then ``Triager.review``) and prints the process CPU time per mail of each
stage next to a baseline measured in the same run (``json.dumps`` of the requests).

``--dump FILE`` writes every output (category, urgency, confidence, summary, fix steps,
draft, citations, flags) as JSON lines, so two versions of the code can be compared byte
for byte (``cmp before.jsonl after.jsonl``).

    PYTHONPATH=. python bench/offline_cost.py [--rows 2000] [--repeat 3] [--dump FILE]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

from core.ai import char_ngrams, guardrails
from core.ai.config import AISettings
from core.ai.offline import (
    HANDWRITTEN_PATH,
    OfflineProvider,
    Prediction,
    classifier_input,
    get_model,
    load_examples,
    load_handwritten,
)
from core.ai.result import (
    AttachmentInfo,
    ContextMessage,
    KnowledgeSource,
    Triaged,
    TriageRequest,
)
from core.ai.service import Triager, build_triager

T = TypeVar("T")

NAMES = ("Anna Keller", "Lucas Martin", "María García", "", "Jean Dupont", "João Silva")


def requests_of(rows: list[dict[str, str]]) -> list[TriageRequest]:
    out: list[TriageRequest] = []
    for i, row in enumerate(rows):
        out.append(
            TriageRequest(
                subject=row["subject"],
                text=row["text"],
                sender_email=f"customer{i}@example.com",
                sender_name=NAMES[i % len(NAMES)],
                ticket_id=i + 1 if i % 2 else None,
                history=(
                    [ContextMessage(direction="in", from_email="x@example.com", text="Any news?")]
                    if i % 5 == 0
                    else []
                ),
                sources=(
                    [
                        KnowledgeSource(
                            id=7,
                            title="Resetting your password",
                            text="Open Settings, then Security.",
                            public_url="https://help.example.com/reset" if i % 6 else None,
                        )
                    ]
                    if i % 3 == 0
                    else []
                ),
                knowledge_base=i % 4 == 0,
                attachments=(
                    [
                        AttachmentInfo(
                            name="error.log",
                            content_type="text/plain",
                            size=120,
                            excerpt="ERROR 500 Internal Server Error at checkout",
                        )
                    ]
                    if i % 7 == 0
                    else []
                ),
            )
        )
    return out


def cpu(fn: Callable[[], T]) -> tuple[T, float]:
    started = time.process_time()
    value = fn()
    return value, time.process_time() - started


def _finish_all(
    provider: OfflineProvider, requests: list[TriageRequest], predictions: list[Prediction]
) -> list[Triaged]:
    return [provider.finish(r, p) for r, p in zip(requests, predictions, strict=True)]


def _review_all(
    triager: Triager, requests: list[TriageRequest], drafted: list[Triaged]
) -> list[Triaged]:
    return [
        triager.review(t, request=r, offered=[s.id for s in r.sources])
        for r, t in zip(requests, drafted, strict=True)
    ]


def output_of(triaged: Triaged) -> dict[str, object]:
    r = triaged.result
    return {
        "category": r.category.value,
        "urgency": r.urgency.value,
        "confidence": r.confidence,
        "summary": r.summary,
        "fix_steps": r.fix_steps,
        "draft_reply": r.draft_reply,
        "citations": r.citations,
        "flags": r.flags.model_dump(),
        "prompt_version": triaged.meta.prompt_version,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=2000, help="generated examples to use")
    parser.add_argument("--repeat", type=int, default=3, help="rounds (the best is printed)")
    parser.add_argument("--dump", type=Path, help="write every output as JSON lines here")
    args = parser.parse_args()

    rows = load_examples()[: args.rows] + load_handwritten(HANDWRITTEN_PATH)
    requests = requests_of(rows)
    get_model()  # load (or train) before timing
    triager = build_triager(AISettings(provider="offline"))
    provider = triager.primary
    assert isinstance(provider, OfflineProvider)
    prepared = [triager.prepare(r) for r in requests]
    n = len(prepared)

    best: dict[str, float] = {}
    outputs: list[Triaged] = []
    for _ in range(max(1, args.repeat)):
        times: dict[str, float] = {}
        guardrails.clear_caches()  # each round starts cold, as a fresh process does
        char_ngrams.clear_caches()
        _, times["baseline json.dumps"] = cpu(
            lambda: [json.dumps(r.model_dump(mode="json")) for r in prepared]
        )
        _, times["classifier input"] = cpu(
            lambda: [classifier_input(r.subject, r.text) for r in prepared]
        )
        predictions: list[Prediction]
        predictions, times["predict"] = cpu(lambda: provider.predict(prepared))
        drafted, times["finish (drafts)"] = cpu(
            partial(_finish_all, provider, prepared, predictions)
        )
        outputs, times["review"] = cpu(partial(_review_all, triager, prepared, drafted))
        for stage, seconds in times.items():
            best[stage] = min(best.get(stage, seconds), seconds)

    print(f"{n} mails; CPU ms per mail (best of {max(1, args.repeat)})")
    base = best["baseline json.dumps"]
    for stage, seconds in best.items():
        print(f"  {stage:22} {1000 * seconds / n:7.3f} ms  ({seconds / base:5.2f}x baseline)")
    total = best["predict"] + best["finish (drafts)"] + best["review"]
    print(f"  {'offline total':22} {1000 * total / n:7.3f} ms  ({total / base:5.2f}x baseline)")

    if args.dump is not None:
        with args.dump.open("w", encoding="utf-8") as fh:
            for triaged in outputs:
                fh.write(json.dumps(output_of(triaged), ensure_ascii=False, sort_keys=True) + "\n")
        print(f"wrote {len(outputs)} outputs to {args.dump}")


if __name__ == "__main__":
    main()
