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
AVAILABILITY = "home_availability"
SLA_CALENDAR_NEW = "sla_calendar_new"
SLA_POLICY_NEW = "sla_policy_new"
SLA_POLICY_EDIT = "sla_policy_edit"
KB_PAGE = "kb_page"
KB_PROPOSAL_PUBLISH = "kb_proposal_publish"
KB_PROPOSAL_EDIT = "kb_proposal_edit"
KB_PROPOSAL_DISCARD = "kb_proposal_discard"

EDIT_VIEW = "edit_draft"
REJECT_VIEW = "reject_draft"
CLASSIFY_VIEW = "classify_draft"
SETTINGS_VIEW = "desk_settings"
TOKEN_VIEW = "desk_token"
NOTIFY_VIEW = "notify_prefs_view"
SLA_CALENDAR_VIEW = "sla_calendar"
SLA_POLICY_VIEW = "sla_policy"
KB_VIEW = "kb_article"


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


@dataclass(frozen=True, slots=True)
class SlaFormContext:
    """What an SLA form (pushed over ``/desk settings``) remembers: the settings view to
    refresh after a save, the policy it edits, and the values it was opened with (so a
    save changes only what the admin changed)."""

    root: str | None = None
    policy_id: int | None = None
    was: dict[str, str] | None = None

    def dump(self) -> str:
        data: dict[str, Any] = {"r": self.root}
        if self.policy_id is not None:
            data |= {"p": self.policy_id, "w": self.was or {}}
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def load(cls, raw: str) -> SlaFormContext:
        try:
            data = json.loads(raw or "{}")
            policy = data.get("p")
            was = data.get("w")
            if (
                not isinstance(was, dict | None)
                or not isinstance(policy, int | None)
                or policy is True
                or policy is False
            ):
                raise TypeError("bad shape")
            return cls(
                root=str(data["r"]) if data.get("r") else None,
                policy_id=policy,
                was={str(k): str(v) for k, v in was.items()} if was is not None else None,
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            raise ValidationError(
                "this form lost its context; open it again", field="view"
            ) from None


@dataclass(frozen=True, slots=True)
class ArticleRef:
    """What the article modal remembers: the article it edits (none: a new one) and the
    version it was opened at (the edit is refused if another was saved meanwhile)."""

    article_id: int | None = None
    version: int | None = None

    def dump(self) -> str:
        return "" if self.article_id is None else f"{self.article_id}:{self.version or ''}"

    @classmethod
    def load(cls, raw: str) -> ArticleRef:
        if not raw:
            return cls()
        head, _, tail = raw.partition(":")
        if not head.isdecimal() or not (tail == "" or tail.isdecimal()):
            raise ValidationError("this form lost its context; open it again", field="view")
        return cls(int(head), int(tail) if tail else None)


@dataclass(frozen=True, slots=True)
class KbPage:
    """A "Next" / "Previous" button of ``/desk kb``: the words searched ("" lists) and
    where the page starts."""

    query: str
    offset: int

    def value(self) -> str:
        return json.dumps({"q": self.query, "o": self.offset}, separators=(",", ":"))

    @classmethod
    def parse(cls, raw: str) -> KbPage:
        try:
            data = json.loads(raw or "")
            query, offset = data["q"], data["o"]
            if (
                not isinstance(query, str)
                or isinstance(offset, bool)
                or not isinstance(offset, int)
            ):
                raise TypeError("bad shape")
            if offset < 0:
                raise ValueError("negative offset")
            return cls(query, offset)
        except (ValueError, KeyError, TypeError):
            raise ValidationError(f"not a page of /desk kb: {raw[:40]!r}", field="value") from None
