"""The Users section of ``/desk settings``: an admin changes a role, deactivates or
reactivates someone from the user's menu; the modal shows the list again with the outcome
(a refusal, like demoting the last admin, in the section itself)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks.modals import notice_view
from bot.blocks.people import UserChange, change_done, parse_change
from bot.blocks.settings import settings_view
from bot.handlers.views import settings_snapshot
from bot.runtime import Runtime
from core.access.members import Member, MemberService
from core.access.permissions import require_role
from core.errors import DeskError

Body = dict[str, Any]


async def apply_change(members: MemberService, admin: Member, change: UserChange) -> str:
    """The one core call a menu choice makes; what to tell the admin."""
    if change.kind == "role":
        changed = await members.set_role(admin, change.user_id, change.role)
        return change_done("role", changed.name, changed.role)
    info = await members.set_active(admin, change.user_id, change.kind == "reactivate")
    return change_done(change.kind, info.name, info.role)


async def on_user_manage(
    ack: Any, body: Body, client: AsyncWebClient, context: AsyncBoltContext, action: Body
) -> None:
    await ack()
    rt: Runtime = context["rt"]
    view_id = (body.get("view") or {}).get("id")
    try:
        member = await rt.member(context, body)
        require_role(member, "admin", doing="managing users")
    except DeskError as exc:
        await client.views_update(
            view_id=view_id, view=notice_view("Desk settings", str(exc), ok=False)
        )
        return
    try:
        change = parse_change((action.get("selected_option") or {}).get("value", ""))
        notice, ok = await apply_change(rt.services.members, member, change), True
    except DeskError as exc:
        notice, ok = f"Not changed: {exc}", False
    snapshot = await settings_snapshot(rt, member, rt.home_team(context))
    view = settings_view(replace(snapshot, users_notice=notice, users_ok=ok))
    await client.views_update(view_id=view_id, view=view)
