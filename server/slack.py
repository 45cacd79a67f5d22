"""Slack wiring: the engine's services for the Slack app, the HTTP endpoint, Socket Mode,
and the notifier the worker calls. Everything here is a no-op when Slack is not configured.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler
from slack_bolt.app.async_app import AsyncApp

from bot.app import build_app, build_runtime
from bot.config import SlackConfig
from bot.notifier import SlackNotifier
from bot.runtime import Runtime
from bot.services import TRIAGE_CHANNEL_KEY, DeskServices
from bot.store.deliveries import DeliveryLog
from bot.store.posts import SlackPostService
from bot.store.proposal_posts import ProposalPostStore
from core.access.members import MemberService
from core.ai.config import from_sections
from core.control.settings_form import SettingsForm
from core.errors import ConfigError
from core.reports.headlines import StatsService
from core.tickets.draft_details import DraftCardReader
from server.heap import freeze_startup_heap
from server.wiring import Desk

log = logging.getLogger(__name__)


def services_for(desk: Desk, config: SlackConfig | None = None) -> DeskServices:
    """The Slack app's services: the desk's own instances plus the Slack-only ones, built
    once per desk. ``config`` other than the desk's ``slack`` section (tests, benchmarks)
    only changes who counts as an admin and the triage channel when none is stored."""
    own = desk.settings.slack
    if config is not None and (config.admin_ids, config.triage_channel) != (
        own.admin_ids,
        own.triage_channel,
    ):
        return _services(desk, config)
    if desk.slack_services is None:
        desk.slack_services = _services(desk, own)
    return desk.slack_services


def _services(desk: Desk, config: SlackConfig) -> DeskServices:
    sessions = desk.sessions
    members = MemberService(sessions, admin_ids=config.admin_ids)
    ai_defaults = from_sections(desk.settings.ai, desk.settings.brand)

    async def fetch_now() -> dict[str, Any]:
        """``/desk fetch``: the worker's cycle through the poller (lock and back-off)."""
        from server.worker import fetch_asked  # the worker imports this module

        cycle = await fetch_asked(desk)
        return {
            "fetched": cycle.fetched(),
            "triage": cycle.triage.as_dict() if cycle.triage else {},
        }

    return DeskServices(
        drafts=desk.drafts,
        sender=desk.sender,
        tickets=desk.team_tickets,
        store=desk.store,
        cards=DraftCardReader(sessions),
        members=members,
        stats=StatsService(sessions),
        posts=SlackPostService(sessions),
        deliveries=DeliveryLog(sessions),
        mailbox_settings=desk.mailbox_settings,
        fetch_now=fetch_now,
        analytics=desk.analytics,
        templates=desk.templates,
        scheduler=desk.scheduler,
        bulk=desk.bulk,
        recipients=desk.recipients,
        decisions=desk.decisions,
        tokens=desk.tokens,
        ai_defaults=ai_defaults,
        preferences=desk.preferences,
        agent_profiles=desk.agent_profiles,
        workload=desk.workload,
        calendars=desk.calendars,
        sla_policies=desk.sla_policies,
        knowledge=desk.knowledge,
        proposals=desk.proposals,
        proposal_posts=ProposalPostStore(sessions),
        settings_form=SettingsForm(
            store=desk.store,
            mailboxes=desk.mailbox_settings,
            scheduler=desk.scheduler,
            members=members,
            ai_defaults=ai_defaults,
            channel_key=TRIAGE_CHANNEL_KEY,
            default_channel=config.triage_channel,
        ),
    )


def slack_app(desk: Desk, config: SlackConfig | None = None) -> tuple[AsyncApp, Runtime] | None:
    config = config or desk.settings.slack
    if not config.enabled:
        return None
    return build_app(config, services_for(desk, config))


def mount_slack(app: FastAPI, desk: Desk, config: SlackConfig | None = None) -> Runtime | None:
    """``POST /slack/events`` when SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are set."""
    config = config or desk.settings.slack
    if not config.http_configured:
        log.info("Slack is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET to enable it")
        return None
    built = slack_app(desk, config)
    assert built is not None
    bolt, runtime = built
    handler = AsyncSlackRequestHandler(bolt)

    @app.post("/slack/events", include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        return await handler.handle(request)

    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a: Any) -> AsyncIterator[Any]:
        async with inner(a) as state:
            await runtime.warm_up(bolt)
            freeze_startup_heap()  # before the first request: see server/heap.py
            try:
                yield state
            finally:
                await runtime.drain()

    app.router.lifespan_context = lifespan
    app.state.slack = runtime
    desk.notifications.use_port(runtime.notifier)  # notices as Slack DMs
    return runtime


def slack_notifier(desk: Desk, config: SlackConfig | None = None) -> SlackNotifier | None:
    """For the worker: posts new drafts and updates messages; None when Slack is off."""
    config = config or desk.settings.slack
    if not config.enabled:
        return None
    notifier = build_runtime(config, services_for(desk, config)).notifier
    desk.notifications.use_port(notifier)  # notices as Slack DMs
    return notifier


async def run_socket_mode(desk: Desk, config: SlackConfig | None = None) -> None:
    """Serve Slack over Socket Mode (SLACK_APP_TOKEN) until cancelled."""
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    config = config or desk.settings.slack
    if not config.socket_configured or config.app_token is None:
        raise ConfigError("Socket Mode needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN")
    built = slack_app(desk, config)
    assert built is not None
    bolt, _runtime = built
    handler = AsyncSocketModeHandler(bolt, config.app_token.get_secret_value())
    await _runtime.warm_up(bolt)
    freeze_startup_heap()
    await handler.connect_async()
    log.info("Slack Socket Mode connected")
    try:
        await asyncio.Event().wait()
    finally:
        await handler.close_async()
        await _runtime.drain()
