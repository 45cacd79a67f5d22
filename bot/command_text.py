"""The text of a `/desk` command parsed: its subcommand, search filters and words. Pure;
errors say what would have worked."""

from __future__ import annotations

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
}
PAGE_SIZE = 10


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    args: str


def parse_command(text: str) -> Command:
    head, _, rest = (text or "").strip().partition(" ")
    return Command(head.lower() or "help", rest.strip())


@dataclass(frozen=True, slots=True)
class Search:
    text: str  # what was typed after "search", for paging
    words: str
    status: str | None = None
    category: str | None = None
    urgency: str | None = None
    sender: str | None = None
    assignee: str | None = None  # the owner's email
    offset: int = 0

    def query(self, *, limit: int = PAGE_SIZE) -> TicketQuery:
        return TicketQuery(
            status=self.status,
            category=self.category,
            urgency=self.urgency,
            q=self.words or None,
            sender=self.sender,
            assignee_email=self.assignee,
            limit=limit,
            offset=self.offset,
        ).validated()


def parse_search(text: str, *, offset: int = 0) -> Search:
    """``refund status:pending category:"Feature Request" urgency:high from:a@b.c
    assignee:ann@team.test``."""
    try:
        tokens = shlex.split(text)
    except ValueError as exc:
        raise ValidationError(
            f"cannot read the search: {exc} (close your quotes)", field="q"
        ) from None
    words: list[str] = []
    filters: dict[str, str] = {}
    for token in tokens:
        key, colon, val = token.partition(":")
        if colon and key.lower() in FILTERS:
            if not val:
                raise ValidationError(
                    f"`{key}:` needs a value, like `{key}:{_example(key.lower())}`", field=key
                )
            filters[FILTERS[key.lower()]] = val
        elif colon and val and key.isalpha() and "@" not in token and "/" not in val:
            raise ValidationError(
                f"unknown filter `{key}:`; use {', '.join(f'`{k}:`' for k in FILTERS)}", field=key
            )
        else:
            words.append(token)
    search = Search(text=text, words=" ".join(words), offset=max(0, offset), **filters)
    search.query()  # raises ValidationError for bad values, naming the valid ones
    return search


def _example(key: str) -> str:
    return {
        "status": "pending",
        "category": "billing",
        "urgency": "high",
        "from": "alice@example.com",
        "assignee": "ann@example.com",
    }[key]
