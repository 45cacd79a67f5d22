"""Recipients a permanent bounce marked undeliverable, and taking the mark off."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from server.http.deps import DeskDep, acting
from server.http.models import RecipientOut

router = APIRouter(prefix="/api/v1", tags=["recipients"])


class ClearBody(BaseModel):
    by: str = Field(description="email of the user clearing the mark")


@router.get("/recipients/undeliverable")
async def undeliverable_recipients(desk: DeskDep) -> list[RecipientOut]:
    """Addresses a permanent bounce marked undeliverable: replies to them are refused."""
    return [RecipientOut.model_validate(r.as_dict()) for r in await desk.recipients.undeliverable()]


@router.post("/recipients/{email}/clear")
async def clear_recipient(email: str, body: ClearBody, desk: DeskDep) -> RecipientOut:
    """Take the undeliverable mark off ``email``; returns what the mark said."""
    actor = await acting(desk, body.by)
    return RecipientOut.model_validate((await desk.recipients.clear(email, actor)).as_dict())
