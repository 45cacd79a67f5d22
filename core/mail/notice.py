"""Notification mail to a desk user, built without any I/O.

Not a reply to anyone: ``Auto-Submitted: auto-generated`` (RFC 3834, so auto-responders
stay quiet) and ``X-Auto-Response-Suppress: All``; never ``In-Reply-To``, ``References``,
the ticket header or the ``[#123]`` subject tag, so neither the agent's mail client nor the
desk's threading can put it into a customer's conversation. Its Message-ID is a plain random
one, not the signed ticket token of ``core.mail.compose``.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from core.mail.compose import POLICY

NOTICE_HEADER = "X-Desk-Notice"


def build_notice(
    *,
    from_addr: str,
    from_name: str,
    to: str,
    subject: str,
    body: str,
    kind: str,
    date: datetime | None = None,
) -> EmailMessage:
    domain = from_addr.rpartition("@")[2] or "desk.invalid"
    msg = EmailMessage(policy=POLICY)
    msg["From"] = Address(display_name=_one_line(from_name), addr_spec=from_addr.strip())
    msg["To"] = _one_line(to)
    msg["Subject"] = _one_line(subject)
    msg["Date"] = format_datetime((date or datetime.now(UTC)).astimezone(UTC))
    msg["Message-ID"] = f"<notice.{secrets.token_hex(12)}@{domain}>"
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Auto-Response-Suppress"] = "All"
    msg[NOTICE_HEADER] = _one_line(kind)
    cte = None if body.isascii() else "quoted-printable"
    msg.set_content(body, subtype="plain", charset="utf-8", cte=cte)
    return msg


def _one_line(value: str) -> str:
    return " ".join(value.split())
