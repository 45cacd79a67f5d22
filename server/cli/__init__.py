"""The ``desk`` command. A stable contract: scripts depend on its commands, options, JSON
output and exit codes (0 ok, 1 the operation failed, 2 bad usage)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

import pydantic

from server.cli.common import fail


def build_parser() -> argparse.ArgumentParser:
    from server.cli import (
        ai,
        bulk,
        desk_commands,
        mail_commands,
        parse,
        recipients,
        scheduler,
        service,
        stats,
        templates,
    )

    parser = argparse.ArgumentParser(prog="desk", description="AI support desk")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    service.register(sub)
    mail_commands.register(sub)
    desk_commands.register(sub)
    parse.register(sub)
    ai.register(sub)
    bulk.register(sub)
    stats.register(sub)
    templates.register(sub)
    scheduler.register(sub)
    recipients.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        return int(args.func(args) or 0)
    except pydantic.ValidationError as exc:  # settings from the environment or .env
        return fail("configuration error: " + config_problems(exc))


def config_problems(exc: pydantic.ValidationError) -> str:
    """``NAME: what is wrong`` for each setting pydantic refused, on one line."""
    return "; ".join(
        f"{'.'.join(str(part) for part in error['loc']) or exc.title}: {error['msg']}"
        for error in exc.errors()
    )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
