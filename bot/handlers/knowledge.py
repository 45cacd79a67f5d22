"""``/desk kb``: search the published articles, list the recent ones, the proposals from
resolved tickets (``/desk kb proposals``), and the article modal (``/desk kb new``,
``/desk kb edit ID``; saving a proposal updates its message). Everyone searches and lists;
managers and admins write (``core.access.permissions.check_knowledge`` decides, in the
knowledge base)."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot import ids
from bot.blocks.knowledge import (
    PAGE_SIZE,
    ArticleForm,
    article_errors,
    article_spec,
    article_view,
    kb_list_blocks,
    kb_search_blocks,
    parse_article_submission,
)
from bot.blocks.modals import loading_view, notice_view
from bot.blocks.proposals import LIST_SIZE, proposals_list_blocks
from bot.blocks.text import INPUT_MAX
from bot.forms import state_of
from bot.handlers.common import Invocation
from bot.proposals import SlackProposals
from bot.runtime import Runtime
from core.access.permissions import check_knowledge
from core.errors import DeskError, InvalidTransition, ValidationError
from core.knowledge.text_search import MAX_K

Body = dict[str, Any]
TITLE = "Knowledge base"


async def kb_command(call: Invocation) -> None:
    """``/desk kb`` (recent articles), ``/desk kb <words>`` (search), ``/desk kb new``,
    ``/desk kb edit ID``."""
    head, _, rest = call.args.partition(" ")
    if head.lower() == "new" and not rest.strip():
        await _open(call, None)
    elif head.lower() == "proposals" and not rest.strip():
        items = await call.rt.services.proposals.list(limit=LIST_SIZE)
        await call.ephemeral(TITLE, proposals_list_blocks(items))
    elif head.lower() == "edit":
        ident = rest.strip().lstrip("#")
        if not ident.isdecimal():
            raise ValidationError(f"say which article: `/desk kb edit ID`, not {rest[:30]!r}")
        await _open(call, int(ident))
    else:
        await call.ephemeral(TITLE, await kb_page(call.rt, call.args.strip(), 0))


async def kb_page(rt: Runtime, query: str, offset: int) -> list[dict[str, Any]]:
    """One page of ``/desk kb``: the search for ``query``, or the list when it is empty
    (one more asked for than shown, to know whether there is a next page)."""
    kb = rt.services.knowledge
    if not query:
        return kb_list_blocks(await kb.list(limit=PAGE_SIZE + 1, offset=offset), offset=offset)
    if offset + PAGE_SIZE + 1 > MAX_K:
        raise ValidationError(f"a search shows its first {MAX_K} articles; narrow it down")
    hits = await kb.search(query, offset + PAGE_SIZE + 1)
    return kb_search_blocks(query, hits[offset:], offset=offset)


async def on_kb_page(
    ack: Any,
    body: Body,
    client: AsyncWebClient,
    context: AsyncBoltContext,
    action: Body,
    respond: AsyncRespond,
) -> None:
    await ack()
    rt: Runtime = context["rt"]
    try:
        page = ids.KbPage.parse(action.get("value", ""))
        await rt.member(context, body)  # a desk user (a deactivated one is refused)
        blocks = await kb_page(rt, page.query, page.offset)
    except DeskError as exc:
        await respond(response_type="ephemeral", replace_original=False, text=f":no_entry: {exc}")
        return
    await respond(replace_original=True, text=TITLE, blocks=blocks)


async def edit_view_of(rt: Runtime, article_id: int) -> dict[str, Any]:
    """The article modal filled in with the article; refused when its body would not fit
    Slack's input."""
    article = await rt.services.knowledge.get(article_id)
    if len(article.body) > INPUT_MAX:
        raise ValidationError(
            f"article {article_id}'s body is longer than Slack's {INPUT_MAX:,}"
            " characters: edit it with `desk kb` or the API"
        )
    return article_view(ArticleForm.of(article), ref=ids.ArticleRef(article.id, article.version))


async def _open(call: Invocation, article_id: int | None) -> None:
    """The article modal, new or filled in with the article; a refusal shown in it."""
    rt, client = call.rt, call.client
    opened = await client.views_open(trigger_id=call.body["trigger_id"], view=loading_view(TITLE))
    try:
        member = await call.member()
        who = member.principal(call.home_team())
        check_knowledge(who, "create" if article_id is None else "edit")
        view = article_view() if article_id is None else await edit_view_of(rt, article_id)
    except DeskError as exc:
        view = notice_view(TITLE, str(exc), ok=False)
    await client.views_update(view_id=opened["view"]["id"], view=view)


async def on_article_submit(
    ack: Any, body: Body, client: AsyncWebClient, context: AsyncBoltContext, view: Body
) -> None:
    form, publish = parse_article_submission(state_of(view))
    try:
        ref = ids.ArticleRef.load(view.get("private_metadata") or "")
        spec = article_spec(form)  # pure: an empty title or a bad language, under its input
    except ValidationError as exc:
        await ack(response_action="errors", errors=article_errors(exc))
        return
    await ack(response_action="update", view=loading_view(TITLE, "Saving…"))
    rt: Runtime = context["rt"]
    kb = rt.services.knowledge
    try:
        _member, who = await rt.principal(context, body)
        if ref.article_id is None:
            saved = await kb.create(who, spec, publish=publish)
        else:
            saved = await kb.edit(
                who,
                ref.article_id,
                version=ref.version,
                title=spec.title,
                body=spec.body,
                category=spec.category,
                language=spec.language,
            )
    except InvalidTransition as exc:  # saved meanwhile: the form again, at the new version
        current = exc.data.get("current")
        again = ids.ArticleRef(ref.article_id, current if isinstance(current, int) else None)
        shown = article_view(form, ref=again, conflict=str(exc))
        await client.views_update(view_id=view["id"], view=shown)
        return
    except DeskError as exc:
        await client.views_update(view_id=view["id"], view=notice_view(TITLE, str(exc), ok=False))
        return
    done = f"Article #{saved.id} “{saved.title}” saved: version {saved.version}, {saved.status}."
    await client.views_update(view_id=view["id"], view=notice_view(TITLE, done))
    if saved.origin == "proposal":  # its message shows the new version
        await SlackProposals(rt.notifier).refresh(saved.id)
