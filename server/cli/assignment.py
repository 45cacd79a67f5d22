"""desk assignment list | set, desk workload: automatic assignment from the shell.

``assignment set`` chooses a mailbox's strategy (``balanced``, ``round_robin``, ``manual``)
and, optionally, its fallback when nobody available has a ticket's skill (``any_agent``,
``leave_unassigned``); without ``--mailbox`` every mailbox's. Like ``desk users``, the person
at the shell is trusted (no role checked) and every change is audited with source ``cli``.
``workload`` reads each agent's open and waiting tickets, capacity and availability.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from server.cli.commands import command_parser
from server.cli.common import print_json, run_with_desk, terminal

if TYPE_CHECKING:
    from core.workflow.assignment_settings import RuleInfo
    from server.wiring import Desk

STRATEGIES = ("balanced", "round_robin", "manual")  # core.workflow.assignment (tests hold them)
FALLBACKS = ("any_agent", "leave_unassigned")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = command_parser(sub, "assignment")
    cmds = p.add_subparsers(dest="assignment_command", metavar="ACTION")
    cmds.required = True

    c = cmds.add_parser("list", help="each mailbox's strategy and fallback")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_list)

    c = cmds.add_parser("set", help="a mailbox's strategy (every mailbox's without --mailbox)")
    c.add_argument("--mailbox", metavar="NAME")
    c.add_argument("--strategy", required=True, choices=STRATEGIES)
    c.add_argument("--fallback", choices=FALLBACKS, help="when nobody available has the skill")
    c.add_argument("--by", metavar="EMAIL", help="who (for the audit log)")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_set)

    p = command_parser(sub, "workload")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_workload)


def _rules(rules: list[RuleInfo], as_json: bool) -> int:
    if as_json:
        print_json([r.as_dict() for r in rules])
        return 0
    print(f"{'MAILBOX':30}  {'STRATEGY':12}  FALLBACK")
    for r in rules:
        print(f"{terminal(r.mailbox)[:30]:30}  {r.strategy:12}  {r.fallback}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        return _rules(await desk.assignment_rules.all(), args.json)

    return run_with_desk(work)


def cmd_set(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        from server.cli.users import shell

        changed = await desk.assignment_rules.change(
            await shell(desk, args.by),
            mailbox=args.mailbox,
            strategy=args.strategy,
            fallback=args.fallback,
        )
        return _rules(changed, args.json)

    return run_with_desk(work)


def cmd_workload(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        agents = await desk.workload.agents()
        if args.json:
            print_json([a.as_dict() for a in agents])
            return 0
        if not agents:
            print("no agents (give one a profile: desk users set EMAIL --available)")
            return 0
        print(
            f"{'AGENT':36}  {'OPEN':>4}  {'WAITING':>7}  {'AT RISK':>7}  {'BREACHED':>8}"
            f"  {'CAPACITY':>8}  STATE"
        )
        for a in agents:
            state = "available" if a.available else "away"
            print(
                f"{terminal(a.email)[:36]:36}  {a.open:>4}  {a.waiting:>7}  {a.at_risk:>7}"
                f"  {a.breached:>8}  {a.capacity:>8}  {state}"
            )
        return 0

    return run_with_desk(work)
