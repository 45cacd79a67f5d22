"""What every handler needs: the engine's services, the notifier, and who is asking."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from slack_bolt.authorization import AuthorizeResult
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.config import SlackConfig
from bot.notifier import SLACK_ERRORS, SlackNotifier
from bot.posting import PostingQueue
from bot.services import DeskServices
from core.access.members import Member, SlackProfile
from core.access.permissions import Principal
from core.errors import PermissionDenied, ValidationError

log = logging.getLogger(__name__)
# what a person an admin deactivated is told, whatever they clicked or typed
DEACTIVATED = "your desk account is deactivated: ask an admin"


def who(context: AsyncBoltContext, body: dict[str, Any]) -> tuple[str, str]:
    """(team id, user id) of the person behind a request: Bolt's ``context.user_id`` and
    ``context.team_id``, except that a payload naming the user's own team
    (``user.team_id``) wins: Bolt's team is the workspace the request came through, and in
    a shared channel people from another organisation must be told apart from the
    workspace's members.
    """
    user = body.get("user")
    own_team = user.get("team_id") if isinstance(user, dict) else None
    team, uid = own_team or context.team_id, context.user_id
    if not (uid and team):
        raise ValidationError("this request names no user", field="user")
    return str(team), str(uid)


def delivery_key(body: dict[str, Any]) -> str | None:
    """What identifies one gesture: a trigger id (clicks, commands, submissions) or an
    event id. None for payloads that carry neither (they are handled every time)."""
    if body.get("event_id"):
        return f"event:{body['event_id']}"
    if body.get("trigger_id"):
        return f"trigger:{body['trigger_id']}"
    return None


@dataclass
class Runtime:
    config: SlackConfig
    services: DeskServices
    notifier: SlackNotifier
    queue: PostingQueue
    # how many listeners do their work after the ack at once (see bot.handlers.gate)
    work_slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(8))
    # listener work still running after its ack (registered by bot.handlers.gate)
    in_flight: set[asyncio.Task[Any]] = field(default_factory=set)
    # the app's own ``auth.test`` answer, asked once (see ``authorize``)
    auth_test_result: AsyncSlackResponse | None = None

    async def drain(self, grace: float = 30.0) -> None:
        """Wait for listener work still running after its ack (at shutdown), so no click
        is cut off half-way; work still running after ``grace`` seconds is cancelled."""
        await asyncio.sleep(0)  # let a listener task created just now register itself
        current = asyncio.current_task()
        pending = {t for t in self.in_flight if t is not current and not t.done()}
        if not pending:
            return
        _done, late = await asyncio.wait(pending, timeout=grace)
        if late:
            log.warning("cancelling %d Slack handler(s) still running at shutdown", len(late))
            for task in late:
                task.cancel()
            await asyncio.wait(late, timeout=5)

    async def repeated(self, body: dict[str, Any]) -> bool:
        """True for a delivery already handled (Slack retried it): acknowledged, not redone.

        Called after the listener's ack (``bot.handlers.gate``), so the ack never waits
        for the database.
        """
        key = delivery_key(body)
        if key is None or await self.services.deliveries.first(key):
            return False
        log.info("slack delivery %s seen before: acknowledged, not repeated", key)
        return True

    async def warm_up(self, _app: object | None = None) -> None:
        """Ask ``auth.test`` once at start-up, so no request waits for it before its ack.

        ``authorize`` (the app's Bolt ``authorize`` function) answers every request from
        this result; this fills it (and the notifier's home team) ahead of time. A failure
        is logged: the first request then asks again. (The app argument is not needed any
        more; the entry points still pass it.)
        """
        try:
            await self._auth_test()
        except SLACK_ERRORS as exc:
            log.warning("Slack auth.test failed at start-up: %s", exc)

    async def _auth_test(self) -> AsyncSlackResponse:
        if self.auth_test_result is None:
            self.auth_test_result = await self.notifier.client.auth_test()
            self.notifier.know_home_team(self.auth_test_result.get("team_id"))
        return self.auth_test_result

    @property
    def authorize(self) -> Callable[[], Awaitable[AuthorizeResult]]:
        """Bolt's ``authorize`` function for this single-workspace app: the bot token and
        the workspace it is installed in, from one cached ``auth.test``. (A plain function:
        Bolt passes the arguments a function names, and a bound method names ``self``.)"""

        async def authorize() -> AuthorizeResult:
            return AuthorizeResult.from_auth_test_response(
                bot_token=self.notifier.client.token, auth_test_response=await self._auth_test()
            )

        return authorize

    def home_team(self, context: AsyncBoltContext) -> str | None:
        """The workspace the app is installed in (from Bolt's ``auth.test``)."""
        result = context.authorize_result
        team = result.team_id if result is not None else context.team_id
        self.notifier.know_home_team(team)
        return team

    async def member(self, context: AsyncBoltContext, body: dict[str, Any]) -> Member:
        """The desk user behind the request; linked on first use from ``users.info``.
        A deactivated one is refused (PermissionDenied, ``reason`` "deactivated")."""
        try:
            return await self.member_by_id(context.client, *who(context, body))
        except PermissionDenied as exc:
            if exc.data.get("reason") == "deactivated":
                raise PermissionDenied(DEACTIVATED, **exc.data) from None
            raise

    async def principal(
        self, context: AsyncBoltContext, body: dict[str, Any]
    ) -> tuple[Member, Principal]:
        """The member behind the request and how they decide: their role, limited to the
        workspace they act from (whatever the payload says about tickets)."""
        member = await self.member(context, body)
        return member, member.principal(self.home_team(context))

    async def member_by_id(self, client: AsyncWebClient, team: str, uid: str) -> Member:
        found = await self.services.members.find(team, uid)
        if found is not None:
            return found
        return await self.services.members.link(team, uid, await self.profile(client, uid))

    @staticmethod
    async def profile(client: AsyncWebClient, uid: str) -> SlackProfile:
        try:
            user = (await client.users_info(user=uid)).get("user") or {}
        except SLACK_ERRORS:
            return SlackProfile(email=None, name=uid)
        profile = user.get("profile") or {}
        return SlackProfile(
            email=profile.get("email"),
            name=profile.get("real_name") or user.get("real_name") or user.get("name") or uid,
            workspace_admin=bool(user.get("is_admin") or user.get("is_owner")),
        )

    async def tell(self, context: AsyncBoltContext, body: dict[str, Any], text: str) -> None:
        """An answer only the clicking person sees: ephemeral where they are, else a DM."""
        _team, uid = who(context, body)
        channel = context.channel_id
        client = context.client
        try:
            if channel:
                await client.chat_postEphemeral(channel=channel, user=uid, text=text)
                return
        except SLACK_ERRORS:
            pass  # not in that channel (App Home, a private channel): fall back to a DM
        await self.notifier.dm(uid, text)
