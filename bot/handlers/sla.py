"""The SLA section of ``/desk settings``: Add calendar, Add policy and a policy's Edit push a
form over the settings; its submission is checked as typed (errors under the inputs), then
makes one core call, the one ``desk sla`` and the API make (``CalendarService.add``,
``PolicyService.add`` or ``change``), which refuses anyone but an admin. The settings
underneath then show the change."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot import ids
from bot.blocks.modals import loading_view, notice_view
from bot.blocks.settings import settings_view
from bot.blocks.sla import (
    CALENDAR_TITLE,
    POLICY_TITLE,
    calendar_added,
    calendar_view,
    policy_saved,
    policy_values,
    policy_view,
)
from bot.forms import state_of
from bot.handlers.views import settings_snapshot
from bot.runtime import Runtime
from bot.sla_forms import calendar_input, policy_input
from core.access.members import Member
from core.errors import DeskError, ValidationError

Body = dict[str, Any]
NO_CALENDAR = "Add a calendar first: a policy counts business time on one."


async def _calendar_names(rt: Runtime) -> list[str]:
    return [c.name for c in await rt.services.calendars.list()]


async def on_calendar_new(
    ack: Any, body: Body, client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    ctx = ids.SlaFormContext(root=(body.get("view") or {}).get("id"))
    await client.views_push(trigger_id=body["trigger_id"], view=calendar_view(ctx))


async def on_policy_new(
    ack: Any, body: Body, client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    rt: Runtime = context["rt"]
    ctx = ids.SlaFormContext(root=(body.get("view") or {}).get("id"))
    names = await _calendar_names(rt)
    view = (
        policy_view(ctx, names, {}) if names else notice_view(POLICY_TITLE, NO_CALENDAR, ok=False)
    )
    await client.views_push(trigger_id=body["trigger_id"], view=view)


async def on_policy_edit(
    ack: Any, body: Body, client: AsyncWebClient, context: AsyncBoltContext, action: Body
) -> None:
    await ack()
    rt: Runtime = context["rt"]
    try:
        raw = str(action.get("value") or "")
        if not raw.isdecimal():
            raise ValidationError(f"not a policy id: {raw[:20]!r}", field="value")
        info = await rt.services.sla_policies.get(int(raw))
        ctx = ids.SlaFormContext(
            root=(body.get("view") or {}).get("id"),
            policy_id=info.policy.id,
            was={**policy_values(info), "name": info.policy.name},
        )
        view = policy_view(ctx, await _calendar_names(rt))
    except DeskError as exc:
        view = notice_view(POLICY_TITLE, str(exc), ok=False)
    await client.views_push(trigger_id=body["trigger_id"], view=view)


async def on_calendar_submit(
    ack: Any, body: Body, client: AsyncWebClient, context: AsyncBoltContext, view: Body
) -> None:
    try:
        ctx = ids.SlaFormContext.load(view.get("private_metadata", ""))
    except ValidationError as exc:
        await ack(response_action="update", view=notice_view(CALENDAR_TITLE, str(exc), ok=False))
        return
    form, errors = calendar_input(state_of(view))
    if form is None:
        await ack(response_action="errors", errors=errors)
        return
    await ack(response_action="update", view=loading_view(CALENDAR_TITLE, "Saving…"))
    rt: Runtime = context["rt"]
    try:
        member, who = await rt.principal(context, body)
        added = await rt.services.calendars.add(
            form.name, tz=form.tz, hours=form.hours, holidays=form.holidays, who=who
        )
    except DeskError as exc:
        again = calendar_view(ctx, form.typed, notice=f"Not added: {exc}")
        await client.views_update(view_id=view["id"], view=again)
        return
    await _done(rt, client, context, member, ctx, view["id"], CALENDAR_TITLE, calendar_added(added))


async def on_policy_submit(
    ack: Any, body: Body, client: AsyncWebClient, context: AsyncBoltContext, view: Body
) -> None:
    try:
        ctx = ids.SlaFormContext.load(view.get("private_metadata", ""))
    except ValidationError as exc:
        await ack(response_action="update", view=notice_view(POLICY_TITLE, str(exc), ok=False))
        return
    form, errors = policy_input(state_of(view), adding=ctx.policy_id is None)
    if form is None:
        await ack(response_action="errors", errors=errors)
        return
    changes = form.changes(ctx.was or {}) if ctx.policy_id is not None else {}
    if ctx.policy_id is not None and not changes:
        await ack()  # nothing changed: back to the settings
        return
    await ack(response_action="update", view=loading_view(POLICY_TITLE, "Saving…"))
    rt: Runtime = context["rt"]
    policies = rt.services.sla_policies
    try:
        member, who = await rt.principal(context, body)
        if ctx.policy_id is None:
            saved = await policies.add(form.name, who=who, **form.for_add())
        else:
            saved = await policies.change(ctx.policy_id, who=who, **changes)
    except DeskError as exc:
        names = await _calendar_names(rt)
        verb = "added" if ctx.policy_id is None else "changed"
        again = policy_view(
            ctx, names, {**form.values, "name": form.name}, notice=f"Not {verb}: {exc}"
        )
        await client.views_update(view_id=view["id"], view=again)
        return
    done = policy_saved(saved, added=ctx.policy_id is None)
    await _done(rt, client, context, member, ctx, view["id"], POLICY_TITLE, done)


async def _done(
    rt: Runtime,
    client: AsyncWebClient,
    context: AsyncBoltContext,
    member: Member,
    ctx: ids.SlaFormContext,
    view_id: str,
    title: str,
    done: str,
) -> None:
    """The form says what was saved; the settings underneath show it."""
    await client.views_update(view_id=view_id, view=notice_view(title, done))
    if ctx.root:
        snapshot = await settings_snapshot(rt, member, rt.home_team(context))
        view = settings_view(replace(snapshot, sla_notice=done))
        await client.views_update(view_id=ctx.root, view=view)
