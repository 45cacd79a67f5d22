"""Modal submissions (edit, reject, category, settings) and the settings Test buttons.

Submissions that fail a check of the typed text are answered with ``errors`` in the ack;
everything else acks with a "Saving…" screen first and shows the outcome after.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot import ids
from bot.blocks.modals import AFTER_APPROVE, loading_view, notice_view
from bot.blocks.settings import SettingsSnapshot, saved_text, settings_view, test_result_text
from bot.forms import body_blocks, edit_body, settings_input, state_of, text, value
from bot.handlers.common import send_and_show
from bot.runtime import Runtime
from core.access.members import Member
from core.control.settings_form import SettingsSaved
from core.errors import DeskError

Body = dict[str, Any]


def _where(ctx: ids.ModalContext) -> tuple[str, str] | None:
    return (ctx.channel, ctx.ts) if ctx.channel and ctx.ts else None


async def on_edit_submit(
    ack: Any, body: Body, client: AsyncWebClient, context: AsyncBoltContext, view: Body
) -> None:
    ctx = ids.ModalContext.load(view.get("private_metadata", ""))
    state = state_of(view)
    new_text = edit_body(state, ctx.seps)
    if not new_text.strip():
        first = (body_blocks(state) or ["body_0"])[0]
        await ack(response_action="errors", errors={first: "The reply is empty."})
        return
    approve = value(state, "after", "choice") == AFTER_APPROVE
    await ack(response_action="update", view=loading_view("Edit draft", "Saving…"))
    rt: Runtime = context["rt"]
    try:
        _member, who = await rt.principal(context, body)
        edited = await rt.services.decisions.edit(
            who, draft_id=ctx.draft_id, body=new_text, version=ctx.version, then_approve=approve
        )
    except DeskError as exc:
        await client.views_update(
            view_id=view["id"], view=notice_view("Edit draft", str(exc), ok=False)
        )
        return
    done = f"Saved as version {edited.version} ({edited.chars:,} characters)."
    await client.views_update(
        view_id=view["id"],
        view=notice_view("Edit draft", done + (" Approved: sending now." if approve else "")),
    )
    if approve:
        await send_and_show(rt, ctx.draft_id, _where(ctx))
    else:
        await rt.notifier.refresh(ctx.draft_id, where=_where(ctx))


async def on_reject_submit(
    ack: Any, body: Body, client: AsyncWebClient, context: AsyncBoltContext, view: Body
) -> None:
    ctx = ids.ModalContext.load(view.get("private_metadata", ""))
    reason = text(state_of(view), "reason").strip()
    if not reason:
        await ack(
            response_action="errors", errors={"reason": "Say why, so the next drafts get better."}
        )
        return
    await ack(response_action="update", view=loading_view("Reject draft", "Rejecting…"))
    rt: Runtime = context["rt"]
    try:
        _member, who = await rt.principal(context, body)
        await rt.services.decisions.reject(who, draft_id=ctx.draft_id, reason=reason)
    except DeskError as exc:
        await client.views_update(
            view_id=view["id"], view=notice_view("Reject draft", str(exc), ok=False)
        )
        return
    await client.views_update(
        view_id=view["id"],
        view=notice_view("Reject draft", "Rejected. The reason is kept for learning."),
    )
    await rt.notifier.refresh(ctx.draft_id, where=_where(ctx))


async def on_classify_submit(
    ack: Any, body: Body, client: AsyncWebClient, context: AsyncBoltContext, view: Body
) -> None:
    ctx = ids.ModalContext.load(view.get("private_metadata", ""))
    category = value(state_of(view), "category", "choice")
    if not category:
        await ack(response_action="errors", errors={"category": "Pick a category."})
        return
    await ack(response_action="update", view=loading_view("Change category", "Saving…"))
    rt: Runtime = context["rt"]
    try:
        _member, who = await rt.principal(context, body)
        await rt.services.decisions.recategorise(who, draft_id=ctx.draft_id, category=category)
    except DeskError as exc:
        await client.views_update(
            view_id=view["id"], view=notice_view("Change category", str(exc), ok=False)
        )
        return
    await client.views_update(
        view_id=view["id"], view=notice_view("Change category", f"Category set to {category}.")
    )
    await rt.notifier.refresh(ctx.draft_id, where=_where(ctx))


async def settings_snapshot(rt: Runtime, member: Member, home_team: str | None) -> SettingsSnapshot:
    s = rt.services
    return SettingsSnapshot(
        mailbox=await s.mailbox_settings.current(member.team_id, home_team),
        stored=await s.store.public(),
        triage_channel=await rt.notifier.channel(),
        members=await s.members.of_team(member.team_id),
        users=await s.members.people(member.team_id),
        calendars=await s.calendars.list(),
        policies=await s.sla_policies.list(),
        mailboxes=await s.mailbox_settings.listing(member.team_id, home_team),
    )


async def on_settings_test(
    ack: Any, body: Body, client: AsyncWebClient, context: AsyncBoltContext, action: Body
) -> None:
    await ack()
    rt: Runtime = context["rt"]
    view = body.get("view") or {}
    which = {"smtp": "smtp", "ai": "ai"}.get(action.get("value") or "", "imap")
    form, errors = settings_input(state_of(view))
    member = await rt.member(context, body)
    home = rt.home_team(context)
    snapshot = await settings_snapshot(rt, member, home)
    testing = f":hourglass_flowing_sand: Testing {which.upper()}…"
    await client.views_update(view_id=view["id"], view=settings_view(snapshot, test_result=testing))
    try:
        outcome = await rt.services.settings_form.test(
            member, form, errors, which=which, home_team=home
        )
    except DeskError as exc:
        outcome = str(exc)
    result = test_result_text({which: outcome})
    await client.views_update(view_id=view["id"], view=settings_view(snapshot, test_result=result))


async def on_settings_submit(
    ack: Any, body: Body, client: AsyncWebClient, context: AsyncBoltContext, view: Body
) -> None:
    form, errors = settings_input(state_of(view))
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    await ack(response_action="update", view=loading_view("Desk settings", "Saving…"))
    rt: Runtime = context["rt"]
    try:
        member = await rt.member(context, body)
    except DeskError as exc:
        saved = SettingsSaved(failed=exc)
    else:
        saved = await rt.services.settings_form.save(
            member, form, home_team=rt.home_team(context), profile=partial(rt.profile, client)
        )
    ok = saved.failed is None
    await client.views_update(
        view_id=view["id"], view=notice_view("Desk settings", saved_text(saved), ok=ok)
    )
