"""What a person typed into a search box, parsed once and written for each database.

The grammar is PostgreSQL's ``websearch_to_tsquery``: words are all required, ``"a quoted
phrase"`` matches its words in a row (an unbalanced quote runs to the end), ``-word`` and
``-"a phrase"`` exclude, ``or`` between two terms accepts either. Nothing else is syntax:
``AND``, ``NEAR``, ``*``, ``:``, ``^`` and parentheses are plain text, and a term without
a letter or digit is dropped, so a query of punctuation finds nothing and never fails.

Every term is written as a quoted phrase for both databases, so FTS5 sees no operator a
person did not mean, and a token like ``INV-2291`` or ``jane@example.com`` is matched as
typed (its parts in a row). A query with no required term finds nothing (FTS5 has no
"everything but"), on both databases alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.errors import ValidationError

MAX_QUERY_CHARS = 1_000
MAX_TERMS = 32
_WORDY = re.compile(r"\w")


@dataclass(frozen=True, slots=True)
class Term:
    words: tuple[str, ...]  # one word, or a phrase's words in order
    negated: bool = False


@dataclass(frozen=True, slots=True)
class TextQuery:
    """Required groups (each: its terms OR-ed; the groups AND-ed) and excluded terms."""

    groups: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...] = ()

    @property
    def empty(self) -> bool:
        """Nothing required: such a query finds nothing."""
        return not self.groups

    def websearch(self) -> str:
        """For PostgreSQL's ``websearch_to_tsquery``."""
        parts = [" or ".join(_quoted(t) for t in group) for group in self.groups]
        parts += [f"-{_quoted(t)}" for t in self.excluded]
        return " ".join(parts)

    def fts5(self) -> str:
        """For SQLite's FTS5 ``MATCH``."""
        found = " AND ".join(f"({' OR '.join(_quoted(t) for t in group)})" for group in self.groups)
        if self.excluded:
            found = f"({found}) NOT ({' OR '.join(_quoted(t) for t in self.excluded)})"
        return found


def _quoted(term: Term) -> str:
    # the scanner leaves no '"' in a word: FTS5 and websearch read the phrase as text only
    return '"' + " ".join(term.words) + '"'


def _check(text: str) -> None:
    if "\x00" in text:
        raise ValidationError("a search cannot hold a NUL character", field="query")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValidationError("a search must be valid Unicode text", field="query") from exc
    if len(text) > MAX_QUERY_CHARS:
        raise ValidationError(
            f"a search is at most {MAX_QUERY_CHARS} characters (this one: {len(text)})",
            field="query",
        )


def _scan(text: str) -> list[Term | None]:
    """Terms in order; None marks an ``or`` between them."""
    items: list[Term | None] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        negated = text[i] == "-" and i + 1 < n and not text[i + 1].isspace()
        if negated:
            i += 1
        if text[i] == '"':
            end = text.find('"', i + 1)
            end = n if end < 0 else end
            chunk, i = text[i + 1 : end], end + 1
            words = tuple(w for w in chunk.split() if _WORDY.search(w))
        else:
            start = i
            while i < n and not text[i].isspace() and text[i] != '"':
                i += 1
            word = text[start:i]
            if not negated and word.lower() == "or":
                items.append(None)
                continue
            words = (word,) if _WORDY.search(word) else ()
        if words:
            items.append(Term(words, negated))
    return items


def parse(text: str) -> TextQuery:
    """``text`` as a query; a ValidationError for a NUL, broken Unicode or too much text."""
    _check(text)
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    joining = False  # an ``or`` came after the last required term
    for item in _scan(text):
        if item is None:
            joining = bool(groups)
        elif item.negated:
            excluded.append(item)
            joining = False
        else:
            if joining:
                groups[-1].append(item)
            else:
                groups.append([item])
            joining = False
    if sum(map(len, groups)) + len(excluded) > MAX_TERMS:
        raise ValidationError(f"a search has at most {MAX_TERMS} terms", field="query")
    return TextQuery(tuple(tuple(g) for g in groups), tuple(excluded))
