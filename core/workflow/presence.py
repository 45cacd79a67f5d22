"""Agents' availability following their Slack presence, when the desk is told to.

The setting ``assignment.slack_presence`` (settings store, ``on``; anything else or none:
off) turns it on; ``/desk settings`` shows it. ``PresenceSync.run`` (the worker's
``presence`` job, every few minutes) reads, for each active agent with a profile and a
Slack account, what the ``PresenceReader`` port says (the Slack app implements it with
``users.getPresence``; None: it could not tell, logged there) and makes the one
availability change ``AgentProfiles.change`` as ``PRESENCE``: ``away`` sends an available
agent away, ``active`` brings back an agent presence sent away. An agent who went away by
hand is not brought back by presence; the change itself holds that rule, under the
profile's row lock, so a click between this read and the write wins.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from typing import Protocol

from sqlalchemy import select

from core.errors import DeskError
from core.workflow.assignment_settings import BY_PRESENCE, PRESENCE, AgentProfiles
from db.models import AgentProfile, User
from db.session import SessionFactory

log = logging.getLogger(__name__)

PRESENCE_KEY = "assignment.slack_presence"
ON = "on"
AWAY, ACTIVE = "away", "active"


class StoredSettings(Protocol):  # core.control's SettingsStore (a sibling package)
    async def get(self, key: str, default: str | None = None) -> str | None: ...


class PresenceReader(Protocol):
    async def presence(self, slack_user_id: str) -> str | None:
        """``active`` or ``away``; None when it cannot be told (logged by the reader)."""
        ...


@dataclass(frozen=True, slots=True)
class PresenceReport:
    followed: bool = False  # the setting was on
    read: int = 0  # agents whose presence was read
    unread: int = 0  # agents the reader could not tell
    away: int = 0  # sent away
    back: int = 0  # made available again

    def as_dict(self) -> dict[str, int | bool]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class _Agent:
    user_id: int
    slack_user_id: str
    available: bool
    by_presence: bool


async def following(store: StoredSettings) -> bool:
    """True when the desk follows Slack presence."""
    return (await store.get(PRESENCE_KEY) or "").strip().lower() == ON


class PresenceSync:
    def __init__(
        self,
        sessions: SessionFactory,
        *,
        profiles: AgentProfiles,
        store: StoredSettings,
        reader: PresenceReader,
    ) -> None:
        self.sessions = sessions
        self.profiles = profiles
        self.store = store
        self.reader = reader

    async def _agents(self) -> list[_Agent]:
        async with self.sessions() as session:
            rows = await session.execute(
                select(
                    AgentProfile.user_id,
                    User.slack_user_id,
                    AgentProfile.available,
                    AgentProfile.availability_source,
                )
                .join(User, User.id == AgentProfile.user_id)
                .where(User.is_active.is_(True), User.slack_user_id.is_not(None))
                .order_by(AgentProfile.user_id)
            )
            return [_Agent(u, str(s), bool(a), src == BY_PRESENCE) for u, s, a, src in rows]

    async def run(self) -> PresenceReport:
        """One round over the agents; nothing when the setting is off. A change the core
        refuses is logged and the round goes on."""
        if not await following(self.store):
            return PresenceReport()
        read = unread = away = back = 0
        for agent in await self._agents():
            presence = await self.reader.presence(agent.slack_user_id)
            if presence not in (AWAY, ACTIVE):
                unread += 1
                continue
            read += 1
            if presence == AWAY and agent.available:
                wanted = False
            elif presence == ACTIVE and not agent.available and agent.by_presence:
                wanted = True
            else:
                continue
            try:
                info = await self.profiles.change(PRESENCE, agent.user_id, available=wanted)
            except DeskError as exc:  # e.g. the user went meanwhile: the next round sees
                log.warning("presence: user %s not changed: %s", agent.user_id, exc)
                continue
            if info.available == wanted:
                away += not wanted
                back += wanted
        return PresenceReport(followed=True, read=read, unread=unread, away=away, back=back)
