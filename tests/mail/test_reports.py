"""The Message-ID of a bounced mail, found once for both the parser and the loop guard."""

from __future__ import annotations

import pytest

from core.mail.loopguard import classify
from core.mail.parsing import parse_message
from core.mail.reports import message_id_in_text

OWN = {"support@desk.example"}


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("From: a@b.example\nMessage-ID: <one@desk.example>\n", "one@desk.example"),
        ("message-id:one@desk.example\r\n", "one@desk.example"),  # any case, no brackets
        ("Message-ID:\n  <folded@desk.example>\nTo: x@y.example\n", "folded@desk.example"),
        ("Message-ID:\nMessage-ID: <second@desk.example>\n", "second@desk.example"),
        ("  Message-ID: <indented@desk.example>\n", None),  # not a header line
        ("Subject: no id here\n", None),
        ("", None),
    ],
)
def test_message_id_in_text(text: str, found: str | None) -> None:
    assert message_id_in_text(text) == found


def test_message_id_in_text_reads_only_its_limit() -> None:
    text = "x" * 50 + "\nMessage-ID: <late@desk.example>\n"
    assert message_id_in_text(text, limit=40) is None
    assert message_id_in_text(text, limit=len(text)) == "late@desk.example"


def _text_bounce(quoted: str) -> bytes:
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\n"
        "To: support@desk.example\n"
        "Subject: Undelivered Mail Returned to Sender\n"
        "Message-ID: <bounce-1@mx.example.org>\n\n"
        "This is the mail system. Your message could not be delivered to\n"
        "  gone@customer.example: user unknown (5.1.1)\n\n"
        "--- Original message follows ---\n" + quoted
    ).encode()


def test_a_text_bounce_with_a_folded_message_id_still_threads() -> None:
    raw = _text_bounce("From: support@desk.example\nMessage-ID:\n <ticket-9.k@desk.example>\n")
    result = classify(parse_message(raw), own_addresses=OWN)
    assert result.kind == "bounce"
    assert result.original_message_id == "ticket-9.k@desk.example"


def test_parser_and_loop_guard_read_the_quoted_id_alike() -> None:
    """The same headers, once as a text/rfc822-headers part (the parser's path) and once as
    quoted text (the loop guard's): the same id."""
    headers = "From: support@desk.example\nMessage-ID: <ticket-3.q@desk.example>\n"
    enclosed = (
        "From: MAILER-DAEMON@mx.example.org\nTo: support@desk.example\n"
        "Subject: Undelivered Mail\nMIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\n\n'
        "--b\nContent-Type: text/plain\n\nNot delivered.\n"
        "--b\nContent-Type: text/rfc822-headers\n\n" + headers + "--b--\n"
    ).encode()
    parsed = parse_message(enclosed)
    quoted = classify(parse_message(_text_bounce(headers)), own_addresses=OWN)
    assert parsed.original_message_id == quoted.original_message_id == "ticket-3.q@desk.example"
