"""What the parser hands to the rest of the desk: plain data, no email.message objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(slots=True)
class ParsedAttachment:
    filename: str
    content_type: str
    size: int
    sha256: str
    # None when the attachment is over the size limit (then ``note`` says so)
    content: bytes | None = None
    note: str | None = None


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
