"""A fast path for the stdlib compat32 parse of plain single-part mail.

``email.message_from_bytes`` walks every line of a message through its feed parser, and most
of its time goes on the header block. For a message whose header block is nothing but
well-formed ``Name: value`` fields (with folded continuations, optionally after an mbox
``From `` line) and whose Content-Type is not multipart or message/*, the result is fully
determined by a split at the first blank line: this module builds that same ``Message``
(same raw header pairs, same unixfrom, same payload string, no defects) with two regular
expression passes. Anything else returns ``None`` and the caller uses the stdlib parser,
which handles every irregular case (and records its defects).
"""

from __future__ import annotations

import re
from email.message import Message

# A header field as the feed parser reads it: a name of printable ASCII without ":", the
# value after leading blanks, and the folded continuation lines (line breaks kept, as
# compat32 keeps them). Groups: the whole field, the name, the value.
_FIELD = re.compile(r"(([!-9;-~]+):[ \t]*([^\r\n]*(?:\r?\n[ \t][^\r\n]*)*))")
_STDLIB_ONLY_TYPES = ("multipart", "message")  # the feed parser parses their bodies


def quick_parse(raw: bytes) -> Message | None:
    """The compat32 ``Message`` the stdlib would build from ``raw``, or None when ``raw`` is
    not a plain single-part message with regular headers."""
    end = raw.find(b"\n\n")
    crlf_end = raw.find(b"\n\r\n", 0, end if end >= 0 else len(raw))
    if crlf_end >= 0:
        end, skip = crlf_end, 3
    elif end >= 0:
        skip = 2
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
    msg = Message()
    if text.startswith("From "):  # an mbox separator line: the stdlib keeps it as unixfrom
        newline = text.find("\n")
        if newline < 0:
            return None
        msg.set_unixfrom(text[: newline + 1 - eol])
        text = text[newline + 1 :]
    fields = _FIELD.findall(text)
    # Fields end just before a line break and cannot start on one, so they tile the block
    # exactly when their lengths and one line break between neighbours add up to it.
    if not fields or sum(len(f[0]) for f in fields) + (len(fields) - 1) * eol != len(text):
        return None
    for _, name, value in fields:
        msg.set_raw(name, value)
    if msg.get_content_maintype() in _STDLIB_ONLY_TYPES:
        return None
    msg.set_payload(raw[end + skip :].decode("ascii", "surrogateescape"))
    return msg
