"""classify: customer mail gets a draft; robots, lists, bounces and our own mail do not."""

from __future__ import annotations

import dataclasses

import pytest

from core.mail.loopguard import Classification, classify
from core.mail.parsing import parse_message

OWN = {"Support@Desk.example"}


def kind_of(*headers: str, body: str = "Hello, my invoice is wrong.\n") -> Classification:
    raw = ("\n".join(headers) + "\n\n" + body).encode()
    return classify(parse_message(raw), own_addresses=OWN)


CUSTOMER = ("From: Jane Roe <jane@example.com>", "To: support@desk.example", "Subject: Invoice")


def test_normal_customer_mail_is_customer() -> None:
    result = kind_of(*CUSTOMER, "Message-ID: <1@example.com>", "Auto-Submitted: no")
    assert result.kind == "customer"
    assert result.bounced_recipients == []


def test_customer_complaining_about_undeliverable_mail_is_customer() -> None:
    result = kind_of(
        "From: jane@example.com", "Subject: Undeliverable: my mails to you bounce", body="Help"
    )
    assert result.kind == "customer"


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        ("Auto-Submitted: auto-replied", "auto"),
        ("Auto-Submitted: auto-generated; owner-email=x@y.example", "auto"),
        ("X-Auto-Response-Suppress: All", "auto"),
        ("X-Autoreply: yes", "auto"),
        ("X-Autorespond: Out of office", "auto"),
        ("Precedence: auto_reply", "auto"),
        ("Return-Path: <>", "auto"),
        ("Precedence: bulk", "bulk"),
        ("Precedence: junk", "bulk"),
        ("Precedence: list", "bulk"),
        ("List-Id: Product news <news.example.com>", "bulk"),
        ("List-Unsubscribe: <mailto:unsubscribe@example.com>", "bulk"),
    ],
)
def test_header_rules(header: str, kind: str) -> None:
    result = kind_of(*CUSTOMER, header)
    assert result.kind == kind
    assert result.reason


@pytest.mark.parametrize(
    "sender", ["MAILER-DAEMON@mx.example.com", "postmaster@example.com", "Mailer-Daemon@x.example"]
)
def test_daemon_senders_are_auto(sender: str) -> None:
    assert kind_of(f"From: {sender}", "Subject: Notice", body="Your quota").kind == "auto"


def test_return_path_with_address_is_not_auto() -> None:
    assert kind_of(*CUSTOMER, "Return-Path: <jane@example.com>").kind == "customer"


def test_own_address_case_insensitive() -> None:
    result = kind_of("From: Desk <SUPPORT@desk.example>", "Subject: Re: Invoice")
    assert result.kind == "own"


def test_read_receipt_is_auto() -> None:
    result = kind_of(
        "From: jane@example.com",
        "Subject: Read: Invoice",
        'Content-Type: multipart/report; report-type=disposition-notification; boundary="b"',
        body=(
            "--b\nContent-Type: text/plain\n\nYour message was read.\n"
            "--b\nContent-Type: message/disposition-notification\n\n"
            "Final-Recipient: rfc822; jane@example.com\nDisposition: manual-action/MDN-sent-manually; displayed\n"
            "--b--\n"
        ),
    )
    assert result.kind == "auto"


DSN = """From: Mail Delivery System <MAILER-DAEMON@mx.example.net>
To: support@desk.example
Subject: Undelivered Mail Returned to Sender
Auto-Submitted: auto-replied
Message-ID: <dsn-1@mx.example.net>
Content-Type: multipart/report; report-type=delivery-status; boundary="dsn"

--dsn
Content-Type: text/plain

I'm sorry to have to inform you that your message could not be delivered.

--dsn
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net
Arrival-Date: Tue, 5 Mar 2024 10:12:00 +0000

Final-Recipient: rfc822; gone@customer.example
Original-Recipient: rfc822;Gone@Customer.example
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 user unknown

Final-Recipient: rfc822; slow@customer.example
Action: delayed
Status: 4.4.1

--dsn
Content-Type: {enclosed}

From: support@desk.example
To: gone@customer.example
Subject: Re: [#42] Your invoice
Message-ID: <ticket-42.abc@desk.example>

{body}
--dsn--
"""


@pytest.mark.parametrize(
    ("enclosed", "body"),
    [("message/rfc822", "Hello, here is your invoice."), ("text/rfc822-headers", "")],
)
def test_dsn_bounce_recipients_status_and_original_id(enclosed: str, body: str) -> None:
    raw = DSN.format(enclosed=enclosed, body=body).encode()
    parsed = parse_message(raw)
    assert parsed.delivery_status is not None
    assert parsed.delivery_status[0]["reporting-mta"] == "dns; mx.example.net"
    result = classify(parsed, own_addresses=OWN)
    assert result.kind == "bounce"
    assert result.bounced_recipients == ["gone@customer.example"]  # the delayed one is not
    assert result.bounce_status == "5.1.1"
    assert result.permanent
    assert result.original_message_id == "ticket-42.abc@desk.example"


def test_delayed_only_dsn_is_a_bounce_without_failed_recipients() -> None:
    raw = DSN.format(enclosed="text/rfc822-headers", body="").replace(
        "Action: failed", "Action: delayed"
    )
    result = classify(parse_message(raw.encode()), own_addresses=OWN)
    assert result.kind == "bounce"
    assert result.bounced_recipients == []
    assert not result.permanent


def test_text_bounce_with_x_failed_recipients() -> None:
    result = kind_of(
        "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>",
        "To: support@desk.example",
        "X-Failed-Recipients: nobody@customer.example",
        "Subject: Delivery Status Notification (Failure)",
        body=(
            "Delivery to the following recipient failed permanently:\n\n"
            "     nobody@customer.example\n\n"
            "550 5.1.1 The email account that you tried to reach does not exist.\n\n"
            "----- Original message -----\n\n"
            "From: support@desk.example\nMessage-ID: <ticket-7.xyz@desk.example>\n"
            "To: nobody@customer.example\n\nHello\n"
        ),
    )
    assert result.kind == "bounce"
    assert result.bounced_recipients == ["nobody@customer.example"]
    assert result.bounce_status == "5.1.1"
    assert result.original_message_id == "ticket-7.xyz@desk.example"


def test_text_bounce_recipient_from_the_text() -> None:
    result = kind_of(
        'From: "Postmaster" <postmaster@mx.example.org>',
        "To: <support@desk.example>",
        "Subject: Mail delivery failed: returning message to sender",
        body=(
            "This message was created automatically by mail delivery software.\n\n"
            "A message that you sent could not be delivered to one or more of its\n"
            "recipients. This is a permanent error. The following address(es) failed:\n\n"
            "  lost@customer.example\n    mailbox is full\n\n"
            "------ This is a copy of the message, including all the headers. ------\n"
            "From: support@desk.example\nTo: lost@customer.example\n"
        ),
    )
    assert result.kind == "bounce"
    assert result.bounced_recipients == ["lost@customer.example"]


def test_classification_is_frozen() -> None:
    result = kind_of(*CUSTOMER)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.kind = "auto"  # type: ignore[misc]
