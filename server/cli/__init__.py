"""The ``desk`` command. A stable contract: scripts depend on its commands, options, JSON
output and exit codes (0 ok, 1 the operation failed, 2 bad usage).

It starts at once: ``desk --help`` and ``desk --version`` import nothing of the engine, and
``desk COMMAND`` imports only the module holding COMMAND (``server.cli.commands`` says
which), so the libraries of one command never slow another.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
import traceback
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn, cast

from server.cli.commands import COMMANDS, command_parser, modules
from server.cli.common import USAGE, fail

if TYPE_CHECKING:
    import pydantic

PACKAGE = "ai-support-desk"


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed_version

    try:
        return installed_version(PACKAGE)
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


class _Version(argparse.Action):
    """``--version``: ``desk <version>`` on stdout, exit 0 (looked up only when asked)."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *_args: Any, **_kwargs: Any) -> None:
        print(f"desk {version()}")
        parser.exit(0)


class Parser(argparse.ArgumentParser):
    """Bad usage is one line on stderr (what is wrong, and where help is), exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(USAGE, f"{self.prog}: error: {message} (`{self.prog} --help` shows usage)\n")


def command_of(argv: Sequence[str]) -> str | None:
    """The command word of ``argv``: its first non-option (no top-level option takes a value)."""
    return next((arg for arg in argv if not arg.startswith("-")), None)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser for ``argv``: every command named, and the one ``argv`` runs given all
    its arguments by its module (without ``argv``: every module's, for tests and docs)."""
    wanted = COMMANDS.get(command_of(argv) or "", ("", ""))[0] if argv is not None else None
    parser = Parser(prog="desk", description="AI support desk")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    parser.add_argument("--version", action=_Version)
    sub = cast(
        "argparse._SubParsersAction[argparse.ArgumentParser]",
        parser.add_subparsers(dest="command", metavar="COMMAND"),
    )
    sub.required = True
    for module in modules():
        if wanted is None or module == wanted:
            importlib.import_module(f"server.cli.{module}").register(sub)
        else:
            for command in [c for c, (m, _) in COMMANDS.items() if m == module]:
                command_parser(sub, command, add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(argv).parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return fail("interrupted")
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, never a traceback
        return unexpected(exc, verbose=args.verbose)


def unexpected(exc: Exception, *, verbose: bool) -> int:
    """A configuration error named setting by setting, anything else in one line (the
    traceback only with ``-v``)."""
    import pydantic

    if isinstance(exc, pydantic.ValidationError):  # settings from the environment or .env
        return fail("configuration error: " + config_problems(exc))
    if verbose:
        traceback.print_exception(exc, file=sys.stderr)
    detail = " ".join(str(exc).split()) or type(exc).__name__
    return fail(f"unexpected error ({type(exc).__name__}): {detail[:300]} (-v shows where)")


def config_problems(exc: pydantic.ValidationError) -> str:
    """``NAME: what is wrong`` for each setting pydantic refused, on one line."""
    return "; ".join(
        f"{'.'.join(str(part) for part in error['loc']) or exc.title}: {error['msg']}"
        for error in exc.errors()
    )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
