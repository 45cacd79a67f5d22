"""Which ticket a message belongs to, in the order docs/architecture.md gives ("Threading").

1. In-Reply-To, then References from the right, against every stored message id;
2. our HMAC-signed ticket token inside any of those ids;
3. a ``[#123]`` subject tag, only when the sender is the requester or a known participant;
4. otherwise a new ticket. Never on subject alone.

Pure: the caller gives lookups; this module does no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from core.mail.parsed import ParsedMessage

SUBJECT_TAG = re.compile(r"\[#(\d{1,12})\]")


@dataclass(frozen=True, slots=True)
class ThreadMatch:
    ticket_id: int | None
    rule: str  # header|token|subject_tag|new


def candidate_ids(msg: ParsedMessage, extra: Sequence[str] = ()) -> list[str]:
    """Ids to look up, most specific first: ``extra`` (for a bounce, the id of the mail that
    bounced), In-Reply-To, then References right to left."""
    out: list[str] = list(dict.fromkeys(extra))
    if msg.in_reply_to and msg.in_reply_to not in out:
        out.append(msg.in_reply_to)
    for ref in reversed(msg.references):
        if ref not in out:
            out.append(ref)
    return out


def subject_tags(subject: str) -> list[int]:
    return [int(m) for m in SUBJECT_TAG.findall(subject)]


def resolve(
    msg: ParsedMessage,
    *,
    known: Mapping[str, int],
    token_ticket: Callable[[str], int | None],
    tag_allowed: Callable[[int, str], bool],
    extra_ids: Sequence[str] = (),
) -> ThreadMatch:
    """Find the ticket of ``msg``.

    ``known`` maps stored Message-IDs to ticket ids; ``token_ticket`` returns the ticket id
    signed into one of our Message-IDs (None when absent or forged, or the ticket is not
    ours); ``tag_allowed(ticket_id, sender)`` says whether a subject tag from this sender
    may thread into that ticket.
    """
    ids = candidate_ids(msg, extra_ids)
    for mid in ids:
        if mid in known:
            return ThreadMatch(known[mid], "header")
    for mid in ids:
        ticket = token_ticket(mid)
        if ticket is not None:
            return ThreadMatch(ticket, "token")
    for ticket in subject_tags(msg.subject):
        if tag_allowed(ticket, msg.from_email):
            return ThreadMatch(ticket, "subject_tag")
    return ThreadMatch(None, "new")
