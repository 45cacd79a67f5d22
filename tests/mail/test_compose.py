"""Reply composition and signed Message-IDs: pure functions, no I/O."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from core.mail import compose
from core.mail.compose import (
    MAX_REFERENCES,
    build_reply,
    make_message_id,
    reply_subject,
    thread_references,
    ticket_from_message_id,
)

KEY = b"k" * 32
LONG_ID = (
    "CAH+a-very-long-gmail-style-id-1234567890abcdefghijklmnopqrstuvwxyz0123456789@mail.gmail.com"
)


def reply(**overrides: object) -> EmailMessage:
    args: dict[str, object] = {
        "from_addr": "support@desk.test",
        "from_name": "Desk Support",
        "to": "Alice Customer <alice@example.com>",
        "subject": "Cannot export",
        "body": "Hello Alice,\n\nTry again now.\n",
        "message_id": "desk.7.abc.def@desk.test",
        "in_reply_to": "cust-2@example.com",
        "references": ["cust-1@example.com"],
        "ticket_id": 7,
        "date": datetime(2026, 11, 2, 10, 30, tzinfo=UTC),
    }
    args.update(overrides)
    return build_reply(**args)  # type: ignore[arg-type]


def reparse(msg: EmailMessage) -> EmailMessage:
    return message_from_bytes(msg.as_bytes(), policy=policy.default)  # type: ignore[return-value]


def text(msg: EmailMessage) -> str:
    """The body as a reader gets it (the wire form has CRLF line ends)."""
    return msg.get_content().replace("\r\n", "\n")


# -- subject ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Cannot export", "Re: [#7] Cannot export"),
        ("Re: Cannot export", "Re: [#7] Cannot export"),
        ("RE: Cannot export", "Re: [#7] Cannot export"),
        ("re:Cannot export", "Re: [#7] Cannot export"),
        ("Re: Re: RE: Cannot export", "Re: [#7] Cannot export"),
        ("Aw: Cannot export", "Re: [#7] Cannot export"),
        ("AW: Re: Cannot export", "Re: [#7] Cannot export"),
        ("Sv: Cannot export", "Re: [#7] Cannot export"),
        ("Re[2]: Cannot export", "Re: [#7] Cannot export"),
        ("Re: [#7] Cannot export", "Re: [#7] Cannot export"),
        ("[#7] Cannot export", "Re: [#7] Cannot export"),
        ("Re: Cannot export [#7]", "Re: Cannot export [#7]"),
        ("Fwd: Cannot export", "Re: [#7] Fwd: Cannot export"),
        ("Regarding my invoice", "Re: [#7] Regarding my invoice"),
        ("Aware of the outage?", "Re: [#7] Aware of the outage?"),
        ("Re: [#8] other ticket", "Re: [#7] [#8] other ticket"),
        ("", "Re: [#7]"),
        ("  Re:  Cannot\r\n export  ", "Re: [#7] Cannot export"),
    ],
)
def test_reply_subject_adds_re_and_the_tag_once(subject: str, expected: str) -> None:
    assert reply_subject(subject, ticket_id=7) == expected
    # idempotent: replying to our own reply changes nothing
    assert reply_subject(expected, ticket_id=7) == expected


def test_reply_subject_tag_is_exact_not_a_prefix_of_another_ticket() -> None:
    assert reply_subject("Re: [#17] Help", ticket_id=1) == "Re: [#1] [#17] Help"


# -- headers ------------------------------------------------------------------------------


def test_reply_headers() -> None:
    msg = reparse(reply())
    assert msg["From"] == "Desk Support <support@desk.test>"
    assert msg["To"] == "Alice Customer <alice@example.com>"
    assert msg["Subject"] == "Re: [#7] Cannot export"
    assert msg["Message-ID"] == "<desk.7.abc.def@desk.test>"
    assert msg["In-Reply-To"] == "<cust-2@example.com>"
    assert msg["References"] == "<cust-1@example.com> <cust-2@example.com>"
    assert msg["X-Desk-Ticket"] == "7"
    assert msg["Date"] == "Mon, 02 Nov 2026 10:30:00 +0000"
    assert msg["MIME-Version"] == "1.0"
    assert msg.get_content_type() == "text/plain"
    assert msg.get_content_charset() == "utf-8"
    assert text(msg) == "Hello Alice,\n\nTry again now.\n"


def test_a_human_approved_reply_is_not_marked_auto_submitted() -> None:
    raw = reply().as_bytes()
    assert b"auto-submitted" not in raw.lower()
    assert b"precedence" not in raw.lower()


def test_ids_given_with_angle_brackets_are_not_doubled() -> None:
    msg = reparse(
        reply(
            message_id="<desk.7.abc.def@desk.test>",
            in_reply_to=" <cust-2@example.com> ",
            references=["<cust-1@example.com>"],
        )
    )
    assert msg["Message-ID"] == "<desk.7.abc.def@desk.test>"
    assert msg["In-Reply-To"] == "<cust-2@example.com>"
    assert msg["References"] == "<cust-1@example.com> <cust-2@example.com>"


def test_without_a_parent_there_is_no_in_reply_to_but_references_stay() -> None:
    msg = reparse(reply(in_reply_to=None, references=["a@x", "b@x"]))
    assert "In-Reply-To" not in msg
    assert msg["References"] == "<a@x> <b@x>"
    assert "References" not in reparse(reply(in_reply_to=None, references=[]))


def test_date_defaults_to_now_and_naive_means_utc() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    msg = reparse(reply(date=None))
    assert msg["Date"].datetime >= before
    naive = reparse(reply(date=datetime(2026, 1, 2, 3, 4, 5)))
    assert naive["Date"] == "Fri, 02 Jan 2026 03:04:05 +0000"


def test_bad_own_message_id_is_refused() -> None:
    for bad in ("", "no-at-sign", "two words@x", "<>", "a@b\r\nBcc: evil@x"):
        with pytest.raises(ValueError):
            reply(message_id=bad)


def test_extra_headers_are_added_but_cannot_replace_ours_or_inject() -> None:
    msg = reparse(reply(extra_headers={"X-Mailer": "desk", "Reply-To": "help@desk.test"}))
    assert msg["X-Mailer"] == "desk" and msg["Reply-To"] == "help@desk.test"
    for name in ("Message-ID", "subject", "Auto-Submitted", "X-Desk-Ticket", "Bad Name", "A:B"):
        with pytest.raises(ValueError):
            reply(extra_headers={name: "x"})
    injected = reparse(reply(extra_headers={"X-Note": "a\r\nBcc: evil@example.com"}))
    assert "Bcc" not in injected and injected["X-Note"] == "a Bcc: evil@example.com"


def test_line_breaks_in_subject_and_names_cannot_inject_headers() -> None:
    msg = reparse(reply(subject="Hi\r\nBcc: evil@example.com", from_name="Desk\nBcc: x@y"))
    assert "Bcc" not in msg
    assert msg["Subject"] == "Re: [#7] Hi Bcc: evil@example.com"


# -- references ---------------------------------------------------------------------------


def test_references_deduplicated_parent_last() -> None:
    refs = ["a@x", "<b@x>", "a@x", "c@x", "b@x"]
    assert thread_references(refs, "b@x") == ["a@x", "c@x", "b@x"]
    assert thread_references(refs, None) == ["a@x", "b@x", "c@x"]
    assert thread_references([], "p@x") == ["p@x"]


def test_references_drop_unusable_ids_and_our_own() -> None:
    refs = ["", "  ", "no at sign", "with space@x", "ok@x", "own@desk.test"]
    assert thread_references(refs, "p@x", exclude="own@desk.test") == ["ok@x", "p@x"]


def test_references_are_trimmed_keeping_the_root_and_the_latest() -> None:
    refs = [f"r{i}@x" for i in range(40)]
    out = thread_references(refs, "parent@x")
    assert len(out) == MAX_REFERENCES
    assert out[0] == "r0@x"
    assert out[-1] == "parent@x"
    assert out[-2] == "r39@x"
    assert out[1:-1] == [f"r{i}@x" for i in range(40 - (MAX_REFERENCES - 2), 40)]


def test_long_ids_are_folded_between_ids_never_encoded() -> None:
    """The stdlib would RFC 2047-encode an id longer than a line; threading would break."""
    refs = [f"r{i}-{LONG_ID}" for i in range(5)]
    msg = reply(message_id=f"desk.7.{'a' * 80}@desk.test", in_reply_to=LONG_ID, references=refs)
    raw = msg.as_bytes()
    head = raw.split(b"\r\n\r\n", 1)[0]
    for name in (b"Message-ID", b"In-Reply-To", b"References"):
        line = next(x for x in head.split(b"\r\n") if x.startswith(name + b":"))
        assert b"=?" not in line
    assert all(len(line) <= 998 for line in head.split(b"\r\n"))
    parsed = reparse(msg)
    assert parsed["In-Reply-To"] == f"<{LONG_ID}>"
    assert parsed["References"].split() == [f"<{r}>" for r in [*refs, LONG_ID]]
    assert parsed["Message-ID"] == f"<desk.7.{'a' * 80}@desk.test>"


def test_message_copies_and_pickles_keep_the_headers() -> None:
    import pickle

    msg = reply()
    for clone in (copy.deepcopy(msg), pickle.loads(pickle.dumps(msg))):
        assert clone.as_bytes() == msg.as_bytes()


# -- non-ASCII ----------------------------------------------------------------------------


def test_non_ascii_subject_name_and_body_round_trip() -> None:
    body = "Hallo Jürgen,\n\nIhre Rechnung über 12 € ist storniert. 你好 🙂\n"
    msg = reply(
        subject="AW: Ärger mit der Rechnung – dringend",
        from_name="Kundendienst Müller",
        to="Jürgen Groß <juergen@example.de>",
        body=body,
    )
    raw = msg.as_bytes()
    raw.decode("ascii")  # 7-bit clean on the wire: no 8BITMIME/SMTPUTF8 needed
    parsed = reparse(msg)
    assert parsed["Subject"] == "Re: [#7] Ärger mit der Rechnung – dringend"
    assert parsed["From"].addresses[0].display_name == "Kundendienst Müller"
    assert parsed["To"].addresses[0].display_name == "Jürgen Groß"
    assert parsed["Content-Transfer-Encoding"] in ("quoted-printable", "base64")
    assert text(parsed) == body


def test_mostly_non_ascii_text_reads_back_exactly_as_approved() -> None:
    # text a base64 part would carry with CRLF line ends (found by the no-unapproved-send
    # property test): the sent text must equal the approved text, line ends included
    for body in ("Þ.\U0001ed42î\x87\n¿~º", "你好，\n\n您的退款已处理。\n谢谢\n", "Ελπίζω\nναι\n"):
        msg = reply(body=body)
        msg.as_bytes().decode("ascii")  # still 7-bit clean
        assert msg.get_content() == body + ("" if body.endswith("\n") else "\n")
        assert text(reparse(msg)).rstrip("\n") == body.rstrip("\n")


def test_long_lines_and_ascii_bodies_survive() -> None:
    body = "x" * 2000 + "\n" + "short line\n"
    assert text(reparse(reply(body=body))) == body
    raw = reply(body=body).as_bytes()
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))


# -- signed Message-IDs -------------------------------------------------------------------


def test_make_message_id_round_trip() -> None:
    mid = make_message_id(ticket_id=42, domain="desk.test", key=KEY)
    assert mid.startswith("desk.42.") and mid.endswith("@desk.test")
    assert "<" not in mid and " " not in mid
    assert ticket_from_message_id(mid, key=KEY) == 42
    assert ticket_from_message_id(f"<{mid}>", key=KEY) == 42
    assert ticket_from_message_id(mid.upper(), key=KEY) == 42  # case-folded on the way
    assert make_message_id(ticket_id=42, domain="desk.test", key=KEY) != mid


def test_message_id_is_usable_in_a_reply() -> None:
    mid = make_message_id(ticket_id=3, domain="Desk.Test", key=KEY)
    parsed = reparse(reply(message_id=mid, ticket_id=3))
    assert parsed["Message-ID"] == f"<{mid}>"
    assert ticket_from_message_id(parsed["Message-ID"], key=KEY) == 3


def _parts(mid: str) -> tuple[str, str, str, str]:
    local, domain = mid.split("@")
    _desk, ticket, rand, mac = local.split(".")
    return ticket, rand, mac, domain


def test_forged_or_altered_ids_name_no_ticket() -> None:
    mid = make_message_id(ticket_id=42, domain="desk.test", key=KEY)
    ticket, rand, mac, domain = _parts(mid)
    flipped = "0" if mac[-1] != "0" else "1"
    forged = [
        f"desk.43.{rand}.{mac}@{domain}",  # another ticket
        f"desk.042.{rand}.{mac}@{domain}",  # same number, other spelling
        f"desk.{ticket}.{rand[:-1]}{'0' if rand[-1] != '0' else '1'}.{mac}@{domain}",
        f"desk.{ticket}.{rand}.{mac[:-1]}{flipped}@{domain}",  # one nibble of the mac
        f"desk.{ticket}.{rand}.{mac[:-2]}@{domain}",  # shortened mac
        f"desk.{ticket}.{rand}.{mac}00@{domain}",  # lengthened mac
        f"desk.{ticket}.{rand}@{domain}",  # no mac
        f"desk.{ticket}.{rand}.{'0' * 16}@{domain}",
        f"xdesk.{ticket}.{rand}.{mac}@{domain}",
        f"desk.{ticket}.{rand}.{mac}",  # no domain
        "desk.42@desk.test",
        "cust-1@example.com",
        "",
        "<>",
        "desk.42.zz.zz@desk.test",
    ]
    for other in forged:
        assert ticket_from_message_id(other, key=KEY) is None, other
    assert ticket_from_message_id(mid, key=b"another key") is None


def test_domain_does_not_carry_the_signature() -> None:
    """An id keeps working if the support address moves to another domain."""
    mid = make_message_id(ticket_id=5, domain="old.example", key=KEY)
    assert ticket_from_message_id(mid.replace("old.example", "new.example"), key=KEY) == 5


def test_signature_is_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, str]] = []
    real = compose.hmac.compare_digest

    def spy(a: str, b: str) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(compose.hmac, "compare_digest", spy)
    mid = make_message_id(ticket_id=9, domain="desk.test", key=KEY)
    assert ticket_from_message_id(mid, key=KEY) == 9
    assert len(calls) == 1


@pytest.mark.parametrize(
    "kwargs",
    [
        {"ticket_id": 0, "domain": "desk.test", "key": KEY},
        {"ticket_id": -1, "domain": "desk.test", "key": KEY},
        {"ticket_id": 1, "domain": "", "key": KEY},
        {"ticket_id": 1, "domain": "a b", "key": KEY},
        {"ticket_id": 1, "domain": "x@y", "key": KEY},
        {"ticket_id": 1, "domain": "desk.test>", "key": KEY},
        {"ticket_id": 1, "domain": "desk.test", "key": b""},
    ],
)
def test_make_message_id_refuses_bad_input(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        make_message_id(**kwargs)  # type: ignore[arg-type]
