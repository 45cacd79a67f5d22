"""desk tokens create | list | revoke: API tokens for the REST API.

``create`` prints the token once (only a keyed hash of it is stored: it cannot be shown
again); ``list`` never shows a token. The owner is a desk user named by email; a token's
rights are the owner's role at each request ∩ its scopes, so demoting or deactivating the
owner limits or stops it at once. The shell is trusted (no role is checked) and every
change is audited with source ``cli`` (see ``core.access.tokens``).
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import TYPE_CHECKING

from server.cli.commands import command_parser
from server.cli.common import print_json, record_id, run_with_desk, terminal
from server.cli.users import shell

if TYPE_CHECKING:
    from core.access.directory import UserInfo
    from core.access.tokens import TokenInfo
    from server.wiring import Desk


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = command_parser(sub, "tokens")
    cmds = p.add_subparsers(dest="tokens_command", metavar="ACTION")
    cmds.required = True

    c = cmds.add_parser("create", help="a new token for a user, printed once")
    c.add_argument("--user", required=True, metavar="EMAIL", help="the token's owner")
    c.add_argument(
        "--scope", default="read", metavar="SCOPES", help="read, write, admin (comma separated)"
    )
    c.add_argument("--expires", default="90d", metavar="DURATION", help="30m, 12h, 90d (<= 365d)")
    c.add_argument("--name", default="", metavar="TEXT", help="what the token is for")
    c.add_argument(
        "--service",
        action="store_true",
        help="a service token (for an integration: owned by an admin, needs --name)",
    )
    c.add_argument("--by", metavar="EMAIL", help="who (for the audit log)")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_create)

    c = cmds.add_parser("list", help="tokens with owner, scopes and expiry (never the token)")
    c.add_argument("--user", metavar="EMAIL", help="only this user's tokens")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_list)

    c = cmds.add_parser("revoke", help="stop a token at once")
    c.add_argument("id", type=record_id, help="the token's id (from `desk tokens list`)")
    c.add_argument("--by", metavar="EMAIL", help="who (for the audit log)")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_revoke)


def state_of(t: TokenInfo, now: datetime) -> str:
    if t.revoked_at is not None:
        return "revoked"
    return "expired" if t.expires_at <= now else "active"


def _when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value is not None else "-"


async def _owner(desk: Desk, email: str) -> UserInfo:
    from core.errors import NotFound

    try:
        return await desk.directory.by_email(email)
    except NotFound as exc:
        raise NotFound(f"{exc} (add them with `desk users add`)", **exc.data) from exc


def cmd_create(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        owner = await _owner(desk, args.user)
        who = await shell(desk, args.by)
        issued = await desk.tokens.create(
            owner.id,
            scopes=args.scope,
            expires=args.expires,
            name=args.name,
            kind="service" if args.service else "personal",
            by=who.actor,
        )
        if args.json:
            print_json({"token": issued.token, **issued.info.as_dict()})
            return 0
        info = issued.info
        print(issued.token)
        print(
            f"token {info.id} for {terminal(info.user_email)}: {','.join(info.scopes)}, "
            f"expires {_when(info.expires_at)} UTC. It is shown only now: keep it safe.",
            file=sys.stderr,
        )
        return 0

    return run_with_desk(work)


def cmd_list(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        owner = await _owner(desk, args.user) if args.user else None
        found = await desk.tokens.list(owner.id if owner else None)
        if args.json:
            print_json([t.as_dict() for t in found])
            return 0
        if not found:
            print("no tokens")
            return 0
        now = desk.tokens.clock()
        print(
            f"{'ID':>5}  {'PUBLIC ID':16}  {'USER':32}  {'KIND':8}  {'SCOPES':16}  "
            f"{'EXPIRES':16}  {'LAST USED':16}  {'STATE':7}  NAME"
        )
        for t in found:
            print(
                f"{t.id:>5}  {t.public_id:16}  {terminal(t.user_email)[:32]:32}  {t.kind:8}  "
                f"{','.join(t.scopes):16}  {_when(t.expires_at):16}  {_when(t.last_used_at):16}  "
                f"{state_of(t, now):7}  {terminal(t.name)[:40]}"
            )
        return 0

    return run_with_desk(work)


def cmd_revoke(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        before = await desk.tokens.get(args.id)
        who = await shell(desk, args.by)
        revoked = await desk.tokens.revoke(args.id, by=who.actor)
        if args.json:
            print_json(revoked.as_dict())
        elif before.revoked_at is not None:
            print(f"token {revoked.id} was revoked already ({_when(before.revoked_at)} UTC)")
        else:
            print(f"token {revoked.id} of {terminal(revoked.user_email)} is revoked")
        return 0

    return run_with_desk(work)
