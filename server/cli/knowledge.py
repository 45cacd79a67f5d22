"""desk kb add | list | show | edit | publish | archive | search | proposals: the knowledge
base (``proposals``: the articles the desk drafted from resolved tickets).

Writing needs a manager or an admin: ``--by EMAIL`` names them; without it ``add`` and
``edit`` act as the shell's operator, but publishing always needs a person (``--by``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from core.access.permissions import Principal, principal_by_email
from core.audit import Actor
from core.knowledge.articles import KEEP, ArticleSpec, ArticleView
from server.cli.commands import command_parser
from server.cli.common import print_json, read_input, record_id, run_with_desk, terminal
from server.wiring import Desk

# db.models.knowledge.ARTICLE_STATUSES (not imported: `desk --help` loads no engine)
STATUSES = ("draft", "published", "archived")
# core.knowledge.proposals.STATES: a proposal's state follows its status
PROPOSAL_STATES = ("open", "published", "discarded")
MAX_K = 100


def _k(value: str) -> int:
    try:
        k = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if not 1 <= k <= MAX_K:
        raise argparse.ArgumentTypeError(f"{value} is out of range (1 to {MAX_K})")
    return k


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = command_parser(sub, "kb")
    cmds = p.add_subparsers(dest="kb_command", metavar="COMMAND")
    cmds.required = True

    c = cmds.add_parser("add", help="write an article (a draft unless --publish)")
    c.add_argument("--title", required=True)
    text = c.add_mutually_exclusive_group(required=True)
    text.add_argument("--text", help="the body (Markdown)")
    text.add_argument("--file", type=Path, help="read the body from a file (- for stdin)")
    _fields(c)
    c.add_argument("--publish", action="store_true", help="publish it at once (needs --by)")
    c.add_argument("--by", metavar="EMAIL", help="the manager or admin writing it")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_add)

    c = cmds.add_parser("list", help="articles, the most recently changed first")
    c.add_argument("--status", choices=STATUSES)
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_list)

    c = cmds.add_parser("show", help="one article")
    c.add_argument("id", type=record_id)
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_show)

    c = cmds.add_parser("edit", help="change an article (its next version)")
    c.add_argument("id", type=record_id)
    c.add_argument("--title")
    text = c.add_mutually_exclusive_group()
    text.add_argument("--text", help="the new body (Markdown)")
    text.add_argument("--file", type=Path, help="read the body from a file (- for stdin)")
    _fields(c)
    c.add_argument(
        "--version", type=record_id, help="the version you changed (refused if it is not current)"
    )
    c.add_argument("--by", metavar="EMAIL", help="the manager or admin editing it")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_edit)

    for name, helptext in (
        ("publish", "publish an article (a manager or an admin reviews it)"),
        ("archive", "withdraw an article (kept, no longer found)"),
    ):
        c = cmds.add_parser(name, help=helptext)
        c.add_argument("id", type=record_id)
        c.add_argument("--by", required=True, metavar="EMAIL")
        c.add_argument("--json", action="store_true")
        c.set_defaults(func=cmd_publish if name == "publish" else cmd_archive)

    c = cmds.add_parser(
        "proposals", help="articles proposed from resolved tickets, the newest first"
    )
    c.add_argument("--state", choices=PROPOSAL_STATES)
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_proposals)

    c = cmds.add_parser("search", help="ranked articles: id, title, score, snippet")
    c.add_argument("query")
    c.add_argument("--k", type=_k, default=5, help=f"how many (1 to {MAX_K}; default 5)")
    c.add_argument("--status", choices=STATUSES, default="published")
    c.add_argument("--language", help="only articles in this language (en, de, ...)")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_search)


def _fields(c: argparse.ArgumentParser) -> None:
    c.add_argument("--category", help="a ticket category (billing, technical, login, ...)")
    c.add_argument("--language", help="ISO 639-1 code (default en)")
    c.add_argument("--url", dest="public_url", help="where customers can read it")


async def _who(desk: Desk, by: str | None) -> Principal:
    if by is None:
        return Principal.operator_of(Actor(name="cli", source="cli"))
    return await principal_by_email(desk.sessions, by, "cli")


def _line(a: ArticleView) -> str:
    return (
        f"#{a.id}  [{a.status}]  v{a.version}  {a.language}  "
        f"{terminal(a.category or '-')}  {terminal(a.title)}"
    )


def _print(args: argparse.Namespace, a: ArticleView, done: str) -> int:
    if args.json:
        print_json(a.as_dict())
    else:
        print(f"{done} {_line(a)}")
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        spec = ArticleSpec(
            title=args.title,
            body=read_input(args.file, args.text) or "",
            category=args.category,
            language=args.language or "en",
            public_url=args.public_url,
        )
        who = await _who(desk, args.by)
        article = await desk.knowledge.create(who, spec, publish=args.publish)
        return _print(args, article, "created")

    return run_with_desk(work)


def cmd_list(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        items = await desk.knowledge.list(status=args.status)
        if args.json:
            print_json([a.as_dict() for a in items])
        elif not items:
            print("no articles")
        else:
            for a in items:
                print(_line(a))
        return 0

    return run_with_desk(work)


def cmd_show(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        a = await desk.knowledge.get(args.id)
        if args.json:
            print_json(a.as_dict())
            return 0
        print(_line(a))
        print(f"updated {a.updated_at.isoformat()}  helpful {a.helpful}  unhelpful {a.unhelpful}")
        if a.last_cited_at:
            print(f"last cited {a.last_cited_at.isoformat()}")
        if a.origin != "manual":
            print(f"origin: {a.origin}")
        if a.public_url:
            print(f"public: {terminal(a.public_url)}")
        if a.source_ticket_ids:
            print("from tickets: " + ", ".join(f"#{t}" for t in a.source_ticket_ids))
        print()
        print(terminal(a.body, lines=True))
        return 0

    return run_with_desk(work)


def cmd_edit(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        body = read_input(args.file, args.text)
        who = await _who(desk, args.by)
        article = await desk.knowledge.edit(
            who,
            args.id,
            version=args.version,
            title=args.title,
            body=body,
            category=KEEP if args.category is None else args.category,
            language=args.language,
            public_url=KEEP if args.public_url is None else args.public_url,
        )
        return _print(args, article, "saved")

    return run_with_desk(work)


def cmd_publish(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        who = await principal_by_email(desk.sessions, args.by, "cli")
        return _print(args, await desk.knowledge.publish(who, args.id), "published")

    return run_with_desk(work)


def cmd_archive(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        who = await principal_by_email(desk.sessions, args.by, "cli")
        return _print(args, await desk.knowledge.archive(who, args.id), "archived")

    return run_with_desk(work)


def cmd_proposals(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        items = await desk.proposals.list(state=args.state)
        if args.json:
            print_json([p.as_dict() for p in items])
        elif not items:
            print("no proposals")
        else:
            for p in items:
                tickets = ", ".join(f"#{t}" for t in p.source_ticket_ids)
                print(
                    f"#{p.id}  [{p.state}]  {p.language}  {terminal(p.category or '-')}  "
                    f"{terminal(p.title)}  (from {tickets})"
                )
        return 0

    return run_with_desk(work)


def cmd_search(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        hits = await desk.knowledge.search(
            args.query, args.k, status=args.status, language=args.language
        )
        if args.json:
            print_json([h.as_dict() for h in hits])
        elif not hits:
            print("no articles found")
        else:
            for h in hits:
                print(f"#{h.id}  {h.score:.4g}  {terminal(h.title)}")
                if h.snippet:
                    print(f"    {terminal(h.snippet)}")
        return 0

    return run_with_desk(work)
