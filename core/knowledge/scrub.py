"""Personal data out of a text that becomes a knowledge-base article, for good.

    clean = scrub(text, names=["Anna Schmidt", "Mia Berg"])

Unlike ``core.ai.privacy`` (placeholders a model's answer is restored from), nothing here
comes back: every value is replaced by a neutral word in brackets. ``core.ai.privacy``'s
detectors find card numbers (Luhn), IBANs (mod-97), email addresses, phone numbers,
passwords, one-time codes, API keys and tokens; this module adds what an article must not
keep either and the triage prompt may:

- ``names``: the people the desk knows took part (the customer, the agent who approved the
  reply), each whole name and each part of it, in any case; a name after a title
  (``Mr``, ``Mrs``, ``Ms``, ``Dr``, ``Herr``, ``Frau``, ``Sr``, ``Sra``, ``M.``, ``Mme``)
  or after "my name is" (``ich heiße``, ``me llamo``...), whoever it is;
- order and invoice numbers: an id after the word (``order``, ``invoice``, ``Bestellung``,
  ``Rechnung``, ``pedido``, ``factura``, ``commande``, ``facture``, ``encomenda``, with
  ``no``/``number``/``#``/``:`` between) and ids written like ``ORD-1234``, ``INV-2291``,
  ``#100234567``; any other run of 7 or more digits becomes ``[number]``;
- postal addresses: a street with its house number (``221B Baker Street``, ``12 Elm St``,
  ``Hauptstraße 5``, ``Calle Mayor 3``, ``rue de Rivoli 10``), a postal code with its town
  (``10115 Berlin``, ``SW1A 1AA``, ``CA 94105``), and ``PO Box 12``.

Greetings and signatures are the drafter's to drop (``core.knowledge.proposals``); a name
left in one is still replaced here. Pure: no I/O, no clock.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from core.ai.privacy import PLACEHOLDER, Redactor

NEUTRAL = {
    "EMAIL": "[email address]",
    "PHONE": "[phone number]",
    "CARD": "[card number]",
    "IBAN": "[IBAN]",
    "PASSWORD": "[password]",
    "CODE": "[code]",
    "API_KEY": "[secret]",
    "TOKEN": "[secret]",
}
NAME = "[name]"
ORDER = "[order number]"
INVOICE = "[invoice number]"
NUMBER = "[number]"
ADDRESS = "[address]"

_ID = r"(?=[A-Za-z0-9-]*\d)[A-Za-z0-9][A-Za-z0-9/-]{2,}"
_BETWEEN = (
    r"(?:\s*(?:number|no\.?|nr\.?|num\.?|nummer|n[º°o]\.?|id|ref\.?)\s*)?\s*(?:[:#]\s*)?"
    r"(?:(?:is|was|ist|war|es|est|é)\s+)?"
)
_ORDER_WORDS = r"orders?|bestellung(?:en)?|auftrag|pedidos?|commandes?|encomendas?"
_INVOICE_WORDS = r"invoices?|rechnung(?:en)?|factura|facture|fatura|receipt|bill"
_ORDER = re.compile(rf"(?i)\b(?P<word>{_ORDER_WORDS}){_BETWEEN}(?P<id>#?{_ID})")
_INVOICE = re.compile(rf"(?i)\b(?P<word>{_INVOICE_WORDS}){_BETWEEN}(?P<id>#?{_ID})")
_ORDER_SHAPE = re.compile(r"\b(?:ORD|ORDER|SO|PO|BST)[-_ ]?\d{3,}[A-Z0-9-]*\b|#\d{5,}\b")
_INVOICE_SHAPE = re.compile(r"\b(?:INV|RE|RG|FAC|FA)[-_]\d{3,}[A-Z0-9-]*\b|\bINV\d{3,}\b")
_LONG_NUMBER = re.compile(r"(?<![\w.])\d(?:[ -]?\d){6,}(?![\w])")

_TITLES = r"mr|mrs|ms|miss|mx|dr|prof|herr|frau|sr|sra|srta|mme|mlle|m\."
_CAP = r"[A-ZÀ-ÖØ-Þ][\w'’-]+"
_TITLED = re.compile(rf"(?i:\b(?:{_TITLES}))\.?\s+{_CAP}(?:\s+{_CAP})?")
_SELF_NAMED = re.compile(
    rf"(?P<lead>(?i:\b(?:my name is|my name's|ich heiße|me llamo|je m'appelle|meu nome é|"
    rf"mein name ist|mi nombre es))\s+){_CAP}(?:\s+{_CAP})?"
)

_STREET_WORDS = (
    r"street|st|road|rd|avenue|ave|lane|ln|drive|dr|boulevard|blvd|way|court|ct|place|pl|"
    r"square|sq|terrace|close|crescent|parkway|highway|hwy"
)
_STREET_EN = re.compile(
    rf"\b\d{{1,5}}[A-Za-z]?\s+(?:{_CAP}\s+){{1,3}}(?i:{_STREET_WORDS})\b\.?"
    r"(?:,?\s*(?i:apt|apartment|suite|unit|flat)\.?\s*\w+)?"
)
_STREET_DE = re.compile(
    r"\b[A-ZÄÖÜ][\wäöüß-]*(?:straße|strasse|str\.|weg|gasse|platz|allee|ring|damm|ufer)"
    r"\s+\d{1,5}\s?[a-z]?\b"
)
_STREET_ROMANCE = re.compile(
    r"(?i:\b(?:calle|avenida|avda\.?|rua|rue|avenue|boulevard|via|viale|plaza|praça|largo|"
    r"chemin|allée|impasse)\s+)(?:(?:de|del|la|le|des|du|da|do|dos|das)\s+)*[\wÀ-ÿ'’-]+"
    r"(?:\s+[\wÀ-ÿ'’-]+){0,2}?,?\s+(?:n[º°o]\.?\s*)?\d{1,5}\b"
)
_PO_BOX = re.compile(r"(?i)\b(?:p\.?\s?o\.?\s?box|postfach|apartado)\s+\d+\b")
# five digits, or four after a country letter ("A-1010 Wien"): "since 2024 Windows" stays
_POSTCODE_TOWN = re.compile(
    r"\b(?:[A-Z]{1,2}-\d{4,5}|\d{5})\s+[A-ZÄÖÜ][\wäöüß'’-]+"
    r"(?:\s+(?:am|an|im|de|del|sur)\s+[\w-]+)?"
)
_UK_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b")
_US_STATE_ZIP = re.compile(r"\b[A-Z]{2}\s+\d{5}(?:-\d{4})?\b")
# "[address], London [address]": the town between two parts of one address goes too
_ADDRESS_RUN = re.compile(r"\[address\](?:[ ,]*(?:[A-ZÀ-Þ][\w'’-]+[ ,]+)?\[address\])+")


def _names(names: Iterable[str]) -> re.Pattern[str] | None:
    """Every whole name and every part of at least two letters, longest first."""
    parts: set[str] = set()
    for name in names:
        name = " ".join(name.replace('"', " ").split())
        if not name or "@" in name:
            continue
        parts.add(name)
        parts.update(p.strip(".,") for p in re.split(r"[\s,]+", name) if len(p.strip(".,")) >= 2)
    if not parts:
        return None
    alts = "|".join(re.escape(p) for p in sorted(parts, key=len, reverse=True))
    return re.compile(rf"(?i)(?<![\w@.])(?:{alts})(?![\w@])")


def names_of(*people: str | None) -> list[str]:
    """The names worth scrubbing among display names and email addresses (the part of an
    address before the ``@``, split at dots: ``anna.schmidt@...`` names Anna Schmidt)."""
    out: list[str] = []
    for who in people:
        if not who:
            continue
        who = who.strip()
        if "@" in who:
            local = who.split("@", 1)[0]
            pieces = [p for p in re.split(r"[._+-]", local) if p.isalpha() and len(p) >= 3]
            if len(pieces) >= 2 or (pieces and pieces[0] != local.lower()):
                out.append(" ".join(pieces))
            elif pieces:
                out.append(pieces[0])
        else:
            out.append(who)
    return out


def _neutral(text: str, mapping: dict[str, str]) -> str:
    def word(m: re.Match[str]) -> str:
        if m.group(0) not in mapping:
            return m.group(0)
        kind = m.group(0)[1:].rsplit("_", 1)[0]
        return NEUTRAL.get(kind, NUMBER)

    return PLACEHOLDER.sub(word, text)


def _after_word(m: re.Match[str], neutral: str) -> str:
    """The word (and "number", ":") kept, the id replaced: "order #123" -> "order [order
    number]"."""
    kept = m.group(0)[: m.start("id") - m.start()]
    return (kept[:-1] if kept.endswith("#") else kept) + neutral


def scrub(text: str, *, names: Iterable[str] = ()) -> str:
    """``text`` without the personal data above, each value replaced by a neutral word."""
    redactor = Redactor()
    out = _neutral(redactor.redact(text), redactor.mapping)
    out = _ORDER.sub(lambda m: _after_word(m, ORDER), out)
    out = _INVOICE.sub(lambda m: _after_word(m, INVOICE), out)
    out = _ORDER_SHAPE.sub(ORDER, out)
    out = _INVOICE_SHAPE.sub(INVOICE, out)
    for pattern in (_STREET_EN, _STREET_DE, _STREET_ROMANCE, _PO_BOX):
        out = pattern.sub(ADDRESS, out)
    for pattern in (_POSTCODE_TOWN, _UK_POSTCODE, _US_STATE_ZIP):
        out = pattern.sub(ADDRESS, out)
    out = _ADDRESS_RUN.sub(ADDRESS, out)
    out = _LONG_NUMBER.sub(NUMBER, out)
    out = _TITLED.sub(NAME, out)
    out = _SELF_NAMED.sub(lambda m: m.group("lead") + NAME, out)
    known = _names(names)
    if known is not None:
        out = known.sub(NAME, out)
    return re.sub(r"\[name\](?:\s+\[name\])+", NAME, out)
