"""Response templates: ``/desk templates``, the template modal, and "Use template" in the
Edit draft modal. Managers and admins create and edit; everyone lists and uses."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot import ids
from bot.blocks.modals import edit_view, loading_view, notice_view
from bot.blocks.templates import (
    parse_list_action,
    parse_template_submission,
    template_errors,
    template_preview_blocks,
    template_view,
    templates_list_blocks,
    use_template_block,
)
from bot.forms import state_of
from bot.handlers.common import Invocation
from bot.runtime import Runtime
from core.access.permissions import require_role
from core.errors import DeskError, ValidationError

Body = dict[str, Any]
TITLE = "Template"


async def templates_command(call: Invocation) -> None:
    """``/desk templates``: the list, with New / Edit / Preview for managers and admins."""
    member = await call.member()
    listed = await call.rt.services.templates.list(include_inactive=member.is_manager)
    blocks = templates_list_blocks(listed, can_edit=member.is_manager)
    await call.ephemeral("Response templates", blocks)


async def on_new(ack: Any, body: Body, client: AsyncWebClient, context: AsyncBoltContext) -> None:
    await ack()
    rt: Runtime = context["rt"]
    opened = await client.views_open(trigger_id=body["trigger_id"], view=loading_view(TITLE))
    try:
        require_role(await rt.member(context, body), "admin", "manager", doing="templates")
    except DeskError as exc:
        view = notice_view(TITLE, str(exc), ok=False)
    else:
        view = template_view()
    await client.views_update(view_id=opened["view"]["id"], view=view)


async def on_list_action(
    ack: Any, body: Body, client: AsyncWebClient, context: AsyncBoltContext, action: Body
) -> None:
    await ack()
    rt: Runtime = context["rt"]
    opened = await client.views_open(trigger_id=body["trigger_id"], view=loading_view(TITLE))
    try:
        what, template_id = parse_list_action(
            (action.get("selected_option") or {}).get("value", "")
        )
        require_role(await rt.member(context, body), "admin", "manager", doing="templates")
        if what == "edit":
            view = template_view(await rt.services.templates.get(template_id))
        else:
            t = await rt.services.templates.get(template_id)
            text = await rt.services.templates.render(template_id)
            view = loading_view(TITLE) | {"blocks": template_preview_blocks(t.name, text)}
    except DeskError as exc:
        view = notice_view(TITLE, str(exc), ok=False)
    await client.views_update(view_id=opened["view"]["id"], view=view)


async def on_save(
    ack: Any, body: Body, client: AsyncWebClient, context: AsyncBoltContext, view: Body
) -> None:
    spec = parse_template_submission(state_of(view))
    try:
        spec = spec.validated()  # pure: an unknown variable is shown under the text input
    except ValidationError as exc:
        await ack(response_action="errors", errors=template_errors(exc))
        return
    await ack()
    rt: Runtime = context["rt"]
    member = await rt.member(context, body)
    ref = view.get("private_metadata") or ""
    try:
        require_role(member, "admin", "manager", doing="templates")
        if ref.isdecimal():
            saved = await rt.services.templates.update(
                int(ref),
                member.actor,
                name=spec.name,
                body=spec.body,
                category=spec.category,
                description=spec.description,
                ai_draft=spec.ai_draft,
            )
        else:
            saved = await rt.services.templates.create(spec, member.actor)
    except DeskError as exc:
        await rt.notifier.dm(member.slack_user_id, f":no_entry: Template not saved: {exc}")
        return
    await rt.notifier.dm(member.slack_user_id, f":white_check_mark: Template *{saved.name}* saved.")


async def on_use(
    ack: Any, body: Body, client: AsyncWebClient, context: AsyncBoltContext, action: Body
) -> None:
    """ "Use template" in the Edit draft modal: the rendered text replaces the draft input."""
    await ack()
    rt: Runtime = context["rt"]
    view = body["view"]
    ctx = ids.ModalContext.load(view.get("private_metadata", ""))
    template_id = int((action.get("selected_option") or {}).get("value", "0"))
    try:
        member, who = await rt.principal(context, body)
        access = await rt.services.decisions.permit(who, "edit", draft_id=ctx.draft_id)
        text = await rt.services.templates.use(
            template_id, ticket_id=access.ticket_id, actor=member.actor, draft_id=ctx.draft_id
        )
    except DeskError as exc:
        await rt.notifier.dm(str(body["user"]["id"]), f":no_entry: {exc}")
        return
    card = await rt.services.cards.get(ctx.draft_id)
    picker = use_template_block(
        await rt.services.templates.list(category=card.category), category=card.category
    )
    edited = edit_view(
        card, ctx, use_template=picker, text=text, revision=_revision(action, template_id)
    )
    await client.views_update(view_id=view["id"], view=edited)


def _revision(action: Body, template_id: int) -> str:
    """New block ids for every use, so Slack shows the new text instead of what was typed."""
    stamp = "".join(c for c in str(action.get("action_ts") or "") if c.isdecimal())
    return f"{template_id}{stamp[-6:]}"
