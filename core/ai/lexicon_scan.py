"""``core.ai.lexicon``'s hits, found faster: one prefix-tree pattern per cue group.

``lexicon.hits`` searches each group with one alternation of all its stems under
IGNORECASE, which Python's regular-expression engine tries branch by branch at every word
start. Whether a group occurs only depends on whether *some* stem matches *somewhere*, not
on which one or where, so the stems may be merged into a prefix tree: stems that start with
the same characters share them, and a stem that is a prefix of another makes the longer one
redundant. Each stem keeps exactly its own match rule (its characters under IGNORECASE, a
space as any run of spaces, ``(?!\\w)`` after a whole-word stem, ``(?<!\\w)`` before), so
``hits`` here is ``lexicon.hits`` (``tests/ai/test_lexicon_scan.py`` checks it on every
training and evaluation text). The model's training keeps ``lexicon`` (its source is part of
the model key); the classifier's ``transform`` uses this module.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from core.ai import lexicon

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix


class _Node:
    __slots__ = ("children", "plain", "whole")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.plain = False  # a stem ends here: anything may follow
        self.whole = False  # a whole-word stem ends here: no word character may follow


def _tokens(stem: str) -> tuple[list[str], bool]:
    """``lexicon._stem``'s pieces: one regular expression per character, and whether the
    stem is a whole word."""
    whole = stem.endswith("_")
    body = stem.strip().rstrip("_")
    return [r"\s+" if ch == " " else re.escape(ch) for ch in body], whole


def _emit(node: _Node) -> str:
    if node.plain:
        return ""  # the prefix alone matches: longer stems add nothing
    parts = [r"(?!\w)"] if node.whole else []
    parts += [token + _emit(child) for token, child in sorted(node.children.items())]
    return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"


def tree_pattern(stems: list[str]) -> re.Pattern[str]:
    """One pattern that matches where any of ``stems`` matches by ``lexicon._pattern``."""
    root = _Node()
    for stem in stems:
        if not stem.strip():
            continue
        tokens, whole = _tokens(stem)
        node = root
        for token in tokens:
            node = node.children.setdefault(token, _Node())
        if whole:
            node.whole = True
        else:
            node.plain = True
    return re.compile(r"(?<!\w)" + _emit(root), re.IGNORECASE)


@cache
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    out = []
    for prefix, table in (("cat", lexicon.CATEGORY_CUES), ("urg", lexicon.URGENCY_CUES)):
        for name, by_language in table.items():
            stems = [s for joined in by_language.values() for s in joined.split("|")]
            out.append((f"{prefix}:{name}", tree_pattern(stems)))
    return tuple(out)


def hits(text: str) -> list[str]:
    """``lexicon.hits(text)``: the groups whose stems occur, in ``lexicon.GROUPS`` order."""
    return [group for group, pattern in _patterns() if pattern.search(text)]


def cue_matrix(texts: list[str], weight: float) -> csr_matrix:
    """``core.ai.offline.cue_matrix``: ``weight`` where a group occurs, one column per group."""
    from scipy.sparse import csr_matrix

    rows = []
    for text in texts:
        found = set(hits(text))
        rows.append([weight * (1.0 if group in found else 0.0) for group in lexicon.GROUPS])
    return csr_matrix(rows)
