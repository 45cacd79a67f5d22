"""``/desk token``: create a personal (or, for admins, a service) API token, shown once in
the modal; list one's tokens and revoke them. Nothing here posts the token to a channel
or logs it (``bot.redaction`` keeps Slack's own DEBUG logs clean).
"""

from __future__ import annotations

from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks.modals import loading_view, notice_view
from bot.blocks.tokens import TITLE, token_shown_view, token_view
from bot.forms import state_of, token_input
from bot.handlers.common import Invocation
from bot.runtime import Runtime
from core.access.members import Member
from core.errors import DeskError, ValidationError

Body = dict[str, Any]


async def token_screen(
    rt: Runtime, member: Member, notice: str | None = None, *, ok: bool = True
) -> dict[str, Any]:
    """The token form with the member's tokens (and the outcome of the last step)."""
    tokens = rt.services.tokens
    mine = await tokens.list(member.user_id)
    return token_view(role=member.role, tokens=mine, now=tokens.clock(), notice=notice, ok=ok)


async def token_command(call: Invocation) -> None:
    """``/desk token``: the modal opens at once, then fills in."""
    client = call.client
    opened = await client.views_open(trigger_id=call.body["trigger_id"], view=loading_view(TITLE))
    view_id = opened["view"]["id"]
    try:
        view = await token_screen(call.rt, await call.member())
    except DeskError as exc:
        view = notice_view(TITLE, str(exc), ok=False)
    await client.views_update(view_id=view_id, view=view)


async def on_token_submit(
    ack: Any, body: Body, client: AsyncWebClient, context: AsyncBoltContext, view: Body
) -> None:
    """Create the token for the person who submitted; the modal then shows it once."""
    form, errors = token_input(state_of(view))
    if form is None:
        await ack(response_action="errors", errors=errors)
        return
    await ack(response_action="update", view=loading_view(TITLE, "Creating the token…"))
    rt: Runtime = context["rt"]
    try:
        member = await rt.member(context, body)
    except DeskError as exc:
        await client.views_update(view_id=view["id"], view=notice_view(TITLE, str(exc), ok=False))
        return
    try:
        issued = await rt.services.tokens.create(
            member.user_id,
            scopes=form.scopes,
            expires=form.expires,
            name=form.name,
            kind=form.kind,
            by=member.actor,
        )
    except DeskError as exc:  # e.g. a scope the role does not allow: back to the form
        screen = await token_screen(rt, member, f"No token created: {exc}", ok=False)
        await client.views_update(view_id=view["id"], view=screen)
        return
    await client.views_update(view_id=view["id"], view=token_shown_view(issued))


async def on_token_revoke(
    ack: Any, body: Body, client: AsyncWebClient, context: AsyncBoltContext, action: Body
) -> None:
    """A Revoke button in the token list: revoke (one's own token only), show the list."""
    await ack()
    rt: Runtime = context["rt"]
    view_id = (body.get("view") or {}).get("id")
    try:
        member = await rt.member(context, body)
    except DeskError as exc:
        await client.views_update(view_id=view_id, view=notice_view(TITLE, str(exc), ok=False))
        return
    try:
        raw = str(action.get("value") or "")
        if not raw.isdecimal():
            raise ValidationError(f"not a token id: {raw[:20]!r}", field="value")
        gone = await rt.services.tokens.revoke(int(raw), by=member.actor, owner_id=member.user_id)
        notice, ok = f"Revoked {gone.name or 'the token'} (desk_{gone.public_id}_…).", True
    except DeskError as exc:
        notice, ok = f"Not revoked: {exc}", False
    await client.views_update(view_id=view_id, view=await token_screen(rt, member, notice, ok=ok))
