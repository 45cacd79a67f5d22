"""The Bolt ``AsyncApp``: its Web API client, middleware and listeners.

- The client talks to ``SLACK_API_URL`` (Slack's own by default) and waits out 429s
  (``AsyncRateLimitErrorRetryHandler``, honouring Retry-After).
- Bolt verifies every request's signature and age before anything else (401 otherwise).
- Each listener acks first and runs as a task of its own: ``after_ack`` returns to Bolt
  once it has acked, so Bolt (``process_before_response=True``: it awaits the wrapper)
  answers at once instead of polling for the ack every 10 ms; the work then waits for a
  slot and skips a delivery Slack repeats
  (``X-Slack-Retry-Num``, or the same trigger twice), so the ack never waits for the
  database or for earlier work.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.app.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot import ids
from bot.blocks import bulk as bulk_blocks
from bot.blocks import templates as template_blocks
from bot.config import SlackConfig
from bot.handlers import (
    actions,
    bulk,
    commands,
    events,
    knowledge,
    notifications,
    people,
    proposals,
    sla,
    templates,
    tokens,
    views,
)
from bot.handlers.gate import Listener, after_ack
from bot.notifier import SlackNotifier
from bot.posting import PostingQueue
from bot.redaction import protected
from bot.runtime import Runtime
from bot.services import DeskServices

log = protected(logging.getLogger(__name__))  # on_error logs the failed request


def build_client(config: SlackConfig) -> AsyncWebClient:
    return AsyncWebClient(
        token=config.token(),
        # the SDK logs request and answer bodies at DEBUG: never a new API token
        logger=protected(logging.getLogger("slack_sdk.web.async_base_client")),
        base_url=config.api_url,
        timeout=config.timeout,  # type: ignore[arg-type]  # aiohttp takes float seconds
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=config.rate_limit_retries)],
    )


def build_runtime(
    config: SlackConfig, services: DeskServices, client: AsyncWebClient | None = None
) -> Runtime:
    client = client or build_client(config)
    queue = PostingQueue(client, interval=config.post_interval)
    notifier = SlackNotifier(client=client, services=services, config=config, queue=queue)
    return Runtime(
        config=config,
        services=services,
        notifier=notifier,
        queue=queue,
        work_slots=asyncio.Semaphore(config.workers),
    )


def build_app(
    config: SlackConfig, services: DeskServices, *, runtime: Runtime | None = None
) -> tuple[AsyncApp, Runtime]:
    rt = runtime or build_runtime(config, services)
    protected(logging.getLogger("slack_bolt.AsyncApp"))  # Bolt logs each ack's body at DEBUG
    app = AsyncApp(
        client=rt.notifier.client,
        signing_secret=config.signing_secret.get_secret_value() if config.signing_secret else "",
        authorize=rt.authorize,  # one auth.test, cached by the runtime (warm_up fills it)
        process_before_response=True,  # the wrapper returns at the ack: bot.handlers.gate
        raise_error_for_unhandled_request=False,
    )

    @app.middleware
    async def attach(context: AsyncBoltContext, next: Callable[[], Awaitable[None]]) -> None:
        context["rt"] = rt
        await next()

    @app.error
    async def on_error(error: Exception, body: dict[str, Any]) -> None:
        log.exception("slack handler failed (%s)", body.get("type"), exc_info=error)

    # Bolt tries the listeners in this order until one matches, each try costing as much
    # as building a listener's arguments (~30 us here), before the ack: the requests
    # people send most (/desk, the draft card's buttons) come first. Their matchers are
    # disjoint (one command, one action or callback id each), so the order decides only
    # how soon a request finds its listener.
    listeners: list[tuple[Callable[[Listener], Any], Listener]] = [
        (app.command("/desk"), commands.on_desk),
        (app.action(ids.APPROVE), actions.on_approve),
        (app.action(ids.EDIT), actions.on_edit),
        (app.action(ids.REJECT), actions.on_reject),
        (app.action(ids.ASSIGN), actions.on_assign),
        (app.action(ids.MORE), actions.on_more),
        (app.action(ids.RETRY), actions.on_retry),
        (app.action(ids.CLEAR_BOUNCE), actions.on_clear_bounce),
        (app.action(re.compile(f"^{ids.SEARCH_PAGE}_")), actions.on_search_page),
        (app.action(re.compile(f"^{ids.HOME_FILTER}_")), events.on_home_filter),
        (app.action(re.compile(f"^{ids.SETTINGS_TEST}_")), views.on_settings_test),
        (app.view(ids.EDIT_VIEW), views.on_edit_submit),
        (app.view(ids.REJECT_VIEW), views.on_reject_submit),
        (app.view(ids.CLASSIFY_VIEW), views.on_classify_submit),
        (app.view(ids.SETTINGS_VIEW), views.on_settings_submit),
        (app.view(ids.TOKEN_VIEW), tokens.on_token_submit),
        (app.action(ids.TOKEN_REVOKE), tokens.on_token_revoke),
        (app.action(ids.USER_MANAGE), people.on_user_manage),
        (app.action(ids.SLA_CALENDAR_NEW), sla.on_calendar_new),
        (app.action(ids.SLA_POLICY_NEW), sla.on_policy_new),
        (app.action(ids.SLA_POLICY_EDIT), sla.on_policy_edit),
        (app.view(ids.SLA_CALENDAR_VIEW), sla.on_calendar_submit),
        (app.view(ids.SLA_POLICY_VIEW), sla.on_policy_submit),
        (app.action(ids.NOTIFY_PREFS), notifications.on_prefs_open),
        (app.action(ids.AVAILABILITY), events.on_availability),
        (app.view(ids.NOTIFY_VIEW), notifications.on_prefs_submit),
        (app.action(bulk_blocks.SELECT_ACTION), bulk.on_pick),
        *[(app.action(a), bulk.on_bulk_button) for a in bulk_blocks.BUTTON_ACTIONS.values()],
        (app.view(bulk_blocks.CONFIRM_VIEW), bulk.on_confirm),
        (app.action(template_blocks.NEW_TEMPLATE), templates.on_new),
        (app.action(template_blocks.EDIT_TEMPLATE), templates.on_list_action),
        (app.action(template_blocks.USE_TEMPLATE_ACTION), templates.on_use),
        (app.view(template_blocks.TEMPLATE_VIEW), templates.on_save),
        (app.action(re.compile(f"^{ids.KB_PAGE}_")), knowledge.on_kb_page),
        (app.view(ids.KB_VIEW), knowledge.on_article_submit),
        (app.action(ids.KB_PROPOSAL_PUBLISH), proposals.on_publish),
        (app.action(ids.KB_PROPOSAL_EDIT), proposals.on_edit),
        (app.action(ids.KB_PROPOSAL_DISCARD), proposals.on_discard),
        (app.event("app_home_opened"), events.on_home_opened),
    ]
    for register, listener in listeners:
        register(after_ack(listener))
    return app, rt
