"""A reply people approved for one mail, adapted to a new mail like it (offline provider).

``closest(examples, category)`` picks the most similar approved example of the category the
classifier gave, when it is close (``CLOSE_SIMILARITY``); ``adapt_reply(example, request)``
keeps the agent's sentences and swaps what belonged to the old mail for the new one's: the
customer's name (the greeting's, and wherever else it stands), their email address, the
ticket number (``#12``, ``ticket 12``), the subject the old reply quoted, and the order, invoice or case numbers the old
customer gave (``find_references``) for the ones the new mail gives, in order. When the old
reply names a number the new mail has no counterpart for, nothing is adapted (None): the
draft must not carry another customer's details.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from core.ai.regex_gate import Gate, Text
from core.ai.result import Example, TriageRequest
from core.replies.rendering import first_name

CLOSE_SIMILARITY = 0.5

_PREFIXES = re.compile(r"^(?:(?:re|fw|fwd|aw|wg|sv|rv|tr)\s*:\s*)+", re.IGNORECASE)
_REFERENCE = Gate(
    re.compile(
        r"(?:\b(?:order|invoice|ticket|case|bestellung|rechnung|auftrag|pedido|factura|commande|"
        r"facture|encomenda|fatura)\s*(?:no\.?|nr\.?|number|n[°º]\.?|:)?\s*"
        r"(#?[A-Z0-9][A-Z0-9-]{2,})|(#\d{3,}))",
        re.IGNORECASE,
    )
)


def find_references(text: str | Text) -> list[str]:
    """The order/invoice/ticket numbers mentioned (each with a digit), in order, once each."""
    found: list[str] = []
    for match in _REFERENCE.finditer(text):
        ref = (match.group(1) or match.group(2) or "").strip()
        if any(ch.isdigit() for ch in ref) and ref not in found:
            found.append(ref)
    return found


def find_reference(text: str) -> str:
    """The first order/invoice/ticket number mentioned (it must contain a digit), or ""."""
    refs = find_references(text)
    return refs[0] if refs else ""


def closest(examples: list[Example], category: str) -> Example | None:
    """The most similar approved example of ``category``, when close enough to adapt."""
    close = [
        e
        for e in examples
        if e.kind == "approved" and e.category == category and e.similarity >= CLOSE_SIMILARITY
    ]
    return max(close, key=lambda e: e.similarity, default=None)


def adapt_reply(
    example: Example,
    request: TriageRequest,
    *,
    subject: str = "",
    references: list[str] | None = None,
) -> str | None:
    """``example``'s reply for ``request``'s mail, or None when it cannot be made safe.
    ``subject``: the new mail's subject as a draft may echo it ("" when it may not).
    ``references``: the new mail's numbers when the caller read them already
    (``core.ai.facts``: also a bare ``INV-2291``); else ``find_references``."""
    text = example.reply_text.strip()
    if not text:
        return None
    old_subject = _PREFIXES.sub("", " ".join(example.subject.split()))
    if len(old_subject) >= 4 and old_subject in text:  # quoted by the old draft
        if not subject:
            return None
        text = text.replace(old_subject, subject)
    new_refs = (
        references
        if references is not None
        else find_references(f"{request.subject}\n{request.text}")
    )
    old_ticket = str(example.ticket_id) if example.ticket_id is not None else ""
    old_refs = [r for r in find_references(example.customer_text) if r.lstrip("#") != old_ticket]
    if old_ticket and request.ticket_id is not None:
        text = re.sub(
            rf"(#|\bticket\s*#?\s*)\b{re.escape(old_ticket)}\b",
            lambda m: f"{m.group(1)}{request.ticket_id}",
            text,
            flags=re.IGNORECASE,
        )
    used = [r for r in old_refs if _word(r).search(text)]
    if len(used) > len(new_refs):
        return None  # an old number with nothing of the new mail's to put in its place
    if used:  # one pass, so a new number equal to another old one is not replaced again
        swap = {old.casefold(): new for old, new in zip(used, new_refs, strict=False)}
        either = "|".join(re.escape(r) for r in sorted(used, key=len, reverse=True))
        text = re.sub(
            rf"(?<![\w-])(?:{either})(?![\w-])",
            lambda m: swap[m.group(0).casefold()],
            text,
            flags=re.IGNORECASE,
        )
    if example.customer_email:
        text = re.sub(
            re.escape(example.customer_email),
            lambda _m: request.sender_email,
            text,
            flags=re.IGNORECASE,
        )
    return _swap_names(text, example.customer_name, request.sender_name)


def without_customer(example: Example, text: str) -> str:
    """``text`` (of ``example``) with its customer's names and email address as
    placeholders: how an example is shown to an external model."""
    if example.customer_email:
        text = re.sub(
            re.escape(example.customer_email), "[customer email]", text, flags=re.IGNORECASE
        )
    full = " ".join(example.customer_name.replace('"', "").split())
    names = [full, *full.replace(",", " ").split()] if first_name(full) else []
    for name in sorted({n for n in names if len(n) > 1}, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", "[customer name]", text)
    return text.replace("[customer name] [customer name]", "[customer name]")


def _word(value: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){re.escape(value)}(?![\w-])", re.IGNORECASE)


def _literal(value: str) -> Callable[[re.Match[str]], str]:
    """A replacement that is ``value`` as written (no group references in it)."""
    return lambda _match: value


def _swap_names(text: str, old_name: str, new_name: str) -> str:
    """The old customer's full, first and last names replaced by the new one's (removed,
    with the space before them, when the new customer gave no name)."""
    old_full = " ".join(old_name.replace('"', "").split())
    old_first = first_name(old_name)
    if not old_first:
        return text
    new_full = " ".join(new_name.replace('"', "").split())
    new_first = first_name(new_name)
    old_parts, new_parts = old_full.split(" "), new_full.split(" ") if new_first else []
    pairs = [(old_full, new_full if new_first else "")]
    pairs.append((old_first, new_first))
    if len(old_parts) > 1 and "," not in old_full:
        pairs.append((old_parts[-1], new_parts[-1] if len(new_parts) > 1 else ""))
    for old, new in pairs:
        if not old:
            continue
        pattern = rf"(?<!\w){re.escape(old)}(?!\w)"
        if new:
            text = re.sub(pattern, _literal(new), text)
        else:
            text = re.sub(rf"[ \t]*{pattern}", "", text)
    return text
