"""Workers that cycle every second. People may not set an interval under 30 s (the
scheduler refuses it on every surface), so these tests write the stored interval and the
mailboxes' fetch intervals themselves, as a database from before the bound may hold them."""

from __future__ import annotations

from sqlalchemy import update

from core.audit import Actor
from core.control.scheduler import INTERVAL_KEY
from db.models import Mailbox
from server.wiring import Desk


async def start_fast(desk: Desk, actor: Actor, seconds: int = 1) -> None:
    """Switch the scheduler on with a cycle and fetch interval of ``seconds``."""
    await desk.store.set(INTERVAL_KEY, str(seconds), actor=actor)
    async with desk.sessions.begin() as session:
        await session.execute(update(Mailbox).values(fetch_interval_seconds=seconds))
    await desk.scheduler.start(actor)
