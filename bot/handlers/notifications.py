"""Notification preferences from App Home: the button opens the modal with the person's
preferences; the submission saves them through the preference store (one call), checked
whole first, and says so."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks.modals import loading_view, notice_view
from bot.blocks.preferences import TITLE, preferences_input, preferences_view
from bot.forms import state_of
from bot.runtime import Runtime
from core.errors import DeskError

Body = dict[str, Any]


async def on_prefs_open(
    ack: Any, body: Body, client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    rt: Runtime = context["rt"]
    opened = await client.views_open(trigger_id=body["trigger_id"], view=loading_view(TITLE))
    try:
        member = await rt.member(context, body)
        view = preferences_view(await rt.services.preferences.get(member.user_id))
    except DeskError as exc:
        view = notice_view(TITLE, str(exc), ok=False)
    await client.views_update(view_id=opened["view"]["id"], view=view)


async def on_prefs_submit(
    ack: Any, body: Body, client: AsyncWebClient, context: AsyncBoltContext, view: Body
) -> None:
    change, errors = preferences_input(state_of(view))
    if change is None:
        await ack(response_action="errors", errors=errors)
        return
    await ack(response_action="update", view=loading_view(TITLE, "Saving…"))
    rt: Runtime = context["rt"]
    try:
        member = await rt.member(context, body)
        await rt.services.preferences.update(member.user_id, change, actor=member.actor)
        done = notice_view(TITLE, "Saved: notices now come as you chose.")
    except DeskError as exc:
        done = notice_view(TITLE, f"Not saved: {exc}", ok=False)
    await client.views_update(view_id=view["id"], view=done)
