"""The quick compat32 path builds exactly what the stdlib parser builds, or steps aside."""

from __future__ import annotations

import contextlib
import email
from email.message import Message

import pytest

from core.errors import ParseError
from core.mail.parsing import parse_message
from core.mail.quickparse import quick_parse


def same_as_stdlib(raw: bytes) -> Message:
    """quick_parse(raw), asserted equal to the stdlib's parse of the same bytes."""
    quick = quick_parse(raw)
    assert quick is not None, raw
    stdlib = email.message_from_bytes(raw)
    assert list(quick.raw_items()) == list(stdlib.raw_items())
    assert quick.get_unixfrom() == stdlib.get_unixfrom()
    assert quick._payload == stdlib._payload  # the stored payload (get_payload() may decode)
    assert quick.defects == stdlib.defects == []
    return quick


def test_lf_message() -> None:
    msg = same_as_stdlib(b"From: a@x.test\nSubject: hi\n\nbody\nline two\n")
    assert msg["subject"] == "hi" and msg.get_payload() == "body\nline two\n"


def test_crlf_message_keeps_its_line_breaks() -> None:
    msg = same_as_stdlib(b"From: a@x.test\r\nSubject: hi\r\n\r\nbody\r\n")
    assert msg.get_payload() == "body\r\n"


def test_last_header_line_break_may_differ() -> None:
    same_as_stdlib(b"Subject: s\r\nX: y\n\r\nbody")


def test_folded_and_odd_values() -> None:
    same_as_stdlib(
        b"Subject: a long\r\n subject\r\n\tfolded twice\r\nX-Empty:\r\nX-Blank: \t \r\n"
        b"X-Fold-First:\r\n continued\r\nX-Trailing: spaces   \r\n\r\nbody"
    )


def test_mbox_from_line_and_8bit_header() -> None:
    msg = same_as_stdlib(
        b"From someone@x.test  Thu Aug 22 12:36:23 2002\nSubject: caf\xc3\xa9 \xff\n\nbody\n"
    )
    assert msg.get_unixfrom() == "From someone@x.test  Thu Aug 22 12:36:23 2002"


def test_body_with_blank_lines_and_bare_cr_is_taken_verbatim() -> None:
    msg = same_as_stdlib(b"Subject: s\n\n\nline\r\rold mac\n\n\nend")
    assert msg.get_payload() == "\nline\r\rold mac\n\n\nend"


def test_single_part_content_types() -> None:
    same_as_stdlib(b"Content-Type: text/html; charset=utf-8\n\n<p>hi</p>")
    same_as_stdlib(b"Content-Type: application/pdf\nContent-Transfer-Encoding: base64\n\nJVBE\n")
    same_as_stdlib(b"Content-Type: garbage\n\nbody")  # read as text/plain by both


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(
            b"Content-Type: multipart/mixed; boundary=b\n\n--b\n\nx\n--b--\n", id="multipart"
        ),
        pytest.param(b"Content-Type: message/rfc822\n\nSubject: inner\n\nx", id="message"),
        pytest.param(b"Content-Type: MULTIPART/alternative; boundary=b\n\nx", id="multipart-upper"),
        pytest.param(b"Subject: only headers\n", id="no-body-separator"),
        pytest.param(b"\nSubject: s\n\nbody", id="leading-blank-line"),
        pytest.param(b" Subject: s\n\nbody", id="leading-continuation"),
        pytest.param(b"Subject: s\nnot a header\n\nbody", id="line-without-colon"),
        pytest.param(b"Subject : s\n\nbody", id="space-before-colon"),
        pytest.param(b": no name\n\nbody", id="empty-name"),
        pytest.param(b"Subject: s\rX: y\n\nbody", id="bare-cr"),
        pytest.param(b"Subject: s\nX: y\r\nZ: z\n\nbody", id="mixed-line-breaks"),
        pytest.param(b"Subject: s\nX: y\r\n\r\nbody", id="lf-then-crlf"),
        pytest.param(b"Subject: s\n\r\nbody", id="lf-header-crlf-blank"),
        pytest.param(b"Subject: s\nFrom x  Thu\n\nbody", id="from-line-not-first"),
        pytest.param(b"Subj\xc3\xa9ct: s\n\nbody", id="8bit-name"),
    ],
)
def test_irregular_mail_is_left_to_the_stdlib(raw: bytes) -> None:
    assert quick_parse(raw) is None
    with contextlib.suppress(ParseError):  # the full parser copes as it always did
        parse_message(raw)


def test_parsed_message_is_the_same_either_way() -> None:
    raw = (
        b"From: =?utf-8?q?Ren=C3=A9?= <rene@x.test>\r\nTo: support@desk.test\r\n"
        b"Subject: =?utf-8?b?w4dh?= va\r\nMessage-ID: <m1@x.test>\r\n"
        b"Date: Tue, 24 Nov 2026 10:00:00 +0100\r\n"
        b"Content-Type: text/plain; charset=iso-8859-1\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\nCaf=E9 cr=E8me\r\n"
    )
    assert quick_parse(raw) is not None
    assert parse_message(raw) == parse_message(raw, obj=email.message_from_bytes(raw))
