"""App Home: each person's dashboard, published when they open it, pick a filter or switch
their availability (the one core call ``/desk away`` and ``/desk available`` make)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks.analytics import home_headline_blocks, scheduler_status_blocks
from bot.blocks.availability import AVAILABLE, AWAY, availability_blocks
from bot.blocks.bulk import TicketChoice, bulk_buttons, pending_checkboxes
from bot.blocks.lists import HOME_FILTERS, TicketLine, home_view
from bot.blocks.preferences import preferences_button
from bot.blocks.text import mrkdwn
from bot.blocks.workload import workload_blocks
from bot.runtime import Runtime
from core.access.members import Member
from core.access.permissions import sees_workload
from core.access.teams import team_mailbox_ids
from core.tickets.queries import TeamQuery

Body = dict[str, Any]
LIST_SIZE = 10
FILTER_SIZE = 25
BULK_SIZE = 30  # pending tickets offered for bulk actions (three checkbox groups)
SLA_SIZE = 5  # breached tickets, and tickets at risk, listed (nearest due first)
WORKLOAD_SIZE = 8  # agents in the managers' workload section
WORKLOAD_MORE = "`/desk workload` lists all"


async def on_home_opened(
    body: Body, client: AsyncWebClient, context: AsyncBoltContext, event: Body
) -> None:
    # events are acknowledged by Bolt before this runs
    if event.get("tab") not in (None, "home"):
        return
    rt: Runtime = context["rt"]
    member = await rt.member(context, body)
    await publish_home(rt, client, member, rt.home_team(context), None)


async def on_home_filter(
    ack: Any, body: Body, client: AsyncWebClient, context: AsyncBoltContext, action: Body
) -> None:
    await ack()
    rt: Runtime = context["rt"]
    member = await rt.member(context, body)
    choice = action.get("value")
    await publish_home(
        rt, client, member, rt.home_team(context), choice if choice in HOME_FILTERS else None
    )


async def on_availability(
    ack: Any, body: Body, client: AsyncWebClient, context: AsyncBoltContext, action: Body
) -> None:
    await ack()
    choice = action.get("value")
    if choice not in (AWAY, AVAILABLE):
        return
    rt: Runtime = context["rt"]
    member = await rt.member(context, body)
    home_team = rt.home_team(context)
    await rt.services.agent_profiles.change(
        member.principal(home_team), member.user_id, available=choice == AVAILABLE
    )
    await publish_home(rt, client, member, home_team, None)


# App Home filter -> the query's own fields (the database filters, not this module)
FILTERS: dict[str, dict[str, Any]] = {
    "pending": {"status": "pending"},
    "high": {"status": "pending", "urgency": "High"},
    "escalated": {"status": "pending", "escalated": True},
    "unassigned": {"status": "pending", "unassigned": True},
    "failed": {"status": "failed"},
}


async def _lines(rt: Runtime, query: TeamQuery) -> list[TicketLine]:
    views = await rt.services.tickets.list(query)
    links = await rt.services.posts.permalinks([v["id"] for v in views])
    return [TicketLine.from_view(v, links.get(v["id"])) for v in views]


async def publish_home(
    rt: Runtime,
    client: AsyncWebClient,
    member: Member,
    home_team: str | None,
    filter_name: str | None,
) -> None:
    def query(**filters: Any) -> TeamQuery:
        return TeamQuery(team_id=member.team_id, home_team=home_team, **filters)

    counts = await rt.services.stats.queue_counts(team_id=member.team_id, home_team=home_team)
    filtered = None
    if filter_name in FILTERS:
        filtered = await _lines(rt, query(**FILTERS[filter_name], sort="date", limit=FILTER_SIZE))
    mine = await _lines(
        rt,
        query(assigned_to_id=member.user_id, status="open", sort="-urgency", limit=LIST_SIZE),
    )
    oldest = await _lines(rt, query(status="pending", sort="date", limit=LIST_SIZE))
    breached, at_risk, workload = (
        await _watch(rt, member, query) if filtered is None else ([], [], None)
    )
    headline = await rt.services.analytics.report(
        "7d", scope=team_mailbox_ids(member.team_id, home_team)
    )
    status = await rt.services.scheduler.status()
    profile = await rt.services.agent_profiles.get(member.user_id)
    view = home_view(
        name=member.name,
        role=member.role,
        counts=counts,
        mine=mine,
        oldest=oldest,
        filtered=filtered,
        filter_name=filter_name,
        breached=breached,
        at_risk=at_risk,
        workload=workload,
        top=availability_blocks(profile)
        + home_headline_blocks(headline)
        + scheduler_status_blocks(status)
        + preferences_button(),
        bottom=await _bulk_blocks(
            rt, member, query(status="pending", sort="date", limit=BULK_SIZE)
        ),
    )
    await client.views_publish(user_id=member.slack_user_id, view=view)


async def _watch(
    rt: Runtime, member: Member, query: Callable[..., TeamQuery]
) -> tuple[list[TicketLine], list[TicketLine], list[dict[str, Any]] | None]:
    """The overview's SLA sections (the database filters and sorts: nearest due first) and,
    for those who may see it, the team's workload (``/desk workload``'s report and blocks)."""
    breached = await _lines(rt, query(sla="breached", sort="due", limit=SLA_SIZE))
    at_risk = await _lines(rt, query(sla="at_risk", sort="due", limit=SLA_SIZE))
    if not sees_workload(member):
        return breached, at_risk, None
    agents = await rt.services.workload.agents()
    return breached, at_risk, workload_blocks(agents, limit=WORKLOAD_SIZE, more=WORKLOAD_MORE)


async def _bulk_blocks(rt: Runtime, member: Member, query: TeamQuery) -> list[dict[str, Any]]:
    """The pending tickets with checkboxes and the bulk buttons (nothing when none wait)."""
    views = await rt.services.tickets.list(query)
    if not views:
        return []
    choices = [
        TicketChoice(
            ticket_id=v["id"],
            subject=v.get("subject") or "",
            requester=v.get("sender_email") or "",
            urgency=v.get("urgency"),
            escalated=bool(v.get("escalation_required")),
        )
        for v in views
    ]
    return [
        {"type": "divider"},
        {"type": "section", "text": mrkdwn("*Bulk actions*: tick tickets, then pick an action")},
        *pending_checkboxes(choices),
        bulk_buttons(can_assign=member.is_manager),
    ]
