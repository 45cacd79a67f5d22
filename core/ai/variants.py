"""Which prompt variant a ticket draws, per category: pure and stable.

A ticket's place in a category is ``sha256("<ticket id>:<category>")`` read as a number in
[0, 100) (to 1/100 of a percent); the category's active variants take consecutive slices
of that range, each its ``share``, in the order given (the desk passes them by id, oldest
first); a place past the last slice goes to the category's control when it has one (its
name and its instructions, usually none: the default prompt), else to the default prompt. The same ticket draws the same variant in every call
and every process for as long as the category's active variants stay the same.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from core.vocabulary import CATEGORIES

ALL = "all"  # a variant for every category


@dataclass(frozen=True, slots=True)
class Variant:
    name: str
    category: str  # a category value or ALL
    share: int  # percent
    instructions: str = ""
    is_control: bool = False

    def covers(self, category: str) -> bool:
        return self.category in (ALL, category)


@dataclass(frozen=True, slots=True)
class Choice:
    """What a ticket drew in one category: the variant's name (None: the default prompt and
    no control) and the instructions its prompt gets."""

    name: str | None
    instructions: str = ""


def place(ticket_id: int, category: str) -> float:
    """The ticket's place in the category, in [0, 100)."""
    digest = hashlib.sha256(f"{ticket_id}:{category}".encode()).digest()
    return (int.from_bytes(digest[:8], "big") % 10_000) / 100


def choose(ticket_id: int, category: str, variants: Sequence[Variant]) -> Choice:
    """The variant of ``variants`` (the active ones) the ticket draws in ``category``."""
    covering = [v for v in variants if v.covers(category)]
    at = place(ticket_id, category)
    edge = 0.0
    for variant in covering:
        edge += variant.share
        if at < edge:
            return Choice(variant.name, variant.instructions.strip())
    control = control_of(category, covering)
    if control is None:
        return Choice(None, "")
    return Choice(control.name, control.instructions.strip())


def control_of(category: str, variants: Iterable[Variant]) -> Variant | None:
    """The category's control: its own first, else one for every category."""
    controls = [v for v in variants if v.is_control and v.covers(category)]
    own = [v for v in controls if v.category == category]
    found = own or controls
    return found[0] if found else None


def choices(ticket_id: int, variants: Sequence[Variant]) -> dict[str, Choice]:
    """What the ticket draws in every category (the triager asks before it knows the
    category): category -> choice, for the categories some variant covers."""
    return {
        category: choose(ticket_id, category, variants)
        for category in CATEGORIES
        if any(v.covers(category) for v in variants)
    }


def share_in_use(category: str, variants: Iterable[Variant]) -> int:
    """The percent of ``category``'s tickets ``variants`` take (at most 100)."""
    return sum(v.share for v in variants if v.covers(category))


def over_full(variants: Sequence[Variant]) -> dict[str, int]:
    """The categories whose shares add up to more than 100, with their sum."""
    sums = {c: share_in_use(c, variants) for c in CATEGORIES}
    return {c: n for c, n in sums.items() if n > 100}
