"""The language a customer wrote in: an ISO 639-1 code (``en``, ``de``, ``pt``) or None.

``text_language`` asks CLD2 (Google's Compact Language Detector 2, through ``pycld2``: C++,
offline, about 0.1 ms for a mail, 2 ms to import), the one module that imports it. It
answers only when the text has two words or more, CLD2 calls its guess reliable and that
language makes up at least ``MIN_SHARE`` percent of the text; below that it says None
rather than guess (a one-word mail, a text that is mostly product names or code). ``content_language`` reads a
``Content-Language`` header (RFC 3282): one language, its primary subtag (``de-CH`` ->
``de``); a list of several, or anything that is no ISO 639-1 code, says nothing.

``mail_language`` puts them together for a customer's mail: the body decides when it is
clear; then the subject with the body (a short subject alone misleads: "Re: Your invoice"
above one Spanish sentence reads as English); then the header. The text wins a
disagreement because mail clients stamp the writer's interface language on every mail
(Outlook sends ``Content-Language: en-US`` above a German text), while the text is what an
agent will read.

``likely_language`` answers a narrower question, the reply language: which of a few
languages a text is most likely in. It asks py3langid (langid.py's model restricted to those
languages: numpy, about 0.6 s to load once, 0.1 ms a mail), which is right even on one line
where CLD2 declines: on the 251 hand-written mails of core/ai/data/handwritten.csv it names all
251 right, and all 251 from their first 40 characters (CLD2: 248 and 239 of 251, the
stopword counter it replaced in core.ai.templates: 246 and 177).

Measured (tests/mail/test_language.py): 599 of the 600 tickets of
corpora/tickets/tobibueck_helpdesk_600 (en, de, es, fr, pt) right, none wrong, one None;
the 4,150 real ham mails of the SpamAssassin corpus come out English but for the German,
Finnish, Irish and Japanese ones among them.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Collection
from functools import cache
from typing import TYPE_CHECKING

import pycld2

from core.mail.parsed import ParsedMessage
from core.vocabulary import language_code

if TYPE_CHECKING:
    from py3langid.langid import LanguageIdentifier

log = logging.getLogger(__name__)

MIN_SHARE = 50  # percent of the text in the top language
MIN_WORDS = 2  # one word is no language ("Nanananana" reads as Malagasy)
MAX_CHARS = 10_000  # a mail's first characters say its language
_WORD = re.compile(r"[^\W\d_]{2,}")
# CLD2 refuses control characters ("invalid UTF-8") and lone surrogates cannot be encoded
_UNREADABLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]"
)


def text_language(text: str) -> str | None:
    """The language of ``text``, or None when it is too short or too mixed to tell."""
    sample = _UNREADABLE.sub(" ", text[:MAX_CHARS])
    if len(_WORD.findall(sample, 0, 200)) < MIN_WORDS:
        return None
    try:
        reliable, _, details = pycld2.detect(sample)
    except pycld2.error as exc:  # what the character filter above missed
        log.debug("language detector refused the text: %s", exc)
        return None
    _, code, share, _ = details[0]
    if not reliable or share < MIN_SHARE:
        return None
    return language_code(code)


def content_language(value: str | None) -> str | None:
    """The one language a ``Content-Language`` header names, or None."""
    if not value:
        return None
    codes = {language_code(tag) for tag in value.split(",") if tag.strip()}
    if len(codes) != 1:
        return None  # several languages (or none): the header does not say which
    return codes.pop()


def mail_language(subject: str, text: str, header: str | None = None) -> str | None:
    """The language of a customer's mail: its body when that is clear, else its subject and
    body, else the ``Content-Language`` header, else None."""
    return (
        text_language(text)
        or (text_language(f"{subject}\n{text}") if subject.strip() else None)
        or content_language(header)
    )


def message_language(parsed: ParsedMessage) -> str | None:
    """``mail_language`` of a parsed mail: the text without its quoted history."""
    return mail_language(
        parsed.subject, parsed.reply_text or parsed.text, parsed.headers.get("content-language")
    )


_identifier_lock = threading.Lock()


@cache
def _identifier(languages: frozenset[str]) -> LanguageIdentifier:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    with _identifier_lock:  # loading reads and unpacks the model file
        identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
    identifier.set_languages(sorted(languages))
    return identifier


def load_identifier(among: Collection[str]) -> None:
    """Load (once per process) the model ``likely_language`` uses for ``among``: reading and
    unpacking it costs about a second of CPU, which a worker pays at start, not in its
    first triage."""
    if among:
        _identifier(frozenset(among))


def likely_language(text: str, among: Collection[str]) -> str | None:
    """Which of the ISO 639-1 codes ``among`` ``text`` is most likely written in; None when
    it has fewer than MIN_WORDS words (nothing to tell a language by)."""
    sample = _UNREADABLE.sub(" ", text[:MAX_CHARS])
    if len(_WORD.findall(sample, 0, 200)) < MIN_WORDS or not among:
        return None
    code, _ = _identifier(frozenset(among)).classify(sample)
    return str(code)
