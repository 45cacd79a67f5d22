"""desk templates list | show | add | edit | render | delete: response templates."""

from __future__ import annotations

import argparse
from pathlib import Path

from core.access.users import actor_for
from core.replies.rendering import VARIABLES
from core.replies.templates import KEEP, TemplateSpec, TemplateView
from server.cli.commands import command_parser
from server.cli.common import print_json, read_input, record_id, run_with_desk
from server.wiring import Desk


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = command_parser(sub, "templates")
    cmds = p.add_subparsers(dest="templates_command", metavar="COMMAND")
    cmds.required = True

    c = cmds.add_parser("list", help="templates (general ones included)")
    c.add_argument("--category", help="that category's and the general templates")
    c.add_argument("--all", action="store_true", help="archived ones too")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_list)

    c = cmds.add_parser("show", help="one template, its variables and usage")
    c.add_argument("ref", help="id or name")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_show)

    for name, helptext in (("add", "create a template"), ("edit", "change a template")):
        c = cmds.add_parser(
            name,
            help=helptext,
            epilog="variables: " + ", ".join(f"{{{{ {v} }}}}" for v in VARIABLES),
        )
        c.add_argument(
            "ref" if name == "edit" else "name",
            help="id or name" if name == "edit" else "a unique name",
        )
        c.add_argument("--by", required=True, metavar="EMAIL")
        body = c.add_mutually_exclusive_group(required=name == "add")
        body.add_argument("--body", help="the text")
        body.add_argument("--file", type=Path, help="read the text from a file (- for stdin)")
        c.add_argument("--category", help="a category, or 'general' for all")
        c.add_argument("--description")
        if name == "edit":
            c.add_argument("--name", dest="new_name", help="rename it")
            state = c.add_mutually_exclusive_group()
            state.add_argument("--archive", action="store_true")
            state.add_argument("--restore", action="store_true")
        ai = c.add_mutually_exclusive_group()
        ai.add_argument(
            "--ai-draft",
            action="store_true",
            default=None,
            help="the offline AI drafts its category's replies from it",
        )
        ai.add_argument("--no-ai-draft", dest="ai_draft", action="store_false")
        c.set_defaults(func=cmd_add if name == "add" else cmd_edit)

    c = cmds.add_parser("render", help="render a template for a ticket (or sample values)")
    c.add_argument("ref", help="id or name")
    c.add_argument("--ticket", type=record_id, help="the ticket whose values to use")
    c.add_argument("--agent", metavar="EMAIL", help="the agent replying")
    c.set_defaults(func=cmd_render)

    c = cmds.add_parser("delete", help="archive a template (--purge: delete it and its usage)")
    c.add_argument("ref", help="id or name")
    c.add_argument("--by", required=True, metavar="EMAIL")
    c.add_argument("--purge", action="store_true")
    c.set_defaults(func=cmd_delete)


def _describe(t: TemplateView) -> str:
    flags = [f for f, on in (("AI draft", t.ai_draft), ("archived", not t.is_active)) if on]
    return f"#{t.id} {t.name}  [{t.category or 'general'}]  used {t.uses}x" + (
        f"  ({', '.join(flags)})" if flags else ""
    )


def cmd_list(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        items = await desk.templates.list(category=args.category, include_inactive=args.all)
        if args.json:
            print_json([t.as_dict() for t in items])
        elif not items:
            print("no templates")
        else:
            for t in items:
                print(_describe(t) + (f"  - {t.description}" if t.description else ""))
        return 0

    return run_with_desk(work)


def cmd_show(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        t = await desk.templates.get(args.ref)
        if args.json:
            print_json(t.as_dict())
            return 0
        print(_describe(t))
        if t.description:
            print(t.description)
        print(f"variables: {', '.join(t.variables) or '-'}\n")
        print(t.body)
        return 0

    return run_with_desk(work)


def cmd_add(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        body = read_input(args.file, args.body)
        actor = await actor_for(desk.sessions, args.by, "cli")
        spec = TemplateSpec(
            name=args.name,
            body=body or "",
            category=args.category,
            description=args.description or "",
            ai_draft=bool(args.ai_draft),
        )
        t = await desk.templates.create(spec, actor)
        print(f"created {_describe(t)}")
        return 0

    return run_with_desk(work)


def cmd_edit(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        body = read_input(args.file, args.body)
        actor = await actor_for(desk.sessions, args.by, "cli")
        t = await desk.templates.update(
            args.ref,
            actor,
            name=args.new_name,
            body=body,
            category=KEEP if args.category is None else args.category,
            description=args.description,
            ai_draft=args.ai_draft,
            is_active=True if args.restore else False if args.archive else None,
        )
        print(f"saved {_describe(t)}")
        return 0

    return run_with_desk(work)


def cmd_render(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        agent_id = (
            (await actor_for(desk.sessions, args.agent, "cli")).user_id if args.agent else None
        )
        print(await desk.templates.render(args.ref, ticket_id=args.ticket, agent_id=agent_id))
        return 0

    return run_with_desk(work)


def cmd_delete(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        actor = await actor_for(desk.sessions, args.by, "cli")
        await desk.templates.delete(args.ref, actor, purge=args.purge)
        print(f"template {args.ref} {'deleted' if args.purge else 'archived'}")
        return 0

    return run_with_desk(work)
