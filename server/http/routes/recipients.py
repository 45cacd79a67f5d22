"""Recipients a permanent bounce marked undeliverable, and taking the mark off: reading
needs the ``read`` scope, clearing a mark the ``write`` scope (any role: an agent clears
the mark to retry a reply that bounced)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

from core.access.permissions import Principal
from server.http.deps import DeskDep, allowed, api_router
from server.http.models import In, RecipientOut

router = api_router("recipients")


class ClearBody(In):
    pass


@router.get("/recipients/undeliverable")
async def undeliverable_recipients(
    desk: DeskDep, _who: Annotated[Principal, allowed("read", doing="reading recipients")]
) -> list[RecipientOut]:
    """Addresses a permanent bounce marked undeliverable: replies to them are refused."""
    return [RecipientOut.model_validate(r.as_dict()) for r in await desk.recipients.undeliverable()]


@router.post("/recipients/{email}/clear")
async def clear_recipient(
    email: Annotated[str, Path(max_length=320)],
    desk: DeskDep,
    who: Annotated[Principal, allowed("write", doing="clearing a bounce mark")],
    _body: ClearBody | None = None,
) -> RecipientOut:
    """Take the undeliverable mark off ``email``; returns what the mark said."""
    return RecipientOut.model_validate((await desk.recipients.clear(email, who.actor)).as_dict())
