"""Skip a regular expression that cannot match: literal anchors checked before the search.

Most of the offline provider's patterns (``core.ai.facts``, ``core.ai.escalation``) look for
a phrase that most mails do not contain, and Python's engine pays for trying at every
position of the text whether it matches or not. ``Gate(pattern)`` reads the pattern once
(``re._parser``, the parser ``re.compile`` itself uses) and derives its *anchors*: literal
strings of which every match must contain at least one (the words of an alternation, the
longest literal run of a sequence, each branch's own when the pattern is an alternation). A
search on a text that contains none of them is answered "no match" without running the
engine; otherwise the engine runs as before, so a gate never changes a result, only skips
work that would have found nothing:

- the anchors and the text are compared after ``fold``: ``str.lower`` with the case
  equivalences ``re.IGNORECASE`` adds beyond it (``re._casefix``: ``ſ`` is ``s``, ``µ``
  is ``μ``, ``İ`` is ``i``) mapped to one character each, so a case-insensitive match always
  contains a folded anchor (and a case-sensitive one does too);
- an anchor that starts right after ``\\b`` or ``(?<!\\w)`` with a word character starts a
  word: it is looked up in the set of the text's word prefixes (built once per ``Text``),
  then found as a substring; any other anchor is a substring test (C speed);
- a pattern with no anchor (one that may start with any digit, say) has an open gate;
- only a prepared ``Text`` is gated (one per mail, shared by all the patterns that read it:
  its words and prefixes are built once); a plain string is searched directly, as a single
  search costs less than preparing the text.

``tests/ai/test_regex_gate.py`` checks gated and ungated searches agree on every pattern it
is used for, over the training and evaluation mails.
"""

from __future__ import annotations

import re
import re._casefix as _casefix
import re._constants as _c
import re._parser as _parser
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

PREFIX_CHARS = 12  # a word's prefixes are kept up to this length (anchor heads are cut to it)
_WORD = re.compile(r"\w+")
_WORD_CHAR = re.compile(r"\w")


def _fold_table() -> dict[int, int]:
    """Each character of an IGNORECASE equivalence class beyond ``str.lower`` -> the class's
    smallest member."""
    table: dict[int, int] = {}
    for code, others in _casefix._EXTRA_CASES.items():
        members = {code, *others}
        for member in members:
            table[member] = min(members | {table.get(member, member)})
    return {k: v for k, v in table.items() if k != v}


_FOLD = _fold_table()


def fold(text: str) -> str:
    """``text`` lowercased as ``re.IGNORECASE`` compares characters, one for one."""
    # İ's full lowercase is two characters; the engine's simple mapping (one) gives "i"
    return text.replace("İ", "i").lower().translate(_FOLD)


class Text:
    """A text prepared for gated searches: its fold, and (on first need) its words (each run
    of word characters) and their prefixes."""

    __slots__ = ("_prefixes", "_words", "folded", "raw")

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.folded = fold(raw)
        self._words: set[str] | None = None
        self._prefixes: set[str] | None = None

    @property
    def words(self) -> set[str]:
        if self._words is None:
            self._words = set(_WORD.findall(self.folded))
        return self._words

    @property
    def prefixes(self) -> set[str]:
        if self._prefixes is None:
            self._prefixes = {
                word[:n] for word in self.words for n in range(1, min(len(word), PREFIX_CHARS) + 1)
            }
        return self._prefixes


@dataclass(frozen=True, slots=True)
class Anchor:
    text: str  # folded
    word_start: bool  # begins a word of the text (after \\b or (?<!\\w), with a word character)
    # the word characters it starts with, cut to PREFIX_CHARS ("" unless ``word_start``)
    head: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if self.word_start:
            match = _WORD.match(self.text)
            object.__setattr__(self, "head", match.group(0)[:PREFIX_CHARS] if match else "")

    def found_in(self, text: Text) -> bool:
        if self.head and self.head not in text.prefixes:
            return False
        return self.text in text.folded


Requirement = frozenset[Anchor]  # at least one of them occurs in every match
Clause = tuple[Requirement, ...]  # every one of them holds for a match
KEEP = 3  # requirements a clause keeps (the most selective): each costs a check


def _score(need: Requirement) -> tuple[int, int]:
    """How selective a requirement is: its shortest anchor's length (a 2-letter word is in
    most mails), then the fewer anchors the better."""
    return min(len(a.text) for a in need), -len(need)


def _is_word_lookbehind(av: Any) -> bool:
    """``(?<!\\w)``: ASSERT_NOT looking back at one word character."""
    direction, sub = av
    items = list(sub)
    return (
        direction == -1
        and len(items) == 1
        and items[0][0] is _c.IN
        and list(items[0][1]) == [(_c.CATEGORY, _c.CATEGORY_WORD)]
    )


def _clause(items: Any, after_boundary: bool, unicode_words: bool) -> Clause:
    """Every requirement of a sequence (its literal runs' and its items'), the most
    selective first, at most KEEP."""
    needs: list[Requirement] = []
    run = ""
    run_word_start = False
    boundary = after_boundary

    def flush() -> None:
        nonlocal run, run_word_start
        if run:
            needs.append(frozenset({Anchor(run, run_word_start)}))
        run, run_word_start = "", False

    def add(need: Requirement | None) -> None:
        if need is not None:
            needs.append(need)

    for op, av in items:
        if op is _c.LITERAL:
            char = fold(chr(av))
            if not run:
                run_word_start = boundary and unicode_words and bool(_WORD_CHAR.match(char))
            run += char
            boundary = False
            continue
        if op is _c.AT:
            if av in (_c.AT_BOUNDARY, _c.AT_UNI_BOUNDARY, _c.AT_LOC_BOUNDARY):
                boundary = not run  # zero width: a run goes on through it
            continue
        if op is _c.ASSERT_NOT and _is_word_lookbehind(av):
            boundary = not run
            continue
        if op in (_c.ASSERT, _c.ASSERT_NOT):
            continue  # zero width: neither breaks a run nor requires anything
        flush()
        if op is _c.SUBPATTERN:
            add(_best(_clause(av[3], boundary, unicode_words)))
        elif op is _c.BRANCH:
            add(_union(av[1], boundary, unicode_words))
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
            low, _, sub = av
            if low >= 1:
                add(_best(_clause(sub, boundary, unicode_words)))
        elif op is _c.ATOMIC_GROUP:
            add(_best(_clause(av, boundary, unicode_words)))
        # anything else (a class, any character, a back reference) ends the run only
        boundary = False
    flush()
    return tuple(sorted(set(needs), key=_score, reverse=True)[:KEEP])


def _best(clause: Clause) -> Requirement | None:
    return clause[0] if clause else None


def _union(branches: Any, after_boundary: bool, unicode_words: bool) -> Requirement | None:
    """An alternation's requirement: each branch's best, together (None when a branch has
    none: it may match without any literal)."""
    out: set[Anchor] = set()
    for branch in branches:
        need = _best(_clause(branch, after_boundary, unicode_words))
        if need is None:
            return None
        out |= need
    return frozenset(out)


def _top_branches(items: list[Any]) -> tuple[bool, Any] | None:
    """The pattern as an alternation (``a|b|c``, possibly after a shared ``\\b`` the parser
    factored out): (whether a boundary comes first, its branches); None otherwise."""
    boundary = False
    while items and items[0][0] is _c.AT and items[0][1] in (_c.AT_BOUNDARY, _c.AT_UNI_BOUNDARY):
        boundary, items = True, items[1:]
    if len(items) == 1 and items[0][0] is _c.BRANCH:
        return boundary, items[0][1][1]
    return None


def clauses(pattern: re.Pattern[str]) -> tuple[Clause, ...] | None:
    """What every match of ``pattern`` needs: one clause per top-level branch (a match
    satisfies the clause of the branch it took), or None when some branch needs nothing."""
    parsed = list(_parser.parse(pattern.pattern, pattern.flags))
    unicode_words = not pattern.flags & re.ASCII
    top = _top_branches(parsed)
    if top is None:
        found = _clause(parsed, False, unicode_words)
        return (found,) if found else None
    boundary, branches = top
    out: list[Clause] = []
    for branch in branches:
        items = list(branch)
        if len(items) == 1 and items[0][0] is _c.SUBPATTERN:  # "(?:...)|(?:...)"
            items = list(items[0][1][3])
        found = _clause(items, boundary, unicode_words)
        if not found:
            return None
        out.append(found)
    return tuple(out)


class _Check:
    """One requirement, checked fast: its anchors that are a word start of at most
    PREFIX_CHARS word characters in one set operation (such an anchor occurs exactly when
    a word of the text starts with it), the others one by one."""

    __slots__ = ("heads", "others")

    def __init__(self, need: Requirement) -> None:
        pure = {a for a in need if a.word_start and a.head == a.text}
        self.heads = frozenset(a.text for a in pure)
        self.others = tuple(sorted(need - pure, key=lambda a: (not a.word_start, a.text)))

    def holds(self, text: Text) -> bool:
        if self.heads and not self.heads.isdisjoint(text.prefixes):
            return True
        return any(a.found_in(text) for a in self.others)


class Gate:
    """``pattern``'s ``search`` and ``finditer``, skipped on a text without its anchors."""

    __slots__ = ("checks", "pattern")

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        found = clauses(pattern)
        self.checks: tuple[tuple[_Check, ...], ...] | None = (
            None if found is None else tuple(tuple(_Check(n) for n in c) for c in found)
        )

    def open_for(self, text: Text) -> bool:
        if self.checks is None:
            return True
        for clause in self.checks:
            for check in clause:
                if not check.holds(text):
                    break
            else:
                return True
        return False

    def search(self, text: str | Text) -> re.Match[str] | None:
        """The pattern's search; gated when ``text`` is a prepared ``Text`` (a plain string
        is searched at once: preparing a text costs more than one pattern's search)."""
        if isinstance(text, str):
            return self.pattern.search(text)
        return self.pattern.search(text.raw) if self.open_for(text) else None

    def finditer(self, text: str | Text) -> Iterator[re.Match[str]]:
        """The pattern's finditer; gated as ``search`` is."""
        if isinstance(text, str):
            return self.pattern.finditer(text)
        return self.pattern.finditer(text.raw) if self.open_for(text) else iter(())
