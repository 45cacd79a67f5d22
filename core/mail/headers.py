"""Header values: RFC 2047 encoded words, addresses, message ids, dates, the first value of
each header. Tolerant: oddities become defects (appended to the caller's list), never errors.
"""

from __future__ import annotations

import base64
import binascii
import email.utils
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from core.mail.charsets import decode_bytes

MAX_HEADERS = 60  # distinct header names kept in ParsedMessage.headers
MAX_HEADER_VALUE = 2000  # characters kept per header value in ParsedMessage.headers
MAX_HEADER_DECODE = 65_536  # characters of one header considered at all
MAX_REFERENCES = 100
MAX_ID_CHARS = 998  # a message id longer than a header line is cut
_ENCODED_WORD = re.compile(r"=\?([^?\s]{1,64})\?([bBqQ])\?([^?]*)\?=")
_SPACED_HEADER_NAME = re.compile(rb"^([!-9;-~]{1,76})[ \t]{1,20}:", re.MULTILINE)
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_ID_TOKEN = re.compile(r"<[^<>]{0,998}>|[^\s,<>]+")
_SIMPLE_ADDRESS = re.compile(
    r"\s*(?:([^<>@,:]{0,200})<([^<>@\s,:]{1,200}@[^<>@\s,:]{1,255})>"
    r"|([^<>@\s,:]{1,200}@[^<>@\s,:]{1,255}))\s*$"
)
_ADDRESS_LIKE = re.compile(r"[^\s<>()\[\]@,;:\"']{1,200}@[^\s<>()\[\]@,;:\"']{1,255}")
_WANTED_HEADERS = frozenset(  # kept in ParsedMessage.headers even past MAX_HEADERS
    {"from", "sender", "to", "cc", "reply-to", "subject", "date", "content-type"}
    | {"message-id", "in-reply-to", "references", "return-path", "x-failed-recipients"}
    | {"auto-submitted", "precedence", "list-id", "list-unsubscribe", "x-autoreply"}
    | {"x-autorespond", "x-auto-response-suppress"}
    | {"content-transfer-encoding", "content-disposition"}
)


def unfold(value: str) -> str:
    """A header value (or a block of header lines) with its folding undone."""
    return _FOLD.sub("", value)


def first_headers(
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


def repair_header_names(raw: bytes) -> bytes | None:
    """``Name :value`` (space before the colon) made ``Name:value``, in the header section."""
    end = min(len(raw), MAX_HEADER_DECODE)
    for separator in (b"\r\n\r\n", b"\n\n"):
        found = raw.find(separator, 0, end)
        if found != -1:
            end = found
            break
    head, count = _SPACED_HEADER_NAME.subn(rb"\1:", raw[:end])
    return head + raw[end:] if count else None


def decode_header(value: str, defects: list[str]) -> str:
    """A header value as text: RFC 2047 encoded words and raw 8-bit bytes decoded."""
    if "=?" in value:
        value = decode_encoded_words(value, defects)
    elif not value.isascii():
        value = text_of(value, defects)
    if "\x00" in value:
        value = value.replace("\x00", "")
    return value.strip()


def text_of(value: str, defects: list[str]) -> str:
    """Undo the parser's surrogate escapes: raw 8-bit header bytes decoded (UTF-8, cp1252)."""
    if value.isascii():
        return value
    return decode_bytes(value.encode("utf-8", "surrogateescape"), None, defects=defects)


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
                out.append(decode_bytes(bytes(pending), pending_charset, defects=defects))
                pending, pending_charset = bytearray(), None
            out.append(text_of(gap, defects))
        charset = match.group(1).split("*", 1)[0].lower()
        data = _decode_word(match.group(2), match.group(3))
        if data is None:
            defects.append("bad encoded word in header")
            if pending_charset is not None:
                out.append(decode_bytes(bytes(pending), pending_charset, defects=defects))
                pending, pending_charset = bytearray(), None
            out.append(text_of(match.group(0), defects))
        else:
            if pending_charset is not None and pending_charset != charset:
                out.append(decode_bytes(bytes(pending), pending_charset, defects=defects))
                pending = bytearray()
            pending_charset = charset
            pending += data
        last = match.end()
    if pending_charset is not None:
        out.append(decode_bytes(bytes(pending), pending_charset, defects=defects))
    out.append(text_of(value[last:], defects))
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


def first_id(value: str) -> str:
    """The first message id in a Message-ID / In-Reply-To value, without angle brackets."""
    ids = _ids(value, first_only=True)
    return ids[0] if ids else ""


def parse_references(value: str) -> list[str]:
    """References as bare ids, oldest first; tolerates commas, missing brackets, folding."""
    ids = list(dict.fromkeys(_ids(value, first_only=False)))
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


def addresses(value: str, defects: list[str]) -> list[str]:
    return [addr for _, addr in _address_pairs(value, defects)]


def first_address(value: str, defects: list[str]) -> tuple[str, str]:
    pairs = _address_pairs(value, defects)
    if pairs:
        return pairs[0]
    name = decode_header(value, defects) if value else ""
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
        (decode_header(name, defects).strip('"').strip(), _clean_address(addr, defects))
        for name, addr in pairs
    ]
    out = [(name, addr) for name, addr in out if "@" in addr]
    if not out:
        match = _ADDRESS_LIKE.search(text_of(value, defects))
        if match:
            out.append(("", _clean_address(match.group(0), defects)))
    return out


def _clean_address(addr: str, defects: list[str]) -> str:
    addr = text_of(addr, defects).strip().strip("<>").strip().lower()
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


def parse_date(value: str, defects: list[str]) -> datetime | None:
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
