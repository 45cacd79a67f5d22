"""Escalation rules beyond confidence: what in a mail, its sender or its ticket's history
calls for a senior person whatever the provider answered.

    fired = evaluate(request, EscalationPolicy(refund_limit=Decimal(500), vip=("acme.com",)))
    # [Escalation(rule="asks_for_human", reason='customer asks for a human: "speak to a real person"')]

Each rule is a pure function of plain values and returns an ``Escalation`` (the rule's name
and the reason shown on the Slack card and in ``desk show``) or None. ``evaluate`` runs them
all, in the order of ``RULES``; the triager (``core.ai.service``) adds their reasons to the
provider's, so several reasons combine. The rules read the customer's latest mail (subject
and text, quoted history already stripped), in the five languages the desk drafts in (en,
de, es, fr, pt):

- ``asks_for_human``: "speak to a human / real person / manager", "mit einem Menschen
  sprechen", "hablar con una persona", "parler à un humain", "falar com um atendente";
  not "human resources", "recursos humanos" or "I talked to my manager".
- ``legal``: a lawyer, legal action, a GDPR/DSGVO/RGPD/LGPD request, a chargeback.
- ``refund_above_limit``: asks for money back and names an amount with a currency above
  ``refund_limit`` (any currency: "€1.299,00", "$1,299.00", "1299 EUR", "1 299,00 €").
- ``repeated_reopen``: the customer reopened the ticket ``REOPEN_LIMIT`` times or more
  (``TriageRequest.reopens``, counted by ``core.tickets.triage`` from the audit trail).
- ``vip_sender``: the sender's address, or its domain (subdomains included), is listed.
- ``no_source_for_how_to``: a how-to question for which the knowledge base found no
  article. The triager passes the articles it retrieved (``kb_sources``; an empty list:
  none found); a desk with no published article passes None and the rule stays silent,
  so a desk without a knowledge base is not escalated for every how-to question.

Knows nothing of the database (``core.ai``); the settings it needs come in the policy.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from core.ai.regex_gate import Gate, Text
from core.ai.result import TriageRequest
from core.errors import ValidationError

# the settings keys (``core.control.settings_store``) the policy is read from
REFUND_LIMIT_KEY = "escalation.refund_limit"
VIP_KEY = "escalation.vip"
DEFAULT_REFUND_LIMIT = Decimal(500)
REOPEN_LIMIT = 2  # a second reopen by the customer escalates
_QUOTE_CHARS = 60  # how much of the customer's words a reason quotes


@dataclass(frozen=True, slots=True)
class Escalation:
    """One rule that fired: its name and the reason a person reads."""

    rule: str
    reason: str


@dataclass(frozen=True, slots=True)
class EscalationPolicy:
    """What the rules are configured with: the refund limit (any currency) and the VIP list
    (addresses and domains, as ``vip_entry`` normalises them)."""

    refund_limit: Decimal = DEFAULT_REFUND_LIMIT
    vip: tuple[str, ...] = ()


def _words(text: str) -> str:
    """One line, one space between words (no-break and thin spaces too), straight quotes."""
    return re.sub(r"\s+", " ", text.replace("\u2019", "'")).strip()


@lru_cache(maxsize=4)
def _said(text: str) -> Text:
    """``_words(text)`` prepared for the gated patterns; the rules of one mail share it."""
    return Text(_words(text))


def _quoted(match: re.Match[str]) -> str:
    said = match.group(0).strip()
    if len(said) > _QUOTE_CHARS:
        said = said[: _QUOTE_CHARS - 1].rstrip() + "…"
    return f'"{said}"'


def _compile(*patterns: str) -> Gate:
    return Gate(re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE))


# -- asks for a human -----------------------------------------------------------------------

_HUMAN = _compile(
    # en: speak/talk to a human, a real person, an agent, your manager; not "human resources"
    r"\b(?:speak|talk|chat)\s+(?:to|with)\s+(?:a|an|your|some)\s+"
    r"(?:(?:real|actual|live|human)\s+)?"
    r"(?:human(?:\s+being)?|person|agent|representative|operator|manager|supervisor)\b"
    r"(?!\s+resources)",
    r"\b(?:speak|talk)\s+(?:to|with)\s+(?:someone|somebody)\s+(?:real|human)\b",
    r"\b(?:want|need|request|demand)s?\s+(?:a|an)\s+(?:real|actual|live)\s+(?:human|person)\b",
    r"\b(?:want|need)s?\s+a\s+human\b(?!\s+resources)",
    # de: mit einem Menschen / Mitarbeiter / Vorgesetzten sprechen
    r"\bmit\s+(?:einem|einer|ihrem|ihrer)\s+"
    r"(?:(?:echten|realen|richtigen|menschlichen)\s+)?"
    r"(?:menschen|mitarbeiter(?:in)?|person|vorgesetzten|manager(?:in)?|"
    r"sachbearbeiter(?:in)?|ansprechpartner(?:in)?)\b"
    r"(?:\s+[\wäöüß]+){0,4}?\s+(?:sprechen|reden|telefonieren|verbunden)\b",
    r"\b(?:einen|eine)\s+(?:echte[nr]?|reale[nr]?|richtige[nr]?)\s+(?:menschen|person)\b",
    r"\bmenschlichen\s+(?:mitarbeiter(?:in)?|ansprechpartner(?:in)?|support)\b",
    # es: hablar con una persona / un humano / un agente
    r"\bhablar\s+con\s+(?:una|un|alg[uú]n|alguna|su)\s+"
    r"(?:persona|humano|ser\s+humano|agente|operador(?:a)?|supervisor(?:a)?|gerente|"
    r"encargad[oa]|responsable)\b",
    r"\b(?:una\s+persona\s+real|atenci[oó]n\s+humana)\b",
    # fr: parler à un humain / une personne / un conseiller
    r"\bparler\s+(?:à|a|avec)\s+(?:un|une|votre)\s+(?:vrai(?:e)?\s+)?"
    r"(?:humain|personne|[eê]tre\s+humain|conseill(?:er|[eè]re)|responsable|agent|"
    r"op[eé]rat(?:eur|rice)|superviseur|manager)\b",
    r"\b(?:une\s+vraie\s+personne|un\s+interlocuteur\s+humain)\b",
    # pt: falar com um atendente / uma pessoa / um humano
    r"\bfalar\s+com\s+(?:um|uma|algum|alguma|seu|sua)\s+"
    r"(?:atendente|pessoa|humano|ser\s+humano|agente|supervisor(?:a)?|gerente|"
    r"respons[aá]vel|operador(?:a)?)\b",
    r"\b(?:atendimento\s+humano|pessoa\s+de\s+verdade|pessoa\s+real)\b",
)


def asks_for_human(text: str) -> Escalation | None:
    """The customer asks to speak to a person rather than the desk's answers."""
    found = _HUMAN.search(_said(text))
    if found is None:
        return None
    return Escalation("asks_for_human", f"customer asks for a human: {_quoted(found)}")


# -- legal intent ---------------------------------------------------------------------------

_PRIVACY_LAW = r"(?:gdpr|dsgvo|rgpd|lgpd)"
_PRIVACY_ASK = (
    r"(?:request|art(?:icle|ikel|igo)?\.?\s*\d+|access|erasure|delet\w*|auskunft\w*|"
    r"l[öo]sch\w*|solicitud|derecho|demande|droit|pedido|solicita[çc][ãa]o|direito)"
)
_LEGAL: tuple[tuple[str, Gate], ...] = (
    (
        "lawyer",
        _compile(
            r"\b(?:lawyers?|attorneys?|solicitors?)\b",
            r"\b(?:rechts)?anw[aä]lt(?:in|e|en|s)?\b",
            r"\babogad[oa]s?\b",
            r"\bavocat(?:e|s)?\b",
            r"\badvogad[oa]s?\b",
        ),
    ),
    (
        "legal action",
        _compile(
            r"\blegal\s+(?:action|steps|proceedings)\b",
            r"\blawsuit\b",
            r"\b(?:sue|suing)\s+(?:you|your\s+company|the\s+company)\b",
            r"\b(?:take|taking)\s+you\s+to\s+court\b",
            r"\bsmall\s+claims\b",
            r"\brechtliche\s+schritte\b",
            r"\b(?:verklagen|klage\s+einreichen)\b",
            r"\bacci[oó]n(?:es)?\s+legal(?:es)?\b",
            r"\b(?:demandar|demanda\s+judicial)\b",
            r"\b(?:poursuites?\s+judiciaires?|action\s+en\s+justice|mise\s+en\s+demeure)\b",
            r"\ba[çc][ãa]o\s+judicial\b",
            r"\bprocesso\s+judicial\b",
            r"\b(?:vou|vamos|irei)\s+processar\b",
            r"\bentrar\s+na\s+justi[çc]a\b",
            r"\bprocon\b",
        ),
    ),
    (
        "data protection request",
        _compile(
            rf"\b{_PRIVACY_LAW}\b.{{0,80}}?\b{_PRIVACY_ASK}",
            rf"\b{_PRIVACY_ASK}.{{0,80}}?\b{_PRIVACY_LAW}\b",
            r"\b(?:data\s+subject\s+access\s+request|right\s+to\s+(?:erasure|be\s+forgotten))\b",
        ),
    ),
    (
        "chargeback",
        _compile(
            r"\bcharge\s?backs?\b",
            r"\bdispute\s+(?:the|this)\s+(?:charge|payment)\b",
            r"\br[üu]ckbuchung\b",
            r"\blastschrift\s+(?:zur[üu]ck(?:geben|buchen|gehen\s+lassen)|widerrufen)\b",
            r"\bcontracargos?\b",
            r"\br[ée]trofacturation\b",
        ),
    ),
)


def legal_intent(text: str) -> Escalation | None:
    """A lawyer, legal action, a data-protection request or a chargeback: every kind found."""
    said = _said(text)
    found = [(kind, m) for kind, pattern in _LEGAL if (m := pattern.search(said))]
    if not found:
        return None
    return Escalation("legal", "legal: " + ", ".join(f"{kind} {_quoted(m)}" for kind, m in found))


# -- refund above a limit -------------------------------------------------------------------

_REFUND = _compile(
    r"\b(?:refund\w*|reimburs\w*|money\s+back|pay\s+(?:me\s+)?back|return\s+my\s+money)\b",
    r"\b(?:(?:r[üu]ck|zur[üu]ck)?erstatt\w*|geld\s+zur[üu]ck|gutschrift)\b",
    r"\b(?:reembols\w*|devoluci[oó]n|devu[eé]lvan|devolver\s+(?:el|mi)\s+dinero)\b",
    r"\b(?:rembours\w*)\b",
    r"\b(?:devolu[çc][ãa]o|estorno|devolver\s+o\s+(?:meu\s+)?dinheiro)\b",
)
_CURRENCY = (
    r"(?:R\$|US\$|[€$£¥₹]|\b(?:EUR|USD|GBP|CHF|BRL|CAD|AUD|MXN|JPY|SEK|NOK|DKK|PLN|"
    r"euros?|dollars?|pounds?|reais|francs?)\b)"
)
# 1.299,00 | 1,299.00 | 1 299,00 | 1299 | 1299.5 (a group separator needs 3 digits after it)
_NUMBER = r"(?:\d{1,3}(?:[.,\s']\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)"
_AMOUNT = re.compile(
    rf"(?:{_CURRENCY}\s?(?P<after>{_NUMBER})(?![\d.,]?\d))"
    rf"|(?:(?<![\w.,])(?P<before>{_NUMBER})\s?{_CURRENCY})",
    re.IGNORECASE,
)


def parse_amount(number: str) -> Decimal:
    """A number as written in a mail: "1.299,00", "1,299.00", "1 299", "1299.5" -> Decimal.

    With both "." and ",", the last is the decimal mark; with one of them, it groups
    thousands when three digits follow it (or it repeats), else it is the decimal mark."""
    digits = re.sub(r"[\s']", "", number)
    if "," in digits and "." in digits:
        mark = "," if digits.rfind(",") > digits.rfind(".") else "."
        digits = digits.replace("." if mark == "," else ",", "").replace(mark, ".")
    elif "," in digits or "." in digits:
        mark = "," if "," in digits else "."
        parts = digits.split(mark)
        grouping = len(parts) > 2 or len(parts[-1]) == 3
        digits = ("" if grouping else ".").join(parts)
    try:
        return Decimal(digits)
    except InvalidOperation as exc:
        raise ValidationError(f"not an amount: {number!r}", field="amount") from exc


def amounts(text: str) -> list[tuple[Decimal, str]]:
    """Every amount with a currency in ``text``: (value, as written)."""
    out = []
    for m in _AMOUNT.finditer(text):
        out.append((parse_amount(m.group("after") or m.group("before")), m.group(0).strip()))
    return out


def refund_above_limit(text: str, limit: Decimal) -> Escalation | None:
    """Money back is asked for and the largest amount named is above ``limit``."""
    said = _said(text)
    if not _REFUND.search(said):
        return None
    named = amounts(said.raw)
    if not named:
        return None
    value, written = max(named, key=lambda a: a[0])
    if value <= limit:
        return None
    return Escalation(
        "refund_above_limit", f"refund of {written} above the limit of {_plain(limit)}"
    )


def _plain(value: Decimal) -> str:
    return f"{value:,.2f}".removesuffix(".00")


def parse_limit(text: str) -> Decimal:
    """A refund limit as an admin types it: "500", "1,000", "1.299,50"; not negative."""
    cleaned = text.strip()
    if not re.fullmatch(_NUMBER, cleaned):
        raise ValidationError(
            f"the refund limit must be a number like 500 or 1,000.50, not {text!r}",
            field="refund_limit",
        )
    return parse_amount(cleaned)


# -- second reopen --------------------------------------------------------------------------


def repeated_reopen(reopens: int, *, limit: int = REOPEN_LIMIT) -> Escalation | None:
    """The customer reopened the ticket ``limit`` times or more."""
    if reopens < limit:
        return None
    return Escalation("repeated_reopen", f"reopened by the customer {reopens} times")


# -- VIP senders ----------------------------------------------------------------------------

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_DOMAIN = re.compile(r"(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}")


def vip_entry(text: str) -> str:
    """A VIP list entry: an address (``ceo@acme.com``) or a domain (``acme.com``,
    ``@acme.com``), lower-cased; anything else is a ValidationError."""
    entry = text.strip().lower()
    if entry.startswith("@"):
        entry = entry[1:]
    if "@" in entry:
        if _EMAIL.fullmatch(entry):
            return entry
    elif _DOMAIN.fullmatch(entry) and not entry[-1].isdigit():
        return entry
    raise ValidationError(
        f"not an email address or a domain: {text.strip()!r} (like ceo@acme.com or acme.com)",
        field="vip",
    )


def vip_sender(sender: str, vip: Sequence[str]) -> Escalation | None:
    """The sender's address is listed, or its domain or a domain above it is."""
    address = sender.strip().lower()
    if address in vip:
        return Escalation("vip_sender", f"VIP sender {address}")
    domain = address.rpartition("@")[2]
    labels = domain.split(".")
    for i in range(len(labels) - 1):
        candidate = ".".join(labels[i:])
        if candidate in vip:
            return Escalation("vip_sender", f"VIP sender (domain {candidate})")
    return None


# -- the knowledge base -------------------------------------------------------------------------

_HOW_TO = _compile(
    r"\bhow\s+(?:do|can|could|should|would)\s+(?:i|we|you|one)\b",
    r"\bhow\s+to\b",
    r"\bis\s+(?:it|there\s+a\s+way)\s+possible\s+to\b",
    r"\bwie\s+(?:kann|k[öo]nnen|k[öo]nnte|muss|soll|l[äa]sst|funktioniert)\b",
    r"\bc[oó]mo\s+(?:puedo|podemos|se|hago|debo|funciona)\b",
    r"\bcomment\s+(?:puis-je|peut-on|faire|fait-on|est-ce\s+que)\b",
    r"\bcomo\s+(?:posso|podemos|fa[çc]o|se\s+faz|consigo|funciona)\b",
)


def is_how_to(text: str) -> bool:
    """The mail asks how to do something (in en, de, es, fr or pt)."""
    return _HOW_TO.search(_said(text)) is not None


def no_source_for_how_to(text: str, kb_sources: Sequence[object] | None) -> Escalation | None:
    """A how-to question for which the knowledge base found nothing.

    ``kb_sources`` is what retrieval offered the provider for this mail; None means the
    desk has no published article to ask, and the rule stays silent."""
    if kb_sources is None or kb_sources or not is_how_to(text):
        return None
    return Escalation("no_source_for_how_to", "how-to question with no knowledge-base article")


# -- all of them ----------------------------------------------------------------------------

Rule = Callable[[TriageRequest, EscalationPolicy], Escalation | None]


def _text(request: TriageRequest) -> str:
    return f"{request.subject}\n{request.text}"


RULES: tuple[tuple[str, Rule], ...] = (
    ("asks_for_human", lambda r, p: asks_for_human(_text(r))),
    ("legal", lambda r, p: legal_intent(_text(r))),
    ("refund_above_limit", lambda r, p: refund_above_limit(_text(r), p.refund_limit)),
    ("repeated_reopen", lambda r, p: repeated_reopen(r.reopens)),
    ("vip_sender", lambda r, p: vip_sender(r.sender_email, p.vip)),
)


def evaluate(
    request: TriageRequest,
    policy: EscalationPolicy,
    *,
    kb_sources: Sequence[object] | None = None,
) -> list[Escalation]:
    """Every rule that fires for ``request``, in the order of ``RULES``, then the knowledge
    base's (silent while ``kb_sources`` is None)."""
    fired = [e for _, rule in RULES if (e := rule(request, policy)) is not None]
    hook = no_source_for_how_to(_text(request), kb_sources)
    return [*fired, hook] if hook else fired
