"""What triage tells a provider of a message's attachments (``TriageRequest.attachments``):
each file's name, type and size, and for a text-like one that was stored (a log, a .txt)
an excerpt of its text (``core.inbound.attachments.excerpt``). At most ``MAX_FILES`` per
message; without a store only the names are given."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.ai.result import AttachmentInfo
from core.inbound.attachments import AttachmentStore, excerpt, is_text_like
from db.models import Attachment

MAX_FILES = 10


async def attachment_infos(
    session: AsyncSession, message_id: int, store: AttachmentStore | None
) -> list[AttachmentInfo]:
    return (await attachment_infos_many(session, [message_id], store))[message_id]


async def attachment_infos_many(
    session: AsyncSession, message_ids: Sequence[int], store: AttachmentStore | None
) -> dict[int, list[AttachmentInfo]]:
    """``attachment_infos`` of each message of a batch: one query, one thread hop."""
    by_message: dict[int, list[Attachment]] = {m: [] for m in message_ids}
    if message_ids:
        for a in await session.scalars(
            select(Attachment)
            .where(Attachment.message_id.in_(message_ids))
            .order_by(Attachment.message_id, Attachment.id)
        ):
            if len(by_message[a.message_id]) < MAX_FILES:
                by_message[a.message_id].append(a)
    readable = [
        a
        for rows in by_message.values()
        for a in rows
        if store is not None and a.stored and is_text_like(a.filename, a.content_type)
    ]
    heads = (
        await asyncio.to_thread(lambda: {a.id: store.head(a.sha256) for a in readable})
        if store is not None and readable
        else {}
    )
    return {
        message_id: [
            AttachmentInfo(
                name=a.filename,
                content_type=a.content_type,
                size=a.size,
                excerpt=excerpt(heads[a.id]) if a.id in heads else "",
            )
            for a in rows
        ]
        for message_id, rows in by_message.items()
    }
