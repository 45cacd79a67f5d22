"""Strip quoted history and signatures from an email body: the text the triage AI reads.

Pure functions over plain text, line based. Every regex is anchored, has no nested
quantifiers and runs on one line (or at most three joined lines), and the input is capped,
so no message can make stripping slow.
"""

from __future__ import annotations

import re

MAX_CHARS = 200_000  # longer bodies are stripped on their first MAX_CHARS characters

# "On <date>, <person> wrote:" and its translations: the words an attribution starts with
_INTRO_WORDS = (
    "on",  # en
    "am",  # de
    "le",  # fr
    "el",  # es
    "em",  # pt
    "op",  # nl
    "den",  # sv, da
    "d.",  # da
    "på",  # no
    "il",  # it
    "w dniu",  # pl
    "dne",  # cs
    "в",  # ru
    "citando",  # pt
)
# ... and the verbs it contains
_VERBS = (
    "wrote",
    "writes",
    "sent:",
    "schrieb",
    "a écrit",
    "escribió",
    "escreveu",
    "schreef",
    "geschreven",
    "skrev",
    "napisał",
    "napisała",
    "ha scritto",
    "kirjoitti",
    "napsal",
    "napísal",
    "написал",
    "написала",
    "a scris",
    "írta",
    "yazdı",
    "写道",
    "寫道",
)
_VERBS_AT_END = ("wrote", "writes", "schrieb", "a écrit", "escribió", "escreveu", "skrev")
_ORIGINAL_MESSAGE = re.compile(
    r"^[-_=*\s]{2,40}(?:original message|original mail|reply message|ursprüngliche nachricht"
    r"|originalnachricht|antwort nachricht|message d'origine|message original|mensaje original"
    r"|mensagem original|messaggio originale|oorspronkelijk bericht|origineel bericht"
    r"|originalmeddelande|ursprungligt meddelande|oprindelig meddelelse|opprinnelig melding"
    r"|alkuperäinen viesti|původní zpráva|oryginalna wiadomość|wiadomość oryginalna"
    r"|исходное сообщение|исходное письмо|原始邮件|原始郵件)[-_=*\s]{0,40}$",
    re.IGNORECASE,
)
_FORWARD = re.compile(
    r"^(?:[-_=*\s]{2,40}(?:forwarded message|weitergeleitete nachricht|message transféré"
    r"|mensaje reenviado|mensaje original reenviado|mensagem encaminhada|doorgestuurd bericht"
    r"|vidarebefordrat meddelande|videresendt meddelelse|messaggio inoltrato"
    r"|пересылаемое сообщение)[-_=*\s]{0,40}"
    r"|begin forwarded message:|anfang der weitergeleiteten nachricht:"
    r"|début du message réexpédié\s?:|inicio del mensaje reenviado:)$",
    re.IGNORECASE,
)
# Outlook-style header block: "From: ...", then "Sent:/Date:/To:/Subject:" lines
_FROM_NAMES = "from|von|de|fra|från|van|da|od|от|lähettäjä|feladó|kimden|发件人|寄件者"
_DATE_NAMES = (
    "date|sent|gesendet|datum|envoyé|enviado|fecha|sendt|skickat|verzonden|inviato|data"
    "|wysłano|отправлено|дата|lähetetty|päivämäärä|发送时间|日期"
)
_OTHER_NAMES = (
    "to|cc|subject|an|betreff|à|a|objet|para|asunto|assunto|til|emne|till|ämne|aan|onderwerp"
    "|oggetto|do|temat|кому|тема|vastaanottaja|aihe|收件人|主题|主旨"
)
_HEADER_FROM = re.compile(rf"^\*?(?:{_FROM_NAMES})\s?\*?\s?[:：]", re.IGNORECASE)
_HEADER_DATE = re.compile(rf"^\*?(?:{_DATE_NAMES})\s?\*?\s?[:：]", re.IGNORECASE)
_HEADER_OTHER = re.compile(rf"^\*?(?:{_OTHER_NAMES})\s?\*?\s?[:：]", re.IGNORECASE)
# "Sent from my iPhone" and friends, when they close the reply
_MOBILE_SIGNATURE = re.compile(
    r"^(?:sent from my|sent from|sent with|sent via|sent using|get outlook for|envoyé de mon"
    r"|envoyé depuis|envoyé à partir de|von meinem|gesendet von|enviado desde mi|enviado de mi"
    r"|enviado do meu|enviado a partir do|verzonden vanaf mijn|verzonden met|skickat från min"
    r"|sendt fra min|sendt fra|inviato da|wysłane z|отправлено с|lähetetty)\b[^,;!]{0,70}$",
    re.IGNORECASE,
)
_CONTACT_LINE = re.compile(
    r"[^\s@]@[^\s@]{1,255}\.[a-z]{2,24}|(?:https?://|www\.)\S|\+?\d[\d ()./-]{6,20}\d"
    r"|^(?:t|f|m|p|tel|fax|phone|mobile|cell|skype|web|e-?mail|mail)\s?[.:]",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")
_DATE_START = re.compile(r"^\d{1,4}[-/.年]\s?\d{1,2}[-/.月]")
_SIGNATURE_DELIMITER = re.compile(r"\n--[ \t]*\n")  # searched in "\n" + text + "\n"
_QUOTED_LINE = re.compile(r"\n[ \t]*>")  # searched in "\n" + text: a literal start is fast
# Lines that may start a quote header, found by a scan of "\n" + text: a rule (-----), a
# header name (From:), an intro word (On ...), a forward intro (Begin ...), a digit (a date).
_CANDIDATE_START = re.compile(
    r"\n[ \t]*(?:[-_=*]{2}"
    rf"|\*?(?:{_FROM_NAMES}|{_DATE_NAMES})\s?\*?\s?[:：]"
    rf"|(?:{'|'.join(re.escape(w) for w in _INTRO_WORDS)})\s"
    r"|(?:begin|anfang|début|inicio)\s|\d)"
)  # no IGNORECASE (4x slower here): it scans lower-cased text
# ... and lines ending in a colon (reply text sharing its line with "... wrote:")
_CANDIDATE_END = re.compile(r"[:：][ \t]*\n")
_INTRO_PREFIXES = tuple(f"{w} " for w in _INTRO_WORDS)
_Splitter = tuple[int, int, str, str]
_SEPARATOR_CHARS = frozenset("-_=*~ \t")
_RULE_CHARS = "-_=*~"


def strip_reply(text: str) -> str:
    """The newest part of a reply: quoted history and signature removed.

    Falls back to the whole (stripped) text when stripping would leave nothing.
    """
    if not text:
        return ""
    body = text[:MAX_CHARS]
    if "\r" in body:
        body = body.replace("\r\n", "\n").replace("\r", "\n")
    lines = body.split("\n")
    candidates = _candidate_lines(body)
    quoted = _QUOTED_LINE.search(f"\n{body}")
    first_quote = body.count("\n", 0, quoted.start()) if quoted else None
    found = _find_splitter(lines, candidates, start=0)
    if _forward_first(lines, candidates, found=found, first_quote=first_quote):
        return body.strip()
    if found is None:
        reply = _drop_quote_blocks(lines) if quoted else lines
    else:
        reply = _drop_history(lines, candidates, found=found)
    reply = _drop_signature(reply)
    result = "\n".join(_trim(reply)).strip()
    return result or body.strip()


def _candidate_lines(body: str) -> list[int]:
    """Indexes of the lines that might be quote headers (C-speed regex scans)."""
    scan = f"\n{body.lower()}\n"  # lower() may change lengths, never the line count
    # a START match sits on the newline before its line, an END match inside its line
    positions = sorted(
        [m.start() for m in _CANDIDATE_START.finditer(scan)]
        + [m.start() for m in _CANDIDATE_END.finditer(scan)]
    )
    found: list[int] = []
    line, last = -1, 0
    for pos in positions:
        line += scan.count("\n", last, pos + 1)
        last = pos + 1
        if not found or found[-1] != line:
            found.append(line)
    return [i for i in found if i >= 0]


def _forward_first(
    lines: list[str], candidates: list[int], *, found: _Splitter | None, first_quote: int | None
) -> bool:
    """True when the message forwards something before it quotes anything (keep it all)."""
    forward = next((i for i in candidates if _FORWARD.match(lines[i].strip())), None)
    if forward is None or (found is not None and found[0] < forward):
        return False
    return first_quote is None or first_quote > forward


def _drop_history(lines: list[str], candidates: list[int], *, found: _Splitter) -> list[str]:
    """Cut at the first quote header; keep text written around ``>`` quotes after it."""
    start, end, kind, prefix = found
    before = lines[:start] + ([prefix] if prefix else [])
    if kind != "attribution":
        return before
    first = next((line for line in lines[end:] if line.strip()), "")
    if not _is_quoted(first):
        return before  # the quoted message follows without ">" markers
    stop = _find_splitter(lines, candidates, start=end)
    tail = lines[end : stop[0]] if stop else lines[end:]
    kept = _drop_quote_blocks(tail, keep_inline=True)
    if kept is tail:  # an inline reply: keep who said what, too
        return before + lines[start:end] + tail
    return before + kept


def _find_splitter(lines: list[str], candidates: list[int], *, start: int) -> _Splitter | None:
    """First quote header at or after ``start``: (first line, end line, kind, reply prefix)."""
    for i in candidates:
        if i < start:
            continue
        stripped = lines[i].strip()
        if not stripped or stripped.startswith(">"):
            continue
        if _ORIGINAL_MESSAGE.match(stripped):
            return i, i + 1, "original", ""
        if _is_header_block(lines, i):
            return i, i + 1, "headers", ""
        span = _attribution_span(lines, i)
        if span:
            return i, i + span, "attribution", ""
        if stripped.endswith((":", "：")) and _has_verb(stripped.lower()):
            prefix = _inline_attribution_prefix(stripped)
            if prefix is not None:
                return i, i + 1, "attribution", prefix
    return None


def _is_header_block(lines: list[str], i: int) -> bool:
    """A From:/Date: line followed closely by other mail header lines."""
    first = lines[i].strip()
    if not (_HEADER_FROM.match(first) or _HEADER_DATE.match(first)):
        return False
    for line in lines[i + 1 : i + 7]:
        stripped = line.strip()
        if _HEADER_OTHER.match(stripped) or _HEADER_DATE.match(stripped):
            return True
        if _HEADER_FROM.match(stripped):
            return True
    return False


def _attribution_span(lines: list[str], i: int) -> int:
    """How many lines (1-3) the "On <date>, <person> wrote:" header at ``i`` takes, or 0."""
    head = lines[i].strip().lstrip("-_*> \t")
    low = head.lower()
    if not (low.startswith(_INTRO_PREFIXES) or low[:1].isdigit()):
        return 0
    joined = head
    for span in range(1, 4):
        if _is_attribution(joined):
            return span
        nxt = lines[i + span].strip() if i + span < len(lines) else ""
        if not nxt or joined.endswith((":", "：")):
            return 0
        joined = f"{joined} {nxt}"
    return 0


def _is_attribution(candidate: str) -> bool:
    text = candidate.strip().rstrip("-_* \t")
    if not 8 <= len(text) <= 500:
        return False
    low = text.lower()
    colon = low.endswith((":", "："))
    if not (colon or low.endswith(_VERBS_AT_END)):
        return False
    if "@" not in low and _DIGIT.search(low) is None:
        return False
    if not colon or _has_verb(low):
        return True
    # Gmail "2014-10-17 11:28 GMT+03:00 Name <a@b.c>:" and the like
    return "@" in low and _DATE_START.match(low) is not None


def _has_verb(low: str) -> bool:
    return any(verb in low for verb in _VERBS)


def _inline_attribution_prefix(stripped: str) -> str | None:
    """Reply text sharing its line with the attribution: "Thanks! On <date> X wrote:"."""
    for marker in (" On ", "--- On ", "-On "):
        at = stripped.rfind(marker)
        if at > 0 and _is_attribution(stripped[at:].lstrip("- ")):
            return stripped[:at].rstrip(" -")
    return None


def _is_quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _drop_quote_blocks(lines: list[str], *, keep_inline: bool = False) -> list[str]:
    """Remove ``>`` quote blocks; an inline reply (text between quotes) is kept whole."""
    runs: list[tuple[bool, list[str]]] = []
    for line in lines:
        quoted = line.lstrip(" \t")[:1] == ">"
        if runs and (runs[-1][0] == quoted or not line.strip()):
            runs[-1][1].append(line)
        else:
            runs.append((quoted, [line]))
    quote_runs = sum(1 for quoted, _ in runs if quoted)
    if not quote_runs:
        return lines
    text_idx = [n for n, (quoted, run) in enumerate(runs) if not quoted and _has_text(run)]
    inline = any(runs[n - 1][0] and runs[n + 1][0] for n in text_idx if 0 < n < len(runs) - 1)
    if inline and (keep_inline or quote_runs > 1):
        return lines
    kept: list[str] = []
    for n in text_idx:
        run = list(runs[n][1])
        if n + 1 < len(runs) and runs[n + 1][0]:
            run = _drop_trailing_attribution(run)
        kept.extend(run)
    return kept


def _drop_trailing_attribution(run: list[str]) -> list[str]:
    """Drop a "John <john@x.org> said:" line that introduces the quote below it."""
    trimmed = _trim(run)
    if trimmed:
        last = trimmed[-1].strip()
        if last.endswith((":", "：")) and ("@" in last or any(c.isdigit() for c in last)):
            return trimmed[:-1]
    return trimmed


def _drop_signature(lines: list[str]) -> list[str]:
    """Cut a "-- " signature, a closing "Sent from my iPhone" and a trailing contact block."""
    lines = _trim(lines)
    joined = "\n" + "\n".join(lines) + "\n"
    delimiter = _SIGNATURE_DELIMITER.search(joined)
    if delimiter and delimiter.start() > 0:
        cut = joined.count("\n", 0, delimiter.start())  # the delimiter's line index
        if _has_text(lines[:cut]):
            lines = _trim(lines[:cut])
    tail: list[int] = []
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].strip():
            tail.insert(0, i)
            if len(tail) == 2:
                break
    for i in tail:
        if _MOBILE_SIGNATURE.match(lines[i].strip()) and _has_text(lines[:i]):
            return _trim(lines[:i])
    return _drop_contact_block(lines)


def _drop_contact_block(lines: list[str]) -> list[str]:
    """Drop a closing block of short lines that are mostly contact details (mail, phone, web).

    The block is the last paragraph, or everything after a rule line (-----) near the end.
    """
    if not lines or len(lines[-1]) > 72:  # _trim()med: the last line is not blank
        return lines
    floor = max(0, len(lines) - 25)
    start = len(lines)
    while start > floor and lines[start - 1].strip():
        start -= 1
    for i in range(len(lines) - 1, floor - 1, -1):
        stripped = lines[i].strip()
        if stripped[:1] in _RULE_CHARS and len(stripped) >= 4 and _is_rule(stripped):
            start = i
            break
    block = [line.strip() for line in lines[start:] if line.strip()]
    block = [line for line in block if not _is_rule(line)]
    if not 2 <= len(block) <= 12 or any(len(line) > 72 for line in block):
        return lines
    contacts = sum(1 for line in block if _CONTACT_LINE.search(line))
    if contacts >= 2 and contacts * 3 >= len(block) and _has_text(lines[:start]):
        return _trim(lines[:start])
    return lines


def _is_rule(line: str) -> bool:
    return set(line) <= _SEPARATOR_CHARS


def _has_text(lines: list[str]) -> bool:
    return any(line.strip() for line in lines)


def _trim(lines: list[str]) -> list[str]:
    """Without leading/trailing blank lines and trailing separator rules (____, ----)."""
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and set(lines[end - 1]) <= _SEPARATOR_CHARS:
        end -= 1
    return lines[start:end]
