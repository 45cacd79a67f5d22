"""An article drafted from one conversation: the customer's question and the approved reply
that was sent, extractive (no model), personal data scrubbed (``core.knowledge.scrub``).

- title: the ticket's subject without ``Re:``/``Fwd:`` and ticket tags; when that says
  little (fewer than three words), the question's first sentence; at most 120 characters;
- body, Markdown: ``## Problem`` (the question without its greeting and signature, at most
  ``PROBLEM_CHARS``) and ``## Steps`` (the reply's own numbered or bulleted lines when it
  has some, else its sentences, numbered; without greeting, thanks and sign-off), as many
  as fit in ``BODY_CHARS`` with the problem, so the whole body can be edited in Slack.

``tokens`` and ``jaccard`` compare two drafts: the word sets of title and body (lower case,
three letters or more, stop words and the scrubber's brackets left out). Pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from core.knowledge.scrub import scrub

TITLE_CHARS = 120
BODY_CHARS = 2_900  # fits one Slack text input (3,000): a proposal is edited from its message
PROBLEM_CHARS = 1_200
MAX_STEPS = 12
STEP_CHARS = 400

_PREFIX = re.compile(r"(?i)^\s*(?:(?:re|aw|fwd?|wg|tr|rv|sv)\s*:\s*|\[#\d+\]\s*)+")
_TAG = re.compile(r"\[#\d+\]")
_GREETING = re.compile(
    r"(?i)^\s*(?:hi|hello|hey|dear|good (?:morning|afternoon|evening)|hallo|guten tag|"
    r"liebe[rs]?|sehr geehrte[rs]?|hola|estimad[oa]s?|bonjour|cher|chère|olá|oi|prezad[oa])"
    r"\b[^\n]{0,60}$"
)
_SIGN_OFF = re.compile(
    r"(?i)^\s*(?:(?:best|kind|warm|many thanks and)?\s*regards|best|cheers|thanks(?: again)?|"
    r"thank you(?: (?:so|very) much)?|many thanks|sincerely|yours(?: sincerely| truly)?|"
    r"viele grüße|mit freundlichen grüßen|beste grüße|liebe grüße|grüße|gruß|danke|"
    r"saludos|atentamente|un saludo|cordialement|bien à vous|merci|atenciosamente|"
    r"abraços|obrigad[oa]|-- ?)\s*[,.!]?\s*(?:\S+(?: \S+){0,3})?\s*$"
)
_QUOTE = re.compile(r"^\s*>")
_POLITE = re.compile(
    r"(?i)^(?:thanks?|thank you|sorry|we are sorry|i'?m sorry|we apologi[sz]e|i hope|"
    r"hope this helps|please let us know|let us know|feel free|don'?t hesitate|"
    r"if you have any (?:other|further)? ?questions)"
)
_LIST_ITEM = re.compile(r"^\s*(?:\d{1,2}[.)]|[-*•])\s+(?P<text>\S.*)$")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-Þ0-9\"'(])")
_WORD = re.compile(r"[^\W\d_][\w'’-]{2,}")
_BRACKETS = re.compile(r"\[[a-z ]+\]")
_STOP = """the and for you your our are was were have has had not but with this that from they
    them can could would should will just been into about there their what when which who
    how why all any some out get got also than then too very please thanks thank hello
    dear regards problem steps und der die das ist nicht ich sie wir mit für auf den dem ein
    eine einen bitte danke los las una por con para que del como pero est les des une pour
    pas sur avec vous nous dans"""
STOP_WORDS = frozenset(_STOP.split())


@dataclass(frozen=True, slots=True)
class DraftedArticle:
    title: str
    body: str


def _lines(text: str) -> list[str]:
    """The text's own lines: quoted history cut, greeting dropped, cut at the sign-off."""
    out: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if _QUOTE.match(line):
            continue
        if not out and not line.strip():
            continue
        if not out and _GREETING.match(line):
            continue
        if _SIGN_OFF.match(line) and out:
            break
        out.append(line.rstrip())
    while out and not out[-1].strip():
        out.pop()
    return out


def _clip(text: str, limit: int) -> str:
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "…"


def _sentences(text: str) -> list[str]:
    flat = " ".join(text.split())
    return [s.strip() for s in _SENTENCE.split(flat) if s.strip()]


def problem_of(question: str) -> str:
    """The customer's question, paragraphs kept, without greeting and signature."""
    paragraphs = "\n".join(_lines(question)).split("\n\n")
    text = "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())
    return _clip(text, PROBLEM_CHARS)


def steps_of(reply: str) -> list[str]:
    """The reply's steps: its list items when it has two or more, else its sentences
    (polite ones left out)."""
    lines = _lines(reply)
    items = [m.group("text").strip() for line in lines if (m := _LIST_ITEM.match(line))]
    if len(items) < 2:
        items = [s for s in _sentences("\n".join(lines)) if not _POLITE.match(s)]
    return [_clip(s, STEP_CHARS) for s in items if s][:MAX_STEPS]


def title_of(subject: str, problem: str) -> str:
    title = " ".join(_TAG.sub(" ", _PREFIX.sub("", subject)).split()).strip(" .:-")
    if len(_WORD.findall(title)) < 3:
        first = _sentences(problem)[:1]
        title = first[0].rstrip(".!?") if first else title
    title = title[:1].upper() + title[1:]
    return _clip(title, TITLE_CHARS) or "Question from a resolved ticket"


def draft_article(
    *, subject: str, question: str, reply: str, names: Iterable[str] = ()
) -> DraftedArticle:
    """The proposal's title and Markdown body; every part scrubbed of personal data."""
    names = list(names)
    problem = scrub(problem_of(question), names=names)
    steps = [scrub(s, names=names) for s in steps_of(reply)]
    title = scrub(title_of(subject, problem), names=names)
    head = ["## Problem", "", problem or "(the customer's question was empty)", "", "## Steps", ""]
    lines: list[str] = []
    size = len("\n".join(head))
    for n, step in enumerate(steps, 1):
        line = f"{n}. {step}"
        if size + 1 + len(line) > BODY_CHARS:
            break
        lines.append(line)
        size += 1 + len(line)
    return DraftedArticle(title=title, body="\n".join(head + (lines or ["(see the reply)"])))


def tokens(text: str) -> frozenset[str]:
    """The words two drafts are compared by."""
    words = _WORD.findall(_BRACKETS.sub(" ", text.lower()))
    return frozenset(w.strip("'’-") for w in words if w not in STOP_WORDS)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """|a ∩ b| / |a ∪ b|; 0.0 for two empty sets."""
    union = a | b
    return len(a & b) / len(union) if union else 0.0
