"""Bulk actions: the App Home buttons, ``/desk bulk``, and the confirmation modal.

The click (or command) only previews and opens the confirmation; the submission runs the
action in ``core.tickets.bulk``, each ticket by the same compare-and-set as a single click, then
reports what was done and skipped and refreshes the draft messages it changed.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks.bulk import (
    BUTTON_ACTIONS,
    bulk_confirm_view,
    bulk_result_blocks,
    bulk_result_text,
    confirm_inputs,
    decode_bulk_metadata,
    encode_bulk_metadata,
    parse_bulk_command,
    selected_ticket_ids,
)
from bot.blocks.modals import loading_view, notice_view
from bot.command_text import parse_search
from bot.forms import state_of
from bot.handlers.common import Invocation
from bot.notifier import SLACK_ERRORS
from bot.runtime import Runtime
from core.access.members import Member
from core.errors import DeskError, ValidationError
from core.tickets.bulk import BulkResult
from core.tickets.queries import TeamQuery, TicketQuery

Body = dict[str, Any]
ACTION_OF = {action_id: action for action, action_id in BUTTON_ACTIONS.items()}
TITLE = "Bulk action"


def team_query(q: TicketQuery, team_id: str, home_team: str | None) -> TeamQuery:
    """The same filters, limited to one workspace's tickets."""
    given = {f.name: getattr(q, f.name) for f in fields(TicketQuery)}
    return TeamQuery(**given, team_id=team_id, home_team=home_team)


async def on_pick(ack: Any) -> None:
    await ack()  # ticking a box changes nothing until a bulk button is clicked


async def on_bulk_button(
    ack: Any, body: Body, client: AsyncWebClient, context: AsyncBoltContext, action: Body
) -> None:
    await ack()
    rt: Runtime = context["rt"]
    opened = await client.views_open(trigger_id=body["trigger_id"], view=loading_view(TITLE))
    view_id = opened["view"]["id"]
    try:
        ids = selected_ticket_ids(state_of(body.get("view") or {}))
        if not ids:
            raise ValidationError("tick at least one ticket first", field="tickets")
        bulk_action = ACTION_OF[action["action_id"]]
        _member, who = await rt.principal(context, body)
        preview = await rt.services.bulk.preview(ids, bulk_action, who=who)
        view = bulk_confirm_view(
            preview, metadata=encode_bulk_metadata(bulk_action, preview.act_on)
        )
    except DeskError as exc:
        await client.views_update(view_id=view_id, view=notice_view(TITLE, str(exc), ok=False))
        return
    await client.views_update(view_id=view_id, view=view)


async def bulk_command(call: Invocation) -> None:
    """``/desk bulk approve|reject|assign|send <ticket numbers or filters>``."""
    rt, client, body = call.rt, call.client, call.body
    opened = await client.views_open(trigger_id=body["trigger_id"], view=loading_view(TITLE))
    view_id = opened["view"]["id"]
    try:
        cmd = parse_bulk_command(call.args)
        member, who = await rt.principal(call.context, body)
        selection = _selection(cmd.ticket_ids, cmd.query, member, who.home_team)
        preview = await rt.services.bulk.preview(
            selection, cmd.action, include_escalated=cmd.include_escalated, who=who
        )
        metadata = encode_bulk_metadata(
            cmd.action,
            preview.act_on,
            include_escalated=cmd.include_escalated,
            filters_text=cmd.filters_text,
            extra={"c": body.get("channel_id")},
        )
        view = bulk_confirm_view(
            preview, metadata=metadata, assignee_slack_id=cmd.assignee_slack_id, reason=cmd.reason
        )
    except DeskError as exc:
        await client.views_update(view_id=view_id, view=notice_view(TITLE, str(exc), ok=False))
        return
    await client.views_update(view_id=view_id, view=view)


async def on_confirm(
    ack: Any, body: Body, client: AsyncWebClient, context: AsyncBoltContext, view: Body
) -> None:
    await ack()
    rt: Runtime = context["rt"]
    member = await rt.member(context, body)
    channel = None
    try:
        meta = decode_bulk_metadata(view.get("private_metadata", ""))
        channel = meta.extra.get("c")
        result = await _run(rt, client, context, member, meta, confirm_inputs(state_of(view)))
    except DeskError as exc:
        await _answer(rt, client, member, channel, f":no_entry: {exc}", None)
        return
    blocks = bulk_result_blocks(result, by=f"<@{member.slack_user_id}>")
    await _answer(rt, client, member, channel, bulk_result_text(result), blocks)
    for item in result.done:
        if item.draft_id is not None:
            await rt.notifier.refresh(item.draft_id)


async def _run(
    rt: Runtime,
    client: AsyncWebClient,
    context: AsyncBoltContext,
    member: Member,
    meta: Any,
    inputs: dict[str, Any],
) -> BulkResult:
    who = member.principal(rt.home_team(context))
    query = parse_search(meta.filters_text).query(limit=1000) if meta.filters_text else None
    selection = _selection(meta.ticket_ids, query, member, who.home_team)
    bulk = rt.services.bulk
    if meta.action == "approve":
        include = meta.include_escalated or inputs["include_escalated"]
        return await bulk.approve(selection, who, include_escalated=include, versions=meta.versions)
    if meta.action == "reject":
        return await bulk.reject(selection, who, reason=inputs["reason"] or "")
    if meta.action == "assign":
        if not inputs["assignee_slack_id"]:
            raise ValidationError("pick who takes them", field="assignee")
        assignee = await rt.member_by_id(client, member.team_id, inputs["assignee_slack_id"])
        return await bulk.assign(selection, who, assignee_id=assignee.user_id)
    return await bulk.send(selection, who)


def _selection(
    ticket_ids: list[int], query: TicketQuery | None, member: Member, home: str | None
) -> list[int] | TeamQuery:
    """Tickets by number, or the filters run over the member's workspace only."""
    if query is None:
        return ticket_ids
    return team_query(query, member.team_id, home)


async def _answer(
    rt: Runtime,
    client: AsyncWebClient,
    member: Member,
    channel: str | None,
    text: str,
    blocks: list[dict[str, Any]] | None,
) -> None:
    """Ephemeral in the channel the command came from, else (App Home) a DM."""
    if channel:
        try:
            await client.chat_postEphemeral(
                channel=channel, user=member.slack_user_id, text=text, blocks=blocks
            )
            return
        except SLACK_ERRORS:
            pass
    await rt.notifier.dm(member.slack_user_id, text, blocks)
