"""The escalation rules beyond confidence, each with a mail that fires it and a near miss
that must not; then how the triager combines their reasons with its own."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.ai import escalation
from core.ai.config import AISettings, with_stored
from core.ai.escalation import EscalationPolicy, evaluate
from core.ai.result import TriageRequest, Urgency
from core.ai.service import Triager, build_triager
from core.errors import ConfigError, ValidationError
from tests.ai.test_service import ScriptedProvider
from tests.support.fake_openai import FakeOpenAI

# -- asks for a human -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("Please, I just want to speak to a real person.", "speak to a real person"),
        ("Can I talk to a human? Your answers do not help.", "talk to a human"),
        ("Let me speak with your manager.", "speak with your manager"),
        ("Ich möchte bitte mit einem Mitarbeiter sprechen.", "mit einem Mitarbeiter sprechen"),
        ("Kann ich mit einem echten Menschen am Telefon sprechen?", "mit einem echten Menschen"),
        ("Quiero hablar con una persona, por favor.", "hablar con una persona"),
        ("Je voudrais parler à un humain.", "parler à un humain"),
        ("Quero falar com um atendente agora.", "falar com um atendente"),
    ],
)
def test_a_customer_asking_for_a_human_escalates(text: str, said: str) -> None:
    fired = escalation.asks_for_human(text)
    assert fired is not None and fired.rule == "asks_for_human"
    assert said in fired.reason and fired.reason.startswith("customer asks for a human")


@pytest.mark.parametrize(
    "text",
    [
        "I need to talk to human resources about the payroll export.",
        "Our human resources team cannot log in.",
        "I talked to my manager and we want the annual plan.",
        "Ich habe gestern mit einem Mitarbeiter gesprochen, es ging um die Rechnung.",
        "El departamento de recursos humanos no recibe las facturas.",
        "Les ressources humaines ont besoin d'un accès.",
        "Falei com um atendente ontem e ele resolveu.",
    ],
)
def test_human_resources_and_past_conversations_do_not(text: str) -> None:
    assert escalation.asks_for_human(text) is None


# -- legal ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("If this is not fixed my lawyer will contact you.", 'lawyer "lawyer"'),
        ("Ich werde meinen Anwalt einschalten.", 'lawyer "Anwalt"'),
        ("Voy a hablar con mi abogado.", 'lawyer "abogado"'),
        ("J'ai contacté mon avocat.", 'lawyer "avocat"'),
        ("Vou procurar um advogado.", 'lawyer "advogado"'),
        ("We will take legal action.", 'legal action "legal action"'),
        ("Under GDPR Article 15 I request a copy of my data.", "data protection request"),
        ("Auskunft nach Art. 15 DSGVO, bitte.", "data protection request"),
        ("I will file a chargeback with my bank.", 'chargeback "chargeback"'),
    ],
)
def test_legal_intent_escalates(text: str, kind: str) -> None:
    fired = escalation.legal_intent(text)
    assert fired is not None and fired.rule == "legal" and kind in fired.reason


def test_every_legal_kind_found_is_named() -> None:
    fired = escalation.legal_intent("My attorney says a chargeback is next.")
    assert fired is not None
    assert fired.reason == 'legal: lawyer "attorney", chargeback "chargeback"'


@pytest.mark.parametrize(
    "text",
    [
        "Are you GDPR compliant? We are evaluating vendors.",
        "Please put our legal entity name on the invoice.",
        "Hi, this is Sue from accounting: the export is empty.",
        "Please process the charge for the add-on.",
    ],
)
def test_legal_near_misses_do_not(text: str) -> None:
    assert escalation.legal_intent(text) is None


# -- refund above the limit -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("€1.299,00", Decimal("1299.00")),
        ("$1,299.00", Decimal("1299.00")),
        ("1299 EUR", Decimal(1299)),
        ("1 299,00 €", Decimal("1299.00")),
        ("R$ 2.500", Decimal(2500)),
        ("12,50 €", Decimal("12.50")),
        ("USD 49.9", Decimal("49.9")),
    ],
)
def test_amounts_as_customers_write_them(written: str, value: Decimal) -> None:
    assert escalation.amounts(f"it was {written} in total") == [(value, written)]


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("Please refund the €1.299,00 you charged twice.", "€1.299,00"),
        ("I want my money back: $1,299.00 for a plan I never used.", "$1,299.00"),
        ("Ich bitte um Rückerstattung von 1299 EUR.", "1299 EUR"),
        ("Quiero el reembolso de 800 euros.", "800 euros"),
        ("Je demande le remboursement de 1 299,00 €.", "1 299,00 €"),
        ("Quero o estorno de R$ 2.500.", "R$ 2.500"),
    ],
)
def test_a_refund_above_the_limit_escalates(text: str, written: str) -> None:
    fired = escalation.refund_above_limit(text, Decimal(500))
    assert fired is not None and fired.rule == "refund_above_limit"
    assert fired.reason == f"refund of {written} above the limit of 500"


@pytest.mark.parametrize(
    "text",
    [
        "Please refund the $49.00 add-on.",  # below the limit
        "Please refund exactly 500 EUR.",  # at it, not above
        "Invoice INV-2291 shows $1,299.00 but the address is wrong.",  # no refund asked
        "Please refund order 123456.",  # a number, no currency
    ],
)
def test_small_refunds_and_amounts_without_a_refund_do_not(text: str) -> None:
    assert escalation.refund_above_limit(text, Decimal(500)) is None


def test_the_limit_is_the_configured_one() -> None:
    text = "Please refund the $49.00 add-on."
    fired = escalation.refund_above_limit(text, Decimal(40))
    assert fired is not None and fired.reason.endswith("above the limit of 40")


@pytest.mark.parametrize(
    ("typed", "limit"), [("500", Decimal(500)), ("1,000", Decimal(1000)), ("99.5", Decimal("99.5"))]
)
def test_limits_as_admins_type_them(typed: str, limit: Decimal) -> None:
    assert escalation.parse_limit(typed) == limit


@pytest.mark.parametrize("typed", ["", "-5", "five hundred", "500 EUR"])
def test_a_limit_that_is_not_a_number_is_refused(typed: str) -> None:
    with pytest.raises(ValidationError, match="refund limit must be a number"):
        escalation.parse_limit(typed)


# -- second reopen ----------------------------------------------------------------------------


def test_a_second_reopen_escalates_a_first_does_not() -> None:
    assert escalation.repeated_reopen(1) is None
    fired = escalation.repeated_reopen(2)
    assert fired is not None and fired.reason == "reopened by the customer 2 times"


# -- VIP senders ----------------------------------------------------------------------------

VIP = ("acme.com", "boss@example.org")


@pytest.mark.parametrize(
    ("sender", "reason"),
    [
        ("Boss@Example.org", "VIP sender boss@example.org"),
        ("anna@acme.com", "VIP sender (domain acme.com)"),
        ("anna@eu.acme.com", "VIP sender (domain acme.com)"),
    ],
)
def test_listed_senders_and_domains_escalate(sender: str, reason: str) -> None:
    fired = escalation.vip_sender(sender, VIP)
    assert fired is not None and fired.reason == reason


@pytest.mark.parametrize(
    "sender", ["anna@notacme.com", "anna@acme.com.evil.test", "other@example.org", "acme.com@x.io"]
)
def test_lookalike_senders_do_not(sender: str) -> None:
    assert escalation.vip_sender(sender, VIP) is None


@pytest.mark.parametrize(
    ("typed", "entry"),
    [(" CEO@Acme.com ", "ceo@acme.com"), ("@Acme.com", "acme.com"), ("eu.acme.com", "eu.acme.com")],
)
def test_vip_entries_are_normalised(typed: str, entry: str) -> None:
    assert escalation.vip_entry(typed) == entry


@pytest.mark.parametrize("typed", ["", "acme", "not an address", "a@b", "10.0.0.1", "a@@b.com"])
def test_a_vip_entry_that_is_neither_address_nor_domain_is_refused(typed: str) -> None:
    with pytest.raises(ValidationError, match="not an email address or a domain"):
        escalation.vip_entry(typed)


# -- the knowledge base hook ----------------------------------------------------------------


def test_the_knowledge_base_hook_fires_only_when_retrieval_found_nothing() -> None:
    question = "How do I export my invoices as CSV?"
    assert escalation.no_source_for_how_to(question, None) is None  # no knowledge base yet
    assert escalation.no_source_for_how_to(question, ["article 3"]) is None
    fired = escalation.no_source_for_how_to(question, [])
    assert fired is not None and fired.rule == "no_source_for_how_to"
    assert escalation.no_source_for_how_to("The export crashes.", []) is None  # not how-to
    assert escalation.is_how_to("Wie kann ich die Rechnung herunterladen?")
    assert not escalation.is_how_to("Please comment on the ticket.")


# -- together ---------------------------------------------------------------------------------


def _mail(text: str, *, sender: str = "ann@example.com", reopens: int = 0) -> TriageRequest:
    return TriageRequest(subject="Help", text=text, sender_email=sender, reopens=reopens)


def test_several_rules_combine_in_order() -> None:
    request = _mail(
        "Refund the $2,000.00 or my lawyer calls. I want to speak to a manager.",
        sender="cfo@acme.com",
        reopens=3,
    )
    fired = evaluate(request, EscalationPolicy(vip=("acme.com",)))
    assert [e.rule for e in fired] == [
        "asks_for_human",
        "legal",
        "refund_above_limit",
        "repeated_reopen",
        "vip_sender",
    ]
    assert evaluate(_mail("The export button does nothing."), EscalationPolicy()) == []


async def test_the_triager_adds_the_rules_reasons_to_its_own() -> None:
    provider = ScriptedProvider(confidence=0.3, urgency=Urgency.low)
    triager = Triager(provider, settings=AISettings(vip_senders=["acme.com"]))
    triaged = await triager.triage(_mail("Can I talk to a human?", sender="jo@acme.com"))
    flags = triaged.result.flags
    assert flags.escalation_required
    assert flags.escalation_reason == (
        "confidence 0.30 below threshold 0.55; "
        'customer asks for a human: "talk to a human"; VIP sender (domain acme.com)'
    )
    assert flags.escalation_rules == ["asks_for_human", "vip_sender"]


async def test_a_confident_draft_escalates_on_a_rule_alone() -> None:
    triager = Triager(ScriptedProvider(confidence=0.95), settings=AISettings())
    triaged = await triager.triage(_mail("Ich werde meinen Anwalt einschalten."))
    assert triaged.result.flags.escalation_required
    assert triaged.result.flags.escalation_reason == 'legal: lawyer "Anwalt"'
    calm = await triager.triage(_mail("The export button does nothing."))
    assert not calm.result.flags.escalation_required and calm.result.flags.escalation_rules == []


def test_the_policy_comes_from_stored_settings() -> None:
    stored = {
        escalation.REFUND_LIMIT_KEY: "1,000",
        escalation.VIP_KEY: '["Acme.com", "boss@example.org"]',
    }
    policy = with_stored(AISettings(), stored).escalation_policy()
    assert policy == EscalationPolicy(
        refund_limit=Decimal(1000), vip=("acme.com", "boss@example.org")
    )
    assert AISettings().escalation_policy() == EscalationPolicy(refund_limit=Decimal(500), vip=())
    with pytest.raises(ConfigError, match="escalation.vip"):
        with_stored(AISettings(), {escalation.VIP_KEY: '["not a domain"]'})
    with pytest.raises(ConfigError, match="escalation.refund_limit"):
        with_stored(AISettings(), {escalation.REFUND_LIMIT_KEY: "lots"})


@pytest.mark.parametrize("provider", ["offline", "openai"])
async def test_the_rules_run_whichever_provider_answered(
    provider: str, openai_settings: AISettings, fake_openai: FakeOpenAI
) -> None:
    settings = openai_settings if provider == "openai" else AISettings()
    triager = build_triager(settings)
    try:
        triaged = await triager.triage(
            _mail("The reports page crashes. My lawyer is reading along.", reopens=2)
        )
    finally:
        await triager.aclose()
    assert triaged.meta.provider == provider
    flags = triaged.result.flags
    assert flags.escalation_rules == ["legal", "repeated_reopen"]
    assert 'legal: lawyer "lawyer"; reopened by the customer 2 times' in (
        flags.escalation_reason or ""
    )
    if provider == "openai":  # the loopback model answered confidently and saw no count
        [sent] = fake_openai.chat_requests
        assert triaged.result.confidence > settings.confidence_threshold
        assert "reopen" not in sent.user_content.lower()
