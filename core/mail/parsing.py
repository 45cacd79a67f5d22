"""Raw RFC 5322 bytes -> ParsedMessage. Tolerant: oddities become ``defects``, never exceptions.

Uses the stdlib compat32 parser (fast and lenient) and decodes headers and charsets itself,
with fallbacks for the charsets mail clients get wrong. Only hopeless input (empty, no
headers at all) raises ``ParseError``. The pieces live beside this entry point:
``headers`` (encoded words, addresses, ids, dates), ``charsets`` (decoding with fallbacks),
``mime`` (parts, body, attachments), ``reports`` (bounces) and ``html`` (HTML to text).
"""

from __future__ import annotations

import email
import hashlib
from email.message import Message
from email.parser import BytesParser

from core.errors import ParseError
from core.mail.charsets import clean_text
from core.mail.headers import (
    MAX_HEADER_VALUE,
    addresses,
    decode_header,
    first_address,
    first_headers,
    first_id,
    parse_date,
    parse_references,
    repair_header_names,
)
from core.mail.mime import (
    DEFAULT_MAX_ATTACHMENT_BYTES,
    attachment,
    body,
    collect_leaves,
    plain_body,
    plain_single_part,
)
from core.mail.parsed import ParsedAttachment, ParsedMessage
from core.mail.quickparse import quick_parse
from core.mail.quotes import strip_reply
from core.mail.reports import delivery_status, enclosed_message_id

MAX_DEFECTS = 50


def parse_message(
    raw: bytes,
    *,
    obj: Message | None = None,
    max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES,
    keep_attachment_content: bool = True,
    strip_quotes: bool = True,
) -> ParsedMessage:
    """Parse one raw message. ``obj`` is a compat32 Message of the same bytes, if one exists.

    ``strip_quotes=False`` leaves ``reply_text`` empty for a caller that strips quotes only
    where it needs the triage input (the ingest does so for customer mail alone).
    """
    defects: list[str] = []
    plain = plain_single_part(raw) if obj is None else None
    msg: Message | None = None
    if plain is not None:
        first = plain.first
    else:
        msg, first = _parse_headers(raw, obj=obj, defects=defects)
    raw_sha256 = hashlib.sha256(raw).hexdigest()
    headers = {
        name: decode_header(value, defects)[:MAX_HEADER_VALUE] for name, value in first.items()
    }
    message_id = first_id(first.get("message-id", ""))
    if not message_id:
        defects.append("missing Message-ID")
    from_name, from_email = first_address(first.get("from", ""), defects)
    if not from_email:
        defects.append("missing From" if "from" not in first else "unparseable From")

    attachments: list[ParsedAttachment] = []
    status_groups: list[dict[str, str]] | None = None
    original_message_id: str | None = None
    if msg is None:
        assert plain is not None
        text, html = plain_body(plain, defects)
    else:
        leaves = collect_leaves(msg, defects)
        text, html = body(leaves, defects)
        attachments = [
            attachment(
                part,
                n,
                max_bytes=max_attachment_bytes,
                keep=keep_attachment_content,
                defects=defects,
            )
            for n, part in enumerate(leaves.attachments, start=1)
        ]
        status_groups = delivery_status(leaves.reports, defects)
        original_message_id = enclosed_message_id(leaves, defects)
        for part in leaves.parts:  # after decoding: payload decoding adds defects too
            defects.extend(type(defect).__name__ for defect in getattr(part, "defects", ()))
    return ParsedMessage(
        message_id=message_id or f"sha256-{raw_sha256}@desk.invalid",
        synthetic_message_id=not message_id,
        in_reply_to=first_id(first.get("in-reply-to", "")) or None,
        references=parse_references(first.get("references", "")),
        from_email=from_email,
        from_name=from_name,
        to=addresses(first.get("to", ""), defects),
        cc=addresses(first.get("cc", ""), defects),
        reply_to=addresses(first.get("reply-to", ""), defects),
        subject=clean_text(headers.get("subject", "")).replace("\n", " ").strip(),
        date=parse_date(headers.get("date", ""), defects),
        text=text,
        reply_text=strip_reply(text) if text and strip_quotes else "",
        html=html,
        attachments=attachments,
        headers=headers,
        auto_submitted=headers.get("auto-submitted", "").strip() or None,
        defects=list(dict.fromkeys(defects))[:MAX_DEFECTS],
        raw_size=len(raw),
        raw_sha256=raw_sha256,
        delivery_status=status_groups,
        original_message_id=original_message_id,
    )


def _parse_headers(
    raw: bytes, *, obj: Message | None, defects: list[str]
) -> tuple[Message, dict[str, str]]:
    """The message object and its first raw header values; ParseError if it has no headers."""
    if not raw or not raw.strip():
        raise ParseError("empty message", size=len(raw or b""))
    msg = obj if obj is not None else _parse_bytes(raw, defects)
    first = first_headers(msg.raw_items())
    if not first and raw[:1].isspace():
        msg = _parse_bytes(raw.lstrip(), defects)
        first = first_headers(msg.raw_items())
    if not first:
        repaired = repair_header_names(raw)
        if repaired is not None:
            msg = _parse_bytes(repaired, defects)
            first = first_headers(msg.raw_items())
            defects.append("malformed header name repaired")
    if not first:
        raise ParseError("not an email: no headers found", size=len(raw))
    return msg, first


def _parse_bytes(raw: bytes, defects: list[str]) -> Message:
    """compat32 parse (the quick path for plain single-part mail, else the stdlib's); if the
    stdlib parser itself fails, headers plus one text body."""
    quick = quick_parse(raw)
    if quick is not None:
        return quick
    try:
        return email.message_from_bytes(raw)
    except Exception as exc:  # e.g. ValueError from an RFC 2231 boundary's charset
        defects.append(f"MIME structure unparseable ({type(exc).__name__}), read as one part")
    try:
        return BytesParser().parsebytes(raw, headersonly=True)
    except Exception as exc:
        raise ParseError(f"unparseable message: {type(exc).__name__}", size=len(raw)) from exc
