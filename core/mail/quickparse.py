"""A fast path for the stdlib compat32 parse of plain single-part mail.

``email.message_from_bytes`` walks every line of a message through its feed parser, and most
of its time goes on the header block. For a message whose header block is nothing but
well-formed ``Name: value`` fields (with folded continuations, optionally after an mbox
``From `` line) and whose Content-Type is not multipart or message/*, the result is fully
determined by a split at the first blank line: this module builds that same ``Message``
(same raw header pairs, same unixfrom, same payload string, no defects) from one split of
the header block into fields (``split_message``, which the parser also reads single text
parts from directly). Anything else returns ``None`` and the caller uses the stdlib
parser, which handles every irregular case (and records its defects).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message

# By line-break width: a line break, a field name of printable ASCII without ":" and its
# colon, and the blanks after it: where a field starts (the value runs to the next start,
# folded continuation lines and their line breaks included, as compat32 keeps them).
_FIELD_START = {1: re.compile(r"\n([!-9;-~]+):[ \t]*"), 2: re.compile(r"\r\n([!-9;-~]+):[ \t]*")}
# A line break followed neither by a blank (a continuation line) nor by a field start.
_IRREGULAR_LINE = {
    1: re.compile(r"\n(?![ \t]|[!-9;-~]+:)"),
    2: re.compile(r"\r\n(?![ \t]|[!-9;-~]+:)"),
}
_EOL = {1: "\n", 2: "\r\n"}
_STDLIB_ONLY_TYPES = ("multipart", "message")  # the feed parser parses their bodies


@dataclass(frozen=True, slots=True)
class SplitMessage:
    """A message with a regular header block, as the feed parser reads it."""

    unixfrom: str | None  # an mbox ``From `` line, without its line break
    fields: list[tuple[str, str]]  # (name, value) in order, folded lines kept
    body: bytes  # everything after the blank line


def split_message(raw: bytes) -> SplitMessage | None:
    """``raw`` split at its first blank line into header fields and body, or None when its
    header block is not regular (see the module's docstring): the stdlib reads those."""
    # the first blank line, CRLF (mail from IMAP) or LF (files)
    crlf_end = raw.find(b"\n\r\n")
    end = raw.find(b"\n\n", 0, crlf_end if crlf_end >= 0 else len(raw))
    if end >= 0:
        skip = 2
    elif crlf_end >= 0:
        end, skip = crlf_end, 3
    else:
        return None  # headers only: rare, left to the stdlib
    head = raw[:end]
    eol = 1
    if b"\r" in head:  # every line break must then be CRLF: no bare CR or LF to interpret
        head = head.removesuffix(b"\r")
        breaks = head.count(b"\n")
        if head.count(b"\r") != breaks or head.count(b"\r\n") != breaks:
            return None
        eol = 2
    elif skip == 3:
        return None  # LF header lines, then a CRLF blank line
    text = head.decode("ascii", "surrogateescape")  # as the stdlib's BytesParser does
    unixfrom = None
    if text.startswith("From "):  # an mbox separator line: the stdlib keeps it as unixfrom
        newline = text.find("\n")
        if newline < 0:
            return None
        unixfrom = text[: newline + 1 - eol]
        text = text[newline + 1 :]
    fields = _fields(text, eol)
    if fields is None:
        return None
    return SplitMessage(unixfrom, fields, raw[end + skip :])


def quick_parse(raw: bytes) -> Message | None:
    """The compat32 ``Message`` the stdlib would build from ``raw``, or None when ``raw`` is
    not a plain single-part message with regular headers."""
    split = split_message(raw)
    if split is None:
        return None
    msg = Message()
    if split.unixfrom is not None:
        msg.set_unixfrom(split.unixfrom)
    # what set_raw() builds one field at a time (the stdlib keeps them in _headers)
    msg._headers = split.fields  # type: ignore[attr-defined]
    if msg.get_content_maintype() in _STDLIB_ONLY_TYPES:
        return None
    msg.set_payload(split.body.decode("ascii", "surrogateescape"))
    return msg


def _fields(text: str, eol: int) -> list[tuple[str, str]] | None:
    """(name, value) of each field of a header block, as the feed parser reads them: the
    value after the colon and its leading blanks. None when a line is neither a field
    start nor a continuation (no colon, a space before the colon, a continuation line
    first...): the stdlib handles those. Two regular expression passes, no loop per field."""
    text = _EOL[eol] + text
    if _IRREGULAR_LINE[eol].search(text):
        return None
    parts = _FIELD_START[eol].split(text)  # ["", name, value, name, value, ...]
    if parts[0]:
        return None
    return list(zip(parts[1::2], parts[2::2], strict=True))
