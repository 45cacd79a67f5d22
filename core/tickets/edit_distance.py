"""How much a person changed the AI's text: a cheap, bounded edit-distance ratio.

``edit_ratio(ai, final)`` is 0.0 for an unchanged text and 1.0 for a complete rewrite:
one minus difflib's similarity over word tokens (whitespace-only changes do not count).
Word tokens keep it fast on long replies; above ``MAX_TOKENS`` words the cheaper
``quick_ratio`` bound is used. Stored on the draft at edit time (``drafts.edit_ratio``), so
analytics averages it in SQL.
"""

from __future__ import annotations

from difflib import SequenceMatcher

MAX_TOKENS = 5_000


def edit_ratio(before: str, after: str) -> float:
    a, b = before.split(), after.split()
    if a == b:
        return 0.0
    if not a or not b:
        return 1.0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    similarity = matcher.ratio() if len(a) + len(b) <= 2 * MAX_TOKENS else matcher.quick_ratio()
    return round(1.0 - similarity, 4)
