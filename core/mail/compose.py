"""Outgoing replies, built without any I/O: the reply message and our signed Message-IDs.

``build_reply`` makes the ``EmailMessage`` a human approved: ``Re:`` once, the ticket tag
``[#123]`` once, the pre-generated Message-ID, ``In-Reply-To`` and ``References`` for the
customer's thread, a UTF-8 text/plain body (quoted-printable or base64) and no
``Auto-Submitted`` (a person approved it, so the customer's auto-replies may answer it).

``make_message_id`` / ``ticket_from_message_id``: our outgoing ids carry the ticket number
signed with HMAC-SHA256, ``desk.<ticket>.<random>.<mac>@<domain>``, so a reply that keeps
only ``References`` still finds its ticket and an edited or invented id does not.

Message ids are handled bare (``abc@example.com``) as ``core.mail.parsed`` stores them;
angle brackets in the input are accepted and stripped.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

# text/plain parts come out quoted-printable or base64 (never raw 8bit, which needs a
# server with 8BITMIME); header lines fold at 78 characters with CRLF, as SMTP wants.
POLICY = policy.SMTP.clone(cte_type="7bit")

MAX_REFERENCES = 20
TICKET_HEADER = "X-Desk-Ticket"

_REPLY_PREFIX = re.compile(
    r"^(?:\s*(?:re|aw|sv|svar|vs|antw|odp|ynt|rif|res|回复|回覆|答复)"
    r"(?:\s*\[\d+\]|\s*\(\d+\))?\s*[:：])+\s*",
    re.IGNORECASE,
)
# a msg-id as we are willing to put it in a header: printable ASCII, no space, no brackets
_MSG_ID = re.compile(r"[!-;=?-~]+@[!-;=?-~]+")
_TOKEN = re.compile(r"desk\.([1-9][0-9]{0,17})\.([0-9a-f]{16,64})\.([0-9a-f]{16})@[!-;=?-~]+")
_MAC_HEX = 16
_DOMAIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]")
# headers build_reply sets itself; extra_headers may not replace them
_OWN_HEADERS = frozenset(
    h.lower()
    for h in (
        "From",
        "To",
        "Subject",
        "Date",
        "Message-ID",
        "In-Reply-To",
        "References",
        TICKET_HEADER,
        "MIME-Version",
        "Content-Type",
        "Content-Transfer-Encoding",
        "Auto-Submitted",
    )
)
_HEADER_NAME = re.compile(r"[!-9;-~]+")


def build_reply(
    *,
    from_addr: str,
    from_name: str,
    to: str,
    subject: str,
    body: str,
    message_id: str,
    in_reply_to: str | None,
    references: list[str],
    ticket_id: int,
    date: datetime | None = None,
    extra_headers: dict[str, str] | None = None,
) -> EmailMessage:
    """The reply to send for ``ticket_id``. Raises ``ValueError`` on a bad id or header."""
    own_id = bare_message_id(message_id)
    if own_id is None:
        raise ValueError(f"not a usable Message-ID: {message_id!r}")
    parent = bare_message_id(in_reply_to) if in_reply_to else None

    msg = EmailMessage(policy=POLICY)
    msg["From"] = Address(display_name=_one_line(from_name), addr_spec=from_addr.strip())
    msg["To"] = _one_line(to)
    msg["Subject"] = reply_subject(subject, ticket_id=ticket_id)
    msg["Date"] = format_datetime(_aware(date or datetime.now(UTC)))
    msg["Message-ID"] = _IdsHeader("Message-ID", [own_id])
    if parent:
        msg["In-Reply-To"] = _IdsHeader("In-Reply-To", [parent])
    refs = thread_references(references, parent, exclude=own_id)
    if refs:
        msg["References"] = _IdsHeader("References", refs)
    msg[TICKET_HEADER] = str(ticket_id)
    for name, value in (extra_headers or {}).items():
        if not _HEADER_NAME.fullmatch(name):
            raise ValueError(f"not a header name: {name!r}")
        if name.lower() in _OWN_HEADERS:
            raise ValueError(f"{name} is set by build_reply, not by extra_headers")
        msg[name] = _one_line(value)
    # Non-ASCII text goes quoted-printable, never base64: base64 would carry the policy's
    # CRLF line ends inside the encoded text, so the text decoded from the sent message
    # (what the customer reads, and what is checked against the approval) would differ
    # from the approved text by its line ends.
    cte = None if body.isascii() else "quoted-printable"
    msg.set_content(body, subtype="plain", charset="utf-8", cte=cte)
    return msg


def reply_subject(subject: str, *, ticket_id: int) -> str:
    """``Re: [#<ticket>] subject``: one reply prefix whatever the customer's client used
    (``RE:``, ``Aw:``, ``Sv:``, ``Re: Re:``...), the tag once."""
    rest = _REPLY_PREFIX.sub("", _one_line(subject))
    tag = f"[#{ticket_id}]"
    if tag not in rest:
        rest = f"{tag} {rest}" if rest else tag
    return f"Re: {rest}"


def thread_references(
    references: list[str], in_reply_to: str | None, *, exclude: str | None = None
) -> list[str]:
    """The parent's References plus the parent, de-duplicated, the parent last, at most
    ``MAX_REFERENCES`` ids (the first, which names the thread root, and the latest)."""
    out: list[str] = []
    seen: set[str] = set()
    parent = bare_message_id(in_reply_to) if in_reply_to else None
    for ref in [*references, *([parent] if parent else [])]:
        mid = bare_message_id(ref)
        if mid is None or mid == exclude or mid in seen:
            continue
        seen.add(mid)
        out.append(mid)
    if parent and out and out[-1] != parent:
        out.remove(parent)
        out.append(parent)
    if len(out) > MAX_REFERENCES:
        out = [out[0], *out[-(MAX_REFERENCES - 1) :]]
    return out


def bare_message_id(value: str | None) -> str | None:
    """``<id@host>`` or ``id@host`` -> ``id@host``; None when it is not a usable msg-id."""
    if not value:
        return None
    mid = value.strip()
    if mid.startswith("<") and mid.endswith(">"):
        mid = mid[1:-1].strip()
    return mid if _MSG_ID.fullmatch(mid) else None


def make_message_id(*, ticket_id: int, domain: str, key: bytes) -> str:
    """A fresh bare Message-ID for a reply on ``ticket_id``, signed with ``key``."""
    if ticket_id < 1:
        raise ValueError(f"ticket id must be positive, not {ticket_id}")
    if not _DOMAIN.fullmatch(domain):
        raise ValueError(f"not a domain for a Message-ID: {domain!r}")
    stem = f"desk.{ticket_id}.{secrets.token_hex(16)}"
    return f"{stem}.{_mac(stem, key)}@{domain.lower()}"


def ticket_from_message_id(message_id: str, *, key: bytes | Sequence[bytes]) -> int | None:
    """The ticket a Message-ID made by ``make_message_id`` names; None for any other id,
    including ours with a changed ticket number, random part or signature. ``key`` may be
    a key list (newest first, see ``core.secrets``): an id signed by any of them counts."""
    mid = bare_message_id(message_id)
    if mid is None:
        return None
    m = _TOKEN.fullmatch(mid.lower())
    if m is None:
        return None
    ticket, rand, mac = m.groups()
    keys = [key] if isinstance(key, bytes) else list(key)
    if not keys:
        raise ValueError("the Message-ID signing key list is empty")
    # every key is tried, so the time taken says nothing about which one signed
    signed = [hmac.compare_digest(mac, _mac(f"desk.{ticket}.{rand}", k)) for k in keys]
    return int(ticket) if any(signed) else None


def _mac(stem: str, key: bytes) -> str:
    if not key:
        raise ValueError("the Message-ID signing key is empty")
    return hmac.new(key, stem.encode("ascii"), hashlib.sha256).hexdigest()[:_MAC_HEX]


def _one_line(value: str) -> str:
    """Collapse line breaks and runs of white space (no header injection, no folding games)."""
    return " ".join(value.split())


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class _IdsHeader(str):
    """A header of msg-ids, folded only between ids.

    The stdlib treats In-Reply-To and References as unstructured text and RFC 2047-encodes
    any id longer than a line (``=?utf-8?q?=3C...``), which breaks threading in every
    client. A value with a ``name`` and a ``fold`` method is stored and written as is by
    ``email.policy.EmailPolicy``, so these headers bypass that path.
    """

    name: str
    ids: list[str]

    def __new__(cls, name: str, ids: list[str]) -> _IdsHeader:
        self = super().__new__(cls, " ".join(f"<{i}>" for i in ids))
        self.name = name
        self.ids = list(ids)
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (_IdsHeader, (self.name, self.ids))

    def fold(self, *, policy: Any) -> str:
        limit = policy.max_line_length or 998
        lines = [f"{self.name}:"]
        for token in self.split(" "):
            if len(lines[-1]) + 1 + len(token) > limit and lines[-1] != f"{self.name}:":
                lines.append("")
            lines[-1] += f" {token}"
        return policy.linesep.join(lines) + policy.linesep
