"""parse_message on hand-written messages, one rule at a time."""

from __future__ import annotations

import base64
import email
import hashlib
import time
from datetime import UTC, datetime

import pytest

from core.errors import ParseError
from core.mail.headers import parse_references
from core.mail.parsing import parse_message


def mail(*headers: str, body: bytes | str = b"Hello\n", raw_headers: bytes = b"") -> bytes:
    """A raw message: header lines, then a blank line, then the body."""
    head = "".join(f"{h}\n" for h in headers).encode()
    if isinstance(body, str):
        body = body.encode()
    return head + raw_headers + b"\n" + body


BASIC = ("From: Jane Roe <jane@example.com>", "To: support@desk.example", "Subject: Help")


# --- headers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoded", "decoded"),
    [
        ("=?utf-8?q?Caf=C3=A9_cr=C3=A8me?=", "Café crème"),
        ("=?UTF-8?B?w5xiZXJ3ZWlzdW5n?= fehlt", "Überweisung fehlt"),
        ("Re: =?iso-8859-1?q?Rechnung_f=FCr_M=E4rz?=", "Re: Rechnung für März"),
        ("=?gb2312?B?xOO6ww==?=", "你好"),
        ("=?ks_c_5601-1987?B?vsiz58fPvLy/5A==?=", "안녕하세요"),
        ("=?iso-8859-8-i?B?+ezl7Q==?=", "שלום"),
        ("=?windows-1252?q?=93quoted=94?=", "\u201cquoted\u201d"),
        # whitespace between two encoded words is dropped, between word and text kept
        ("=?utf-8?q?one?= =?utf-8?q?two?= three", "onetwo three"),
        # a UTF-8 character split across two encoded words
        ("=?utf-8?B?ww==?= =?utf-8?B?qQ==?=", "é"),
        ("=?utf-8?B?w6nDqQ?=", "éé"),  # missing base64 padding
        ("=?bogus-charset?q?caf=C3=A9?=", "café"),
    ],
)
def test_rfc2047_subjects(encoded: str, decoded: str) -> None:
    parsed = parse_message(mail("From: a@b.example", f"Subject: {encoded}"))
    assert parsed.subject == decoded


def test_unknown_charset_in_header_is_a_defect() -> None:
    parsed = parse_message(mail("From: a@b.example", "Subject: =?bogus-charset?q?caf=C3=A9?="))
    assert parsed.subject == "café"
    assert any("bogus-charset" in d for d in parsed.defects)


def test_raw_8bit_headers_are_decoded() -> None:
    raw = b"From: Ren\xc3\xa9 <rene@example.com>\nSubject: Caf\xe9 ouvert\n\nx\n"
    parsed = parse_message(raw)
    assert parsed.from_name == "René"
    assert parsed.subject == "Café ouvert"  # not UTF-8: Windows-1252, not mojibake


def test_raw_8bit_inside_an_encoded_word() -> None:
    raw = b"From: a@b.example\nSubject: =?iso-8859-1?Q?Die_Fr\xf6sche?=\n\nx\n"
    assert parse_message(raw).subject == "Die Frösche"


def test_addresses_are_lower_cased_and_names_decoded() -> None:
    parsed = parse_message(
        mail(
            "From: =?utf-8?q?Zo=C3=AB_M=C3=BCller?= <Zoe.Muller@Example.COM>",
            'To: "Support, Team" <SUPPORT@desk.example>, other@Example.org',
            "Cc: garbage without address, <cc@example.net>",
            "Reply-To: replies@example.com",
            "Subject: x",
        )
    )
    assert parsed.from_email == "zoe.muller@example.com"
    assert parsed.from_name == "Zoë Müller"
    assert parsed.to == ["support@desk.example", "other@example.org"]
    assert parsed.cc == ["cc@example.net"]
    assert parsed.reply_to == ["replies@example.com"]


@pytest.mark.parametrize(
    "from_header",
    ["From: <<<@@>>>", "From: ,,,;;;", 'From: "unterminated <a@b', "From: (((((((((("],
)
def test_garbage_address_headers_do_not_raise(from_header: str) -> None:
    parsed = parse_message(mail(from_header, "Subject: x"))
    assert isinstance(parsed.from_email, str)


def test_missing_from_is_a_defect() -> None:
    parsed = parse_message(mail("To: support@desk.example", "Subject: x"))
    assert parsed.from_email == ""
    assert "missing From" in parsed.defects


def test_headers_dict_lower_case_first_value_decoded_and_capped() -> None:
    extra = [f"X-Extra-{n}: {n}" for n in range(100)]
    raw = mail(
        "Received: first",
        "Received: second",
        *extra,
        "From: a@b.example",
        "Subject: =?utf-8?q?d=C3=A9cod=C3=A9?=",
        "List-Id: <list.example.org>",
    )
    headers = parse_message(raw).headers
    assert headers["received"] == "first"
    assert headers["subject"] == "décodé"
    assert all(name == name.lower() for name in headers)
    # capped, but the headers the desk needs are kept even past the cap
    assert len(headers) <= 60 + 3
    assert headers["list-id"] == "<list.example.org>"
    assert headers["from"] == "a@b.example"


# --- ids -------------------------------------------------------------------------------------


def test_message_ids_are_bare() -> None:
    parsed = parse_message(
        mail(*BASIC, "Message-ID: <abc@host.example>", "In-Reply-To: <parent@host.example>")
    )
    assert parsed.message_id == "abc@host.example"
    assert not parsed.synthetic_message_id
    assert parsed.in_reply_to == "parent@host.example"


def test_missing_message_id_gets_a_stable_synthetic_id() -> None:
    raw = mail(*BASIC)
    first, second = parse_message(raw), parse_message(raw)
    expected = f"sha256-{hashlib.sha256(raw).hexdigest()}@desk.invalid"
    assert first.message_id == second.message_id == expected
    assert first.synthetic_message_id
    assert "missing Message-ID" in first.defects
    assert parse_message(raw + b"more\n").message_id != expected


def test_references_without_in_reply_to() -> None:
    raw = mail(
        *BASIC,
        "References: <root@a.example> <mid@b.example>,",
        " child@c.example",
        "\t<folded",
        " @d.example> (a comment)",
    )
    parsed = parse_message(raw)
    assert parsed.in_reply_to is None
    assert parsed.references == [
        "root@a.example",
        "mid@b.example",
        "child@c.example",
        "folded@d.example",
    ]


def test_in_reply_to_with_trailing_comment() -> None:
    raw = mail(*BASIC, "In-Reply-To: <id@x.example> (message from Bob <bob@x.example>)")
    assert parse_message(raw).in_reply_to == "id@x.example"


def test_reference_list_is_capped_keeping_root_and_newest() -> None:
    ids = " ".join(f"<m{n}@x.example>" for n in range(500))
    refs = parse_references(ids)
    assert len(refs) == 100
    assert refs[0] == "m0@x.example"
    assert refs[-1] == "m499@x.example"


# --- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Tue, 05 Mar 2024 10:12:00 +0100", datetime(2024, 3, 5, 9, 12, tzinfo=UTC)),
        ("5 Mar 2024 10:12:00 -0000", datetime(2024, 3, 5, 10, 12, tzinfo=UTC)),
        ("Tue, 5 Mar 2024 10:12:00 EST", datetime(2024, 3, 5, 15, 12, tzinfo=UTC)),
    ],
)
def test_dates_are_aware_utc(value: str, expected: datetime) -> None:
    parsed = parse_message(mail(*BASIC, f"Date: {value}"))
    assert parsed.date == expected
    assert parsed.date is not None and parsed.date.utcoffset() is not None


def test_unparseable_date_is_none_with_defect() -> None:
    parsed = parse_message(mail(*BASIC, "Date: the day after tomorrow"))
    assert parsed.date is None
    assert any(d.startswith("unparseable Date") for d in parsed.defects)


# --- bodies ----------------------------------------------------------------------------------


def test_latin1_body_is_not_mojibake() -> None:
    raw = mail(
        *BASIC,
        "Content-Type: text/plain; charset=iso-8859-1",
        "Content-Transfer-Encoding: 8bit",
        body="Grüße aus Köln, das Café ist geöffnet.\n".encode("latin-1"),
    )
    assert parse_message(raw).text == "Grüße aus Köln, das Café ist geöffnet.\n"


def test_windows_1252_punctuation_in_latin1_label() -> None:
    raw = mail(
        *BASIC,
        "Content-Type: text/plain; charset=ISO-8859-1",
        body="\u201cQuoted\u201d \u2013 dash\n".encode("cp1252"),
    )
    assert parse_message(raw).text == "\u201cQuoted\u201d \u2013 dash\n"


def test_utf8_body_mislabelled_as_latin1() -> None:
    raw = mail(*BASIC, "Content-Type: text/plain; charset=iso-8859-1", body="Ça marche déjà\n")
    parsed = parse_message(raw)
    assert parsed.text == "Ça marche déjà\n"


@pytest.mark.parametrize("label", ["unknown-8bit", "x-unknown", "invalid", "no-such-charset"])
def test_unknown_body_charsets_fall_back(label: str) -> None:
    utf8 = mail(*BASIC, f"Content-Type: text/plain; charset={label}", body="naïve ✓\n")
    assert parse_message(utf8).text == "naïve ✓\n"
    latin = mail(
        *BASIC, f"Content-Type: text/plain; charset={label}", body="naïve\n".encode("latin-1")
    )
    assert parse_message(latin).text == "naïve\n"


def test_undecodable_bytes_in_declared_charset_are_a_defect() -> None:
    raw = mail(*BASIC, "Content-Type: text/plain; charset=utf-8", body=b"caf\xe9 \x81\n")
    parsed = parse_message(raw)
    assert parsed.text.startswith("caf")
    assert any("not valid utf-8" in d for d in parsed.defects)


@pytest.mark.parametrize(
    ("charset", "text"),
    [
        ("gb2312", "请帮我重置密码"),
        ("ks_c_5601-1987", "비밀번호를 재설정해 주세요"),
        ("shift_jis", "パスワード"),
    ],
)
def test_asian_body_charsets(charset: str, text: str) -> None:
    python_codec = {"gb2312": "gb18030", "ks_c_5601-1987": "cp949", "shift_jis": "cp932"}[charset]
    raw = mail(
        *BASIC,
        f"Content-Type: text/plain; charset={charset}",
        "Content-Transfer-Encoding: base64",
        body=base64.encodebytes(text.encode(python_codec)),
    )
    assert parse_message(raw).text == text


def test_quoted_printable_utf8_body() -> None:
    raw = mail(
        *BASIC,
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: quoted-printable",
        body="Gr=C3=BC=C3=9Fe, ein sehr langer Satz der umbrochen wi=\nrd.\n",
    )
    assert parse_message(raw).text == "Grüße, ein sehr langer Satz der umbrochen wird.\n"


def test_plain_text_preferred_over_html() -> None:
    raw = mail(
        *BASIC,
        'Content-Type: multipart/alternative; boundary="b"',
        body=(
            "--b\nContent-Type: text/plain; charset=utf-8\n\nPlain version\n"
            "--b\nContent-Type: text/html; charset=utf-8\n\n<p>HTML <b>version</b></p>\n"
            "--b--\n"
        ),
    )
    parsed = parse_message(raw)
    assert parsed.text == "Plain version"
    assert parsed.html is not None and "<b>version</b>" in parsed.html


def test_html_only_is_converted_without_tags_scripts_or_styles() -> None:
    html = (
        "<html><head><title>T</title><style>p {color: red}</style></head><body>"
        "<script>alert('x')</script><!-- secret comment -->"
        "<p>Dear support,</p><p>my login <b>fails</b> &amp; I get &lt;error 42&gt;.</p>"
        "<ul><li>Chrome</li><li>Firefox</li></ul>"
        "<div>On Tue, Mar 5, 2024 at 10:12 AM Desk &lt;desk@example.com&gt; wrote:<br>"
        "<blockquote>Old text</blockquote></div></body></html>"
    )
    raw = mail(*BASIC, "Content-Type: text/html; charset=utf-8", body=html)
    parsed = parse_message(raw)
    assert parsed.html == html
    for gone in ("<p>", "<b>", "alert", "color: red", "secret comment", "<html"):
        assert gone not in parsed.text
    assert "my login fails & I get <error 42>." in parsed.text
    assert "- Chrome" in parsed.text
    assert "> Old text" in parsed.text  # blockquotes become quote lines...
    assert parsed.reply_text.endswith("- Firefox")  # ...so the reply text drops them
    assert "Old text" not in parsed.reply_text


def test_html_charset_from_meta_tag() -> None:
    html = '<html><head><meta charset="windows-1252"></head><body>caf\xe9</body></html>'
    raw = mail(*BASIC, "Content-Type: text/html", body=html.encode("cp1252"))
    assert parse_message(raw).text.strip() == "café"


def test_reply_text_strips_quote_and_keeps_full_text() -> None:
    body = "Thanks!\n\nOn Tue, Mar 5, 2024 at 10:12 AM Desk <d@example.com> wrote:\n> old\n"
    parsed = parse_message(mail(*BASIC, body=body))
    assert parsed.text == body
    assert parsed.reply_text == "Thanks!"


def test_nul_bytes_are_removed_from_text() -> None:
    parsed = parse_message(mail(*BASIC, body=b"a\x00b\n"))
    assert parsed.text == "ab\n"


# --- attachments -----------------------------------------------------------------------------


def _multipart(*parts: str) -> bytes:
    body = "".join(f"--b\n{p}\n" for p in parts) + "--b--\n"
    return mail(*BASIC, 'Content-Type: multipart/mixed; boundary="b"', body=body)


def test_attachments_named_sized_and_hashed() -> None:
    pdf = b"%PDF-1.4 fake" * 10
    raw = _multipart(
        "Content-Type: text/plain\n\nSee attached.",
        "Content-Type: application/pdf\nContent-Disposition: attachment; "
        "filename*=utf-8''Rechnung%20M%C3%A4rz.pdf\nContent-Transfer-Encoding: base64\n\n"
        + base64.encodebytes(pdf).decode(),
        'Content-Type: image/png; name="=?utf-8?q?sch=C3=B6n.png?="\n'
        "Content-Disposition: inline\nContent-ID: <img1>\nContent-Transfer-Encoding: base64\n\n"
        + base64.encodebytes(b"\x89PNG....").decode(),
        "Content-Type: image/gif\nContent-Transfer-Encoding: base64\n\n"
        + base64.encodebytes(b"GIF89a").decode(),
        "Content-Type: application/ms-tnef; name=winmail.dat\nContent-Transfer-Encoding: base64\n\n"
        + base64.encodebytes(b"\x78\x9f\x3e\x22tnef").decode(),
    )
    parsed = parse_message(raw)
    assert parsed.text == "See attached."
    names = [a.filename for a in parsed.attachments]
    assert names[0] == "Rechnung März.pdf"
    assert names[1] == "schön.png"
    assert names[2].startswith("attachment-") and names[2].endswith(".gif")
    assert names[3] == "winmail.dat"
    pdf_part = parsed.attachments[0]
    assert (pdf_part.content_type, pdf_part.size) == ("application/pdf", len(pdf))
    assert pdf_part.sha256 == hashlib.sha256(pdf).hexdigest()
    assert pdf_part.content == pdf and pdf_part.note is None


def test_attached_message_counts_as_attachment() -> None:
    inner = "From: x@y.example\nSubject: Original\nMessage-ID: <inner@y.example>\n\nold body"
    raw = _multipart(
        "Content-Type: text/plain\n\nForwarding.", f"Content-Type: message/rfc822\n\n{inner}"
    )
    parsed = parse_message(raw)
    assert [a.content_type for a in parsed.attachments] == ["message/rfc822"]
    assert parsed.attachments[0].filename == "Original.eml"
    assert parsed.attachments[0].content is not None
    assert b"old body" in parsed.attachments[0].content
    assert parsed.original_message_id == "inner@y.example"
    assert parsed.text == "Forwarding."


def test_text_attachment_is_not_body() -> None:
    raw = _multipart(
        "Content-Type: text/plain\n\nBody text.",
        "Content-Type: text/plain; name=log.txt\nContent-Disposition: attachment; filename=log.txt\n\nERROR 1",
    )
    parsed = parse_message(raw)
    assert parsed.text == "Body text."
    assert [a.filename for a in parsed.attachments] == ["log.txt"]


def test_attachment_over_limit_is_recorded_hashed_and_not_kept() -> None:
    blob = bytes(range(256)) * (10 * 1024 * 1024 // 256)  # 10 MB
    raw = _multipart(
        "Content-Type: text/plain\n\nBig file attached.",
        "Content-Type: application/octet-stream\nContent-Disposition: attachment; filename=big.bin\n"
        "Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(blob).decode(),
    )
    start = time.perf_counter()
    parsed = parse_message(raw, max_attachment_bytes=5 * 1024 * 1024)
    elapsed = time.perf_counter() - start
    (attachment,) = parsed.attachments
    assert attachment.content is None
    assert attachment.size == len(blob)
    assert attachment.sha256 == hashlib.sha256(blob).hexdigest()
    assert attachment.note == "attachment over 5 MB limit (10 MB), not stored"
    assert parsed.text == "Big file attached."
    assert elapsed < 3.0


def test_keep_attachment_content_false() -> None:
    raw = _multipart(
        "Content-Type: text/plain\n\nx",
        "Content-Type: application/zip; name=a.zip\n\nPK",
    )
    (attachment,) = parse_message(raw, keep_attachment_content=False).attachments
    assert attachment.content is None and attachment.note is None and attachment.size == 2


# --- robustness ------------------------------------------------------------------------------


def test_missing_boundary_gives_defects_not_exceptions() -> None:
    raw = mail(
        *BASIC,
        "Content-Type: multipart/mixed",
        body="--x\nContent-Type: text/plain\n\nhello inside\n--x--\n",
    )
    parsed = parse_message(raw)
    assert "NoBoundaryInMultipartDefect" in parsed.defects
    assert "hello inside" in parsed.text


def test_missing_final_boundary_gives_defect() -> None:
    raw = mail(
        *BASIC,
        'Content-Type: multipart/mixed; boundary="b"',
        body="--b\nContent-Type: text/plain\n\ncut short\n",
    )
    parsed = parse_message(raw)
    assert "CloseBoundaryNotFoundDefect" in parsed.defects
    assert "cut short" in parsed.text


def test_bad_base64_gives_defect() -> None:
    raw = mail(
        *BASIC,
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: base64",
        body="aGVsbG8gd29ybGQ!!!*\n",
    )
    parsed = parse_message(raw)
    assert any("Base64" in d for d in parsed.defects)


def test_stdlib_parser_failure_falls_back_to_one_text_part() -> None:
    raw = mail(
        *BASIC,
        "Content-Type: multipart/mixed; boundary*=ut\x00f-8''abc",
        body="--abc\nContent-Type: text/plain\n\ninside\n--abc--\n",
    )
    with pytest.raises(ValueError):
        email.message_from_bytes(raw)  # the stdlib gives up on this one...
    parsed = parse_message(raw)  # ...we do not
    assert "inside" in parsed.text
    assert any(d.startswith("MIME structure unparseable") for d in parsed.defects)


def test_space_before_colon_in_header_name_is_repaired() -> None:
    raw = b"Subject :still parsed\nFrom: Jane <jane@example.com>\n\nbody\n"
    parsed = parse_message(raw)
    assert parsed.subject == "still parsed"
    assert "malformed header name repaired" in parsed.defects


@pytest.mark.parametrize(
    "raw",
    [b"", b"   \r\n\r\n", b"\x00\xff\xfe garbage \x89PNG\r\n\x1a\n", b"just a line of text\n"],
    ids=["empty", "blank", "binary", "text"],
)
def test_hopeless_input_raises_parse_error(raw: bytes) -> None:
    with pytest.raises(ParseError):
        parse_message(raw)


@pytest.mark.parametrize("seed", range(20))
def test_random_bytes_never_raise_anything_but_parse_error(seed: int) -> None:
    import random

    rng = random.Random(seed)
    noise = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 3000)))
    for raw in (noise, b"Subject: x\n" + noise, mail(*BASIC, body=noise)):
        try:
            parsed = parse_message(raw)
        except ParseError:
            continue
        assert isinstance(parsed.text, str)
        parsed.text.encode("utf-8")  # no lone surrogates leak out


def test_utf7_lone_surrogates_are_replaced() -> None:
    raw = mail(*BASIC, "Content-Type: text/plain; charset=utf-7", body=b"a+2DQ-b \xe9\n")
    parsed = parse_message(raw)
    parsed.text.encode("utf-8")  # storable
    assert parsed.text.startswith("a")


@pytest.mark.parametrize("charset", ["ut\x00f-8", "\xff\xfe", "rot13", "unicode_escape", "x" * 300])
def test_hostile_charset_names(charset: str) -> None:
    raw = mail(*BASIC, body="caf\xe9\n".encode("latin-1"))
    raw = raw.replace(
        b"Subject: Help",
        b"Subject: Help\nContent-Type: text/plain; charset=" + charset.encode("latin-1"),
    )
    parsed = parse_message(raw)
    assert parsed.text == "café\n"


def test_hostile_headers_are_fast() -> None:
    raw = mail(
        "From: " + "<" * 20_000 + "a@b" + ">" * 20_000,
        "Subject: " + "=?utf-8?q?" * 5_000,
        "References: " + "<" * 30_000,
        "To: " + ",".join(["x"] * 20_000),
        body="x",
    )
    start = time.perf_counter()
    parse_message(raw)
    assert time.perf_counter() - start < 3.0


def test_reusing_the_parsed_object_gives_the_same_result() -> None:
    raw = _multipart(
        "Content-Type: text/plain; charset=utf-8\n\nHallo Grüße",
        "Content-Type: application/pdf; name=a.pdf\n\n%PDF",
    )
    assert parse_message(raw, obj=email.message_from_bytes(raw)) == parse_message(raw)


def test_raw_size_and_hash() -> None:
    raw = mail(*BASIC)
    parsed = parse_message(raw)
    assert parsed.raw_size == len(raw)
    assert parsed.raw_sha256 == hashlib.sha256(raw).hexdigest()
