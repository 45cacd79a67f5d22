"""desk variants list | add | pause NAME | resume NAME: prompt variants (A/B).

A variant is extra prompt text (``--instructions``) tried on ``--share`` percent of one
category's tickets (``--category all``: of every category's); the active variants' shares
of a category add up to at most 100 and the rest of its tickets go to the category's
``--control`` variant when it has one (usually without instructions), else get the default
prompt. ``desk stats --by
variant`` compares them; the worker pauses a variant rejected 10 points more often than
its control over 200 decided drafts (``core.tickets.variants``). The person at the shell
is trusted; each change is audited (``variant.added``, ``variant.paused``,
``variant.resumed``) with source ``cli``.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from server.cli.commands import command_parser
from server.cli.common import print_json, run_with_desk, terminal
from server.cli.users import shell

if TYPE_CHECKING:
    from core.tickets.variants import VariantView
    from server.wiring import Desk


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = command_parser(sub, "variants")
    cmds = p.add_subparsers(dest="variants_command", metavar="COMMAND")
    cmds.required = True
    c = cmds.add_parser("list", help="every variant: category, share, status")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_list)
    c = cmds.add_parser("add", help="a new active variant")
    c.add_argument("--name", required=True)
    c.add_argument("--category", required=True, help='a category, or "all"')
    c.add_argument("--share", required=True, type=int, metavar="PERCENT")
    c.add_argument("--instructions", default="", metavar="TEXT", help="extra prompt text")
    c.add_argument("--control", action="store_true", help="the category's control")
    _common(c, cmd_add)
    c = cmds.add_parser("pause", help="stop giving a variant traffic")
    c.add_argument("name", metavar="NAME")
    c.add_argument("--reason", metavar="TEXT")
    _common(c, cmd_pause)
    c = cmds.add_parser("resume", help="give a paused variant its share again")
    c.add_argument("name", metavar="NAME")
    _common(c, cmd_resume)


def _common(c: argparse.ArgumentParser, func: object) -> None:
    c.add_argument("--by", metavar="EMAIL", help="who (for the audit log)")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=func)


def _line(v: VariantView) -> str:
    control = "control" if v.is_control else ""
    why = f"  ({terminal(v.paused_reason)[:80]})" if v.paused_reason else ""
    return (
        f"{terminal(v.name)[:24]:24}  {v.category[:16]:16}  {v.share:>4}%  {control:7}  "
        f"{v.status}{why}"
    )


def cmd_list(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        variants = await desk.variants.all()
        if args.json:
            print_json([v.as_dict() for v in variants])
        elif not variants:
            print("no prompt variants: every ticket gets the default prompt")
        else:
            print("\n".join(_line(v) for v in variants))
        return 0

    return run_with_desk(work)


def cmd_add(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        who = await shell(desk, args.by)
        made = await desk.variants.add(
            name=args.name,
            category=args.category,
            share=args.share,
            instructions=args.instructions,
            is_control=args.control,
            actor=who.actor,
        )
        if args.json:
            print_json(made.as_dict())
        else:
            print(f"variant {terminal(made.name)} takes {made.share}% of {made.category}")
        return 0

    return run_with_desk(work)


def cmd_pause(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        who = await shell(desk, args.by)
        done = await desk.variants.pause(args.name, actor=who.actor, reason=args.reason)
        if args.json:
            print_json(done.as_dict())
        else:
            print(f"variant {terminal(done.name)} paused: its tickets get the default prompt")
        return 0

    return run_with_desk(work)


def cmd_resume(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        who = await shell(desk, args.by)
        done = await desk.variants.resume(args.name, actor=who.actor)
        if args.json:
            print_json(done.as_dict())
        else:
            print(f"variant {terminal(done.name)} active again ({done.share}% of {done.category})")
        return 0

    return run_with_desk(work)
