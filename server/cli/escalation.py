"""desk escalation show | limit AMOUNT | vip list | vip add ENTRY | vip remove ENTRY.

What the escalation rules (``core.ai.escalation``) are configured with: the refund limit (a
refund asked for above it, in any currency, escalates; default 500) and the VIP senders
(addresses or domains whose mail always escalates). The person at the shell is trusted
(no role checked); each change is audited as ``setting.changed`` with source ``cli`` (as
``--by`` when given) and applies from the next triage cycle.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from server.cli.commands import command_parser
from server.cli.common import print_json, run_with_desk, terminal
from server.cli.users import shell

if TYPE_CHECKING:
    from server.wiring import Desk


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = command_parser(sub, "escalation")
    cmds = p.add_subparsers(dest="escalation_command", metavar="COMMAND")
    cmds.required = True
    c = cmds.add_parser("show", help="the rules, the refund limit and the VIP senders")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_show)
    c = cmds.add_parser("limit", help="set the refund limit (any currency)")
    c.add_argument("amount", metavar="AMOUNT", help="like 500 or 1,000.50")
    _common(c, cmd_limit)

    v = cmds.add_parser("vip", help="senders whose mail always escalates: list, add, remove")
    vip = v.add_subparsers(dest="vip_command", metavar="ACTION")
    vip.required = True
    c = vip.add_parser("list", help="the VIP addresses and domains")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_vip_list)
    c = vip.add_parser("add", help="add an address (ceo@acme.com) or a domain (acme.com)")
    c.add_argument("entry", metavar="ADDRESS_OR_DOMAIN")
    _common(c, cmd_vip_add)
    c = vip.add_parser("remove", help="take an address or a domain off the list")
    c.add_argument("entry", metavar="ADDRESS_OR_DOMAIN")
    _common(c, cmd_vip_remove)


def _common(c: argparse.ArgumentParser, func: object) -> None:
    c.add_argument("--by", metavar="EMAIL", help="who (for the audit log)")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=func)


def cmd_show(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        config = (await desk.escalation.current()).as_dict()
        if args.json:
            print_json(config)
            return 0
        print(f"refund limit: {config['refund_limit']} (any currency)")
        print(f"VIP senders:  {', '.join(terminal(e) for e in config['vip']) or '-'}")
        print(f"rules:        {', '.join(config['rules'])}")
        return 0

    return run_with_desk(work)


def cmd_limit(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        who = await shell(desk, args.by)
        limit = await desk.escalation.set_refund_limit(args.amount, actor=who.actor)
        if args.json:
            print_json({"refund_limit": str(limit)})
        else:
            print(f"refunds asked for above {limit} now escalate")
        return 0

    return run_with_desk(work)


def cmd_vip_list(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        vip = (await desk.escalation.current()).vip
        if args.json:
            print_json(vip)
        else:
            print("\n".join(terminal(e) for e in vip) if vip else "no VIP senders")
        return 0

    return run_with_desk(work)


def cmd_vip_add(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        who = await shell(desk, args.by)
        entry, added = await desk.escalation.add_vip(args.entry, actor=who.actor)
        vip = (await desk.escalation.current()).vip
        if args.json:
            print_json({"entry": entry, "added": added, "vip": vip})
        else:
            print(f"{terminal(entry)} {'added to' if added else 'is already on'} the VIP list")
        return 0

    return run_with_desk(work)


def cmd_vip_remove(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        who = await shell(desk, args.by)
        entry = await desk.escalation.remove_vip(args.entry, actor=who.actor)
        vip = (await desk.escalation.current()).vip
        if args.json:
            print_json({"entry": entry, "removed": True, "vip": vip})
        else:
            print(f"{terminal(entry)} taken off the VIP list")
        return 0

    return run_with_desk(work)
