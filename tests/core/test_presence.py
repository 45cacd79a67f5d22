"""Availability following Slack presence, on the real database and the fake Slack: off by
default, away when Slack says away, back when it says active but only for those presence
sent away, Slack's errors skip an agent and never stop the round; a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select

from bot.presence import SlackPresence
from core.access.permissions import Principal
from core.audit import Actor
from core.errors import PermissionDenied
from core.workflow.assignment_settings import BY_PERSON, BY_PRESENCE, PRESENCE, AgentProfiles
from core.workflow.presence import PRESENCE_KEY, PresenceSync
from db.models import AgentProfile, AuditEvent, User
from server.wiring import Desk
from tests.support.fake_slack import FakeSlack, Reply, rate_limited

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.at = T0

    def __call__(self) -> datetime:
        return self.at


async def _agent(desk: Desk, profiles: AgentProfiles, name: str, slack_id: str | None) -> int:
    async with desk.sessions.begin() as s:
        user = User(email=f"{name}@desk.test", name=name, role="agent", slack_user_id=slack_id)
        s.add(user)
        await s.flush()
        user_id = user.id
    await profiles.change(Principal.operator_of(Actor("op", "cli")), user_id, available=True)
    return user_id


def _self(user_id: int) -> Principal:
    return Principal(user_id, "self", "agent", "slack")


async def _profile(desk: Desk, user_id: int) -> AgentProfile:
    async with desk.sessions() as s:
        p = await s.get(AgentProfile, user_id)
    assert p is not None
    return p


def _sync(desk: Desk, profiles: AgentProfiles, fake: FakeSlack) -> PresenceSync:
    client = AsyncWebClient(token="xoxb-test-token", base_url=fake.api_url)
    return PresenceSync(
        desk.sessions, profiles=profiles, store=desk.store, reader=SlackPresence(client)
    )


async def test_presence_sends_away_and_brings_back_only_whom_it_sent_away(
    desk: Desk, fake_slack: FakeSlack
) -> None:
    clock = Clock()
    profiles = AgentProfiles(desk.sessions, clock=clock)
    amy = await _agent(desk, profiles, "amy", "UAMY")
    bob = await _agent(desk, profiles, "bob", "UBOB")
    await _agent(desk, profiles, "cid", None)  # no Slack account: never asked
    sync = _sync(desk, profiles, fake_slack)
    fake_slack.presence.update({"UAMY": "away", "UBOB": "away"})

    off = await sync.run()  # off by default: Slack is not asked
    assert not off.followed and fake_slack.calls_to("users.getPresence") == []
    assert (await _profile(desk, amy)).available

    await desk.store.set(PRESENCE_KEY, "on")
    await profiles.change(_self(bob), bob, available=False)  # bob goes away by hand
    clock.at = T0 + timedelta(minutes=5)
    report = await sync.run()
    assert report.as_dict() == {"followed": True, "read": 2, "unread": 0, "away": 1, "back": 0}
    asked = {c.body["user"] for c in fake_slack.calls_to("users.getPresence")}
    assert asked == {"UAMY", "UBOB"}
    p = await _profile(desk, amy)
    assert not p.available and p.availability_source == BY_PRESENCE
    assert p.away_since is not None and p.away_since.replace(tzinfo=UTC) == clock.at
    assert (await _profile(desk, bob)).availability_source == BY_PERSON

    # Slack shows both active again: amy comes back, bob (away by hand) stays away
    fake_slack.presence.update({"UAMY": "active", "UBOB": "active"})
    clock.at = T0 + timedelta(minutes=10)
    report = await sync.run()
    assert (report.away, report.back) == (0, 1)
    p = await _profile(desk, amy)
    assert p.available and p.away_since is None
    b = await _profile(desk, bob)
    assert not b.available and b.away_since is not None

    async with desk.sessions() as s:
        events = list(
            await s.scalars(
                select(AuditEvent)
                .where(AuditEvent.target == f"user:{amy}", AuditEvent.action == "user.profile")
                .order_by(AuditEvent.id)
            )
        )
    by_presence = [e for e in events if e.actor == "slack presence"]
    assert [e.changes["available"] for e in by_presence] == [[True, False], [False, True]]
    assert {e.source for e in by_presence} == {"worker"}
    assert by_presence[0].changes["availability_source"] == [BY_PERSON, BY_PRESENCE]

    again = await sync.run()  # nothing to change: nothing written
    assert (again.away, again.back) == (0, 0)


async def test_a_person_who_takes_over_is_not_brought_back_by_presence(desk: Desk) -> None:
    profiles = AgentProfiles(desk.sessions, clock=Clock())
    amy = await _agent(desk, profiles, "amy", "UAMY")
    await profiles.change(PRESENCE, amy, available=False)
    # amy says "away" herself while presence had her away: now it is hers
    info = await profiles.change(_self(amy), amy, available=False)
    assert info.availability_source == BY_PERSON
    info = await profiles.change(PRESENCE, amy, available=True)
    assert not info.available

    # presence makes no profile, and changes nothing but availability
    async with desk.sessions.begin() as s:
        new = User(email="new@desk.test", name="new", role="agent", slack_user_id="UNEW")
        s.add(new)
        await s.flush()
        new_id = new.id
    await profiles.change(PRESENCE, new_id, available=False)
    async with desk.sessions() as s:
        assert await s.get(AgentProfile, new_id) is None
    with pytest.raises(PermissionDenied):
        await profiles.change(PRESENCE, amy, capacity=3)


async def test_slack_errors_skip_an_agent_and_the_round_goes_on(
    desk: Desk, fake_slack: FakeSlack
) -> None:
    profiles = AgentProfiles(desk.sessions, clock=Clock())
    amy = await _agent(desk, profiles, "amy", "UAMY")
    bob = await _agent(desk, profiles, "bob", "UBOB")
    gone = await _agent(desk, profiles, "gus", "UGONE")  # Slack does not know him
    await desk.store.set(PRESENCE_KEY, "on")
    fake_slack.presence.update({"UAMY": "away", "UBOB": "away"})
    fake_slack.script("users.getPresence", rate_limited(), Reply(500))  # amy's, then bob's

    report = await _sync(desk, profiles, fake_slack).run()
    assert (report.read, report.unread, report.away) == (0, 3, 0)
    assert all([(await _profile(desk, u)).available for u in (amy, bob, gone)])

    report = await _sync(desk, profiles, fake_slack).run()  # the next round reads them
    assert (report.read, report.unread, report.away) == (2, 1, 2)
