"""Action ids, view callback ids and the small values buttons carry.

Values from Slack are untrusted: they name a draft, never permission. Handlers load the
draft and check the clicking user against it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from core.errors import ValidationError

APPROVE = "draft_approve"
EDIT = "draft_edit"
REJECT = "draft_reject"
ASSIGN = "draft_assign"
MORE = "draft_more"
RETRY = "draft_retry"
CLEAR_BOUNCE = "draft_clear_bounce"
SEARCH_PAGE = "search_page"
HOME_FILTER = "home_filter"
SETTINGS_TEST = "settings_test"
TOKEN_REVOKE = "token_revoke"
USER_MANAGE = "user_manage"
NOTIFY_PREFS = "notify_prefs"

EDIT_VIEW = "edit_draft"
REJECT_VIEW = "reject_draft"
CLASSIFY_VIEW = "classify_draft"
SETTINGS_VIEW = "desk_settings"
TOKEN_VIEW = "desk_token"
NOTIFY_VIEW = "notify_prefs_view"


# message metadata on every draft message: finds a message whose post timed out
DRAFT_POSTED_EVENT = "desk_draft_posted"

SEP_CODES = {"\n\n": "p", "\n": "n", " ": "s", "": "e"}
SEP_CHARS = {code: sep for sep, code in SEP_CODES.items()}


@dataclass(frozen=True, slots=True)
class DraftRef:
    """A draft and the text version the clicking user saw."""

    draft_id: int
    version: int | None = None

    def value(self) -> str:
        return f"{self.draft_id}:{self.version or ''}"

    @classmethod
    def parse(cls, value: str) -> DraftRef:
        head, _, tail = (value or "").partition(":")
        try:
            return cls(int(head), int(tail) if tail else None)
        except ValueError:
            raise ValidationError(f"not a draft reference: {value[:40]!r}", field="value") from None


def more_value(kind: str, draft_id: int, choice: str = "") -> str:
    """Overflow option values: ``urgency:High:12``, ``category::12``, ``status:waiting:12``."""
    return f"{kind}:{choice}:{draft_id}"


def parse_more(value: str) -> tuple[str, str, int]:
    parts = (value or "").split(":")
    if len(parts) != 3 or parts[0] not in ("urgency", "category", "status"):
        raise ValidationError(f"not an overflow choice: {value[:40]!r}", field="value")
    try:
        return parts[0], parts[1], int(parts[2])
    except ValueError:
        raise ValidationError(f"not an overflow choice: {value[:40]!r}", field="value") from None


@dataclass(frozen=True, slots=True)
class ModalContext:
    """What a modal remembers in ``private_metadata``: the draft and where its message is."""

    draft_id: int
    version: int | None = None
    channel: str | None = None
    ts: str | None = None
    seps: tuple[str, ...] = ()  # how the edit inputs join back into one text

    def dump(self) -> str:
        data: dict[str, Any] = {"d": self.draft_id, "v": self.version}
        if self.channel:
            data |= {"c": self.channel, "t": self.ts}
        if self.seps:
            data["s"] = "".join(SEP_CODES[s] for s in self.seps)
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def load(cls, raw: str) -> ModalContext:
        try:
            data = json.loads(raw or "{}")
            return cls(
                draft_id=int(data["d"]),
                version=int(data["v"]) if data.get("v") is not None else None,
                channel=data.get("c"),
                ts=data.get("t"),
                seps=tuple(SEP_CHARS[c] for c in data.get("s", "")),
            )
        except (ValueError, KeyError, TypeError):
            raise ValidationError(
                "this form lost its context; open it again", field="view"
            ) from None
