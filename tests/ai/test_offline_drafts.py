"""Offline drafts use what the mail says (issue 13): the invoice, error and attachment the
customer gave, what they already tried, the right salutation in each language, and the
knowledge base's public page. The issue's examples run through the real OfflineProvider
with mails whose category is unambiguous; the register tests render a given category."""

from __future__ import annotations

import re

import pytest

from core.ai import templates
from core.ai.facts import extract_facts
from core.ai.guardrails import check_draft
from core.ai.offline import OfflineProvider
from core.ai.result import AttachmentInfo, Category, KnowledgeSource, TriageRequest


def _triage(subject: str, text: str, **kw: object) -> tuple[Category, str, list[str], list[int]]:
    request = TriageRequest(
        subject=subject, text=text, sender_email="ann@example.com", company_name="Acme", **kw
    )  # type: ignore[arg-type]
    result = OfflineProvider().triage_sync(request).result
    assert check_draft(result.draft_reply) == [], result.draft_reply
    return result.category, result.draft_reply, result.fix_steps, result.citations


def _body(draft: str) -> str:
    """The draft without its greeting and signature lines."""
    return draft.split("\n\n", 1)[1].rsplit("\n\n", 1)[0]


# --- the issue's three examples ---------------------------------------------------------


def test_a_double_charge_on_a_named_invoice_is_quoted_and_not_asked_for() -> None:
    category, draft, steps, _ = _triage(
        "Charged twice",
        "Hello,\n\nyou charged me twice for invoice INV-2291 (€49.00) on 3 March. Please "
        "refund the duplicate charge.\n\nThanks,\nJane Doe",
        sender_name="Jane Doe",
    )
    assert category == Category.billing
    assert "INV-2291" in draft and "€49.00" in draft and "3 March" in draft
    assert "invoice number" not in draft.lower() and "date of the charge" not in draft
    assert "duplicate charge" in draft and "refund" in draft
    assert any("INV-2291" in s and "refund" in s.lower() for s in steps), steps
    assert any("duplicate" in s for s in steps)


def test_a_double_charge_without_an_invoice_asks_for_the_number_only() -> None:
    _, draft, _, _ = _triage(
        "Charged twice", "You charged my card twice on 2026-03-03, please refund one of them."
    )
    assert "invoice number" in draft and "date of the charge" not in draft


def test_a_password_reset_twice_gets_unlock_steps_not_forgot_password() -> None:
    category, draft, steps, _ = _triage(
        "Cannot sign in",
        "Hi,\n\nI have already reset my password twice and I still cannot sign in to my "
        "account. It keeps saying my login failed.\n\nTom",
        sender_name="Tom Lee",
    )
    assert category == Category.login
    assert "forgot password" not in draft.lower()
    assert "already reset your password twice" in draft
    assert "locked" in draft and "unlock" in draft
    assert not any("trigger a reset" in s for s in steps)
    assert any("lockout" in s for s in steps) and any("Unlock" in s for s in steps)


def test_a_log_showing_413_is_named_and_logs_are_not_asked_for() -> None:
    category, draft, steps, _ = _triage(
        "Upload of my report fails",
        "Hi,\n\nthe upload of my report fails every time with an error. The server log is "
        "attached.\n\nAnn",
        sender_name="Ann Lee",
        attachments=[
            AttachmentInfo(
                name="upload-2026-03-03.log",
                content_type="text/plain",
                size=812,
                excerpt="2026-03-03T10:01:07Z POST /api/reports/upload HTTP/1.1 413 Payload "
                "Too Large",
            )
        ],
    )
    assert category == Category.technical
    assert "upload-2026-03-03.log" in draft and "413 Payload Too Large" in draft
    assert "upload size limit" in draft
    lowered = draft.lower()
    assert "log file" not in lowered and "send logs" not in lowered and "screenshot" not in lowered
    assert "exact error message" not in lowered
    assert "upload-2026-03-03.log" in steps[0] and "413" in steps[0]
    assert any("upload limit" in s for s in steps)


def test_what_the_customer_tried_is_not_asked_again() -> None:
    category, draft, steps, _ = _triage(
        "App crashes",
        "The desktop app crashes on startup with error 0xC0000005. I already restarted the "
        "computer and reinstalled the app, same result.",
    )
    assert category == Category.technical
    assert "0xC0000005" in draft
    assert "already tried restarting and reinstalling" in draft
    assert "exact error message" not in draft
    assert any("Skip what the customer already tried (restart, reinstall)" in s for s in steps)


# --- the knowledge base's public page ---------------------------------------------------

_REFUNDS = KnowledgeSource(
    id=7,
    title="Refunds for double charges",
    text="A double charge is refunded to the card within five days.",
    public_url="https://help.acme.example/refunds",
)


def test_a_source_with_a_public_page_is_linked_and_cited() -> None:
    _, draft, steps, citations = _triage(
        "Charged twice", "You charged me twice for invoice INV-2291.", sources=[_REFUNDS]
    )
    assert "https://help.acme.example/refunds" in draft
    assert "“Refunds for double charges”" in draft
    assert citations == [7]
    assert "#7" in steps[-1]


def test_no_link_is_invented_without_a_public_page() -> None:
    internal = _REFUNDS.model_copy(update={"public_url": None})
    _, draft, steps, citations = _triage(
        "Charged twice", "You charged me twice for invoice INV-2291.", sources=[internal]
    )
    assert "http" not in draft and "help article" not in draft
    assert citations == [7]  # the fix steps point the agent to it
    assert "no public page" in steps[-1]
    _, draft, steps, citations = _triage("Charged twice", "You charged me twice for INV-2291.")
    assert "http" not in draft and citations == []
    assert not any("knowledge-base article" in s for s in steps)


# --- salutation and register ------------------------------------------------------------


def _render(
    category: Category, language: str, subject: str, text: str, sender_name: str = ""
) -> str:
    facts = extract_facts(subject, text, sender_name=sender_name)
    draft = templates.render_draft(
        templates.DraftContext(
            category=category,
            language=language,
            customer_name=facts.addressee.first,
            company_name="Acme",
            signature="",
            subject=subject,
            facts=facts,
        )
    )
    assert check_draft(draft) == [], draft
    return draft


# words of the informal register that must not appear in a formal draft
_INFORMAL = {
    "de": r"\b(?:du|dich|dir|dein\w*|euch|euer|hallo|hi)\b",
    "fr": r"\b(?:tu|toi|ton|ta|tes|salut|t'|te)\b",
    "es": r"\b(?:tú|tu|tus|te|ti|contigo|puedes|tienes|quieres)\b",
    "pt": r"\b(?:tu|teu|tua|teus|tuas|te|contigo)\b",
}
_FORMAL = {
    "de": r"\b(?:Sie|Ihr|Ihre|Ihnen|Ihrem|Ihren|Ihrer)\b",
    "fr": r"\b(?:vous|votre|vos)\b",
    "es": r"\b(?:su|sus|le|usted)\b",
    "pt": r"\b(?:sua|seu|suas|seus)\b",
}

_MAILS = {
    Category.billing: ("Rechnung", "invoice INV-2291 charged twice, 49,00 €"),
    Category.technical: ("Upload", "upload fails with 413 Payload Too Large; restarted already"),
    Category.login: ("Login", "I have already reset my password twice"),
    Category.feature: ("Idea", "please add dark mode"),
    Category.general: ("Order", "where is order #48120?"),
    Category.other: ("Hello", "just saying thanks"),
}


@pytest.mark.parametrize("language", ["de", "fr", "es", "pt"])
@pytest.mark.parametrize("category", list(Category))
def test_one_register_per_language_throughout(language: str, category: Category) -> None:
    subject, text = _MAILS[category]
    for name in ("Anna Weber", "Frau Dr. Anna Weber", ""):
        draft = _render(category, language, subject, text, name)
        body = _body(draft)
        assert not re.search(_INFORMAL[language], draft, re.IGNORECASE), (language, draft)
        if category not in (Category.feature, Category.other):  # those address nobody's things
            assert re.search(_FORMAL[language], body), (language, body)


@pytest.mark.parametrize(
    ("name", "text", "greeting"),
    [
        ("Frau Dr. Weber", "", "Guten Tag Frau Dr. Weber,"),
        ("Herr Jürgen Klein", "", "Guten Tag Herr Klein,"),
        ("Jürgen Klein", "", "Guten Tag Jürgen Klein,"),
        (
            "Anna Weber",
            "Bitte prüfen.\n\nMit freundlichen Grüßen\nFrau Anna Weber",
            "Guten Tag Frau Weber,",
        ),
        ("", "", "Guten Tag,"),
    ],
)
def test_german_is_formal_with_a_title_only_when_the_mail_gives_one(
    name: str, text: str, greeting: str
) -> None:
    draft = _render(Category.login, "de", "Konto", f"Mein Konto ist gesperrt. {text}", name)
    assert draft.startswith(greeting + "\n")
    assert "Hallo" not in draft
    assert re.search(r"\bSie\b", draft)


def test_german_issue_example_no_hallo_with_sie() -> None:
    category, draft, _, _ = _triage(
        "Passwort zurückgesetzt, Login geht nicht",
        "Hallo,\n\nich habe mein Passwort schon zweimal zurückgesetzt und kann mich trotzdem "
        "nicht anmelden. Bitte helfen Sie mir.\n\nViele Grüße\nJürgen Klein",
        sender_name="Jürgen Klein",
    )
    assert category == Category.login
    assert draft.startswith("Guten Tag Jürgen Klein,\n")
    assert "Hallo" not in draft and "zweimal zurückgesetzt" in draft
    assert "Passwort vergessen" not in draft and "entsperrt" in draft


@pytest.mark.parametrize(
    ("language", "name", "greeting"),
    [
        ("fr", "Mme Claire Dubois", "Bonjour Madame Dubois,"),
        ("fr", "Monsieur Paul Martin", "Bonjour Monsieur Martin,"),
        ("fr", "Claire Dubois", "Bonjour Claire Dubois,"),
        ("es", "Sra. Ana García", "Estimada Sra. García:"),
        ("es", "Juan García", "Hola, Juan García:"),
        ("pt", "Sr. João Silva", "Caro Sr. Silva,"),
        ("pt", "João Silva", "Olá, João Silva,"),
        ("en", "Ms Jane Doe", "Dear Ms Doe,"),
        ("en", "Mrs. Dr. Jane Doe", "Dear Dr. Doe,"),
        ("de", "Dr. Anna Weber", "Guten Tag Dr. Anna Weber,"),
        ("en", "Jane Doe", "Hi Jane,"),
    ],
)
def test_salutations(language: str, name: str, greeting: str) -> None:
    draft = _render(Category.general, language, "Question", "A question.", name)
    assert draft.startswith(greeting + "\n")


@pytest.mark.parametrize(
    ("language", "subject", "text", "quoted"),
    [
        (
            "de",
            "Rechnung",
            "Rechnung RE-2026-118 über 49,00 € wurde doppelt abgebucht.",
            "RE-2026-118",
        ),
        ("es", "Factura", "Me cobraron dos veces la factura F-2291 de 49,90 EUR.", "F-2291"),
        ("fr", "Facture", "La facture FA-2291 de 49,00 € a été prélevée deux fois.", "FA-2291"),
        ("pt", "Fatura", "A fatura FT-2291 de 49,90 € foi cobrada duas vezes.", "FT-2291"),
    ],
)
def test_each_language_quotes_the_invoice_and_does_not_ask_for_it(
    language: str, subject: str, text: str, quoted: str
) -> None:
    draft = _render(Category.billing, language, subject, text, "Anna Weber")
    assert quoted in draft and "49," in draft
    asks = {
        "de": "Rechnungsnummer",
        "es": "número de factura",
        "fr": "numéro de facture",
        "pt": "número da fatura",
    }
    assert asks[language] not in draft


def test_without_facts_the_generic_template_is_kept() -> None:
    draft = templates.render_draft(
        templates.DraftContext(
            category=Category.technical,
            language="en",
            customer_name="Ann",
            company_name="Acme",
            signature="",
        )
    )
    assert draft.startswith("Hi Ann,\n") and "log files" in draft


# --- the learned path keeps priority and gets the facts ---------------------------------


def test_an_approved_reply_is_adapted_with_the_invoice_the_facts_found() -> None:
    from core.ai.offline import LEARNED_VERSION
    from core.ai.result import Example

    example = Example(
        kind="approved",
        category=Category.billing.value,
        similarity=0.9,
        subject="Double charge",
        customer_text="You charged me twice for invoice INV-1001.",
        reply_text="Hi Anna,\n\nWe refund the second charge on INV-1001 within five days.\n\nJo",
        customer_name="Anna Berg",
    )
    request = TriageRequest(
        subject="Charged twice",
        text="You charged me twice for INV-2291, please refund one of them.",  # a bare number
        sender_email="tom@example.com",
        sender_name="Tom Lee",
        examples=[example],
    )
    triaged = OfflineProvider().triage_sync(request)
    assert triaged.result.category == Category.billing
    assert triaged.meta.prompt_version == LEARNED_VERSION
    assert triaged.result.draft_reply == (
        "Hi Tom,\n\nWe refund the second charge on INV-2291 within five days.\n\nJo"
    )


@pytest.mark.parametrize(
    ("language", "text", "forgot"),
    [
        ("en", "My account is locked and I cannot sign in.", "forgot password"),
        ("de", "Mein Konto ist gesperrt, ich komme nicht mehr rein.", "passwort vergessen"),
        ("es", "Mi cuenta está bloqueada y no puedo entrar.", "olvidó su contraseña"),
        ("fr", "Mon compte est bloqué, je ne peux plus me connecter.", "mot de passe oublié"),
        ("pt", "A minha conta está bloqueada e não consigo entrar.", "esqueci a senha"),
    ],
)
def test_a_locked_account_is_unlocked_not_sent_to_forgot_password(
    language: str, text: str, forgot: str
) -> None:
    draft = _render(Category.login, language, "Login", text, "Anna Weber")
    assert forgot not in draft.lower()
    unlock = {"en": "unlock", "de": "entsperrt", "es": "desbloqueará", "fr": "débloquer"}
    assert unlock.get(language, "desbloqueá-la") in draft


def test_a_reset_email_that_never_arrives_points_to_spam_and_delivery() -> None:
    category, draft, steps, _ = _triage(
        "Password reset email never arrives",
        "I can't sign in, the password reset email never arrives.",
    )
    assert category == Category.login
    assert "forgot password" not in draft.lower() and "spam" in draft
    assert any("mail log" in s for s in steps)


def test_a_follow_up_keeps_what_the_thread_already_said() -> None:
    from core.ai.result import ContextMessage

    history = [
        ContextMessage(
            direction="in",
            from_email="ann@example.com",
            text="You charged me twice for invoice INV-2291. I already reset my password too.",
        ),
        ContextMessage(  # our reply: its words are not the customer's
            direction="out", from_email="support@acme.example", text="Please send INV-9999."
        ),
    ]
    _, draft, _, _ = _triage(
        "Re: Charged twice",
        "Any news on the double charge? You charged me twice and I still see both.",
        history=history,
    )
    assert "INV-2291" in draft and "INV-9999" not in draft
    assert "invoice number" not in draft
    facts = extract_facts("Re", "Still failing.", earlier=[history[0].text])
    assert facts.invoices == ("INV-2291",) and facts.tried == ("password_reset",)


def test_only_a_web_page_is_linked() -> None:
    odd = _REFUNDS.model_copy(update={"public_url": "javascript:alert(1)"})
    _, draft, steps, citations = _triage("Charged twice", "You charged me twice.", sources=[odd])
    assert "javascript" not in draft and citations == [7]
    assert "javascript" not in steps[-1] and "no public page" in steps[-1]


def test_only_plain_file_names_and_names_are_echoed() -> None:
    _, draft, _, _ = _triage(
        "Upload fails",
        "The upload fails with 413 Payload Too Large.",
        sender_name="Click https evil example now for a prize",
        attachments=[
            AttachmentInfo(name="see https://evil.example/x.log", excerpt="413 Payload Too Large"),
            AttachmentInfo(name="trace.txt"),
        ],
    )
    assert "evil" not in draft and "prize" not in draft
    assert "trace.txt" in draft and "413 Payload Too Large" in draft


@pytest.mark.parametrize(
    ("language", "text", "quoted"),
    [
        ("en", "Where is order #48120?", "your question about order #48120"),
        ("de", "Wo bleibt Bestellung Nr. 48120?", "Ihre Frage betreffend die Bestellung 48120"),
        ("es", "¿Dónde está el pedido 48120?", "su consulta sobre el pedido 48120"),
        ("fr", "Où en est la commande 48120 ?", "votre question concernant la commande 48120"),
        ("pt", "Onde está a encomenda 48120?", "a sua questão sobre a encomenda 48120"),
        ("en", "Does the Business plan include SSO?", "your question about the Business plan"),
    ],
)
def test_a_general_question_names_its_order_or_plan(language: str, text: str, quoted: str) -> None:
    draft = _render(Category.general, language, "Question", text, "Anna Weber")
    assert quoted in draft
