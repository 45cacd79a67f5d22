"""desk secrets rotate: every stored secret sealed again with the newest key.

Set the new key as ``DESK_SECRET_KEY`` and the one it replaces in ``DESK_SECRET_KEY_OLD``
(several: comma separated, newest first) for every process, then run this once. It is one
transaction and idempotent (a second run re-encrypts nothing); a secret that opens with no
configured key stops it before anything changes (exit 1, naming the secret).
"""

from __future__ import annotations

import argparse

from core.audit import Actor
from core.control.secret_rotation import rotate_secrets
from server.cli.commands import command_parser
from server.cli.common import print_json, run_with_desk
from server.wiring import Desk


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = command_parser(sub, "secrets")
    cmds = p.add_subparsers(dest="secrets_command", metavar="COMMAND")
    cmds.required = True
    c = cmds.add_parser(
        "rotate",
        help="re-encrypt stored secrets from DESK_SECRET_KEY_OLD to DESK_SECRET_KEY",
    )
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_rotate)


def cmd_rotate(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        report = await rotate_secrets(
            desk.sessions, desk.secrets, actor=Actor(name="cli", source="cli")
        )
        if args.json:
            print_json(report.as_dict())
            return 0
        print(
            f"re-encrypted {report.rotated} stored secret(s) with the newest key "
            f"({report.current} already used it; {report.keys} key(s) configured)"
        )
        return 0

    return run_with_desk(work)
