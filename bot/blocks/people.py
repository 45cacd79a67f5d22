"""The Users section of the settings modal: each desk user of the workspace with their
role and whether they are active, and a menu to change the role, deactivate or reactivate.

A menu value names a change and a user (``role:manager:12``, ``deactivate::12``); it is
untrusted: the member service checks the clicking admin and the target again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot import ids
from bot.blocks.text import escape, mrkdwn, plain, plural, short
from core.access.directory import UserInfo
from core.access.users import ROLES
from core.errors import ValidationError

Block = dict[str, Any]
CHANGES = ("role", "deactivate", "reactivate")


@dataclass(frozen=True, slots=True)
class UserChange:
    kind: str  # role, deactivate, reactivate
    user_id: int
    role: str = ""


def change_value(kind: str, user_id: int, role: str = "") -> str:
    return f"{kind}:{role}:{user_id}"


def parse_change(value: str) -> UserChange:
    parts = (value or "").split(":")
    if len(parts) != 3 or parts[0] not in CHANGES or not parts[2].isdecimal():
        raise ValidationError(f"not a user change: {value[:40]!r}", field="value")
    kind, role, user_id = parts
    if (kind == "role") != bool(role) or (role and role not in ROLES):
        raise ValidationError(f"not a user change: {value[:40]!r}", field="value")
    return UserChange(kind, int(user_id), role)


def _option(label: str, value: str) -> dict[str, Any]:
    return {"text": plain(label), "value": value}


def user_line(user: UserInfo) -> Block:
    """One user: name, Slack mention, email, role, active flag; the menu of changes."""
    who = f"<@{user.slack_user_id}>" if user.slack_user_id else ""
    state = "active" if user.is_active else ":no_entry_sign: *deactivated*"
    text = (
        f"*{escape(short(user.name or user.email, 80))}* {who}\n"
        f"{escape(short(user.email, 120))} · *{user.role}* · {state}"
    )
    options = [
        _option(f"Make {role}", change_value("role", user.id, role))
        for role in ROLES
        if role != user.role
    ]
    if user.is_active:
        options.append(_option("Deactivate", change_value("deactivate", user.id)))
    else:
        options.append(_option("Reactivate", change_value("reactivate", user.id)))
    return {
        "type": "section",
        "block_id": f"user:{user.id}",
        "text": mrkdwn(text),
        "accessory": {"type": "overflow", "action_id": ids.USER_MANAGE, "options": options},
    }


def users_blocks(
    users: list[UserInfo], *, room: int, notice: str | None = None, ok: bool = True
) -> list[Block]:
    """The section: a header, the outcome of the last change (``notice``), one line per
    user (as many as ``room`` blocks allow; the rest counted)."""
    blocks: list[Block] = [{"type": "header", "text": plain("Users")}]
    if notice:
        icon = ":white_check_mark:" if ok else ":warning:"
        blocks.append(
            {
                "type": "section",
                "block_id": "users_notice",
                "text": mrkdwn(f"{icon} {escape(short(notice, 2900))}"),
            }
        )
    blocks.append(
        {
            "type": "context",
            "elements": [
                mrkdwn(
                    "Everyone of this workspace who used the desk. A deactivated user's "
                    "clicks are refused and their API tokens stop working at once."
                )
            ],
        }
    )
    shown = users[: max(0, room - len(blocks) - 1)]
    blocks += [user_line(u) for u in shown]
    if len(shown) < len(users):
        more = plural(len(users) - len(shown), "more user")
        blocks.append(
            {"type": "context", "elements": [mrkdwn(f"{more}: `desk users list` lists all.")]}
        )
    return blocks


def change_done(kind: str, name: str, role: str) -> str:
    """What the admin is told after a change went through."""
    if kind == "role":
        return f"{name} is now {role}."
    if kind == "deactivate":
        return f"{name} is deactivated: their Slack clicks and API tokens stop now."
    return f"{name} is active again, as {role}."
