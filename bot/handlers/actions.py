"""Buttons and menus on draft messages and search results. Each acks first."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import fields, replace
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot import ids
from bot.blocks.draft import status_text
from bot.blocks.lists import TicketLine, parse_page, search_blocks
from bot.blocks.modals import classify_view, edit_view, loading_view, notice_view, reject_view
from bot.blocks.templates import use_template_block
from bot.blocks.text import escape, short
from bot.command_text import PAGE_SIZE, parse_search
from bot.handlers.common import block_draft_id, explain, message_location, send_and_show
from bot.runtime import Runtime
from core.access.permissions import Principal
from core.errors import DeskError, InvalidTransition
from core.tickets.decisions import Decisions
from core.tickets.queries import TeamQuery, TicketQuery

Body = dict[str, Any]


async def on_approve(
    ack: Any, body: Body, client: AsyncWebClient, context: AsyncBoltContext, action: Body
) -> None:
    await ack()
    ref = ids.DraftRef.parse(action.get("value", ""))
    await _decide_and_send(
        context,
        body,
        ref.draft_id,
        lambda d, who: d.approve(who, draft_id=ref.draft_id, version=ref.version),
    )


async def on_retry(
    ack: Any, body: Body, client: AsyncWebClient, context: AsyncBoltContext, action: Body
) -> None:
    await ack()
    ref = ids.DraftRef.parse(action.get("value", ""))
    await _decide_and_send(
        context, body, ref.draft_id, lambda d, who: d.retry(who, draft_id=ref.draft_id)
    )


async def on_clear_bounce(
    ack: Any, body: Body, client: AsyncWebClient, context: AsyncBoltContext, action: Body
) -> None:
    """Retry a reply whose address is marked undeliverable: clear the mark, then retry
    (the button asked for confirmation)."""
    await ack()
    ref = ids.DraftRef.parse(action.get("value", ""))
    await _decide_and_send(
        context,
        body,
        ref.draft_id,
        lambda d, who: d.retry(who, draft_id=ref.draft_id, clear_bounce=True),
    )


async def _decide_and_send(
    context: AsyncBoltContext,
    body: Body,
    draft_id: int,
    decide: Callable[[Decisions, Principal], Awaitable[object]],
) -> None:
    """A button that approves a draft (or queues it again): decide, then send the reply
    and show it on the message; a lost or refused click is explained to the clicker."""
    rt: Runtime = context["rt"]
    try:
        _member, who = await rt.principal(context, body)
        await decide(rt.services.decisions, who)
    except DeskError as exc:
        await explain(rt, context, body, draft_id, exc)
        return
    await send_and_show(rt, draft_id, message_location(body))


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
        _member, who = await rt.principal(context, body)
        await rt.services.decisions.permit(who, "edit", draft_id=ref.draft_id)
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
        _member, who = await rt.principal(context, body)
        await rt.services.decisions.permit(who, "reject", draft_id=ref.draft_id)
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
        member, who = await rt.principal(context, body)
        assignee = await rt.member_by_id(
            client, member.team_id, str(action.get("selected_user") or "")
        )
        done = await rt.services.decisions.assign(
            who, draft_id=draft_id, assignee_id=assignee.user_id
        )
    except DeskError as exc:
        await explain(rt, context, body, draft_id, exc)
        return
    card = await rt.notifier.refresh(draft_id, where=message_location(body))
    if done.changed and assignee.slack_user_id != member.slack_user_id:
        post = await rt.services.posts.get(draft_id)
        subject = escape(short(card.subject, 150)) if card else f"ticket #{done.ticket_id}"
        link = f"<{post.permalink}|{subject}>" if post and post.permalink else subject
        await rt.notifier.dm(
            assignee.slack_user_id,
            f"<@{member.slack_user_id}> assigned you ticket #{done.ticket_id}: {link}",
        )


async def on_more(
    ack: Any, body: Body, client: AsyncWebClient, context: AsyncBoltContext, action: Body
) -> None:
    """The draft's "More" menu: an urgency or "Waiting on customer" is set at once, a
    category opens a modal."""
    await ack()
    rt: Runtime = context["rt"]
    kind, choice, draft_id = ids.parse_more((action.get("selected_option") or {}).get("value", ""))
    if kind == "status":
        try:
            _member, who = await rt.principal(context, body)
            change = await rt.services.decisions.set_status(who, draft_id=draft_id, status=choice)
        except DeskError as exc:
            await explain(rt, context, body, draft_id, exc)
            return
        await rt.notifier.refresh(draft_id, where=message_location(body))  # its SLA line
        await rt.tell(context, body, status_text(change.ticket_id, change.before, change.after))
        return
    if kind == "urgency":
        try:
            _member, who = await rt.principal(context, body)
            await rt.services.decisions.recategorise(who, draft_id=draft_id, urgency=choice)
        except DeskError as exc:
            await explain(rt, context, body, draft_id, exc)
            return
        await rt.notifier.refresh(draft_id, where=message_location(body))
        return
    opened = await client.views_open(
        trigger_id=body["trigger_id"], view=loading_view("Change category")
    )
    view_id = opened["view"]["id"]
    try:
        _member, who = await rt.principal(context, body)
        await rt.services.decisions.permit(who, "classify", draft_id=draft_id)
        card = await rt.services.cards.get(draft_id)
    except DeskError as exc:
        await client.views_update(
            view_id=view_id, view=notice_view("Change category", str(exc), ok=False)
        )
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
    member = await rt.member(context, body)
    await respond(
        replace_original=True,
        **await search_reply(rt, member.team_id, rt.home_team(context), text, offset),
    )


async def search_reply(
    rt: Runtime, team_id: str, home_team: str | None, text: str, offset: int
) -> dict[str, Any]:
    """The ephemeral answer to a search: blocks and fallback text."""
    search = parse_search(text, offset=offset)
    if (named := search.assignee_mention) is not None:  # @ann or <@U123>: their address
        email = await rt.services.members.email_of(
            team_id, slack_user_id=named.slack_user_id, name=named.name
        )
        search = replace(search, assignee=email, assignee_mention=None)
    q = search.query(limit=PAGE_SIZE)
    # every filter of the search (a new one is never dropped here), in the member's workspace
    query = TeamQuery(
        **{f.name: getattr(q, f.name) for f in fields(TicketQuery)},
        team_id=team_id,
        home_team=home_team,
    )
    # up to a cap, a ranked search's from its own page: no second full scan
    views, total = await rt.services.tickets.list_and_total(query)
    links = await rt.services.posts.permalinks([v["id"] for v in views])
    lines = [TicketLine.from_view(v, links.get(v["id"])) for v in views]
    blocks = search_blocks(
        lines,
        total=total.n,
        offset=offset,
        text=text,
        page_size=PAGE_SIZE,
        total_capped=total.capped,
    )
    return {"blocks": blocks, "text": f"{total} tickets found"}
