"""Steps several handlers share: send after approval, explain a lost click, find the message."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks.text import person, slack_date
from bot.runtime import Runtime
from core.access.members import Member
from core.errors import DeskError, InvalidTransition
from core.tickets.draft_details import DraftCard
from core.vocabulary import APPROVED_STATUSES


@dataclass(frozen=True, slots=True)
class Invocation:
    """One ``/desk`` subcommand call: the runtime, Slack's client, the payload, where to
    answer, the words after the subcommand."""

    rt: Runtime
    client: AsyncWebClient
    body: dict[str, Any]
    respond: AsyncRespond
    args: str
    context: AsyncBoltContext

    async def member(self) -> Member:
        return await self.rt.member(self.context, self.body)

    def home_team(self) -> str | None:
        return self.rt.home_team(self.context)

    async def ephemeral(self, text: str, blocks: list[dict[str, Any]] | None = None) -> None:
        await self.respond(response_type="ephemeral", text=text, blocks=blocks)


def message_location(body: dict[str, Any]) -> tuple[str, str] | None:
    """(channel, ts) of the message a button was clicked in, when it was a message."""
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    ts = container.get("message_ts") or (body.get("message") or {}).get("ts")
    return (str(channel), str(ts)) if channel and ts else None


def block_draft_id(action: dict[str, Any]) -> int:
    """Draft id from an actions block id ``draft:<id>`` (selects carry no value)."""
    head, _, tail = str(action.get("block_id") or "").partition(":")
    if head != "draft" or not tail.isdecimal():
        raise InvalidTransition("this control does not belong to a draft", current=None)
    return int(tail)


def lost_message(card: DraftCard | None, exc: DeskError) -> str:
    """What a person whose click lost is told: who decided first, and when."""
    if card is not None and card.status in APPROVED_STATUSES and card.approved_by:
        who = person(card.approved_by.slack_user_id, card.approved_by.email)
        return f":information_source: Already approved by {who} at {slack_date(card.approved_at)} (now {card.status})."
    if card is not None and card.status == "rejected" and card.rejected_by:
        who = person(card.rejected_by.slack_user_id, card.rejected_by.email)
        return f":information_source: Already rejected by {who} at {slack_date(card.rejected_at)}."
    return f":no_entry: {exc}"


async def explain(
    rt: Runtime,
    context: AsyncBoltContext,
    body: dict[str, Any],
    draft_id: int | None,
    exc: DeskError,
) -> None:
    """Tell the person whose click lost or was refused why (only they see it)."""
    card = None
    if isinstance(exc, InvalidTransition) and draft_id is not None:
        try:
            card = await rt.services.cards.get(draft_id)
        except DeskError:
            card = None
    await rt.tell(context, body, lost_message(card, exc))


async def send_and_show(rt: Runtime, draft_id: int, where: tuple[str, str] | None) -> None:
    """After an approval: show it, send the reply now, show the outcome."""
    await rt.notifier.refresh(draft_id, where=where)
    await rt.services.sender.send_due(only=[draft_id])
    await rt.notifier.refresh(draft_id, where=where)
