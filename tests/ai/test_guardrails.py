"""Draft checks: secrets, disabled security controls, claimed actions; negations pass."""

from __future__ import annotations

import pytest

from core.ai.guardrails import (
    ASKS_FOR_SECRET,
    CLAIMS_ACTION,
    DISABLES_SECURITY,
    check_draft,
    is_safe,
)

BAD: list[tuple[str, str]] = [
    ("Please reply with your password so we can verify your account.", ASKS_FOR_SECRET),
    ("To speed things up, just send us the 6-digit code we texted you.", ASKS_FOR_SECRET),
    ("Could you share the card number on file so we can match the payment?", ASKS_FOR_SECRET),
    ("Please reply with your username, password and the code from the SMS.", ASKS_FOR_SECRET),
    ("Don't worry, just send your password and we'll handle it.", ASKS_FOR_SECRET),
    ("What is your current password?", ASKS_FOR_SECRET),
    ("We need your CVV to complete the refund.", ASKS_FOR_SECRET),
    ("Bitte senden Sie uns Ihr Passwort.", ASKS_FOR_SECRET),
    ("Bitte teilen Sie uns Ihre Kreditkartennummer mit.", ASKS_FOR_SECRET),
    ("Por favor, envíenos su contraseña.", ASKS_FOR_SECRET),
    ("Merci de nous envoyer votre mot de passe.", ASKS_FOR_SECRET),
    ("Envie-nos a sua senha, por favor.", ASKS_FOR_SECRET),
    ("Please turn off Windows Defender temporarily and try again.", DISABLES_SECURITY),
    ("Disable your firewall and restart the app.", DISABLES_SECURITY),
    ("Try turning your antivirus off for a moment.", DISABLES_SECURITY),
    (
        "You can switch off two-factor authentication in the settings to log in faster.",
        DISABLES_SECURITY,
    ),
    ("Bitte deaktivieren Sie vorübergehend Ihre Firewall.", DISABLES_SECURITY),
    ("Desactive el antivirus e inténtelo de nuevo.", DISABLES_SECURITY),
    ("Désactivez votre pare-feu puis réessayez.", DISABLES_SECURITY),
    ("Desligue o antivírus e tente novamente.", DISABLES_SECURITY),
    ("Your refund has been issued and will arrive in 3 days.", CLAIMS_ACTION),
    ("We have unlocked your account.", CLAIMS_ACTION),
    ("I've gone ahead and reset your password.", CLAIMS_ACTION),
    ("Your account is now unlocked.", CLAIMS_ACTION),
    ("We have reviewed your case, unlocked your account and issued a refund.", CLAIMS_ACTION),
    ("Good news: the refund is on its way.", CLAIMS_ACTION),
    ("Your refund was processed today.", CLAIMS_ACTION),
    ("Wir haben Ihnen den Betrag erstattet.", CLAIMS_ACTION),
    ("Ihr Konto wurde entsperrt.", CLAIMS_ACTION),
    ("Hemos emitido su reembolso.", CLAIMS_ACTION),
    ("Su cuenta ha sido desbloqueada.", CLAIMS_ACTION),
    ("Votre compte a été débloqué.", CLAIMS_ACTION),
    ("Nous avons remboursé votre commande.", CLAIMS_ACTION),
    ("Reembolsamos o valor da sua encomenda.", CLAIMS_ACTION),
    ("A sua conta foi desbloqueada.", CLAIMS_ACTION),
]

GOOD = [
    "For your security we will never ask for your password or one-time codes, so please don't send them to us.",
    "Please do not include card numbers or passwords in your email.",
    "Please try the Forgot password link on the sign-in page.",
    "You can reset your password using the link below.",
    "Once your password has been reset, you can sign in again.",
    "Do not disable your firewall or antivirus.",
    "We have received your message and will get back to you shortly.",
    "Our billing team will review the charges and get back to you.",
    "If a refund is due, we will let you know how and when it will be applied.",
    "We have not issued a refund yet; our billing team will review it.",
    "Bitte senden Sie uns keine Kartennummern oder Passwörter.",
    "Zu Ihrer Sicherheit fragen wir nie nach Passwörtern oder Einmalcodes, bitte senden Sie uns diese nicht.",
    "Por su seguridad nunca le pediremos su contraseña ni códigos de un solo uso, así que no nos los envíe.",
    "Pour votre sécurité, nous ne vous demanderons jamais votre mot de passe ni de codes à usage unique : ne nous les envoyez pas.",
    "Por segurança, nunca pediremos a sua senha nem códigos de uso único, por isso não os envie.",
    "The invoice was issued on March 3.",
    "Please send us the invoice number and the date of the charge.",
    "Your firewall may be blocking the connection; please add an exception for our app.",
    "Could you reply with the exact error message you see?",
    "Please send us your username, not your password.",
]


@pytest.mark.parametrize(("draft", "code"), BAD)
def test_flags_unsafe_drafts(draft: str, code: str) -> None:
    findings = check_draft(f"Hi Ann,\n\nThanks for writing. {draft}\n\nBest regards,\nAcme")
    assert [f.code for f in findings] == [code]
    assert draft.split()[0] in findings[0].excerpt
    assert code in str(findings[0])


@pytest.mark.parametrize("text", GOOD)
def test_passes_safe_drafts(text: str) -> None:
    assert check_draft(text) == []
    assert is_safe(text)


def test_agents_may_state_actions_they_took() -> None:
    text = "We have refunded the second charge. Please reply with your password."
    codes = {f.code for f in check_draft(text, allow_action_claims=True)}
    assert codes == {ASKS_FOR_SECRET}
    assert {f.code for f in check_draft(text)} == {ASKS_FOR_SECRET, CLAIMS_ACTION}


def test_curly_apostrophes_count_as_apostrophes() -> None:
    assert [f.code for f in check_draft("We’ve unlocked your account.")] == [CLAIMS_ACTION]


def test_security_control_and_verb_in_different_clauses() -> None:
    draft = "Multi-factor authentication is currently broken, please switch it off for now."
    assert [f.code for f in check_draft(draft)] == [DISABLES_SECURITY]
    assert check_draft("Your antivirus is fine, please don't turn it off.") == []


def test_one_finding_per_problem_sentence() -> None:
    draft = "Please send your password. Also disable the firewall. We have refunded you."
    assert [f.code for f in check_draft(draft)] == [
        ASKS_FOR_SECRET,
        DISABLES_SECURITY,
        CLAIMS_ACTION,
    ]


@pytest.mark.parametrize(
    "text",
    [
        "No worries, the refund is on its way.",
        "Se lo agradecemos y hemos emitido el reembolso.",
        "Don't worry, we have unlocked your account.",
    ],
)
def test_a_negation_or_reflexive_elsewhere_does_not_hide_a_claim(text: str) -> None:
    assert [f.code for f in check_draft(text)] == [CLAIMS_ACTION]


def test_stated_policies_are_not_claims() -> None:
    assert check_draft("No reembolsamos los gastos de envío.") == []
    assert check_draft("We do not refund shipping costs.") == []
