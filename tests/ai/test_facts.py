"""core.ai.facts: what a mail says, read in each draft language."""

from __future__ import annotations

import pytest

from core.ai.facts import Addressee, addressee, extract_facts, find_errors, find_tried
from core.ai.result import AttachmentInfo


def test_english_billing_mail() -> None:
    facts = extract_facts(
        "Charged twice for INV-2291",
        "Hi,\n\nyou charged me twice for invoice INV-2291 ($49.00) on March 3, 2026 and "
        "again on 2026-03-04. My order #48120 is fine.\n\nThanks,\nJane",
    )
    assert facts.invoices == ("INV-2291",)
    assert facts.orders == ("#48120",)
    assert facts.invoice == "INV-2291" and facts.order == "#48120"
    assert facts.amounts == ("$49.00",)
    assert facts.dates == ("March 3, 2026", "2026-03-04")
    assert facts.charged_twice
    assert "INV-2291" in facts.references and "#48120" in facts.references


def test_a_bare_invoice_number_counts() -> None:
    facts = extract_facts("Question", "Why is INV-7781 higher than last month?")
    assert facts.invoices == ("INV-7781",)
    assert not facts.charged_twice


@pytest.mark.parametrize(
    ("text", "invoice", "amount", "date"),
    [
        (
            "Die Rechnung Nr. RE-2026-118 über 49,00 € wurde am 3. März doppelt abgebucht.",
            "RE-2026-118",
            "49,00 €",
            "3. März",
        ),
        (
            "Me han cobrado dos veces la factura F-2291 de 49,90 EUR el 3 de marzo de 2026.",
            "F-2291",
            "49,90 EUR",
            "3 de marzo de 2026",
        ),
        (
            "La facture FA-2291 de 49,00 € a été prélevée deux fois le 03/03/2026.",
            "FA-2291",
            "49,00 €",
            "03/03/2026",
        ),
        (
            "A fatura FT-2291 de R$ 149,90 foi cobrada duas vezes em 3 de março.",
            "FT-2291",
            "R$ 149,90",
            "3 de março",
        ),
    ],
)
def test_billing_facts_in_each_language(text: str, invoice: str, amount: str, date: str) -> None:
    facts = extract_facts("", text)
    assert facts.invoices == (invoice,)
    assert facts.amounts == (amount,)
    assert facts.dates == (date,)
    assert facts.charged_twice


@pytest.mark.parametrize(
    ("text", "errors"),
    [
        ("The upload fails: HTTP/1.1 413 Payload Too Large", ("413 Payload Too Large",)),
        ("nginx said 413 Request Entity Too Large", ("413 Payload Too Large",)),
        ("Windows Update stops with 0x80070005.", ("0x80070005",)),
        (
            "The app shows E1042 and then ERR_CONNECTION_REFUSED",
            ("E1042", "ERR_CONNECTION_REFUSED"),
        ),
        ("Fehlercode: X17 beim Start", ("X17",)),
        ("Your API returns error 502 since noon", ("502 Bad Gateway",)),
        ("API returns 500 on /v2/orders", ("500 Internal Server Error",)),
        ("We keep getting 503 errors", ("503 Service Unavailable",)),
        ("I paid 500 euros for 404 licences", ()),
        ("The invoice INV-2291 is for 413 EUR", ()),  # an amount, not a status
        ("no error at all", ()),
    ],
)
def test_errors(text: str, errors: tuple[str, ...]) -> None:
    assert find_errors(text) == errors


@pytest.mark.parametrize(
    ("text", "tried"),
    [
        ("I have already reset my password twice.", ("password_reset",)),
        ("I reset my password but it still fails", ("password_reset",)),
        ("The password reset email never arrives.", ()),
        ("I can't reset my password.", ()),
        ("Ich habe mein Passwort schon zweimal zurückgesetzt.", ("password_reset",)),
        ("Ya restablecí la contraseña dos veces.", ("password_reset",)),
        ("J'ai déjà réinitialisé mon mot de passe.", ("password_reset",)),
        ("Já redefini a minha senha duas vezes.", ("password_reset",)),
        (
            "I restarted the app and cleared the cache, same in Firefox.",
            ("restart", "cache", "other_browser"),
        ),
        ("Ich habe den Rechner neu gestartet und den Cache geleert.", ("restart", "cache")),
        (
            "I already tried restarting the device and clearing the cache.",
            ("restart", "cache"),
        ),
        ("Should I try restarting?", ()),
        ("Ya reinicié y probé con otro navegador.", ("restart", "other_browser")),
        ("J'ai réinstallé l'application sur un autre appareil.", ("reinstall", "other_device")),
        ("Já reiniciei e limpei a cache.", ("restart", "cache")),
        ("I already paid this invoice last week.", ("paid",)),
        ("Ich habe die Rechnung bereits bezahlt.", ("paid",)),
        ("Ya he pagado la factura.", ("paid",)),
        ("J'ai déjà payé cette facture.", ("paid",)),
        ("Já paguei a fatura.", ("paid",)),
    ],
)
def test_what_the_customer_already_tried(text: str, tried: tuple[str, ...]) -> None:
    assert find_tried(text) == tried


def test_how_often_the_password_was_reset() -> None:
    assert extract_facts("", "I reset my password twice already.").tried_times == 2
    assert extract_facts("", "Ich habe das Passwort 3 mal zurückgesetzt.").tried_times == 3
    assert extract_facts("", "I reset my password.").tried_times == 0


def test_attachments_show_their_errors() -> None:
    facts = extract_facts(
        "Upload fails",
        "See the attached log.",
        attachments=[
            AttachmentInfo(name="upload.log", excerpt="POST /files -> 413 Payload Too Large"),
            AttachmentInfo(name="screenshot.png"),
        ],
    )
    assert [(a.name, a.errors) for a in facts.attachments] == [
        ("upload.log", ("413 Payload Too Large",)),
        ("screenshot.png", ()),
    ]
    assert facts.errors == ("413 Payload Too Large",)
    assert facts.http_status() == 413


def test_plans() -> None:
    assert extract_facts("", "We are on the Business plan since May.").plans == ("Business",)
    assert extract_facts("", "Wir nutzen den Pro-Tarif.").plans == ("Pro",)
    assert extract_facts("", "Tenemos el plan Premium.").plans == ("Premium",)
    assert extract_facts("", "I changed my plan yesterday.").plans == ()


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("Frau Dr. Weber", "", Addressee("", "Weber", "f", "Dr.")),
        ("Herr Jürgen Klein", "", Addressee("Jürgen", "Klein", "m", "")),
        ("Jürgen Klein", "", Addressee("Jürgen", "Klein", "", "")),
        (
            "Anna Weber",
            "Danke.\n\nMit freundlichen Grüßen\nFrau Dr. Anna Weber",
            Addressee("Anna", "Weber", "f", "Dr."),
        ),
        # a title signed by someone else than the sender is not theirs
        (
            "Anna Weber",
            "Mit freundlichen Grüßen\nHerr Max Muster",
            Addressee("Anna", "Weber", "", ""),
        ),
        ("Mme Claire Dubois", "", Addressee("Claire", "Dubois", "f", "")),
        ("Sr. Juan García", "", Addressee("Juan", "García", "m", "")),
        ("Sra. Ana Souza", "", Addressee("Ana", "Souza", "f", "")),
        ("Weber, Anna", "", Addressee("Anna", "Weber", "", "")),
        ("ann@example.com", "", Addressee()),
        ("", "", Addressee()),
    ],
)
def test_addressee(name: str, text: str, expected: Addressee) -> None:
    assert addressee(name, text) == expected


@pytest.mark.parametrize(
    ("text", "locked", "missing"),
    [
        ("My account got locked after three tries.", True, False),
        ("I'm locked out of my account.", True, False),
        ("Mein Konto ist gesperrt.", True, False),
        ("Mi cuenta está bloqueada.", True, False),
        ("Mon compte est bloqué depuis hier.", True, False),
        ("A minha conta foi bloqueada.", True, False),
        ("The password reset email never arrives.", False, True),
        ("I didn't get the password reset link.", False, True),
        ("Der Link zum Zurücksetzen des Passworts kommt nicht an.", False, True),
        ("El enlace de restablecimiento no me llega.", False, True),
        ("Le lien de réinitialisation n'arrive pas.", False, True),
        ("O link de redefinição não chega.", False, True),
        ("How do I change my email address?", False, False),
    ],
)
def test_login_situations(text: str, locked: bool, missing: bool) -> None:
    facts = extract_facts("", text)
    assert (facts.account_locked, facts.reset_mail_missing) == (locked, missing)


@pytest.mark.parametrize(
    ("text", "dates"),
    [
        ("Auf meiner Rechnung für Oktober steht 129,00 €.", ("Oktober",)),
        ("the invoice for October 2026", ("October 2026",)),
        ("la factura de octubre", ("octubre",)),
        ("charged on 3 March 2026, for March", ("3 March 2026", "March")),
        ("I may come by", ()),
    ],
)
def test_a_month_named_alone_is_a_date(text: str, dates: tuple[str, ...]) -> None:
    assert extract_facts("", text).dates == dates
