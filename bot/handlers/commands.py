"""``/desk``: help, search, stats, bulk, templates, kb, settings, fetch, token, away, available,
workload. Ack first, answer through ``respond``."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks.analytics import analytics_blocks, parse_stats_options
from bot.blocks.help import help_blocks
from bot.blocks.modals import loading_view, notice_view
from bot.blocks.settings import settings_view
from bot.blocks.workload import workload_blocks
from bot.command_text import SUBCOMMANDS, parse_command
from bot.handlers.actions import search_reply
from bot.handlers.bulk import bulk_command
from bot.handlers.common import Invocation
from bot.handlers.knowledge import kb_command
from bot.handlers.templates import templates_command
from bot.handlers.tokens import token_command
from bot.handlers.views import settings_snapshot
from bot.notifier import SLACK_ERRORS
from bot.runtime import Runtime
from core.access.permissions import WORKLOAD_ROLES, require_role
from core.access.teams import team_mailbox_ids
from core.errors import DeskError
from core.reports.charts import chart_for

Body = dict[str, Any]
Sub = Callable[[Invocation], Awaitable[None]]


async def on_desk(
    ack: Any,
    body: Body,
    client: AsyncWebClient,
    context: AsyncBoltContext,
    respond: AsyncRespond,
    command: Body,
) -> None:
    await ack()
    rt: Runtime = context["rt"]
    cmd = parse_command(command.get("text", ""))
    run = HANDLERS.get(cmd.name)
    if run is None:
        note = f"Unknown subcommand `{cmd.name}`; these are the ones there are ({', '.join(SUBCOMMANDS)}):"
        await respond(response_type="ephemeral", text=note, blocks=help_blocks(note))
        return
    try:
        await run(Invocation(rt, client, body, respond, cmd.args, context))
    except DeskError as exc:
        await respond(response_type="ephemeral", text=str(exc), blocks=help_blocks(str(exc)))


async def help_(call: Invocation) -> None:
    await call.ephemeral("/desk help", help_blocks())


async def search(call: Invocation) -> None:
    member = await call.member()
    reply = await search_reply(call.rt, member.team_id, call.home_team(), call.args, 0)
    await call.respond(response_type="ephemeral", **reply)


async def stats(call: Invocation) -> None:
    member = await call.member()
    require_role(member, "admin", "manager", doing="/desk stats")
    opts = parse_stats_options(call.args)
    a = await call.rt.services.analytics.report(
        opts.period,
        trend=opts.trend or "day",
        scope=team_mailbox_ids(member.team_id, call.home_team()),
    )
    blocks = analytics_blocks(a, by=opts.by, trend=opts.trend)
    await call.ephemeral("Desk stats", blocks)
    client = call.client
    png = await asyncio.to_thread(chart_for, a, by=opts.by, trend=bool(opts.trend))
    try:  # the numbers and, in their thread, the chart: in the person's DM with the app
        dm = (await client.conversations_open(users=member.slack_user_id))["channel"]["id"]
        posted = await client.chat_postMessage(channel=dm, text="Desk stats", blocks=blocks)
        await client.files_upload_v2(
            channel=dm,
            thread_ts=posted["ts"],
            content=png,
            filename=opts.chart_filename(),
            title=f"Desk stats ({a.period})",
        )
    except SLACK_ERRORS as exc:
        await call.ephemeral(f"The chart could not be uploaded: {exc}")


async def settings(call: Invocation) -> None:
    client = call.client
    opened = await client.views_open(
        trigger_id=call.body["trigger_id"], view=loading_view("Desk settings")
    )
    view_id = opened["view"]["id"]
    try:
        member = await call.member()
        require_role(member, "admin", doing="/desk settings")
    except DeskError as exc:
        await client.views_update(
            view_id=view_id, view=notice_view("Desk settings", str(exc), ok=False)
        )
        return
    snapshot = await settings_snapshot(call.rt, member, call.home_team())
    await client.views_update(view_id=view_id, view=settings_view(snapshot))


async def fetch(call: Invocation) -> None:
    require_role(await call.member(), "admin", "manager", doing="/desk fetch")
    await call.ephemeral(":inbox_tray: Fetching mail…")
    summary = await call.rt.services.fetch_now()
    posted = await call.rt.notifier.sync()
    lines = [f"*{k}*: {v}" for k, v in summary.items()]
    lines.append(f"*slack*: {posted.as_dict()}")
    await call.ephemeral("Fetched.\n" + "\n".join(lines))


async def _availability(call: Invocation, *, available: bool) -> None:
    member = await call.member()
    profile = await call.rt.services.agent_profiles.change(
        member.principal(call.home_team()), member.user_id, available=available
    )
    if profile.available:
        text = (
            f":large_green_circle: You are available: new tickets come to you"
            f" (up to {profile.capacity} open at once)."
        )
    else:
        text = (
            ":white_circle: You are away: no new tickets come to you. After 30 minutes the"
            " ones you have not decided on yet go back to the queue. `/desk available` when"
            " you are back."
        )
    await call.ephemeral(text)


async def away(call: Invocation) -> None:
    await _availability(call, available=False)


async def available(call: Invocation) -> None:
    await _availability(call, available=True)


async def workload(call: Invocation) -> None:
    require_role(await call.member(), *WORKLOAD_ROLES, doing="/desk workload")
    agents = await call.rt.services.workload.agents()
    await call.ephemeral("Team workload", workload_blocks(agents))


HANDLERS: dict[str, Sub] = {
    "help": help_,
    "search": search,
    "stats": stats,
    "bulk": bulk_command,
    "templates": templates_command,
    "kb": kb_command,
    "settings": settings,
    "fetch": fetch,
    "token": token_command,
    "away": away,
    "available": available,
    "workload": workload,
}
