"""The table of ``desk`` commands: which module holds each and its one-line help.

``desk --help`` is printed from this table alone, and ``desk COMMAND ...`` imports only the
module holding COMMAND, so no command pays at start-up for the libraries of another (the
engine, the database drivers, scikit-learn, matplotlib, Bolt, FastAPI load in the commands
that use them). A module adds its commands with ``command_parser`` (the help comes from
here, written once).
"""

from __future__ import annotations

import argparse
from typing import Any

# command -> (module under server.cli, help), in the order `desk --help` lists them
COMMANDS: dict[str, tuple[str, str]] = {
    "migrate": ("processes", "apply database migrations"),
    "run": ("processes", "migrate, seed the embedded inbox on first start, run web + worker"),
    "web": ("processes", "the REST API (and Slack endpoint when configured)"),
    "worker": ("processes", "fetch, triage and send on a schedule"),
    "demo": ("processes", "put the project's sample mail into the embedded inbox"),
    "fetch": ("fetch", "one fetch + triage cycle; prints counts"),
    "mailbox": ("mailboxes", "support mailboxes: add, list, show, set, test, remove"),
    "tickets": ("tickets", "list tickets"),
    "show": ("tickets", "one ticket with its whole conversation"),
    "approve": ("tickets", "approve a ticket's pending draft"),
    "reject": ("tickets", "reject a ticket's pending draft"),
    "edit": ("tickets", "change a ticket's pending draft"),
    "retry": ("tickets", "send a ticket's failed reply again (`desk send` sends it)"),
    "send": ("tickets", "send every approved draft now"),
    "parse": ("parse", "parse a raw email file and print what the desk sees"),
    "triage": ("ai", "triage one email file (.eml) and print the result"),
    "eval": ("ai", "score triage on a labelled CSV file"),
    "ai": ("ai", "AI provider tools"),
    "bulk": ("bulk", "approve, reject, assign or send many tickets at once"),
    "stats": ("stats", "analytics: response times, volumes, approvals, agents"),
    "templates": ("templates", "response templates with {{ variables }}"),
    "kb": ("knowledge", "knowledge base: add, list, show, edit, publish, archive, search"),
    "scheduler": ("scheduler", "auto-fetch scheduler: status, start, stop"),
    "recipients": ("recipients", "addresses marked undeliverable by a bounce"),
    "users": ("users", "desk users: list, add, set-role, set, deactivate, reactivate"),
    "tokens": ("tokens", "API tokens: create (shown once), list, revoke"),
    "audit": ("audit", "the audit log: who did what, when, from where"),
    "secrets": ("secrets", "key rotation: re-encrypt stored secrets with the newest key"),
    "sla": ("sla", "SLA: business calendars, policies, preview of due times"),
    "wait": ("status", "a ticket waits on the customer (pauses its SLA resolution clock)"),
    "resolve": ("status", "resolve a ticket (stops its SLA clocks)"),
    "reopen": ("status", "reopen a ticket (resumes its SLA resolution clock)"),
    "assignment": ("assignment", "automatic assignment: list, set a mailbox's strategy"),
    "workload": ("assignment", "per agent: open, waiting, at risk, breached, capacity"),
    "escalation": ("escalation", "auto-escalation rules: refund limit, VIP senders"),
    "variants": ("variants", "prompt variants (A/B): list, add, pause, resume"),
}


def modules() -> list[str]:
    """Every module holding commands, in the table's order."""
    return list(dict.fromkeys(module for module, _ in COMMANDS.values()))


def command_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], name: str, **kwargs: Any
) -> argparse.ArgumentParser:
    """Add command ``name`` with its help from the table."""
    return sub.add_parser(name, help=COMMANDS[name][1], **kwargs)
