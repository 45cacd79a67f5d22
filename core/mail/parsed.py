"""What the parser hands to the rest of the desk: plain data, no email.message objects."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any


@dataclass(slots=True)
class ParsedAttachment:
    filename: str
    content_type: str
    size: int
    sha256: str
    # None when the attachment is over the size limit (then ``note`` says so), or once a
    # parse worker has written it to the attachment store (then ``saved`` is set)
    content: bytes | None = None
    note: str | None = None
    saved: bool = False


@dataclass(slots=True)
class ParsedMessage:
    """A decoded email. Every text field is ``str`` and already decoded (RFC 2047, charsets).

    ``message_id``, ``in_reply_to`` and ``references`` are bare ids without angle brackets.
    ``message_id`` is synthetic (``sha256-<hex>@desk.invalid``) when the mail had none, with
    ``synthetic_message_id`` set.
    """

    message_id: str
    synthetic_message_id: bool
    in_reply_to: str | None
    references: list[str]
    from_email: str
    from_name: str
    to: list[str]
    cc: list[str]
    reply_to: list[str]
    subject: str
    date: datetime | None
    text: str  # full body as text (HTML converted when there was no text/plain)
    reply_text: str  # text with quoted history and signature removed (AI input)
    html: str | None  # the original HTML part, if any; never rendered unsanitised
    attachments: list[ParsedAttachment] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased names, first value
    auto_submitted: str | None = None
    defects: list[str] = field(default_factory=list)
    raw_size: int = 0
    raw_sha256: str = ""
    # message/delivery-status field groups (per-message first, then one per recipient),
    # lower-case names; None when the mail has no such part
    delivery_status: list[dict[str, str]] | None = None
    # Message-ID of the first attached message/rfc822 or text/rfc822-headers part (bounces)
    original_message_id: str | None = None
    # the language the customer wrote in (``core.mail.language``): told with ``reply_text``
    # for customer mail, in the parse workers (``core.inbound.parse_pool.classify_mail``)
    language: str | None = None


# Parse workers hand results back as plain tuples: unpickling 4,000 slotted dataclasses
# costs the main process ~6x more than unpickling their fields as tuples (bench/ingest.py).
PackedMessage = tuple[Any, ...]


def pack(parsed: ParsedMessage) -> PackedMessage:
    """``parsed`` as a tuple of its fields (attachments as tuples too), for pickling."""
    values = [getattr(parsed, name) for name in _MESSAGE_FIELDS]
    values[_ATTACHMENTS] = [
        tuple(getattr(a, name) for name in _ATTACHMENT_FIELDS) for a in parsed.attachments
    ]
    return tuple(values)


def unpack(packed: PackedMessage) -> ParsedMessage:
    """The ``ParsedMessage`` that ``pack`` was given."""
    values = list(packed)
    values[_ATTACHMENTS] = [ParsedAttachment(*a) for a in values[_ATTACHMENTS]]
    return ParsedMessage(*values)


_MESSAGE_FIELDS = tuple(f.name for f in fields(ParsedMessage))
_ATTACHMENT_FIELDS = tuple(f.name for f in fields(ParsedAttachment))
_ATTACHMENTS = _MESSAGE_FIELDS.index("attachments")
