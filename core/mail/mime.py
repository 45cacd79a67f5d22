"""The MIME tree: walking a message's parts, reading its body, cutting out its attachments.

The body is the text/plain parts, else the HTML parts converted to text. Most mail is one
plain text part: ``plain_single_part`` reads that straight from the bytes, without building
a ``Message``, exactly as the ``Message`` path reads it.
"""

from __future__ import annotations

import hashlib
import mimetypes
import quopri
from dataclasses import dataclass, field
from email.message import Message

from core.mail.charsets import charset_param, clean_text, decode_bytes, meta_charset
from core.mail.headers import MAX_HEADER_DECODE, decode_encoded_words, decode_header, first_headers
from core.mail.html import html_to_text
from core.mail.parsed import ParsedAttachment
from core.mail.quickparse import split_message

DEFAULT_MAX_ATTACHMENT_BYTES = 15 * 1024 * 1024
MAX_DEPTH = 30  # MIME nesting followed
_REPORT_TYPES = frozenset({"message/delivery-status", "message/global-delivery-status"})
_REPORT_MACHINERY = frozenset(
    {
        "message/disposition-notification",
        "message/feedback-report",
        "text/rfc822-headers",
        "message/global-headers",
    }
)
_ENCAPSULATED = frozenset({"message/rfc822", "message/global"})


@dataclass(slots=True)
class Leaves:
    """The MIME leaves of a message, sorted by role."""

    parts: list[Message] = field(default_factory=list)  # every part visited
    plain: list[Message] = field(default_factory=list)
    html: list[Message] = field(default_factory=list)
    attachments: list[Message] = field(default_factory=list)
    reports: list[Message] = field(default_factory=list)
    enclosed_headers: list[Message] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PlainPart:
    """A message that is one text/plain or text/html part, read without a ``Message``."""

    first: dict[str, str]
    data: bytes  # the body with its transfer encoding undone
    charset: str | None
    html: bool


_BODY_HEADERS = frozenset({"content-type", "content-transfer-encoding", "content-disposition"})
_UNENCODED = frozenset({"", "7bit", "8bit", "binary"})


def plain_single_part(raw: bytes) -> PlainPart | None:
    """Most mail is one text part with plain header values: its body is read here, straight
    from the bytes, exactly as the ``Message`` path below would read it (the tests compare
    the two on every corpus mail). Anything else is None and goes that way: multipart and
    message/* mail, other types, an attachment disposition, base64 or uuencode, RFC 2231
    parameters, and folded or non-ASCII values of the three headers consulted."""
    split = split_message(raw)
    if split is None:
        return None
    folded: set[str] = set()
    first = first_headers(split.fields, folded)
    for name in _BODY_HEADERS:  # their values as Message.get() would return them
        value = first.get(name)
        if value is not None and (
            name in folded or not value.isascii() or len(value) >= MAX_HEADER_DECODE
        ):
            return None
    content_type = first.get("content-type")
    ctype, charset = "text/plain", None  # what a Message without Content-Type reports
    if content_type is not None:
        if "*" in content_type:
            return None
        ctype = content_type.partition(";")[0].strip().lower()
        if ctype.count("/") != 1:
            ctype = "text/plain"
        charset = charset_param(content_type)
    if ctype not in ("text/plain", "text/html"):
        return None
    disposition = first.get("content-disposition")
    if disposition is not None and disposition.partition(";")[0].strip().lower() == "attachment":
        return None
    encoding = first.get("content-transfer-encoding", "").lower()  # unstripped, as compat32
    if encoding in _UNENCODED:
        data = split.body
    elif encoding == "quoted-printable":
        data = quopri.decodestring(split.body)
    else:
        return None
    html = ctype == "text/html"
    if charset is None and html:
        charset = meta_charset(data)
    return PlainPart(first, data, charset, html)


def plain_body(plain: PlainPart, defects: list[str]) -> tuple[str, str | None]:
    """``body`` for a ``PlainPart``."""
    text = decode_bytes(plain.data, plain.charset, defects=defects)
    return _body_of([] if plain.html else [text], [text] if plain.html else [], defects)


def body(leaves: Leaves, defects: list[str]) -> tuple[str, str | None]:
    """(text, original HTML): text/plain parts, else the HTML parts converted to text."""
    return _body_of(
        [_part_text(p, defects) for p in leaves.plain],
        [_part_text(p, defects) for p in leaves.html],
        defects,
    )


def _body_of(
    plain_texts: list[str], html_texts: list[str], defects: list[str]
) -> tuple[str, str | None]:
    """``body`` from the decoded text of the plain and HTML parts."""
    plain = [t for t in plain_texts if t.strip()]
    html = [t for t in html_texts if t.strip()]
    if plain:
        text = "\n".join(plain)
    elif html:
        text = "\n".join(html_to_text(h, defects) for h in html)
    else:
        text = ""
    return clean_text(text), clean_text(html[0]) if html else None


# --- the tree --------------------------------------------------------------------------------


def collect_leaves(msg: Message, defects: list[str]) -> Leaves:
    """Walk the MIME tree (not into attached messages) and sort leaves by role."""
    leaves = Leaves()
    stack: list[tuple[Message, bool, int]] = [(msg, False, 0)]
    while stack:
        part, in_alternative, depth = stack.pop()
        leaves.parts.append(part)
        ctype = _part_type(part)
        if ctype.startswith("multipart/"):
            if depth >= MAX_DEPTH:
                defects.append("MIME nesting too deep")
                continue
            alternative = ctype == "multipart/alternative"
            stack.extend((c, alternative, depth + 1) for c in reversed(subparts(part)))
            continue
        if ctype in _REPORT_TYPES:
            leaves.reports.append(part)
        elif ctype in _REPORT_MACHINERY:
            if ctype in ("text/rfc822-headers", "message/global-headers"):
                leaves.enclosed_headers.append(part)
        elif ctype in _ENCAPSULATED:
            leaves.attachments.append(part)
            leaves.enclosed_headers.append(part)
        elif _is_body(part, ctype, top=part is msg):
            (leaves.html if ctype == "text/html" else leaves.plain).append(part)
        elif in_alternative and ctype.startswith("text/") and not _filename(part, defects):
            continue  # text/enriched, text/watch-html...: other renderings of the body
        else:
            leaves.attachments.append(part)
    return leaves


def _part_type(part: Message) -> str:
    try:
        ctype = part.get_content_type()
    except Exception:
        return "text/plain"
    if ctype.startswith("multipart/") and not part.is_multipart():
        return "text/plain"  # a multipart without (found) boundary: its text is the body
    return ctype


def _is_body(part: Message, ctype: str, *, top: bool) -> bool:
    if ctype not in ("text/plain", "text/html"):
        return False
    disposition = _disposition(part)
    if disposition == "attachment":
        return False
    if top:
        return True
    try:
        named = part.get_param("filename", header="content-disposition") or part.get_param("name")
    except Exception:  # a header the stdlib cannot split into parameters
        return True
    return not named


def _disposition(part: Message) -> str:
    try:
        return (part.get_content_disposition() or "").lower()
    except Exception:
        return ""


def _part_text(part: Message, defects: list[str]) -> str:
    data = payload_bytes(part, defects)
    charset = _charset(part)
    if charset is None and _part_type(part) == "text/html":
        charset = meta_charset(data)
    return decode_bytes(data, charset, defects=defects)


def _charset(part: Message) -> str | None:
    value = part.get("content-type")
    if isinstance(value, str) and "*" not in value:
        return charset_param(value)
    try:
        return part.get_content_charset()
    except Exception:
        return None


def payload_bytes(part: Message, defects: list[str]) -> bytes:
    """The decoded bytes of a leaf (base64/QP/uuencode undone); b"" when there are none."""
    try:
        data = part.get_payload(decode=True)
    except Exception as exc:
        defects.append(f"undecodable part: {type(exc).__name__}")
        data = None
    if isinstance(data, bytes):
        return data
    try:
        payload = part.get_payload()
    except (ValueError, LookupError):  # compat32 decodes with the declared charset here
        return b""
    if isinstance(payload, str):
        return payload.encode("utf-8", "surrogateescape")
    return b""


def subparts(part: Message) -> list[Message]:
    """The parts inside a multipart or message/* part (no payload decoding involved)."""
    if not part.is_multipart():
        return []
    payload = part.get_payload()
    return [p for p in payload if isinstance(p, Message)] if isinstance(payload, list) else []


def _message_bytes(part: Message, defects: list[str]) -> bytes:
    """An attached message/rfc822 as bytes."""
    inner = subparts(part)
    if inner:
        try:
            return inner[0].as_bytes()
        except Exception as exc:  # the generator refuses some broken headers
            defects.append(f"attached message re-serialised loosely: {type(exc).__name__}")
            return _loose_bytes(inner[0], 0)
    return payload_bytes(part, defects)


def _loose_bytes(msg: Message, depth: int) -> bytes:
    """A message as bytes without the stdlib generator's checks (for broken messages)."""
    head = "".join(f"{name}: {value}\n" for name, value in msg.raw_items())
    head_bytes = head.encode("utf-8", "surrogateescape")
    inner = subparts(msg)
    if not inner or depth >= MAX_DEPTH:
        return head_bytes + b"\n" + payload_bytes(msg, [])
    try:
        boundary = (msg.get_boundary() or "part").encode("utf-8", "surrogateescape")
    except Exception:
        boundary = b"part"
    body = b"".join(b"--" + boundary + b"\n" + _loose_bytes(p, depth + 1) + b"\n" for p in inner)
    return head_bytes + b"\n" + body + b"--" + boundary + b"--\n"


# --- attachments -----------------------------------------------------------------------------


def attachment(
    part: Message, index: int, *, max_bytes: int, keep: bool, defects: list[str]
) -> ParsedAttachment:
    ctype = _part_type(part)
    data = _message_bytes(part, defects) if ctype in _ENCAPSULATED else payload_bytes(part, defects)
    name = _filename(part, defects) or _default_name(part, ctype, index=index, defects=defects)
    over = len(data) > max_bytes
    note = None
    if over:
        note = (
            f"attachment over {_megabytes(max_bytes)} MB limit ({_megabytes(len(data))} MB), "
            "not stored"
        )
    return ParsedAttachment(
        filename=name,
        content_type=ctype,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        content=data if keep and not over else None,
        note=note,
    )


def _filename(part: Message, defects: list[str]) -> str:
    """Decoded file name (RFC 2231 or, against the rules but common, RFC 2047)."""
    try:
        name = part.get_filename()
    except Exception:
        defects.append("unparseable attachment file name")
        return ""
    if not name:
        return ""
    name = str(name)
    if not name.isascii():
        name = decode_bytes(name.encode("utf-8", "surrogateescape"), None, defects=defects)
    if "=?" in name:
        name = decode_encoded_words(name, defects)
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch >= " " and ch != "\x7f").strip()
    return name[:255]


def _default_name(part: Message, ctype: str, *, index: int, defects: list[str]) -> str:
    if ctype in _ENCAPSULATED:
        inner = subparts(part)
        subject = (
            decode_header(first_headers(inner[0].raw_items()).get("subject", ""), defects)
            if inner
            else ""
        )
        safe = "".join(ch for ch in subject if ch.isalnum() or ch in " -_.,")[:80].strip()
        return f"{safe or 'message'}.eml"
    extension = mimetypes.guess_extension(ctype, strict=False) or ".bin"
    return f"attachment-{index}{extension}"


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0")
