"""``core.ai.lexicon``'s hits, found faster: one prefix-tree pattern per cue group.

``lexicon.hits`` searches each group with one alternation of all its stems under
IGNORECASE, which Python's regular-expression engine tries branch by branch at every word
start. Whether a group occurs only depends on whether *some* stem matches *somewhere*, not
on which one or where, so the stems may be merged into a prefix tree: stems that start with
the same characters share them, and a stem that is a prefix of another makes the longer one
redundant. Each stem keeps exactly its own match rule (its characters under IGNORECASE, a
space as any run of spaces, ``(?!\\w)`` after a whole-word stem, ``(?<!\\w)`` before), so
``hits`` here is ``lexicon.hits`` (``tests/ai/test_lexicon_scan.py`` checks it on every
training and evaluation text).

Most stems are one word, and those need no pattern at all: a stem of word characters that
may be followed by anything occurs exactly when some word of the text starts with it (the
text's word prefixes, ``core.ai.regex_gate.Text``), a whole-word stem exactly when it is one
of the text's words (both compared folded, as IGNORECASE compares). Only a group none of
whose one-word stems occurs runs the prefix tree of its other stems (several words, a
hyphen, an apostrophe), and only when, for one of them, every piece that starts with a word
character starts a word of the text. The model's training keeps ``lexicon`` (its source is part of
the model key); the classifier's ``transform`` uses this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from core.ai import lexicon
from core.ai.regex_gate import PREFIX_CHARS, Text, fold

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


@dataclass(frozen=True, slots=True)
class _Group:
    name: str
    starts: frozenset[str]  # one-word stems anything may follow (at most PREFIX_CHARS)
    long_starts: tuple[str, ...]  # ... longer than that
    words: frozenset[str]  # one-word stems that are whole words
    # the other stems: the word starts each needs (all of them), and their prefix tree
    others: tuple[frozenset[str], ...]
    rest: re.Pattern[str] | None

    def occurs_in(self, text: Text) -> bool:
        if not self.starts.isdisjoint(text.prefixes) or not self.words.isdisjoint(text.words):
            return True
        for stem in self.long_starts:  # a word starts with its first PREFIX_CHARS first
            if stem[:PREFIX_CHARS] in text.prefixes and any(w.startswith(stem) for w in text.words):
                return True
        if self.rest is None:
            return False
        prefixes = text.prefixes
        return any(needs <= prefixes for needs in self.others) and bool(self.rest.search(text.raw))


_ONE_WORD = re.compile(r"\w+")


def _word_starts(stem: str) -> frozenset[str]:
    """The words a stem of several pieces needs at word starts: each piece (the stem starts
    at a word start, and a space in it is a run of spaces) that begins with a word
    character, by those characters, cut to PREFIX_CHARS."""
    heads = set()
    for piece in fold(stem.strip().rstrip("_")).split():
        head = _ONE_WORD.match(piece)
        if head is not None:
            heads.add(head.group(0)[:PREFIX_CHARS])
    return frozenset(heads)


def _group(name: str, stems: list[str]) -> _Group:
    starts: set[str] = set()
    words: set[str] = set()
    others: list[str] = []
    for stem in stems:
        body = stem.strip().rstrip("_")
        if not body:
            continue
        folded = fold(body)
        if not _ONE_WORD.fullmatch(folded):
            others.append(stem)
        elif stem.endswith("_"):
            words.add(folded)
        else:
            starts.add(folded)
    return _Group(
        name,
        frozenset(s for s in starts if len(s) <= PREFIX_CHARS),
        tuple(sorted(s for s in starts if len(s) > PREFIX_CHARS)),
        frozenset(words),
        tuple(sorted({_word_starts(s) for s in others}, key=sorted)),
        tree_pattern(others) if others else None,
    )


@cache
def _groups() -> tuple[_Group, ...]:
    out = []
    for prefix, table in (("cat", lexicon.CATEGORY_CUES), ("urg", lexicon.URGENCY_CUES)):
        for name, by_language in table.items():
            stems = [s for joined in by_language.values() for s in joined.split("|")]
            out.append(_group(f"{prefix}:{name}", stems))
    return tuple(out)


def hits(text: str) -> list[str]:
    """``lexicon.hits(text)``: the groups whose stems occur, in ``lexicon.GROUPS`` order."""
    prepared = Text(text)
    return [group.name for group in _groups() if group.occurs_in(prepared)]


def cue_matrix(texts: list[str], weight: float) -> csr_matrix:
    """``core.ai.offline.cue_matrix``: ``weight`` where a group occurs, one column per group."""
    from scipy.sparse import csr_matrix

    rows = []
    for text in texts:
        found = set(hits(text))
        rows.append([weight * (1.0 if group in found else 0.0) for group in lexicon.GROUPS])
    return csr_matrix(rows)
