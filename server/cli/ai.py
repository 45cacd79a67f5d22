"""desk triage FILE | desk eval FILE.csv | desk eval --heldout | desk ai test | desk ai calibration.

AI settings come from the environment (the ``ai`` and ``brand`` sections of ``Settings``); none of these
commands but ``desk ai calibration`` (in ``server.cli.calibration``, loaded when it runs)
needs the database, so this module imports nothing from the desk's wiring (and
``server.cli.common`` loads none of it at import). Exit codes: 0 ok, 1 the operation failed, 2 bad usage.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TextIO, TypeVar

from core.ai import evaluation
from core.ai.config import AISettings, from_sections
from core.ai.result import Triaged, TriageRequest
from core.ai.service import Triager, build_triager, check
from core.config import Settings
from core.errors import DeskError
from server.cli.commands import command_parser
from server.cli.common import fail, print_json, usage

T = TypeVar("T")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = command_parser(sub, "triage")
    p.add_argument("file", metavar="FILE", help="raw RFC 822 message, or - for standard input")
    p.add_argument("--json", action="store_true", help="print the result fields as JSON")
    p.add_argument("--provider", choices=("offline", "openai"), help="override DESK_AI_PROVIDER")
    p.set_defaults(func=run_triage)

    p = command_parser(sub, "eval")
    p.add_argument("file", metavar="FILE.csv", nargs="?")
    p.add_argument(
        "--heldout",
        action="store_true",
        help="score the project's held-out split (core/ai/data/heldout.csv) with its columns",
    )
    p.add_argument("--text-col", metavar="C", help="column with the email text")
    p.add_argument("--subject-col", metavar="C")
    p.add_argument("--category-col", metavar="C")
    p.add_argument("--urgency-col", metavar="C")
    p.add_argument(
        "--lang-col", metavar="C", help="column with a language code: per-language scores"
    )
    p.add_argument(
        "--label-map",
        type=Path,
        metavar="FILE.json",
        help='{"category": {label: desk category|null}, "urgency": {...}}',
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--provider", choices=("offline", "openai"), help="override DESK_AI_PROVIDER")
    p.add_argument(
        "--limit", type=int, metavar="N", help="score N usable rows spread evenly over the file"
    )
    p.add_argument(
        "--concurrency",
        type=int,
        metavar="N",
        help="requests in flight (default: DESK_AI_CONCURRENCY or 8)",
    )
    p.set_defaults(func=run_eval)

    p = command_parser(sub, "ai")
    ai_sub = p.add_subparsers(dest="ai_command", metavar="ACTION")
    ai_sub.required = True
    t = ai_sub.add_parser("test", help="check the AI provider: reachable, key valid, model known")
    t.add_argument("--provider", choices=("offline", "openai"), help="override DESK_AI_PROVIDER")
    t.set_defaults(func=run_ai_test)
    c = ai_sub.add_parser(
        "calibration", help="the confidence calibration per provider (the database's drafts)"
    )
    c.add_argument("--fit", action="store_true", help="fit again now from the reviewed drafts")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=run_calibration)


def run_calibration(args: argparse.Namespace) -> int:
    """``desk ai calibration``: it reads the database, so it lives in server.cli.calibration."""
    from server.cli.calibration import run_calibration as run

    return run(args)


def _settings(args: argparse.Namespace) -> AISettings:
    env = Settings()
    settings = from_sections(env.ai, env.brand)
    provider = getattr(args, "provider", None)
    if provider:
        settings = settings.model_copy(update={"provider": provider})
    return settings


def _run_with_triager(settings: AISettings, work: Callable[[Triager], Awaitable[T]]) -> T:
    async def go() -> T:
        triager = build_triager(settings)
        try:
            return await work(triager)
        finally:
            await triager.aclose()

    return asyncio.run(go())


# --- desk triage ------------------------------------------------------------------------


def _read_bytes(name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read()
    return Path(name).read_bytes()


def run_triage(args: argparse.Namespace) -> int:
    from core.mail.parsing import parse_message

    try:
        raw = _read_bytes(args.file)
    except OSError as exc:
        return fail(f"cannot read {args.file}: {exc.strerror or exc}")
    try:
        settings = _settings(args)
        parsed = parse_message(raw)
        request = TriageRequest(
            subject=parsed.subject,
            text=parsed.reply_text or parsed.text,
            sender_email=parsed.from_email,
            sender_name=parsed.from_name,
        )

        async def work(triager: Triager) -> Triaged:
            return await triager.triage(request)

        triaged = _run_with_triager(settings, work)
    except DeskError as exc:
        return fail(str(exc))
    if args.json:
        print_json(triaged.result.model_dump(mode="json"))
    else:
        sys.stdout.write(format_triaged(triaged) + "\n")
    return 0


def format_triaged(triaged: Triaged) -> str:
    result, meta, flags = triaged.result, triaged.meta, triaged.result.flags
    lines = [
        f"category:   {result.category.value} (confidence {result.confidence:.2f})",
        f"urgency:    {result.urgency.value}",
        f"summary:    {result.summary}",
        f"escalation: {'yes: ' + (flags.escalation_reason or '') if flags.escalation_required else 'no'}",
    ]
    if flags.fallback:
        lines.append(f"fallback:   offline provider used ({flags.fallback_reason})")
    lines += [f"safety:     {finding}" for finding in flags.safety_findings]
    lines.append("fix steps:")
    lines += [f"  {i}. {step}" for i, step in enumerate(result.fix_steps, 1)]
    lines.append("draft reply:")
    lines += [f"  | {line}" for line in result.draft_reply.splitlines()]
    lines.append(
        f"({meta.provider} {meta.model}, prompt {meta.prompt_version}, {meta.latency_ms} ms, "
        f"tokens {meta.tokens_in} in / {meta.tokens_out} out)"
    )
    return "\n".join(lines)


# --- desk eval --------------------------------------------------------------------------


class ProgressBar:
    """A one-line progress bar on a terminal; silent anywhere else."""

    def __init__(self, stream: TextIO, *, width: int = 30) -> None:
        self.stream = stream
        self.enabled = stream.isatty()
        self.width = width
        self.started = time.perf_counter()
        self._last = 0.0

    def update(self, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        now = time.perf_counter()
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        filled = int(self.width * done / total)
        rate = done / max(now - self.started, 1e-9)
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (self.width - filled)}] {done}/{total} {rate:.1f}/s"
        )
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


def run_eval(args: argparse.Namespace) -> int:
    if args.heldout:
        if args.file:
            return usage("eval", "give FILE.csv or --heldout, not both")
        args.file = str(evaluation.HELDOUT_PATH)
        columns = evaluation.HELDOUT_COLUMNS
        args.text_col = args.text_col or columns["text_col"]
        args.subject_col = args.subject_col or columns["subject_col"]
        args.category_col = args.category_col or columns["category_col"]
        args.urgency_col = args.urgency_col or columns["urgency_col"]
        args.lang_col = args.lang_col or columns["language_col"]
    if not args.file:
        return usage("eval", "give FILE.csv (or --heldout)")
    if not args.text_col:
        return usage("eval", "--text-col is required with FILE.csv")
    if args.limit is not None and args.limit <= 0:
        return usage("eval", "--limit must be a positive number")
    if args.concurrency is not None and args.concurrency <= 0:
        return usage("eval", "--concurrency must be a positive number")
    if not args.category_col and not args.urgency_col:
        return usage("eval", "nothing to score: give --category-col and/or --urgency-col")
    path = Path(args.file)
    if not path.is_file():
        return fail(f"cannot read {path}: no such file")
    try:
        label_map = evaluation.load_label_map(args.label_map) if args.label_map else None
        dataset = evaluation.read_dataset(
            path,
            text_col=args.text_col,
            subject_col=args.subject_col,
            category_col=args.category_col,
            urgency_col=args.urgency_col,
            label_map=label_map,
            limit=args.limit,
            language_col=args.lang_col,
        )
    except DeskError as exc:
        return usage("eval", str(exc))
    if not dataset.rows:
        return fail(
            f"no rows to score in {path.name} ({dataset.total} rows, {dataset.skipped} skipped: "
            "labels missing from the label map or mapped to null)"
        )
    try:
        settings = _settings(args)
        concurrency = args.concurrency or settings.concurrency
        progress = ProgressBar(sys.stderr)

        async def work(triager: Triager) -> evaluation.EvalReport:
            return await evaluation.evaluate(
                dataset, triager, concurrency=concurrency, on_progress=progress.update
            )

        report = _run_with_triager(settings, work)
    except DeskError as exc:
        return fail(str(exc))
    if args.json:
        print_json(report.to_json())
    else:
        sys.stdout.write(evaluation.format_report(report) + "\n")
    if report.errors == report.n:
        return fail(f"every triage failed ({report.errors} of {report.n})")
    return 0


# --- desk ai test -----------------------------------------------------------------------


def run_ai_test(args: argparse.Namespace) -> int:
    try:
        message = asyncio.run(check(_settings(args)))
    except DeskError as exc:
        return fail(f"AI check failed: {exc}")
    print(message)
    return 0
