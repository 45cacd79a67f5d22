"""desk users list | add | set-role | set | deactivate | reactivate | notify: the desk's
users (``set``: an agent's assignment profile; ``notify``: a user's notification
preferences, shown or one kind's channel set).

The person at the shell is trusted like the database's owner (the CLI has direct database
access): no role is checked, and every change is audited with source ``cli`` (as ``--by``
when given). The rules are the directory's (``core.access.directory``): an address is
used once, the desk keeps an active admin, a deactivated user's tokens and Slack clicks
stop at once. Users are named by email. ``set`` changes a user's agent profile for automatic
assignment (``core.workflow.assignment_settings``).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from server.cli.commands import command_parser
from server.cli.common import fail, print_json, run_with_desk, terminal, whole_number

if TYPE_CHECKING:
    from core.access.directory import UserInfo
    from core.access.permissions import Principal
    from server.wiring import Desk

ROLES = ("admin", "manager", "agent")  # core.access.users.ROLES (tests keep them equal)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = command_parser(sub, "users")
    cmds = p.add_subparsers(dest="users_command", metavar="ACTION")
    cmds.required = True

    c = cmds.add_parser("list", help="every desk user, with role and state")
    state = c.add_mutually_exclusive_group()
    state.add_argument("--active", action="store_true", help="only active users")
    state.add_argument("--inactive", action="store_true", help="only deactivated users")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_list)

    c = cmds.add_parser("add", help="add a desk user")
    c.add_argument("email")
    c.add_argument("--role", required=True, choices=ROLES)
    c.add_argument("--name", default="", help="display name (default: the address's local part)")
    c.add_argument("--slack-id", metavar="U...", help="their Slack user id, linked at first use")
    c.add_argument(
        "--slack-team", metavar="T...", help="the Slack workspace of --slack-id (if known)"
    )
    _common(c, cmd_add)

    c = cmds.add_parser("set-role", help="change a user's role")
    c.add_argument("email")
    c.add_argument("role", choices=ROLES)
    _common(c, cmd_set_role)

    c = cmds.add_parser(
        "set", help="a user's agent profile: skills, languages, capacity, availability, zone"
    )
    c.add_argument("email")
    c.add_argument("--skills", type=_listed, metavar="C,C", help="ticket categories (Billing,...)")
    c.add_argument("--languages", type=_listed, metavar="L,L", help="language codes (en,de)")
    c.add_argument(
        "--capacity", type=whole_number(0), metavar="N", help="open tickets at most (default 15)"
    )
    state = c.add_mutually_exclusive_group()
    state.add_argument("--away", action="store_true", help="takes no new tickets")
    state.add_argument("--available", action="store_true", help="takes tickets again")
    c.add_argument("--tz", metavar="ZONE", help="time zone, e.g. Europe/Berlin")
    c.add_argument(
        "--shift", metavar="CALENDAR", help='business calendar of their shift ("" for none)'
    )
    _common(c, cmd_set)

    c = cmds.add_parser("deactivate", help="stop a user: their tokens and Slack clicks at once")
    c.add_argument("email")
    _common(c, cmd_deactivate)

    c = cmds.add_parser("reactivate", help="let a deactivated user act again")
    c.add_argument("email")
    _common(c, cmd_reactivate)

    c = cmds.add_parser(
        "notify", help="a user's notification preferences; --kind K --channel C sets one"
    )
    c.add_argument("email")
    c.add_argument("--kind", help="high_urgency, assigned, sla_warning, sla_breach, ...")
    c.add_argument("--channel", choices=("slack", "email", "none"))
    _common(c, cmd_notify)


def _listed(value: str) -> list[str]:
    """A comma-separated list; empty (``--skills ""``) clears it."""
    return [v.strip() for v in value.split(",") if v.strip()]


def _common(c: argparse.ArgumentParser, func: object) -> None:
    c.add_argument("--by", metavar="EMAIL", help="who (for the audit log)")
    c.add_argument("--json", action="store_true", help="print the user as JSON")
    c.set_defaults(func=func)


async def shell(desk: Desk, by: str | None) -> Principal:
    """The operator at the shell (trusted), named ``by`` in the audit trail when given."""
    from core.access.permissions import Principal
    from core.access.users import valid_email
    from core.audit import Actor
    from core.errors import NotFound

    if not by:
        return Principal.operator_of(Actor(name="cli", source="cli"))
    email = valid_email(by)
    try:  # named as they are known; an address not known yet is only a name here
        user_id: int | None = (await desk.directory.by_email(email)).id
    except NotFound:
        user_id = None
    return Principal.operator_of(Actor(name=email, source="cli", user_id=user_id))


def _line(u: UserInfo) -> str:
    state = "active" if u.is_active else "deactivated"
    slack = f"{u.slack_team_id or '?'}/{u.slack_user_id}" if u.slack_user_id else "-"
    return (
        f"{u.id:>5}  {terminal(u.email)[:40]:40}  {terminal(u.name)[:24]:24}  "
        f"{u.role:7}  {state:11}  {slack}"
    )


def _show(args: argparse.Namespace, u: UserInfo, done: str) -> int:
    if args.json:
        print_json(u.as_dict())
    else:
        print(f"{terminal(u.email)} {done}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        active = True if args.active else False if args.inactive else None
        users = await desk.directory.list(active=active)
        if args.json:
            print_json([u.as_dict() for u in users])
            return 0
        if not users:
            print("no users")
            return 0
        print(f"{'ID':>5}  {'EMAIL':40}  {'NAME':24}  {'ROLE':7}  {'STATE':11}  SLACK")
        for u in users:
            print(_line(u))
        return 0

    return run_with_desk(work)


def cmd_add(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        added = await desk.directory.add(
            await shell(desk, args.by),
            args.email,
            role=args.role,
            name=args.name,
            slack_user_id=args.slack_id,
            slack_team_id=args.slack_team,
        )
        return _show(args, added, f"added as {added.role} (id {added.id})")

    return run_with_desk(work)


def cmd_set_role(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        target = await desk.directory.by_email(args.email)
        who = await shell(desk, args.by)
        changed = await desk.directory.set_role(who, target.id, args.role)
        was = "" if target.role == changed.role else f" (was {target.role})"
        return _show(args, changed, f"is now {changed.role}{was}")

    return run_with_desk(work)


def cmd_set(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        target = await desk.directory.by_email(args.email)
        asked = (args.skills, args.languages, args.capacity, args.tz, args.shift)
        if all(v is None for v in asked) and not (args.away or args.available):
            return fail(
                "nothing to set: give --skills, --languages, --capacity, --away,"
                " --available, --tz or --shift"
            )
        profile = await desk.agent_profiles.change(
            await shell(desk, args.by),
            target.id,
            skills=args.skills,
            languages=args.languages,
            capacity=args.capacity,
            available=True if args.available else False if args.away else None,
            timezone=args.tz,
            shift=args.shift,
        )
        if args.json:
            print_json(profile.as_dict())
            return 0
        state = "available" if profile.available else "away"
        print(
            f"{terminal(profile.email)}: {state}, capacity {profile.capacity}, skills "
            f"{', '.join(profile.skills) or '-'}, languages {', '.join(profile.languages) or '-'}"
            f", time zone {profile.timezone or '-'}, shift calendar"
            f" {profile.shift_calendar_id or '-'}"
        )
        return 0

    return run_with_desk(work)


def cmd_deactivate(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        target = await desk.directory.by_email(args.email)
        changed = await desk.directory.deactivate(await shell(desk, args.by), target.id)
        return _show(args, changed, "is deactivated: their tokens and Slack clicks are refused")

    return run_with_desk(work)


def cmd_reactivate(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        target = await desk.directory.by_email(args.email)
        changed = await desk.directory.reactivate(await shell(desk, args.by), target.id)
        return _show(args, changed, f"is active again ({changed.role})")

    return run_with_desk(work)


def cmd_notify(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        from core.errors import ValidationError
        from core.workflow.preferences import PreferenceChange

        if (args.kind is None) != (args.channel is None):
            raise ValidationError("--kind and --channel go together", field="kind")
        user = await desk.directory.by_email(args.email)
        if args.kind is None:
            prefs = await desk.preferences.get(user.id)
        else:
            who = await shell(desk, args.by)
            prefs = await desk.preferences.update(
                user.id, PreferenceChange(channels={args.kind: args.channel}), actor=who.actor
            )
        if args.json:
            print_json({"email": user.email} | prefs.as_dict())
            return 0
        print(f"{terminal(user.email)}: notifications")
        for kind, channel in prefs.as_dict()["channels"].items():
            print(f"  {kind:17} {channel}")
        quiet = prefs.as_dict()["quiet_hours"]
        print(f"  {'quiet hours':17} {quiet['start'] + '-' + quiet['end'] if quiet else 'off'}")
        print(f"  {'time zone':17} {prefs.tz or 'not known yet (from Slack)'}")
        print(f"  {'digest days':17} {','.join(prefs.business_days) or 'none'}")
        print(f"  {'draft waiting':17} {prefs.draft_waiting_minutes} min")
        return 0

    return run_with_desk(work)
