"""The caller's own notification preferences: ``GET`` and ``PUT /api/v1/me/notifications``
(read and write scope, any role). A ``PUT`` changes only the fields it names, checked whole
first (``core.workflow.preferences``): a bad zone, time, day, kind or channel is a 422 and
nothing is changed."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import ConfigDict, Field

from core.access.permissions import Principal
from core.errors import ValidationError
from core.workflow.preferences import PreferenceChange, Preferences
from server.http.deps import DeskDep, allowed, api_router
from server.http.models import In, Out

router = api_router("notifications")


class QuietHours(In):
    model_config = ConfigDict(extra="forbid")
    start: str = Field(max_length=5, description="local HH:MM")
    end: str = Field(max_length=5, description="local HH:MM")


class NotificationsIn(In):
    """Only the fields present change; ``quiet_hours: null`` turns quiet hours off;
    ``digest: false`` is the digest's channel ``none``."""

    model_config = ConfigDict(extra="forbid")
    channels: dict[str, str] | None = Field(default=None, description="kind -> slack|email|none")
    tz: str | None = Field(default=None, max_length=64, description="an IANA zone")
    quiet_hours: QuietHours | None = None
    business_days: list[str] | None = Field(default=None, max_length=7)
    draft_waiting_minutes: int | None = None
    digest: bool | None = None


class QuietHoursOut(Out):
    start: str
    end: str


class NotificationsOut(Out):
    channels: dict[str, str]
    tz: str | None
    quiet_hours: QuietHoursOut | None
    business_days: list[str]
    draft_waiting_minutes: int
    digest: bool


def _out(prefs: Preferences) -> NotificationsOut:
    return NotificationsOut.model_validate(prefs.as_dict())


def _user_id(who: Principal) -> int:
    if who.user_id is None:
        raise ValidationError("this token's owner is not a desk user", field="token")
    return who.user_id


@router.get("/me/notifications")
async def my_notifications(
    desk: DeskDep,
    who: Annotated[Principal, allowed("read", doing="reading notification preferences")],
) -> NotificationsOut:
    """Your channel for each kind of notice, time zone, quiet hours and digest days."""
    return _out(await desk.preferences.get(_user_id(who)))


@router.put("/me/notifications")
async def set_my_notifications(
    body: NotificationsIn,
    desk: DeskDep,
    who: Annotated[Principal, allowed("write", doing="changing notification preferences")],
) -> NotificationsOut:
    """Change the fields given; the others stay as they are."""
    user_id = _user_id(who)
    given = body.model_fields_set
    channels: dict[str, str] | None = dict(body.channels) if body.channels is not None else None
    if body.digest is not None:
        current = (await desk.preferences.get(user_id)).channel("digest")
        wanted = (channels or {}).get("digest", current)
        if not body.digest:
            wanted = "none"
        elif wanted == "none":
            wanted = "slack"
        channels = {**(channels or {}), "digest": wanted}
    quiet: Any = None
    if "quiet_hours" in given:
        quiet = () if body.quiet_hours is None else (body.quiet_hours.start, body.quiet_hours.end)
    change = PreferenceChange(
        channels=channels,
        tz=body.tz,
        quiet_hours=quiet,
        business_days=body.business_days,
        draft_waiting_minutes=body.draft_waiting_minutes,
    )
    return _out(await desk.preferences.update(user_id, change, actor=who.actor))
