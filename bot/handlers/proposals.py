"""The buttons on a knowledge-base proposal's message: Publish (the clicking manager or
admin becomes its reviewer), Edit (the article modal, saved by ``bot.handlers.knowledge``,
which then updates the message) and Discard (archived: kept, not proposed again). Each acks
first, makes one core call, and updates the message; a refusal or a lost race is told to
the clicking person only."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks.modals import loading_view, notice_view
from bot.blocks.proposals import proposal_id
from bot.blocks.text import person
from bot.handlers.knowledge import edit_view_of
from bot.proposals import SlackProposals
from bot.runtime import Runtime
from core.access.permissions import check_knowledge
from core.errors import DeskError

Body = dict[str, Any]
TITLE = "Knowledge base"


async def on_publish(
    ack: Any, body: Body, client: AsyncWebClient, context: AsyncBoltContext, action: Body
) -> None:
    await ack()
    await _decide(context, body, action, "publish")


async def on_discard(
    ack: Any, body: Body, client: AsyncWebClient, context: AsyncBoltContext, action: Body
) -> None:
    await ack()
    await _decide(context, body, action, "discard")


async def _decide(context: AsyncBoltContext, body: Body, action: Body, verb: str) -> None:
    rt: Runtime = context["rt"]
    article_id: int | None = None
    try:
        article_id = proposal_id(action)
        member, who = await rt.principal(context, body)
        proposals = rt.services.proposals
        if verb == "publish":
            await proposals.publish(who, article_id)
        else:
            await proposals.discard(who, article_id)
    except DeskError as exc:
        await rt.tell(context, body, f":no_entry: {exc}")
        if article_id is not None:  # decided meanwhile: the message shows how
            await SlackProposals(rt.notifier).refresh(article_id)
        return
    await SlackProposals(rt.notifier).refresh(
        article_id, by=person(member.slack_user_id, member.name)
    )


async def on_edit(
    ack: Any, body: Body, client: AsyncWebClient, context: AsyncBoltContext, action: Body
) -> None:
    """The article modal, filled in with the proposal; a refusal shown in it."""
    await ack()
    rt: Runtime = context["rt"]
    opened = await client.views_open(trigger_id=body["trigger_id"], view=loading_view(TITLE))
    try:
        article_id = proposal_id(action)
        _member, who = await rt.principal(context, body)
        check_knowledge(who, "edit")
        view = await edit_view_of(rt, article_id)
    except DeskError as exc:
        view = notice_view(TITLE, str(exc), ok=False)
    await client.views_update(view_id=opened["view"]["id"], view=view)
