"""core.ai.privacy: each kind of personal data becomes a typed placeholder and comes back;
what only looks like it (dates, amounts, order ids, error codes, the desk's address) stays."""

from __future__ import annotations

import pytest

from core.ai.config import AISettings
from core.ai.openai_provider import OpenAIProvider
from core.ai.privacy import Redactor, iban_ok, luhn_ok, redact, restore
from core.ai.prompts import build_prompt
from core.ai.result import TriageRequest
from tests.support.fake_openai import FakeOpenAI, Reply, completion_body, triage_content

DESK = ["support@acme.example"]


def kept(text: str) -> None:
    redacted, mapping = redact(text, keep=DESK)
    assert redacted == text, mapping


def replaced(text: str, value: str, placeholder: str) -> str:
    redacted, mapping = redact(text, keep=DESK)
    assert mapping.get(placeholder) == value, (redacted, mapping)
    assert value not in redacted
    assert placeholder in redacted
    assert restore(redacted, mapping) == text
    return redacted


# --- cards --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "card",
    ["4111 1111 1111 1111", "4111-1111-1111-1111", "4111111111111111", "378282246310005",
     "6011 0009 9013 9424", "4222222222222"],
)  # fmt: skip
def test_card_numbers_that_pass_luhn_are_replaced(card: str) -> None:
    replaced(f"I was charged twice on card {card}, see the statement.", card, "[CARD_1]")


@pytest.mark.parametrize(
    "text",
    [
        "My card 4111 1111 1111 1112 was declined",  # fails Luhn
        "Order 4111111111111111 never arrived",  # an order id, even if it passes Luhn
        "Invoice #4111111111111111 is wrong",
        "Charged 1234.56 EUR on 2024-06-01 at 10:30, reference INV-2291",
        "Tracking number 1Z999AA10123456784",
        "PO 4500012345, customer 12345678",
    ],
)
def test_numbers_that_are_not_cards_stay(text: str) -> None:
    kept(text)


def test_luhn() -> None:
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")


# --- IBAN ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "iban", ["DE89 3704 0044 0532 0130 00", "DE89370400440532013000", "GB82WEST12345698765432",
             "FR14 2004 1010 0505 0001 3M02 606"],
)  # fmt: skip
def test_ibans_with_a_good_checksum_are_replaced(iban: str) -> None:
    replaced(f"Please refund to IBAN {iban} by Friday.", iban, "[IBAN_1]")


def test_iban_checks() -> None:
    assert iban_ok("DE89370400440532013000")
    assert not iban_ok("DE89370400440532013001")  # mod 97
    assert not iban_ok("DE8937040044053201300")  # Germany's length is 22
    kept("Please refund to IBAN DE89 3704 0044 0532 0130 01 by Friday.")


# --- passwords and one-time codes ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("My password: hunter2.", "hunter2"),
        ("the password is Summer2024!", "Summer2024!"),
        ('password = "c0rrect horse"', "c0rrect"),
        ("Mein Passwort: Sommer2024", "Sommer2024"),
        ("Das Kennwort ist Geheim#12", "Geheim#12"),
        ("Mi contraseña: abc123", "abc123"),
        ("Mon mot de passe : Azerty123", "Azerty123"),
        ("Minha senha é Minha$enha", "Minha$enha"),
    ],
)
def test_passwords_named_as_such_are_replaced(text: str, value: str) -> None:
    replaced(text, value, "[PASSWORD_1]")


@pytest.mark.parametrize(
    "text",
    [
        "My password is not working and I reset my password twice.",
        "The password has expired.",
        "Please reset the password for my account.",
        "Das Passwort ist falsch.",
        "The new password is 12 characters long.",
        # a heading before steps: the value never sits on the next line
        "To reset your password:\n\n1. Open the sign-in page.",
        "Your password\nis managed by your company's sign-in.",
    ],
)
def test_talk_about_passwords_stays(text: str) -> None:
    kept(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Your code is 123456.", "123456"),
        ("verification code: 482 913", "482 913"),
        ("OTP 778899", "778899"),
        ("Der Bestätigungscode lautet 482913.", "482913"),
        ("Mi código: 9911", "9911"),
        ("PIN: 4321", "4321"),
    ],
)
def test_one_time_codes_are_replaced(text: str, value: str) -> None:
    replaced(text, value, "[CODE_1]")


@pytest.mark.parametrize(
    "text",
    [
        "The upload fails with error code 5003 and HTTP 413 Payload Too Large.",
        "zip code 10115, postal code: 90210, Fehlercode 0x80070005",
        "The promo code SUMMER24 does not work, status code 5020.",
    ],
)
def test_error_and_postal_codes_stay(text: str) -> None:
    kept(text)


# --- keys and tokens ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "sk-proj-abcDEF1234567890abcdEFGH",
        "sk-abcdefghijklmnopqrstuvwxyz012345",
        "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
        "AKIAIOSFODNN7EXAMPLE",
        "xoxb-1234567890-abcdefghij",
    ],
)
def test_api_keys_are_replaced(key: str) -> None:
    replaced(f"I pasted my key {key} into the settings.", key, "[API_KEY_1]")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Authorization: Bearer abc.DEF123ghiJKL456mno", "abc.DEF123ghiJKL456mno"),
        ("the token xK9fQ2mZ7vL1pR8sT4wY6bN3cD5eH0jA leaked", "xK9fQ2mZ7vL1pR8sT4wY6bN3cD5eH0jA"),
        ("api_key=4f9a1c2e8b7d6a5f", "4f9a1c2e8b7d6a5f"),
        ("it printed Zq8Lm2Xw9Vr4Ts7Ny1Pk6Hd3Jf5 in the log", "Zq8Lm2Xw9Vr4Ts7Ny1Pk6Hd3Jf5"),
        (
            "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N",
        ),
    ],
)
def test_tokens_are_replaced(text: str, value: str) -> None:
    replaced(text, value, "[TOKEN_1]")


@pytest.mark.parametrize(
    "text",
    [
        "The class ReportExportServiceFactory2 throws NullPointerException.",
        "Message-ID 3f2a9c1d0e8b7a65 and commit 9fceb02d0ae598e95dc970b74767f19372d61af8",
        "Build v2.3.14-rc1 on Windows11 with report_2024_06_final_v2.pdf attached",
    ],
)
def test_names_ids_and_versions_are_not_tokens(text: str) -> None:
    kept(text)


# --- phone numbers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    [
        "+49 30 12345678",
        "+1 (555) 123-4567",
        "+44 20 7946 0958",
        "0049 171 1234567",
        "030 1234567",
        "0171/1234567",
        "06 12 34 56 78",
        "(030) 1234567",
        "(555) 123-4567",
        "555-123-4567",
    ],
)
def test_phone_numbers_are_replaced(phone: str) -> None:
    replaced(f"Call me back at {phone} today.", phone, "[PHONE_1]")


def test_phone_placeholders_are_numbered_in_the_order_they_are_written() -> None:
    redacted, mapping = redact("Office 030 1234567, mobile +49 171 7654321, home (030) 7654321")
    assert redacted == "Office [PHONE_1], mobile [PHONE_2], home [PHONE_3]"
    assert mapping["[PHONE_2]"] == "+49 171 7654321"


@pytest.mark.parametrize(
    "text",
    [
        "Order #100234567 of 01.06.2024 at 10:30 cost 1,299.00 USD.",
        "Bestellung 5551234567 vom 2024-06-01, Betrag 1.234,56 €",
        "Invoice INV-2291 and ticket INV-2291-2024, ref 2024-0042-17",
        "Server 192.168.100.200 answers on port 8443 since 12/06/2024",
        "We paid 0.50 EUR, then 12 345 678 points were lost",
    ],
)
def test_orders_dates_and_amounts_are_not_phone_numbers(text: str) -> None:
    kept(text)


# --- email addresses ----------------------------------------------------------------------


def test_addresses_are_replaced_but_the_desks_own_is_kept() -> None:
    text = "From jane.doe@example.com, cc Support@acme.example and bob+x@mail.example.org"
    redacted, mapping = redact(text, keep=DESK)
    assert redacted == "From [EMAIL_1], cc Support@acme.example and [EMAIL_2]"
    assert mapping == {"[EMAIL_1]": "jane.doe@example.com", "[EMAIL_2]": "bob+x@mail.example.org"}


# --- one request, many texts --------------------------------------------------------------


def test_the_same_value_gets_the_same_placeholder_across_texts() -> None:
    redactor = Redactor.keeping(DESK)
    first = redactor.redact("Card 4111 1111 1111 1111, mail jane@example.com")
    second = redactor.redact("Again: 4111-1111-1111-1111 and JANE@example.com, +49 30 12345678")
    assert first == "Card [CARD_1], mail [EMAIL_1]"
    assert second == "Again: [CARD_1] and [EMAIL_1], [PHONE_1]"
    assert redactor.restore("Dear [EMAIL_1], we saw [CARD_1] and [PHONE_1].") == (
        "Dear jane@example.com, we saw 4111 1111 1111 1111 and +49 30 12345678."
    )


def test_restore_leaves_unknown_placeholders_and_plain_text() -> None:
    assert restore("[EMAIL_9] and [CARD_1]", {"[CARD_1]": "4111111111111111"}) == (
        "[EMAIL_9] and 4111111111111111"
    )
    assert restore("nothing here", {}) == "nothing here"


def test_a_placeholder_the_customer_wrote_keeps_its_meaning() -> None:
    redacted, mapping = redact("I typed [EMAIL_1] literally; I am jane@example.com")
    assert redacted == "I typed [EMAIL_1] literally; I am [EMAIL_2]"
    assert mapping == {"[EMAIL_2]": "jane@example.com"}


def test_a_mail_full_of_personal_data_keeps_none_of_it() -> None:
    secrets = [
        "4111 1111 1111 1111",
        "DE89 3704 0044 0532 0130 00",
        "Sommer2024!",
        "482913",
        "sk-proj-abcDEF1234567890abcdEFGH",
        "+49 171 1234567",
        "jane.doe@example.com",
    ]
    text = (
        "Hello, I am Jane (jane.doe@example.com, +49 171 1234567). Invoice INV-2291 of "
        "2024-06-01 charged 49.99 EUR twice to card 4111 1111 1111 1111; refund to IBAN "
        "DE89 3704 0044 0532 0130 00 please. My Passwort: Sommer2024! and the code is "
        "482913. The API key sk-proj-abcDEF1234567890abcdEFGH stopped working. "
        "Write to support@acme.example."
    )
    redacted, mapping = redact(text, keep=DESK)
    for value in secrets:
        assert value not in redacted
    for value in ("INV-2291", "2024-06-01", "49.99 EUR", "support@acme.example"):
        assert value in redacted
    assert restore(redacted, mapping) == text


# --- the provider ---------------------------------------------------------------------------


def test_the_prompt_s_own_words_survive_redaction() -> None:
    """Only personal data changes: the system prompt's rules, the markers and their nonce,
    the desk's signature address stay as built."""
    request = TriageRequest(
        subject="Login",
        text="I cannot sign in since the update.",
        sender_email="support@acme.example",
        company_name="Acme",
        signature="Acme Support\nsupport@acme.example",
    )
    prompt = build_prompt(request, token_budget=4000)
    redactor = Redactor.keeping(DESK)
    for message in prompt.messages:
        assert redactor.redact(message["content"]) == message["content"]
    assert redactor.mapping == {}


async def test_the_provider_sends_placeholders_and_restores_every_field(
    openai_settings: AISettings, fake_openai: FakeOpenAI
) -> None:
    fake_openai.enqueue(
        Reply(
            body=completion_body(
                triage_content(
                    summary="Customer [EMAIL_1] shared card [CARD_1].",
                    fix_steps=["Call [PHONE_1].", "Never repeat [CARD_1].", "Close."],
                    draft_reply="Hello,\n\nwe will call you at [PHONE_1]. [EMAIL_9] stays.",
                    escalation_reason="card [CARD_1] was sent in clear",
                )
            )
        )
    )
    provider = OpenAIProvider(openai_settings)
    request = TriageRequest(
        subject="Charge on 4111 1111 1111 1111",
        text="Please call +44 20 7946 0958. Card 4111-1111-1111-1111.",
        sender_email="jane@example.com",
        desk_addresses=DESK,
    )
    try:
        result = (await provider.triage(request)).result
    finally:
        await provider.aclose()
    [sent] = fake_openai.requests
    assert "4111" not in str(sent.body) and "7946" not in str(sent.body)
    assert "jane@example.com" not in str(sent.body)
    assert sent.user_content.count("[CARD_1]") == 2 and "[CARD_2]" not in sent.user_content
    assert "placeholders" in sent.system_content  # the model is told what they are
    assert result.summary == "Customer jane@example.com shared card 4111 1111 1111 1111."
    assert result.fix_steps[:2] == ["Call +44 20 7946 0958.", "Never repeat 4111 1111 1111 1111."]
    assert "call you at +44 20 7946 0958. [EMAIL_9] stays." in result.draft_reply
    assert result.flags.escalation_reason == "model: card 4111 1111 1111 1111 was sent in clear"
