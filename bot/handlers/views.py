"""Modal submissions (edit, reject, category, settings) and the settings Test buttons.

Submissions that fail a check of the typed text are answered with ``errors`` in the ack;
everything else acks with a "Saving…" screen first and shows the outcome after.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot import ids
from bot.blocks.modals import AFTER_APPROVE, loading_view, notice_view
from bot.blocks.settings import SettingsSnapshot, settings_view, test_result_text
from bot.forms import SettingsInput, body_blocks, edit_body, settings_input, state_of, text, value
from bot.handlers.common import send_and_show
from bot.runtime import Runtime
from bot.services import TRIAGE_CHANNEL_KEY
from core.access.members import Member
from core.access.permissions import require_role
from core.ai.config import with_stored
from core.ai.service import check as check_ai
from core.errors import DeskError, ValidationError

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
        mailboxes=await s.mailbox_settings.listing(member.team_id, home_team),
    )


async def on_settings_test(
    ack: Any, body: Body, client: AsyncWebClient, context: AsyncBoltContext, action: Body
) -> None:
    await ack()
    rt: Runtime = context["rt"]
    view = body.get("view") or {}
    which = {"smtp": "smtp", "ai": "ai"}.get(action.get("value") or "", "imap")
    member = await rt.member(context, body)
    home = rt.home_team(context)
    try:
        require_role(member, "admin", doing="testing the connections")
        snapshot = await settings_snapshot(rt, member, home)
        await client.views_update(
            view_id=view["id"],
            view=settings_view(
                snapshot, test_result=f":hourglass_flowing_sand: Testing {which.upper()}…"
            ),
        )
        form, errors = settings_input(state_of(view))
        if which == "ai":
            result = test_result_text({"ai": await test_ai(rt, form, errors)})
            await client.views_update(
                view_id=view["id"], view=settings_view(snapshot, test_result=result)
            )
            return
        if form.mailbox is None or errors:
            raise ValidationError(
                "fill in the mailbox fields first: "
                + "; ".join(f"{k}: {v}" for k, v in errors.items()),
                field="mailbox",
            )
        outcome = await rt.services.mailbox_settings.test(
            form.mailbox, which=which, team_id=member.team_id, home_team=home
        )
        result = test_result_text({which: outcome})
    except DeskError as exc:
        result = test_result_text({which: str(exc)})
        snapshot = await settings_snapshot(rt, member, home)
    await client.views_update(view_id=view["id"], view=settings_view(snapshot, test_result=result))


async def test_ai(rt: Runtime, form: SettingsInput, errors: dict[str, str]) -> str:
    """Check the AI provider with what is typed in the modal (stored key where none is)."""
    if bad := {k: v for k, v in errors.items() if k.startswith("ai_")}:
        raise ValidationError("; ".join(f"{k}: {v}" for k, v in bad.items()), field="ai")
    typed = {k: v for k, v in {**form.settings, **form.secrets}.items() if v}
    ai = with_stored(rt.services.ai_defaults, {**await rt.services.store.all(), **typed})
    return await check_ai(ai)


async def apply_scheduler(rt: Runtime, member: Member, form: SettingsInput) -> list[str]:
    """Auto-fetch on/off and its interval, when they differ from what is stored."""
    scheduler = rt.services.scheduler
    cfg = await scheduler.config()
    interval = form.fetch_interval if form.fetch_interval != cfg.interval_seconds else None
    if form.auto_fetch == "on" and (not cfg.enabled or interval):
        await scheduler.start(member.actor, interval_seconds=interval)
        return ["auto-fetch on" + (f", every {interval} s" if interval else "")]
    if form.auto_fetch == "off" and cfg.enabled:
        await scheduler.stop(member.actor)
        return ["auto-fetch off"]
    if interval:
        await scheduler.set_interval(member.actor, interval)
        return [f"auto-fetch every {interval} s"]
    return []


async def on_settings_submit(
    ack: Any, body: Body, client: AsyncWebClient, context: AsyncBoltContext, view: Body
) -> None:
    form, errors = settings_input(state_of(view))
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    await ack(response_action="update", view=loading_view("Desk settings", "Saving…"))
    rt: Runtime = context["rt"]
    done: list[str] = []
    try:
        member = await rt.member(context, body)
        home = rt.home_team(context)
        await save_settings(rt, member, form, client=client, home_team=home, done=done)
    except DeskError as exc:
        summary = (f"Saved: {', '.join(done)}. " if done else "") + f"Not saved: {exc}"
        await client.views_update(
            view_id=view["id"], view=notice_view("Desk settings", summary, ok=False)
        )
        return
    summary = f"Saved: {', '.join(done)}." if done else "Nothing changed."
    await client.views_update(view_id=view["id"], view=notice_view("Desk settings", summary))


async def save_settings(
    rt: Runtime,
    member: Member,
    form: SettingsInput,
    *,
    client: AsyncWebClient,
    home_team: str | None,
    done: list[str],
) -> None:
    """Store what the settings form changed, admins only; ``done`` names each step that
    was saved (so a failure half-way can say what was kept)."""
    s = rt.services
    require_role(member, "admin", doing="changing settings")
    if form.mailbox is not None:
        saved = await s.mailbox_settings.save(
            form.mailbox, team_id=member.team_id, home_team=home_team, actor=member.actor
        )
        done.append(f"mailbox {saved.name} ({saved.address})")
    stored = await s.store.public()
    for key, val in form.settings.items():
        if stored.get(key, "") != val:
            await s.store.set(key, val, actor=member.actor)
            done.append(key)
    for key, val in form.secrets.items():
        await s.store.set(key, val, secret=True, actor=member.actor)
        done.append(f"{key} (hidden)")
    if form.triage_channel and form.triage_channel != await rt.notifier.channel():
        await s.store.set(TRIAGE_CHANNEL_KEY, form.triage_channel, actor=member.actor)
        done.append("triage channel")
    done += await apply_scheduler(rt, member, form)
    if form.role_user and form.role:
        target = await rt.member_by_id(client, member.team_id, form.role_user)
        changed = await s.members.set_role(member, target.user_id, form.role)
        done.append(f"{changed.name} is now {changed.role}")
