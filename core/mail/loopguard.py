"""Loop and noise guard: is a parsed mail from a customer, a robot, a list, a bounce or us?

Drafts are only made for ``customer`` mail. Bounces (delivery-status notifications) carry
the failed recipients, the status code and the Message-ID of the mail that bounced, so the
desk can thread them to the ticket and mark the address undeliverable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.message import Message
from typing import Literal

from core.mail.parsed import ParsedMessage
from core.mail.reports import message_id_in_text

Kind = Literal["customer", "auto", "bulk", "bounce", "own"]

_DAEMON_LOCALPARTS = frozenset(
    {"mailer-daemon", "postmaster", "mail-daemon", "maildaemon", "mailerdaemon"}
)
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|undelivered mail|returned mail|delivery status notification|delivery fail"
    r"|mail delivery failed|delivery has failed|failure notice|could not be delivered"
    r"|non.?delivery|delivery problem|rejected:|nicht zustellbar|unzustellbar"
    r"|non remis|échec de la remise|no se puede entregar|onbestelbaar|kan ikke leveres",
    re.IGNORECASE,
)
_STATUS_CODE = re.compile(r"\b([245]\.\d{1,3}\.\d{1,3})\b")
_ADDRESS = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8}"
)
_ORIGINAL_MARKERS = re.compile(
    r"^.{0,20}(?:original message|original mail|message follows|copy of the message"
    r"|returned message|message headers follow|undelivered message|headers of the original)",
    re.IGNORECASE | re.MULTILINE,
)
_BULK_PRECEDENCE = frozenset({"bulk", "junk", "list"})
MAX_SCAN = 20_000  # characters of a bounce's text searched for recipients and a status


@dataclass(frozen=True, slots=True)
class Classification:
    kind: Kind
    reason: str
    # bounces only: recipients whose delivery failed (Action: failed, or named in the text)
    bounced_recipients: list[str] = field(default_factory=list)
    bounce_status: str | None = None  # RFC 3463 status, e.g. "5.1.1"
    original_message_id: str | None = None  # the Message-ID of the mail that bounced

    @property
    def permanent(self) -> bool:
        """A permanent failure (5.x.x, or failed with no status): stop mailing the address."""
        return bool(self.bounced_recipients) and not (self.bounce_status or "").startswith("4")


def classify(parsed: ParsedMessage, *, own_addresses: set[str]) -> Classification:
    """Decide who sent a mail, by the rules in docs/architecture.md ("Loop and noise guard")."""
    own = {address.lower() for address in own_addresses}
    if parsed.from_email and parsed.from_email.lower() in own:
        return Classification("own", f"sent from our own address {parsed.from_email}")
    bounce = _bounce(parsed)
    if bounce is not None:
        return bounce
    auto = _auto_reason(parsed)
    if auto is not None:
        return Classification("auto", auto)
    bulk = _bulk_reason(parsed)
    if bulk is not None:
        return Classification("bulk", bulk)
    return Classification("customer", "no automation or list headers")


def _auto_reason(parsed: ParsedMessage) -> str | None:
    headers = parsed.headers
    auto_submitted = (parsed.auto_submitted or headers.get("auto-submitted", "")).strip()
    if auto_submitted and auto_submitted.split(";", 1)[0].strip().lower() != "no":
        return f"Auto-Submitted: {auto_submitted}"
    for name in ("x-auto-response-suppress", "x-autoreply", "x-autorespond"):
        if headers.get(name, "").strip():
            return f"{name} header present"
    precedence = headers.get("precedence", "").strip().lower()
    if precedence in ("auto_reply", "auto-reply"):
        return f"Precedence: {precedence}"
    if _is_null_return_path(headers):
        return "Return-Path: <> (null sender)"
    if _is_daemon(parsed.from_email):
        return f"sent by {parsed.from_email}"
    report_type = _report_type(parsed)
    if report_type is not None:
        return f"machine report (multipart/report; report-type={report_type or 'none'})"
    return None


def _bulk_reason(parsed: ParsedMessage) -> str | None:
    headers = parsed.headers
    precedence = headers.get("precedence", "").strip().lower()
    if precedence in _BULK_PRECEDENCE:
        return f"Precedence: {precedence}"
    for name in ("list-id", "list-unsubscribe"):
        if headers.get(name, "").strip():
            return f"{name} header present"
    return None


def _is_null_return_path(headers: dict[str, str]) -> bool:
    if "return-path" not in headers:
        return False
    return headers["return-path"].replace(" ", "") in ("", "<>")


def _is_daemon(address: str) -> bool:
    return address.split("@", 1)[0].lower() in _DAEMON_LOCALPARTS


# --- bounces ---------------------------------------------------------------------------------


def _bounce(parsed: ParsedMessage) -> Classification | None:
    """A standard DSN (multipart/report) or a common non-standard bounce, else None."""
    if parsed.delivery_status:  # a message/delivery-status part: only DSNs have one
        return _dsn_bounce(parsed, parsed.delivery_status)
    if _looks_like_text_bounce(parsed):
        return _text_bounce(parsed)
    return None


def _report_type(parsed: ParsedMessage) -> str | None:
    """The report-type of a multipart/report mail ("" when missing); None for other mail."""
    value = parsed.headers.get("content-type", "")
    if "report" not in value.lower():
        return None
    holder = Message()
    holder["content-type"] = value
    if holder.get_content_type() != "multipart/report":
        return None
    return str(holder.get_param("report-type") or "").strip().lower()


def _dsn_bounce(parsed: ParsedMessage, groups: list[dict[str, str]]) -> Classification:
    failed: list[str] = []
    statuses: list[str] = []
    actions: list[str] = []
    for group in groups:
        recipient = _recipient(group)
        if not recipient:
            continue
        action = group.get("action", "").strip().lower()
        actions.append(action or "unknown")
        status = _STATUS_CODE.search(group.get("status", ""))
        if action.startswith("fail") or not action:  # "failure" is seen in the wild
            failed.append(recipient)
            if status:
                statuses.append(status.group(1))
        elif status and not statuses:
            statuses.append(status.group(1))
    summary = ", ".join(sorted(set(actions))) or "no recipients"
    return Classification(
        "bounce",
        f"delivery status notification ({summary})",
        bounced_recipients=_unique(failed),
        bounce_status=statuses[0] if statuses else None,
        original_message_id=parsed.original_message_id
        or message_id_in_text(parsed.text, limit=MAX_SCAN),
    )


def _recipient(group: dict[str, str]) -> str:
    """The address of a per-recipient DSN group ("rfc822; user@example.com")."""
    for name in ("final-recipient", "original-recipient", "x-actual-recipient"):
        value = group.get(name, "")
        address = value.split(";", 1)[-1].strip().strip("<>").strip().lower()
        if "@" in address:
            return address
    return ""


def _looks_like_text_bounce(parsed: ParsedMessage) -> bool:
    """A bounce without a DSN part: daemon sender (or null return path) and a bounce subject."""
    robot = (
        _is_daemon(parsed.from_email)
        or _is_null_return_path(parsed.headers)
        or bool(parsed.headers.get("x-failed-recipients", "").strip())
    )
    return robot and _BOUNCE_SUBJECT.search(parsed.subject) is not None


def _text_bounce(parsed: ParsedMessage) -> Classification:
    text = parsed.text[:MAX_SCAN]
    marker = _ORIGINAL_MARKERS.search(text)
    report = text[: marker.start()] if marker else text
    failed = [
        a.strip().lower()
        for a in parsed.headers.get("x-failed-recipients", "").split(",")
        if "@" in a
    ]
    if not failed:
        ours = {parsed.from_email, *parsed.to, *parsed.cc}
        found = (a.strip(".'`").lower() for a in _ADDRESS.findall(report))
        failed = [a for a in found if a not in ours and not _is_daemon(a)]
    status = _STATUS_CODE.search(report)
    return Classification(
        "bounce",
        f"bounce message ({parsed.subject[:80]})",
        bounced_recipients=_unique(failed),
        bounce_status=status.group(1) if status else None,
        original_message_id=parsed.original_message_id or message_id_in_text(text, limit=MAX_SCAN),
    )


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
