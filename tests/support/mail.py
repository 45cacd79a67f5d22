"""Build raw test emails (bytes) with the headers a case needs."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

_counter = itertools.count(1)
# Mails are dated from ten days before the run, a minute apart, so a "last 30 days" figure
# counts them whatever the calendar says; a fixed day would fall out of that window a month
# later and turn the suite red with no change to the code.
_BASE = (datetime.now(UTC) - timedelta(days=10)).replace(minute=0, second=0, microsecond=0)


def make_mail(
    *,
    sender: str = "Alice Customer <alice@example.com>",
    to: str = "support@desk.test",
    subject: str = "Help with my account",
    body: str = "Hello, I cannot log in to my account since yesterday. Please help.",
    message_id: str | None = "auto",
    in_reply_to: str | None = None,
    references: list[str] | None = None,
    headers: dict[str, str] | None = None,
    attachment: tuple[str, str, bytes] | None = None,
    minutes: int | None = None,
) -> bytes:
    n = next(_counter)
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(_BASE + timedelta(minutes=minutes if minutes is not None else n))
    if message_id == "auto":
        msg["Message-ID"] = f"<test-{n}-{id(msg)}@example.com>"
    elif message_id:
        msg["Message-ID"] = f"<{message_id}>"
    if in_reply_to:
        msg["In-Reply-To"] = f"<{in_reply_to}>"
    if references:
        msg["References"] = " ".join(f"<{r}>" for r in references)
    for k, v in (headers or {}).items():
        msg[k] = v
    msg.set_content(body)
    if attachment:
        name, ctype, data = attachment
        maintype, subtype = ctype.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes()


def message_id_of(raw: bytes) -> str:
    for line in raw.split(b"\n"):
        if line.lower().startswith(b"message-id:"):
            return line.split(b":", 1)[1].strip().strip(b"<>").decode()
    raise ValueError("no Message-ID")


def make_dsn(
    recipient: str,
    *,
    action: str = "failed",
    status: str = "5.1.1",
    n: int = 1,
    original_message_id: str | None = None,
) -> bytes:
    """A delivery status notification (RFC 3464) from a mail server about ``recipient``;
    with ``original_message_id``, the headers of the mail that bounced are enclosed."""
    enclosed = b""
    if original_message_id:
        enclosed = (
            b"--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
            + f"Message-ID: <{original_message_id}>\r\nTo: {recipient}\r\n\r\n".encode()
        )
    return (
        b"From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\r\n"
        b"To: support@desk.test\r\nSubject: Delivery Status Notification\r\n"
        + f"Message-ID: <bounce-{n}@mx.example.com>\r\n".encode()
        + f"Date: {format_datetime(_BASE)}\r\n".encode()
        + b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        b"--B\r\nContent-Type: text/plain\r\n\r\nAbout your message.\r\n"
        b"--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        b"Reporting-MTA: dns; mx.example.com\r\n\r\n"
        + f"Final-Recipient: rfc822; {recipient}\r\nAction: {action}\r\nStatus: {status}\r\n\r\n".encode()
        + enclosed
        + b"--B--\r\n"
    )
