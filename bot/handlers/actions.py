"""Buttons and menus on draft messages and search results. Each acks first."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot import ids
from bot.blocks.lists import TicketLine, parse_page, search_blocks
from bot.blocks.modals import classify_view, edit_view, loading_view, notice_view, reject_view
from bot.blocks.templates import use_template_block
from bot.blocks.text import escape, short
from bot.commandline import PAGE_SIZE, parse_search
from bot.handlers.common import block_draft_id, explain, message_location, send_and_show
from bot.runtime import Runtime
from core.audit import Actor
from core.errors import DeskError, InvalidTransition, NotFound
from core.tickets.drafts import Decision
from core.tickets.queries import TeamQuery

Body = dict[str, Any]


async def on_approve(
    ack: Any, body: Body, client: AsyncWebClient, context: AsyncBoltContext, action: Body
) -> None:
    await ack()
    await _decide_and_send(
        context["rt"],
        client,
        body,
        context,
        action,
        "approve",
        lambda rt, ref, actor: rt.services.drafts.approve(ref.draft_id, actor, version=ref.version),
    )


async def on_retry(
    ack: Any, body: Body, client: AsyncWebClient, context: AsyncBoltContext, action: Body
) -> None:
    await ack()
    await _decide_and_send(
        context["rt"],
        client,
        body,
        context,
        action,
        "retry",
        lambda rt, ref, actor: rt.services.drafts.retry(ref.draft_id, actor),
    )


async def on_clear_bounce(
    ack: Any, body: Body, client: AsyncWebClient, context: AsyncBoltContext, action: Body
) -> None:
    """Retry a reply whose address is marked undeliverable: clear the mark, then retry
    (the button asked for confirmation)."""
    await ack()
    await _decide_and_send(
        context["rt"], client, body, context, action, "retry", _clear_bounce_and_retry
    )


async def _clear_bounce_and_retry(rt: Runtime, ref: ids.DraftRef, actor: Actor) -> Decision:
    card = await rt.services.cards.get(ref.draft_id)
    with contextlib.suppress(NotFound):  # cleared meanwhile (another click, the CLI)
        await rt.services.recipients.clear(card.requester_email, actor)
    return await rt.services.drafts.retry(ref.draft_id, actor)


async def _decide_and_send(
    rt: Runtime,
    client: AsyncWebClient,
    body: Body,
    context: AsyncBoltContext,
    action: Body,
    verb: str,
    decide: Callable[[Runtime, ids.DraftRef, Actor], Awaitable[object]],
) -> None:
    """A button that approves a draft (or queues it again): check, decide, then send the
    reply and show it on the message; a lost click is explained to the clicker."""
    ref = ids.DraftRef.parse(action.get("value", ""))
    try:
        member, _ = await rt.permitted(client, body, context, verb, ref.draft_id)
        await decide(rt, ref, member.actor)
    except DeskError as exc:
        await explain(rt, client, body, ref.draft_id, exc)
        return
    await send_and_show(rt, ref.draft_id, message_location(body))


async def on_edit(
    ack: Any, body: Body, client: AsyncWebClient, context: AsyncBoltContext, action: Body
) -> None:
    await ack()
    rt: Runtime = context["rt"]
    opened = await client.views_open(trigger_id=body["trigger_id"], view=loading_view("Edit draft"))
    view_id = opened["view"]["id"]
    ref = ids.DraftRef.parse(action.get("value", ""))
    where = message_location(body) or (None, None)
    try:
        await rt.permitted(client, body, context, "edit", ref.draft_id)
        card = await rt.services.cards.get(ref.draft_id)
        if card.status != "pending":
            raise InvalidTransition(
                f"this draft is {card.status}: only pending drafts can be edited",
                current=card.status,
            )
    except DeskError as exc:
        await client.views_update(
            view_id=view_id, view=notice_view("Edit draft", str(exc), ok=False)
        )
        return
    ctx = ids.ModalContext(card.draft_id, card.version, *where)
    picker = use_template_block(
        await rt.services.templates.list(category=card.category), category=card.category
    )
    await client.views_update(view_id=view_id, view=edit_view(card, ctx, use_template=picker))


async def on_reject(
    ack: Any, body: Body, client: AsyncWebClient, context: AsyncBoltContext, action: Body
) -> None:
    await ack()
    rt: Runtime = context["rt"]
    ref = ids.DraftRef.parse(action.get("value", ""))
    where = message_location(body) or (None, None)
    opened = await client.views_open(
        trigger_id=body["trigger_id"],
        view=reject_view(ids.ModalContext(ref.draft_id, ref.version, *where)),
    )
    try:
        await rt.permitted(client, body, context, "reject", ref.draft_id)
    except DeskError as exc:
        await client.views_update(
            view_id=opened["view"]["id"], view=notice_view("Reject draft", str(exc), ok=False)
        )


async def on_assign(
    ack: Any, body: Body, client: AsyncWebClient, context: AsyncBoltContext, action: Body
) -> None:
    await ack()
    rt: Runtime = context["rt"]
    draft_id = None
    try:
        draft_id = block_draft_id(action)
        member = await rt.member(client, body)
        assignee = await rt.member_by_id(
            client, member.team_id, str(action.get("selected_user") or "")
        )
        access = await rt.services.guard.check(
            member,
            "assign",
            draft_id=draft_id,
            home_team=rt.home_team(context),
            assignee_id=assignee.user_id,
        )
        done = await rt.services.assignments.assign(
            access.ticket_id, assignee.user_id, member.actor
        )
    except DeskError as exc:
        await explain(rt, client, body, draft_id, exc)
        return
    card = await rt.notifier.refresh(draft_id, where=message_location(body))
    if done.changed and assignee.slack_user_id != member.slack_user_id:
        post = await rt.services.posts.get(draft_id)
        subject = escape(short(card.subject, 150)) if card else f"ticket #{access.ticket_id}"
        link = f"<{post.permalink}|{subject}>" if post and post.permalink else subject
        await rt.notifier.dm(
            assignee.slack_user_id,
            f"<@{member.slack_user_id}> assigned you ticket #{access.ticket_id}: {link}",
        )


async def on_more(
    ack: Any, body: Body, client: AsyncWebClient, context: AsyncBoltContext, action: Body
) -> None:
    await ack()
    rt: Runtime = context["rt"]
    kind, choice, draft_id = ids.parse_more((action.get("selected_option") or {}).get("value", ""))
    view_id = None
    if kind == "category":
        view_id = (
            await client.views_open(
                trigger_id=body["trigger_id"], view=loading_view("Change category")
            )
        )["view"]["id"]
    try:
        member, access = await rt.permitted(client, body, context, "classify", draft_id)
        if kind == "urgency":
            await rt.services.classification.classify(
                access.ticket_id, member.actor, urgency=choice
            )
            await rt.notifier.refresh(draft_id, where=message_location(body))
            return
        card = await rt.services.cards.get(draft_id)
    except DeskError as exc:
        if view_id:
            await client.views_update(
                view_id=view_id, view=notice_view("Change category", str(exc), ok=False)
            )
        else:
            await explain(rt, client, body, draft_id, exc)
        return
    where = message_location(body) or (None, None)
    await client.views_update(
        view_id=view_id, view=classify_view(card, ids.ModalContext(draft_id, card.version, *where))
    )


async def on_search_page(
    ack: Any,
    body: Body,
    client: AsyncWebClient,
    context: AsyncBoltContext,
    action: Body,
    respond: AsyncRespond,
) -> None:
    await ack()
    rt: Runtime = context["rt"]
    text, offset = parse_page(action.get("value", ""))
    member = await rt.member(client, body)
    await respond(
        replace_original=True,
        **await search_reply(rt, member.team_id, rt.home_team(context), text, offset),
    )


async def search_reply(
    rt: Runtime, team_id: str, home_team: str | None, text: str, offset: int
) -> dict[str, Any]:
    """The ephemeral answer to a search: blocks and fallback text."""
    search = parse_search(text, offset=offset)
    q = search.query(limit=PAGE_SIZE)
    query = TeamQuery(
        **{
            f: getattr(q, f)
            for f in ("status", "category", "urgency", "q", "sender", "limit", "offset")
        },
        team_id=team_id,
        home_team=home_team,
    )
    views = await rt.services.tickets.list(query)
    total = await rt.services.tickets.count(query)
    links = await rt.services.posts.permalinks([v["id"] for v in views])
    lines = [TicketLine.from_view(v, links.get(v["id"])) for v in views]
    return {
        "blocks": search_blocks(lines, total=total, offset=offset, text=text, page_size=PAGE_SIZE),
        "text": f"{total} tickets found",
    }
