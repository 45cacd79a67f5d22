"""``desk parse FILE [--json]``: show how the desk reads one raw email (.eml) file."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from core.errors import ParseError
from core.mail.language import message_language
from core.mail.loopguard import Classification, classify
from core.mail.parsed import ParsedMessage
from core.mail.parsing import parse_message
from server.cli.commands import command_parser
from server.cli.common import terminal


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``parse`` subcommand to the ``desk`` parser's subparsers."""
    parser = command_parser(
        subparsers,
        "parse",
        description="Parse a raw RFC 5322 message (an .eml file, or - for stdin) and print "
        "its headers, text, reply text, attachments, defects and loop-guard kind.",
    )
    parser.add_argument("file", help="path of the raw message, or - to read stdin")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--own-address",
        action="append",
        default=[],
        metavar="ADDRESS",
        help="an address of ours, for the loop guard (repeatable)",
    )
    parser.set_defaults(func=run, handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    """Exit 0 when parsed, 1 when the file cannot be read or is not an email."""
    try:
        raw = sys.stdin.buffer.read() if args.file == "-" else _read(args.file)
    except OSError as exc:
        print(f"desk parse: cannot read {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    try:
        parsed = parse_message(raw)
    except ParseError as exc:
        print(f"desk parse: {args.file}: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # a parser bug: report it like the ingest does, do not crash
        print(f"desk parse: {args.file}: parser crashed: {exc!r}", file=sys.stderr)
        return 1
    kind = classify(parsed, own_addresses=set(args.own_address))
    if args.json:
        json.dump(to_json(parsed, kind), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render(parsed, kind))
    return 0


def _read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def to_json(parsed: ParsedMessage, kind: Classification) -> dict[str, Any]:
    """The stable JSON shape of ``desk parse --json``."""
    return {
        "message_id": parsed.message_id,
        "synthetic_message_id": parsed.synthetic_message_id,
        "in_reply_to": parsed.in_reply_to,
        "references": parsed.references,
        "from": parsed.from_email,
        "from_name": parsed.from_name,
        "to": parsed.to,
        "cc": parsed.cc,
        "subject": parsed.subject,
        "date": parsed.date.isoformat() if parsed.date else None,
        "text": parsed.text,
        "reply_text": parsed.reply_text,
        "attachments": [
            {
                "filename": a.filename,
                "content_type": a.content_type,
                "size": a.size,
                "sha256": a.sha256,
                "note": a.note,
            }
            for a in parsed.attachments
        ],
        "auto_submitted": parsed.auto_submitted,
        "language": message_language(parsed),
        "defects": parsed.defects,
        "kind": kind.kind,
        "kind_reason": kind.reason,
        "bounced_recipients": kind.bounced_recipients,
        "bounce_status": kind.bounce_status,
        "original_message_id": kind.original_message_id,
    }


def render(parsed: ParsedMessage, kind: Classification) -> str:
    """A human-readable summary. Everything taken from the message is escaped for the
    terminal (``terminal``): texts keep their newlines and tabs, headers keep nothing."""
    t = terminal
    lines = [
        f"Message-ID:  {t(parsed.message_id)}"
        + (" (synthetic)" if parsed.synthetic_message_id else ""),
        f"From:        {t(parsed.from_name)} <{t(parsed.from_email)}>".replace(" <>", ""),
        f"To:          {t(', '.join(parsed.to))}",
        f"Subject:     {t(parsed.subject)}",
        f"Date:        {parsed.date.isoformat() if parsed.date else '-'}",
        f"In-Reply-To: {t(parsed.in_reply_to) or '-'}",
        f"References:  {t(' '.join(parsed.references)) or '-'}",
        f"Kind:        {kind.kind} ({t(kind.reason)})",
        f"Language:    {message_language(parsed) or '-'}",
    ]
    if kind.kind == "bounce":
        lines.append(
            f"Bounced:     {t(', '.join(kind.bounced_recipients)) or '-'} "
            f"status {t(kind.bounce_status) or '-'} original {t(kind.original_message_id) or '-'}"
        )
    for a in parsed.attachments:
        note = f" - {t(a.note)}" if a.note else ""
        lines.append(f"Attachment:  {t(a.filename)} ({t(a.content_type)}, {a.size} bytes){note}")
    if parsed.defects:
        lines.append(f"Defects:     {t('; '.join(parsed.defects))}")
    lines += [
        "",
        "--- reply text ---",
        t(parsed.reply_text, lines=True),
        "",
        "--- full text ---",
        t(parsed.text, lines=True),
    ]
    return "\n".join(lines).rstrip("\n") + "\n"
