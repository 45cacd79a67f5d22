"""Raw RFC 5322 bytes -> ParsedMessage. Tolerant: oddities become ``defects``, never exceptions.

Uses the stdlib compat32 parser (fast and lenient) and decodes headers and charsets itself,
with fallbacks for the charsets mail clients get wrong. Only hopeless input (empty, no
headers at all) raises ``ParseError``.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import email
import email.utils
import hashlib
import html as html_module
import mimetypes
import quopri
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from email.parser import BytesParser
from typing import Any

from core.errors import ParseError
from core.mail.parsed import ParsedAttachment, ParsedMessage
from core.mail.quickparse import quick_parse, split_message
from core.mail.quotes import strip_reply

DEFAULT_MAX_ATTACHMENT_BYTES = 15 * 1024 * 1024
MAX_HEADERS = 60  # distinct header names kept in ParsedMessage.headers
MAX_HEADER_VALUE = 2000  # characters kept per header value in ParsedMessage.headers
MAX_HEADER_DECODE = 65_536  # characters of one header considered at all
MAX_HTML_CHARS = 1_000_000  # HTML converted to text beyond this is cut
MAX_REFERENCES = 100
MAX_ID_CHARS = 998  # a message id longer than a header line is cut
MAX_DEPTH = 30  # MIME nesting followed
MAX_DEFECTS = 50

# Charsets mail clients declare that Python does not know, or knows as a narrower set.
_CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "ks_c_5601-1989": "cp949",
    "ksc5601": "cp949",
    "euc-kr": "cp949",
    "iso-8859-8-i": "iso-8859-8",
    "iso-8859-8-e": "iso-8859-8",
    "iso-8859-6-i": "iso-8859-6",
    "iso-8859-6-e": "iso-8859-6",
    "big5": "big5hkscs",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "iso-2022-jp": "iso2022_jp_ext",
    "iso-8859-1": "cp1252",  # as browsers do: the C1 range is Windows punctuation
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "ascii",
    "ansi_x3.4-1968": "ascii",
    "unicode-1-1-utf-7": "utf-7",
    "x-mac-roman": "mac_roman",
    "macintosh": "mac_roman",
    "windows-874": "cp874",
    "utf8": "utf-8",
}
# Labels that say "unknown": guess instead (UTF-8, then Windows-1252)
_UNKNOWN_CHARSETS = frozenset(
    {"unknown-8bit", "x-unknown", "unknown", "invalid", "x-user-defined", "default", "8bit"}
    | {"charset", "none", "binary", "7bit", "x-binaryenc", "_autodetect_all", "auto"}
)
_WESTERN = frozenset({"ascii", "cp1252"})
_NOT_MAIL_CODECS = frozenset(
    {"unicode-escape", "raw-unicode-escape", "idna", "punycode", "undefined", "mbcs", "oem"}
)
_ENCODED_WORD = re.compile(r"=\?([^?\s]{1,64})\?([bBqQ])\?([^?]*)\?=")
_SPACED_HEADER_NAME = re.compile(rb"^([!-9;-~]{1,76})[ \t]{1,20}:", re.MULTILINE)
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_ID_TOKEN = re.compile(r"<[^<>]{0,998}>|[^\s,<>]+")
_SIMPLE_ADDRESS = re.compile(
    r"\s*(?:([^<>@,:]{0,200})<([^<>@\s,:]{1,200}@[^<>@\s,:]{1,255})>"
    r"|([^<>@\s,:]{1,200}@[^<>@\s,:]{1,255}))\s*$"
)
_ADDRESS_LIKE = re.compile(r"[^\s<>()\[\]@,;:\"']{1,200}@[^\s<>()\[\]@,;:\"']{1,255}")
_CHARSET_PARAM = re.compile(r"""charset\s{0,5}=\s{0,5}["']?([^"';\s]{1,60})""", re.I)
_META_CHARSET = re.compile(rb"""charset\s{0,5}=\s{0,5}["']?([A-Za-z0-9_.:-]{1,40})""", re.I)
_HIDDEN_ELEMENTS = tuple(
    (re.compile(rf"<{tag}\b", re.I), re.compile(rf"</{tag}\s{{0,10}}>", re.I))
    for tag in ("script", "style", "head", "title", "template", "noscript")
)
_BLOCKQUOTE_TAG = re.compile(r"<(/?)blockquote\b[^<>]{0,2000}>", re.I)
_LIST_ITEM_TAG = re.compile(r"<li\b[^<>]{0,2000}>", re.I)
_BREAK_TAG = re.compile(
    r"</?(?:br|p|div|tr|table|thead|tbody|h[1-6]|ul|ol|dl|dt|dd|hr|pre|center|section"
    r"|article|header|footer|address|form|fieldset|figure|caption)\b[^<>]{0,2000}>",
    re.I,
)
_CELL_END_TAG = re.compile(r"</t[dh]\s{0,10}>", re.I)
_ANY_TAG = re.compile(r"</?[a-zA-Z!?][^<>]{0,2000}>")
_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
_WANTED_HEADERS = frozenset(  # kept in ParsedMessage.headers even past MAX_HEADERS
    {"from", "sender", "to", "cc", "reply-to", "subject", "date", "content-type"}
    | {"message-id", "in-reply-to", "references", "return-path", "x-failed-recipients"}
    | {"auto-submitted", "precedence", "list-id", "list-unsubscribe", "x-autoreply"}
    | {"x-autorespond", "x-auto-response-suppress"}
    | {"content-transfer-encoding", "content-disposition"}
)
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
class _Leaves:
    """The MIME leaves of a message, sorted by role."""

    parts: list[Message] = field(default_factory=list)  # every part visited
    plain: list[Message] = field(default_factory=list)
    html: list[Message] = field(default_factory=list)
    attachments: list[Message] = field(default_factory=list)
    reports: list[Message] = field(default_factory=list)
    enclosed_headers: list[Message] = field(default_factory=list)


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
    plain = _plain_single_part(raw) if obj is None else None
    msg: Message | None = None
    if plain is not None:
        first = plain.first
    else:
        msg, first = _parse_headers(raw, obj=obj, defects=defects)
    raw_sha256 = hashlib.sha256(raw).hexdigest()
    headers = {
        name: _clip(_decode_header(value, defects), MAX_HEADER_VALUE)
        for name, value in first.items()
    }
    message_id = _first_id(first.get("message-id", ""))
    if not message_id:
        defects.append("missing Message-ID")
    from_name, from_email = _first_address(first.get("from", ""), defects)
    if not from_email:
        defects.append("missing From" if "from" not in first else "unparseable From")

    attachments: list[ParsedAttachment] = []
    delivery_status: list[dict[str, str]] | None = None
    original_message_id: str | None = None
    if msg is None:
        assert plain is not None
        text, html = _plain_body(plain, defects)
    else:
        leaves = _collect_leaves(msg, defects)
        text, html = _body(leaves, defects)
        attachments = [
            _attachment(
                part,
                n,
                max_bytes=max_attachment_bytes,
                keep=keep_attachment_content,
                defects=defects,
            )
            for n, part in enumerate(leaves.attachments, start=1)
        ]
        delivery_status = _delivery_status(leaves.reports, defects)
        original_message_id = _enclosed_message_id(leaves, defects)
        for part in leaves.parts:  # after decoding: payload decoding adds defects too
            defects.extend(type(defect).__name__ for defect in getattr(part, "defects", ()))
    return ParsedMessage(
        message_id=message_id or f"sha256-{raw_sha256}@desk.invalid",
        synthetic_message_id=not message_id,
        in_reply_to=_first_id(first.get("in-reply-to", "")) or None,
        references=parse_references(first.get("references", "")),
        from_email=from_email,
        from_name=from_name,
        to=_addresses(first.get("to", ""), defects),
        cc=_addresses(first.get("cc", ""), defects),
        reply_to=_addresses(first.get("reply-to", ""), defects),
        subject=_clean_text(headers.get("subject", "")).replace("\n", " ").strip(),
        date=_parse_date(headers.get("date", ""), defects),
        text=text,
        reply_text=strip_reply(text) if text and strip_quotes else "",
        html=html,
        attachments=attachments,
        headers=headers,
        auto_submitted=headers.get("auto-submitted", "").strip() or None,
        defects=_unique(defects)[:MAX_DEFECTS],
        raw_size=len(raw),
        raw_sha256=raw_sha256,
        delivery_status=delivery_status,
        original_message_id=original_message_id,
    )


@dataclass(frozen=True, slots=True)
class _PlainPart:
    """A message that is one text/plain or text/html part, read without a ``Message``."""

    first: dict[str, str]
    data: bytes  # the body with its transfer encoding undone
    charset: str | None
    html: bool


_BODY_HEADERS = frozenset({"content-type", "content-transfer-encoding", "content-disposition"})
_UNENCODED = frozenset({"", "7bit", "8bit", "binary"})


def _plain_single_part(raw: bytes) -> _PlainPart | None:
    """Most mail is one text part with plain header values: its body is read here, straight
    from the bytes, exactly as the ``Message`` path below would read it (the tests compare
    the two on every corpus mail). Anything else is None and goes that way: multipart and
    message/* mail, other types, an attachment disposition, base64 or uuencode, RFC 2231
    parameters, and folded or non-ASCII values of the three headers consulted."""
    split = split_message(raw)
    if split is None:
        return None
    folded: set[str] = set()
    first = _first_headers(split.fields, folded)
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
        charset = _charset_param(content_type)
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
        charset = _meta_charset(data)
    return _PlainPart(first, data, charset, html)


def _plain_body(plain: _PlainPart, defects: list[str]) -> tuple[str, str | None]:
    """``_body`` for a ``_PlainPart``."""
    text = _decode_bytes(plain.data, plain.charset, defects=defects)
    return _body_of([] if plain.html else [text], [text] if plain.html else [], defects)


def _parse_headers(
    raw: bytes, *, obj: Message | None, defects: list[str]
) -> tuple[Message, dict[str, str]]:
    """The message object and its first raw header values; ParseError if it has no headers."""
    if not raw or not raw.strip():
        raise ParseError("empty message", size=len(raw or b""))
    msg = obj if obj is not None else _parse_bytes(raw, defects)
    first = _first_headers(msg.raw_items())
    if not first and raw[:1].isspace():
        msg = _parse_bytes(raw.lstrip(), defects)
        first = _first_headers(msg.raw_items())
    if not first:
        repaired = _repair_header_names(raw)
        if repaired is not None:
            msg = _parse_bytes(repaired, defects)
            first = _first_headers(msg.raw_items())
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


def _body(leaves: _Leaves, defects: list[str]) -> tuple[str, str | None]:
    """(text, original HTML): text/plain parts, else the HTML parts converted to text."""
    return _body_of(
        [_part_text(p, defects) for p in leaves.plain],
        [_part_text(p, defects) for p in leaves.html],
        defects,
    )


def _body_of(
    plain_texts: list[str], html_texts: list[str], defects: list[str]
) -> tuple[str, str | None]:
    """``_body`` from the decoded text of the plain and HTML parts."""
    plain = [t for t in plain_texts if t.strip()]
    html = [t for t in html_texts if t.strip()]
    if plain:
        text = "\n".join(plain)
    elif html:
        text = "\n".join(html_to_text(h, defects) for h in html)
    else:
        text = ""
    return _clean_text(text), _clean_text(html[0]) if html else None


# --- headers -------------------------------------------------------------------------------


def _first_headers(
    fields: Iterable[tuple[str, Any]], folded: set[str] | None = None
) -> dict[str, str]:
    """First raw value of each header (unfolded), lower-case names, at most MAX_HEADERS;
    the names whose value was folded are added to ``folded`` when given."""
    first: dict[str, str] = {}
    for name, value in fields:
        key = str(name).strip().lower()
        if not key or key in first:
            continue
        if len(first) >= MAX_HEADERS and key not in _WANTED_HEADERS:
            continue
        value = str(value)[:MAX_HEADER_DECODE]
        if "\n" in value:
            value = _FOLD.sub("", value)
            if folded is not None:
                folded.add(key)
        first[key] = value
    return first


def _repair_header_names(raw: bytes) -> bytes | None:
    """``Name :value`` (space before the colon) made ``Name:value``, in the header section."""
    end = min(len(raw), MAX_HEADER_DECODE)
    for separator in (b"\r\n\r\n", b"\n\n"):
        found = raw.find(separator, 0, end)
        if found != -1:
            end = found
            break
    head, count = _SPACED_HEADER_NAME.subn(rb"\1:", raw[:end])
    return head + raw[end:] if count else None


def _decode_header(value: str, defects: list[str]) -> str:
    """A header value as text: RFC 2047 encoded words and raw 8-bit bytes decoded."""
    if "=?" in value:
        value = decode_encoded_words(value, defects)
    elif not value.isascii():
        value = _text_of(value, defects)
    if "\x00" in value:
        value = value.replace("\x00", "")
    return value.strip()


def _text_of(value: str, defects: list[str]) -> str:
    """Undo the parser's surrogate escapes: raw 8-bit header bytes decoded (UTF-8, cp1252)."""
    if value.isascii():
        return value
    return _decode_bytes(value.encode("utf-8", "surrogateescape"), None, defects=defects)


def decode_encoded_words(value: str, defects: list[str]) -> str:
    """Decode RFC 2047 ``=?charset?B|Q?...?=`` words; whitespace between two words is dropped.

    Adjacent words in the same charset are joined as bytes first (encoders split multi-byte
    characters across words).
    """
    out: list[str] = []
    pending = bytearray()
    pending_charset: str | None = None
    last = 0
    for match in _ENCODED_WORD.finditer(value):
        gap = value[last : match.start()]
        if gap and not (pending_charset is not None and gap.isspace()):
            if pending_charset is not None:
                out.append(_decode_bytes(bytes(pending), pending_charset, defects=defects))
                pending, pending_charset = bytearray(), None
            out.append(_text_of(gap, defects))
        charset = match.group(1).split("*", 1)[0].lower()
        data = _decode_word(match.group(2), match.group(3))
        if data is None:
            defects.append("bad encoded word in header")
            if pending_charset is not None:
                out.append(_decode_bytes(bytes(pending), pending_charset, defects=defects))
                pending, pending_charset = bytearray(), None
            out.append(_text_of(match.group(0), defects))
        else:
            if pending_charset is not None and pending_charset != charset:
                out.append(_decode_bytes(bytes(pending), pending_charset, defects=defects))
                pending = bytearray()
            pending_charset = charset
            pending += data
        last = match.end()
    if pending_charset is not None:
        out.append(_decode_bytes(bytes(pending), pending_charset, defects=defects))
    out.append(_text_of(value[last:], defects))
    return "".join(out)


def _decode_word(encoding: str, payload: str) -> bytes | None:
    try:
        if encoding in "bB":
            payload = payload.strip()
            try:
                return base64.b64decode(payload + "=" * (-len(payload) % 4))
            except (binascii.Error, ValueError):
                return base64.b64decode(payload[: len(payload) // 4 * 4])
        return binascii.a2b_qp(payload.encode("utf-8", "surrogateescape"), header=True)
    except (binascii.Error, ValueError):
        return None


def _first_id(value: str) -> str:
    """The first message id in a Message-ID / In-Reply-To value, without angle brackets."""
    ids = _ids(value, first_only=True)
    return ids[0] if ids else ""


def parse_references(value: str) -> list[str]:
    """References as bare ids, oldest first; tolerates commas, missing brackets, folding."""
    ids = _unique(_ids(value, first_only=False))
    if len(ids) > MAX_REFERENCES:  # keep the root and the most recent ones
        ids = ids[:1] + ids[-(MAX_REFERENCES - 1) :]
    return ids


def _ids(value: str, *, first_only: bool) -> list[str]:
    """Message ids in order: ``<bracketed>`` ones, and bare tokens that contain "@"."""
    if not value:
        return []
    if not value.isascii():
        value = value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    bracketed: list[str] = []
    bare: list[str] = []
    ordered: list[str] = []
    for token in _ID_TOKEN.findall(value):
        if token.startswith("<"):
            found, kind = _clean_id("".join(token[1:-1].split())), bracketed
        elif "@" in token and "(" not in token and ")" not in token:
            found, kind = _clean_id(token), bare
        else:
            continue
        if found:
            kind.append(found)
            ordered.append(found)
    if not first_only:
        return ordered
    if bracketed or bare:
        return (bracketed or bare)[:1]
    tokens = value.split()
    only = _clean_id(tokens[0].strip("<>")) if len(tokens) == 1 else ""
    return [only] if only else []  # an id without "@" is still an id


def _clean_id(found: str) -> str:
    if not found.isprintable() or "<" in found or ">" in found:
        found = "".join(ch for ch in found if ch.isprintable() and ch not in "<>")
    return found[:MAX_ID_CHARS]


def _addresses(value: str, defects: list[str]) -> list[str]:
    return [addr for _, addr in _address_pairs(value, defects)]


def _first_address(value: str, defects: list[str]) -> tuple[str, str]:
    pairs = _address_pairs(value, defects)
    if pairs:
        return pairs[0]
    name = _decode_header(value, defects) if value else ""
    return name, ""


def _address_pairs(value: str, defects: list[str]) -> list[tuple[str, str]]:
    """(decoded display name, lower-case address) for each address in a header value."""
    if not value or not value.strip():
        return []
    pairs = _simple_addresses(value)
    if pairs is None:
        try:
            pairs = email.utils.getaddresses([value])
        except Exception:  # the stdlib address parser has raised on hostile input before
            pairs = []
            defects.append("unparseable address header")
    out = [
        (_decode_header(name, defects).strip('"').strip(), _clean_address(addr, defects))
        for name, addr in pairs
    ]
    out = [(name, addr) for name, addr in out if "@" in addr]
    if not out:
        match = _ADDRESS_LIKE.search(_text_of(value, defects))
        if match:
            out.append(("", _clean_address(match.group(0), defects)))
    return out


def _clean_address(addr: str, defects: list[str]) -> str:
    addr = _text_of(addr, defects).strip().strip("<>").strip().lower()
    return addr if addr.isprintable() else "".join(ch for ch in addr if ch.isprintable())


def _simple_addresses(value: str) -> list[tuple[str, str]] | None:
    """Fast path for the common shapes (``a@b``, ``Name <a@b>``, comma lists of them)."""
    if '"' in value or "(" in value or "\\" in value or ";" in value:
        return None
    found = []
    for piece in value.split(","):
        match = _SIMPLE_ADDRESS.match(piece)
        if match is None:
            return None
        name, bracketed, bare = match.groups()
        found.append(((name or "").strip(), bracketed or bare))
    return found


def _parse_date(value: str, defects: list[str]) -> datetime | None:
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        defects.append(f"unparseable Date: {value[:60]}")
        return None
    if parsed is None:
        defects.append(f"unparseable Date: {value[:60]}")
        return None
    try:
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        defects.append(f"Date out of range: {value[:60]}")
        return None


# --- charsets --------------------------------------------------------------------------------


def _decode_bytes(data: bytes, charset: str | None, *, defects: list[str]) -> str:
    """Bytes to text with the declared charset, falling back to UTF-8, Windows-1252, Latin-1."""
    if not data:
        return ""
    declared = _normalise_charset(charset)
    if data.isascii() and not _ascii_unsafe(declared):
        return data.decode("ascii")
    if charset and declared and _codec(declared) is None:
        defects.append(f"unknown charset {_printable(charset)!r}")
        declared = None
    if declared in _WESTERN and _is_utf8(data):
        defects.append(f"charset {_printable(charset)} declared, content is UTF-8")
        return data.decode("utf-8")
    for name in (declared, "utf-8", "cp1252"):
        if name is None:
            continue
        try:
            text = data.decode(name)
        except (ValueError, LookupError):  # UnicodeDecodeError, and odd codecs' errors
            continue
        if declared and name != declared:
            defects.append(f"text not valid {_printable(charset)}, decoded as {name}")
        return _without_surrogates(text)
    if declared:
        defects.append(f"text not valid {_printable(charset)}, decoded as latin-1")
    return data.decode("latin-1")


def _without_surrogates(text: str) -> str:
    """UTF-7 (and friends) can decode to lone surrogates, which no database will store."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text


def _normalise_charset(charset: str | None) -> str | None:
    """A Python codec name for a declared charset, or None (unknown: guess)."""
    if not charset:
        return None
    name = str(charset).strip().strip("\"'").lower()
    if not name or name in _UNKNOWN_CHARSETS:
        return None
    name = _CHARSET_ALIASES.get(name, name)
    if _codec(name) is None and name.startswith("x-"):
        return _CHARSET_ALIASES.get(name[2:], name[2:])
    return name


def _codec(name: str) -> str | None:
    """The codec's canonical name if ``name`` is a text encoding fit for mail, else None."""
    if not name.isascii() or not name.isprintable() or len(name) > 40:
        return None
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_MAIL_CODECS:
        return None
    return info.name


def _printable(value: str | None) -> str:
    return "".join(ch for ch in str(value)[:40] if ch.isprintable() and ch.isascii())


def _ascii_unsafe(charset: str | None) -> bool:
    """Charsets whose ASCII-looking bytes are not ASCII text (UTF-7, ISO-2022, UTF-16)."""
    return charset is not None and any(
        tag in charset for tag in ("2022", "utf-7", "utf7", "16", "32", "hz")
    )


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# --- MIME structure --------------------------------------------------------------------------


def _collect_leaves(msg: Message, defects: list[str]) -> _Leaves:
    """Walk the MIME tree (not into attached messages) and sort leaves by role."""
    leaves = _Leaves()
    stack: list[tuple[Message, bool, int]] = [(msg, False, 0)]
    while stack:
        part, in_alternative, depth = stack.pop()
        leaves.parts.append(part)
        ctype = _content_type(part)
        if ctype.startswith("multipart/"):
            if depth >= MAX_DEPTH:
                defects.append("MIME nesting too deep")
                continue
            alternative = ctype == "multipart/alternative"
            stack.extend((c, alternative, depth + 1) for c in reversed(_subparts(part)))
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


def _content_type(part: Message) -> str:
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
    data = _payload_bytes(part, defects)
    charset = _charset(part)
    if charset is None and _content_type(part) == "text/html":
        charset = _meta_charset(data)
    return _decode_bytes(data, charset, defects=defects)


def _meta_charset(html: bytes) -> str | None:
    """The charset an HTML body declares in its first 4 KB (``<meta charset=...>``)."""
    match = _META_CHARSET.search(html[:4096])
    return match.group(1).decode("ascii") if match else None


def _charset(part: Message) -> str | None:
    value = part.get("content-type")
    if isinstance(value, str) and "*" not in value:
        return _charset_param(value)
    try:
        return part.get_content_charset()
    except Exception:
        return None


def _charset_param(content_type: str) -> str | None:
    """The charset parameter of a Content-Type value without RFC 2231 parts, lower-case."""
    match = _CHARSET_PARAM.search(content_type)
    return match.group(1).lower() if match else None


def _payload_bytes(part: Message, defects: list[str]) -> bytes:
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


def _subparts(part: Message) -> list[Message]:
    """The parts inside a multipart or message/* part (no payload decoding involved)."""
    if not part.is_multipart():
        return []
    payload = part.get_payload()
    return [p for p in payload if isinstance(p, Message)] if isinstance(payload, list) else []


def _message_bytes(part: Message, defects: list[str]) -> bytes:
    """An attached message/rfc822 as bytes."""
    inner = _subparts(part)
    if inner:
        try:
            return inner[0].as_bytes()
        except Exception as exc:  # the generator refuses some broken headers
            defects.append(f"attached message re-serialised loosely: {type(exc).__name__}")
            return _loose_bytes(inner[0], 0)
    return _payload_bytes(part, defects)


def _loose_bytes(msg: Message, depth: int) -> bytes:
    """A message as bytes without the stdlib generator's checks (for broken messages)."""
    head = "".join(f"{name}: {value}\n" for name, value in msg.raw_items())
    head_bytes = head.encode("utf-8", "surrogateescape")
    inner = _subparts(msg)
    if not inner or depth >= MAX_DEPTH:
        return head_bytes + b"\n" + _payload_bytes(msg, [])
    try:
        boundary = (msg.get_boundary() or "part").encode("utf-8", "surrogateescape")
    except Exception:
        boundary = b"part"
    body = b"".join(b"--" + boundary + b"\n" + _loose_bytes(p, depth + 1) + b"\n" for p in inner)
    return head_bytes + b"\n" + body + b"--" + boundary + b"--\n"


# --- attachments -----------------------------------------------------------------------------


def _attachment(
    part: Message, index: int, *, max_bytes: int, keep: bool, defects: list[str]
) -> ParsedAttachment:
    ctype = _content_type(part)
    if ctype in _ENCAPSULATED:
        data = _message_bytes(part, defects)
    else:
        data = _payload_bytes(part, defects)
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
        name = _decode_bytes(name.encode("utf-8", "surrogateescape"), None, defects=defects)
    if "=?" in name:
        name = decode_encoded_words(name, defects)
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch >= " " and ch != "\x7f").strip()
    return name[:255]


def _default_name(part: Message, ctype: str, *, index: int, defects: list[str]) -> str:
    if ctype in _ENCAPSULATED:
        inner = _subparts(part)
        subject = (
            _decode_header(_first_headers(inner[0].raw_items()).get("subject", ""), defects)
            if inner
            else ""
        )
        safe = "".join(ch for ch in subject if ch.isalnum() or ch in " -_.,")[:80].strip()
        return f"{safe or 'message'}.eml"
    extension = mimetypes.guess_extension(ctype, strict=False) or ".bin"
    return f"attachment-{index}{extension}"


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0")


# --- reports (bounces) -----------------------------------------------------------------------


def _delivery_status(reports: list[Message], defects: list[str]) -> list[dict[str, str]] | None:
    """Field groups of the first message/delivery-status part: per-message, then per recipient."""
    if not reports:
        return None
    blocks = _subparts(reports[0])
    groups: list[dict[str, str]] = []
    if blocks:
        for block in blocks:
            fields = {
                k: _decode_header(v, defects) for k, v in _first_headers(block.raw_items()).items()
            }
            if fields:
                groups.append(fields)
    else:
        text = _decode_bytes(_payload_bytes(reports[0], defects), None, defects=defects)
        groups = _status_groups(text)
    return groups


def _status_groups(text: str) -> list[dict[str, str]]:
    """Parse delivery-status text ("Name: value" blocks separated by blank lines)."""
    groups: list[dict[str, str]] = []
    current: dict[str, str] = {}
    last = ""
    for line in text[:100_000].replace("\r\n", "\n").split("\n"):
        if not line.strip():
            if current:
                groups.append(current)
            current, last = {}, ""
        elif line[:1] in " \t" and last:
            current[last] += " " + line.strip()
        elif ":" in line:
            name, _, value = line.partition(":")
            last = name.strip().lower()
            current.setdefault(last, value.strip())
    if current:
        groups.append(current)
    return groups


def _enclosed_message_id(leaves: _Leaves, defects: list[str]) -> str | None:
    """Message-ID of the first attached message or text/rfc822-headers part."""
    for part in leaves.enclosed_headers:
        inner = _subparts(part)
        if inner:
            found = _first_id(_first_headers(inner[0].raw_items()).get("message-id", ""))
        else:
            text = _decode_bytes(_payload_bytes(part, defects), None, defects=defects)
            found = _message_id_in_text(text)
        if found:
            return found
    return None


def _message_id_in_text(text: str) -> str:
    for line in _FOLD.sub("", text[:200_000].replace("\r\n", "\n")).split("\n"):
        if line[:11].lower() == "message-id:":
            return _first_id(line[11:])
    return ""


# --- HTML ------------------------------------------------------------------------------------


def html_to_text(html: str, defects: list[str]) -> str:
    """HTML as plain text for reading and triage: never tags, scripts or styles.

    A linear scan built from ``str.find`` and bounded regexes, 50-100x faster than
    html2text or HTMLParser on newsletter-sized HTML (this runs in the ingest hot path).
    Blockquotes come out as ``>`` lines so quote stripping still sees them.
    """
    if len(html) > MAX_HTML_CHARS:
        defects.append("HTML over 1 MB, converted in part")
        html = html[:MAX_HTML_CHARS]
    html = _drop_between(html, opening="<!--", closing="-->")
    for opening, closing in _HIDDEN_ELEMENTS:
        html = _drop_elements(html, opening=opening, closing=closing)
    out: list[str] = []
    depth = last = 0
    for match in _BLOCKQUOTE_TAG.finditer(html):
        out.append(_quote_lines(_html_fragment_to_text(html[last : match.start()]), depth))
        depth = max(0, depth - 1) if match.group(1) else depth + 1
        last = match.end()
    out.append(_quote_lines(_html_fragment_to_text(html[last:]), depth))
    text = _BLANK_LINES.sub("\n\n", "\n".join(out))
    return text.strip() + "\n" if text.strip() else ""


def _html_fragment_to_text(fragment: str) -> str:
    fragment = " ".join(fragment.split())  # source line breaks mean nothing in HTML
    fragment = _LIST_ITEM_TAG.sub("\n- ", fragment)
    fragment = _BREAK_TAG.sub("\n", fragment)
    fragment = _CELL_END_TAG.sub(" ", fragment)
    fragment = _ANY_TAG.sub("", fragment)
    text = html_module.unescape(fragment).replace("\xa0", " ")
    return "\n".join(line.strip() for line in text.split("\n"))


def _quote_lines(text: str, depth: int) -> str:
    if not depth:
        return text
    marker = ">" * depth + " "
    return "\n".join(marker + line if line else line for line in text.split("\n"))


def _drop_between(html: str, *, opening: str, closing: str) -> str:
    """Remove every ``opening ... closing`` span (to the end when unclosed)."""
    if opening not in html:
        return html
    kept: list[str] = []
    pos = 0
    while True:
        start = html.find(opening, pos)
        if start == -1:
            kept.append(html[pos:])
            break
        kept.append(html[pos:start])
        end = html.find(closing, start + len(opening))
        if end == -1:
            break
        pos = end + len(closing)
    return "".join(kept)


def _drop_elements(html: str, *, opening: re.Pattern[str], closing: re.Pattern[str]) -> str:
    """Remove each element matched by ``opening`` up to its ``closing`` tag, content included."""
    kept: list[str] = []
    pos = 0
    while True:
        start = opening.search(html, pos)
        if start is None:
            kept.append(html[pos:])
            break
        kept.append(html[pos : start.start()])
        end = closing.search(html, start.end())
        if end is None:
            break
        pos = end.end()
    return "".join(kept)


# --- helpers ---------------------------------------------------------------------------------


def _clean_text(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        text = text.replace("\x00", "")
    return text


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit]


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
