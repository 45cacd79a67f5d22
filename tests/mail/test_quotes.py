"""strip_reply: quoted history and signatures removed, in the languages customers write in."""

from __future__ import annotations

import time

import pytest

from core.mail.quotes import MAX_CHARS, strip_reply


def _same(got: str, expected: str) -> bool:
    return " ".join(got.split()) == " ".join(expected.split())


ATTRIBUTIONS = {
    "en": "On Tue, Mar 5, 2024 at 10:12 AM Jane Roe <jane@example.com> wrote:",
    "en-sent": "On 11-Apr-2024, at 6:54 PM, Jane Roe <jane@example.com> sent:",
    "de": "Am 05.03.2024 um 10:12 schrieb Jane Roe <jane@example.com>:",
    "fr": "Le mar. 5 mars 2024 à 10:12, Jane Roe <jane@example.com> a écrit :",
    "es": "El mar, 5 mar 2024 a las 10:12, Jane Roe (<jane@example.com>) escribió:",
    "pt": "Em ter., 5 de mar. de 2024 às 10:12, Jane Roe <jane@example.com> escreveu:",
    "nl": "Op 5 mrt. 2024 om 10:12 heeft Jane Roe <jane@example.com> het volgende geschreven:",
    "nl-schreef": "Op 05-03-2024 10:12 schreef Jane Roe <jane@example.com>:",
    "sv": "Den 5 mars 2024 10:12 skrev Jane Roe <jane@example.com>:",
    "no": "På 5. mars 2024 kl. 10:12 skrev Jane Roe <jane@example.com>:",
    "da": "Den tir. 5. mar. 2024 kl. 10.12 skrev Jane Roe <jane@example.com>:",
    "it": "Il giorno mar 5 mar 2024 alle ore 10:12 Jane Roe <jane@example.com> ha scritto:",
    "pl": "W dniu 5.03.2024 o 10:12, Jane Roe <jane@example.com> napisał:",
    "ru": "5 марта 2024 г., в 10:12, Jane Roe <jane@example.com> написал:",
    "gmail-date-first": "2024-03-05 10:12 GMT+01:00 Jane Roe <jane@example.com>:",
}


@pytest.mark.parametrize("language", sorted(ATTRIBUTIONS))
def test_attribution_and_quote_are_removed(language: str) -> None:
    text = (
        "Thanks, the export works again.\n\n"
        f"{ATTRIBUTIONS[language]}\n\n"
        "> Could you try the export once more?\n"
        ">\n"
        "> Support\n"
    )
    assert strip_reply(text) == "Thanks, the export works again."


def test_attribution_wrapped_over_two_lines() -> None:
    text = (
        "Still broken here.\n\n"
        "On Fri, May 6, 2024 at 6:03 PM, Jane Roe from Example Support Team\n"
        "<support@example.com> wrote:\n\n"
        "> Please clear your cache.\n"
    )
    assert strip_reply(text) == "Still broken here."


def test_attribution_wrapped_over_three_lines_without_quote_markers() -> None:
    text = (
        "Works now\n\n"
        "On Nov 30, 2023, at 12:47 PM, Desk <\n"
        "reply+416ffd3258d4d2fa4c85@desk.example.com>\n"
        "wrote:\n\n"
        "Your ticket was updated.\n"
    )
    assert strip_reply(text) == "Works now"


def test_attribution_sharing_the_reply_line() -> None:
    text = "ok thanks On Wed, Apr 4, 2024 at 3:59 PM, bob@example.com wrote:\n> Hi"
    assert strip_reply(text) == "ok thanks"


@pytest.mark.parametrize(
    "separator",
    [
        "-----Original Message-----",
        "-----Ursprüngliche Nachricht-----",
        "-------- Message d'origine --------",
        "----- Mensaje original -----",
        "-----Oorspronkelijk bericht-----",
    ],
)
def test_original_message_separator(separator: str) -> None:
    text = f"New question about billing.\n\n{separator}\nFrom: a@b.c\n\nOld text\n"
    assert strip_reply(text) == "New question about billing."


@pytest.mark.parametrize(
    "block",
    [
        "From: Support <support@example.com>\nSent: Tuesday, March 5, 2024 10:12 AM\n"
        "To: Jane Roe\nSubject: RE: Export\n",
        "Von: Support <support@example.com>\nGesendet: Dienstag, 5. März 2024 10:12\n"
        "An: Jane Roe\nBetreff: AW: Export\n",
        "De : Support [mailto:support@example.com]\nEnvoyé : mardi 5 mars 2024 10:12\n"
        "À : Jane Roe\nObjet : RE: Export\n",
        "Från: Support [mailto:support@example.com]\nSkickat: den 5 mars 2024 10:12\n"
        "Till: Jane Roe\nÄmne: SV: Export\n",
        "________________________________\nFrom: Support <support@example.com>\n"
        "Sent: Tuesday, March 5, 2024 10:12 AM\nTo: Jane Roe\n",
        "  *From:* support@example.com [mailto:\n  support@example.com]\n"
        "  *Sent:* Tuesday, March 5, 2024 3:05 PM\n  *To:* jane@example.com\n",
    ],
)
def test_outlook_header_block(block: str) -> None:
    text = f"The invoice is still wrong.\n\n{block}\nOld message text\n"
    assert strip_reply(text) == "The invoice is still wrong."


def test_bottom_posted_reply_below_quote() -> None:
    text = "On 04/19/2024 07:10 AM, Support wrote:\n\n> Any news?\n\nYes, it works now."
    assert strip_reply(text) == "Yes, it works now."


def test_text_after_quote_is_kept() -> None:
    text = "Test reply\n\nOn 04/19/2024 07:10 AM, Roman wrote:\n\n>\n> Test\n\nRegards, Jane"
    assert _same(strip_reply(text), "Test reply\n\nRegards, Jane")


def test_inline_reply_keeps_the_answers() -> None:
    text = (
        "On Dec 15, 2024, at 2:00 PM, Support <support@example.com> wrote:\n"
        "> Which version do you run?\n\n"
        "Version 3.2.\n\n"
        "> Which browser?\n\n"
        "Firefox.\n"
    )
    got = strip_reply(text)
    assert "Version 3.2." in got
    assert "Firefox." in got


def test_trailing_quote_without_attribution() -> None:
    text = "I agree.\n\nJane <jane@example.com> said:\n> shall we?\n> yes\n"
    assert strip_reply(text) == "I agree."


def test_dash_dash_signature() -> None:
    text = "Please close my account.\n\n-- \nJane Roe\nACME Corp\n+1 555 0100\n"
    assert strip_reply(text) == "Please close my account."


@pytest.mark.parametrize(
    "closing",
    [
        "Sent from my iPhone",
        "Sent from my Samsung Galaxy smartphone.",
        "Envoyé de mon iPhone",
        "Von meinem iPhone gesendet",
        "Enviado desde mi iPhone",
        "Enviado do meu iPhone",
        "Get Outlook for Android",
    ],
)
def test_mobile_signature(closing: str) -> None:
    assert strip_reply(f"Where is my order?\n\n{closing}\n") == "Where is my order?"


def test_sent_from_sentence_is_not_a_signature() -> None:
    text = "Here is my question\n\nSent from my desk, which is easier than my phone."
    assert strip_reply(text) == text


def test_contact_block_signature() -> None:
    text = (
        "The app crashes on start.\n\nGina Roe\ngina@example.com\n(555) 346-9947\nwww.example.com\n"
    )
    assert strip_reply(text) == "The app crashes on start."


def test_forwarded_message_is_kept() -> None:
    text = (
        "FYI, see below.\n\n"
        "---------- Forwarded message ----------\n"
        "From: bob@example.com\nDate: Tue, Sep 4, 2024 at 1:35 PM\nSubject: Error\n"
        "To: rob@example.com\n\nThe error text\n"
    )
    assert strip_reply(text) == text.strip()


def test_line_starting_with_on_is_not_a_quote_header() -> None:
    text = "Blah-blah-blah\nOn the other hand it works"
    assert strip_reply(text) == text


def test_numbered_list_with_address_is_not_a_quote_header() -> None:
    text = "Steps:\n1. Log in as admin@example.com:\n2. Click export\n3. It fails"
    assert strip_reply(text) == text


def test_only_quote_falls_back_to_full_text() -> None:
    text = "> all of it is quoted\n> really"
    assert strip_reply(text) == text


def test_crlf_and_empty() -> None:
    assert strip_reply("") == ""
    assert strip_reply("Hi\r\n\r\n-- \r\nsig\r\n") == "Hi"


@pytest.mark.parametrize(
    "hostile",
    [
        ("On " + "1" * 300 + " wrote\n") * 600,
        ("> " * 400 + "\n" + "text\n") * 230,
        "From: x\nSent: y\n" * 10_000,
        "1" * 150_000 + ":\n" + ":" * 40_000,
        "On 1 Jan 2024, x wrote:\n" * 8_000,
        ("a\n" + "> q\n") * 30_000,
    ],
    ids=["attributions", "deep-quotes", "header-blocks", "colons", "splitters", "inline"],
)
def test_pathological_input_is_fast(hostile: str) -> None:
    assert len(hostile) <= MAX_CHARS
    start = time.perf_counter()
    strip_reply(hostile)
    assert (
        time.perf_counter() - start < 3.0
    )  # linear: ~0.3 s at worst; a regex catastrophe takes minutes


def test_input_over_the_cap_is_stripped_on_its_head() -> None:
    text = "Short question?\n\n-----Original Message-----\n" + "x" * (MAX_CHARS * 2)
    assert strip_reply(text) == "Short question?"
