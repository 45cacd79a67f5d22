"""Machine reports: delivery-status notifications (bounces) and the mail they enclose.

``delivery_status`` reads the field groups of a message/delivery-status part;
``enclosed_message_id`` and ``message_id_in_text`` find the Message-ID of the mail that
bounced, which threads the bounce to its ticket (``core.mail.loopguard`` uses the latter for
bounces that quote the original only as text).
"""

from __future__ import annotations

from email.message import Message

from core.mail.charsets import decode_bytes
from core.mail.headers import decode_header, first_headers, first_id, unfold
from core.mail.mime import Leaves, payload_bytes, subparts

MAX_ID_SCAN = 200_000  # characters of a part's text searched for a Message-ID line


def delivery_status(reports: list[Message], defects: list[str]) -> list[dict[str, str]] | None:
    """Field groups of the first message/delivery-status part: per-message, then per recipient."""
    if not reports:
        return None
    blocks = subparts(reports[0])
    groups: list[dict[str, str]] = []
    if blocks:
        for block in blocks:
            fields = {
                k: decode_header(v, defects) for k, v in first_headers(block.raw_items()).items()
            }
            if fields:
                groups.append(fields)
    else:
        text = decode_bytes(payload_bytes(reports[0], defects), None, defects=defects)
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


def enclosed_message_id(leaves: Leaves, defects: list[str]) -> str | None:
    """Message-ID of the first attached message or text/rfc822-headers part."""
    for part in leaves.enclosed_headers:
        inner = subparts(part)
        found: str | None
        if inner:
            found = first_id(first_headers(inner[0].raw_items()).get("message-id", ""))
        else:
            text = decode_bytes(payload_bytes(part, defects), None, defects=defects)
            found = message_id_in_text(text)
        if found:
            return found
    return None


def message_id_in_text(text: str, *, limit: int = MAX_ID_SCAN) -> str | None:
    """The id of the first ``Message-ID:`` header line in ``text`` (its first ``limit``
    characters): the headers of a bounced mail quoted in a bounce, or a text/rfc822-headers
    part. Folded lines are unfolded; the id comes without angle brackets."""
    for line in unfold(text[:limit].replace("\r\n", "\n")).split("\n"):
        if line[:11].lower() == "message-id:" and (found := first_id(line[11:])):
            return found
    return None
