"""The words a ticket is described with: categories, urgencies, ticket and draft statuses,
language codes.

Written once here, at the root of core because every package speaks them: the AI's result
type (``core.ai.result``) answers in ``Category`` and ``Urgency``, filters, Slack menus,
analytics and templates offer the same lists, so what a provider may answer and what a person
may choose cannot drift apart.
"""

from __future__ import annotations

import re
from enum import StrEnum

from core.errors import ValidationError


class Category(StrEnum):
    billing = "Billing"
    technical = "Technical"
    login = "Login / Access"
    feature = "Feature Request"
    general = "General Inquiry"
    other = "Other"


class Urgency(StrEnum):
    low = "Low"
    medium = "Medium"
    high = "High"


CATEGORIES: tuple[str, ...] = tuple(c.value for c in Category)
URGENCIES: tuple[str, ...] = tuple(u.value for u in Urgency)

# a ticket's; "waiting": on the customer (pauses the SLA resolution clock)
STATUSES = ("open", "answered", "waiting", "resolved")
# what a person may set (answered: a reply was sent)
SETTABLE_STATUSES = ("open", "waiting", "resolved")
APPROVAL_STATUSES = ("pending", "approved", "sending", "sent", "failed", "rejected", "superseded")
APPROVED_STATUSES = ("approved", "sending", "sent", "failed")  # a person said yes
OPEN_DRAFT_STATUSES = ("pending", "failed")  # still waiting on a person
# the SLA clocks a ticket can have (core.workflow.sla moves them, core.reports reads them)
# the prompt_version of a draft the offline provider wrote from an in-app response template
# (core.ai.offline); the learning record (core.tickets.outcomes) tells template drafts by it
USER_TEMPLATE_VERSION = "offline-user-template-v1"
SLA_METRICS = ("first_response", "next_response", "resolution")


def canonical(value: str, choices: tuple[str, ...]) -> str | None:
    """``choices``' spelling of ``value``: case-insensitive, or by its first word
    (``login`` -> ``Login / Access``); None when it names none of them."""
    low = value.strip().lower()
    for c in choices:
        if c.lower() == low or c.lower().split(" ")[0] == low:
            return c
    return None


def category_of(value: str) -> str:
    """The category ``value`` names, or a ValidationError listing them."""
    found = canonical(value, CATEGORIES)
    if found is None:
        raise ValidationError(
            f"unknown category {value!r:.200}; use one of {', '.join(CATEGORIES)}", field="category"
        )
    return found


def urgency_of(value: str) -> str:
    """The urgency ``value`` names, or a ValidationError listing them."""
    found = canonical(value, URGENCIES)
    if found is None:
        raise ValidationError(
            f"unknown urgency {value!r:.200}; use one of {', '.join(URGENCIES)}", field="urgency"
        )
    return found


# codes still given in their withdrawn ISO 639-1 form (CLD2 says iw for Hebrew)
_RENAMED_LANGUAGES = {"iw": "he", "jw": "jv", "in": "id", "ji": "yi"}
_LANGUAGE_CODE = re.compile(r"^[a-z]{2}$")
_NO_LANGUAGE = {"un", "xx", "zz"}  # unknown, CLD2's scripts (xx-Latn), private use


def language_code(value: str) -> str | None:
    """The ISO 639-1 code of a language tag's primary subtag (``pt-BR`` -> ``pt``,
    ``iw`` -> ``he``), or None when it has none (``haw``, ``xx-Latn``, ``un``)."""
    primary = value.strip().lower().replace("_", "-").split("-", 1)[0]
    primary = _RENAMED_LANGUAGES.get(primary, primary)
    return primary if _LANGUAGE_CODE.match(primary) and primary not in _NO_LANGUAGE else None


def language_of(value: str) -> str:
    """The ISO 639-1 code ``value`` names (``DE``, ``de-AT`` -> ``de``), or a
    ValidationError."""
    found = language_code(value)
    if found is None:
        raise ValidationError(
            f"not a language code: {value!r:.200} (use ISO 639-1 codes such as en, de, pt)",
            field="language",
        )
    return found
