"""The plain data the ingest passes from stage to stage: one ``Item`` per fetched mail, and
the ``IngestReport`` that counts what became of them. No behaviour, no database."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from core.mail.loopguard import Classification
from core.mail.parsed import ParsedMessage
from core.mail.threads import ThreadMatch


@dataclass
class IngestReport:
    fetched: int = 0
    stored: int = 0
    duplicates: int = 0
    quarantined: int = 0
    new_tickets: int = 0
    threaded: int = 0
    needs_reply: int = 0
    noise: int = 0
    bounces: int = 0

    def add(self, other: IngestReport) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(slots=True)
class Item:
    """One fetched mail: its bytes, then what the parse pool found (``parsed`` or ``error``,
    and ``kind``), then what the store's threading decided (``match``, ``ticket_key``)."""

    uid: int
    raw: bytes
    parsed: ParsedMessage | None = None
    error: str | None = None
    kind: Classification | None = None
    match: ThreadMatch | None = None
    ticket_key: int = 0  # real ticket id, or -(n) for the n-th new ticket of the batch
    notes: list[str] = field(default_factory=list)
