"""The text of a `/desk` command parsed: its subcommand, search filters and words. Pure;
errors say what would have worked."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from core.errors import ValidationError
from core.tickets.queries import TicketQuery

SUBCOMMANDS = (
    "help",
    "search",
    "stats",
    "bulk",
    "templates",
    "kb",
    "settings",
    "fetch",
    "token",
    "away",
    "available",
    "workload",
)
FILTERS = {
    "status": "status",
    "category": "category",
    "urgency": "urgency",
    "from": "sender",
    "assignee": "assignee",
    "language": "language",
}
PAGE_SIZE = 10


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    args: str


def parse_command(text: str) -> Command:
    head, _, rest = (text or "").strip().partition(" ")
    return Command(head.lower() or "help", rest.strip())


# Slack's escaped mention, <@U123> or <@U123|ann>, and a name typed as @ann (the command's
# text is not escaped: manifest.yml, should_escape false)
_MENTION = re.compile(r"<@([A-Z0-9]{2,32})(?:\|[^>]*)?>", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Mention:
    """A person named in Slack, to be found among the desk's users."""

    slack_user_id: str | None = None
    name: str | None = None


def mention_of(value: str) -> Mention | None:
    """``<@U123>`` -> its Slack id, ``@ann`` -> the name; None for anything else (an
    address)."""
    found = _MENTION.fullmatch(value.strip())
    if found:
        return Mention(slack_user_id=found.group(1).upper())
    if value.startswith("@") and "@" not in value[1:]:
        return Mention(name=value[1:])
    return None


@dataclass(frozen=True, slots=True)
class Search:
    text: str  # what was typed after "search", for paging
    words: str
    status: str | None = None
    category: str | None = None
    urgency: str | None = None
    sender: str | None = None
    assignee: str | None = None  # the owner's email
    assignee_mention: Mention | None = None  # the owner as Slack named them: resolve first
    language: str | None = None  # the customer's, ISO 639-1
    offset: int = 0

    def query(self, *, limit: int = PAGE_SIZE) -> TicketQuery:
        return TicketQuery(
            status=self.status,
            category=self.category,
            urgency=self.urgency,
            q=self.words or None,
            sender=self.sender,
            assignee_email=self.assignee,
            language=self.language,
            limit=limit,
            offset=self.offset,
        ).validated()


def parse_search(text: str, *, offset: int = 0) -> Search:
    """``refund status:pending category:"Feature Request" urgency:high from:a@b.c
    assignee:ann@team.test language:de`` (or ``assignee:@ann``, ``assignee:<@U123>``:
    ``assignee_mention``, which the caller resolves to an address)."""
    try:
        tokens = shlex.split(text)
    except ValueError as exc:
        raise ValidationError(
            f"cannot read the search: {exc} (close your quotes)", field="q"
        ) from None
    words: list[str] = []
    filters: dict[str, str] = {}
    mention: Mention | None = None
    for token in tokens:
        key, colon, val = token.partition(":")
        if colon and key.lower() in FILTERS:
            if not val:
                raise ValidationError(
                    f"`{key}:` needs a value, like `{key}:{_example(key.lower())}`", field=key
                )
            if key.lower() == "assignee" and (named := mention_of(val)) is not None:
                mention = named
                filters.pop("assignee", None)
                continue
            filters[FILTERS[key.lower()]] = val
            if key.lower() == "assignee":
                mention = None
        elif colon and val and key.isalpha() and "@" not in token and "/" not in val:
            raise ValidationError(
                f"unknown filter `{key}:`; use {', '.join(f'`{k}:`' for k in FILTERS)}", field=key
            )
        else:
            words.append(token)
    search = Search(
        text=text,
        words=" ".join(words),
        offset=max(0, offset),
        assignee_mention=mention,
        **filters,
    )
    search.query()  # raises ValidationError for bad values, naming the valid ones
    return search


def _example(key: str) -> str:
    return {
        "status": "pending",
        "category": "billing",
        "urgency": "high",
        "from": "alice@example.com",
        "assignee": "ann@example.com",
        "language": "de",
    }[key]
