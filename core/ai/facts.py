"""What a customer's mail says, as facts a draft can quote (offline provider).

``extract_facts(subject, text, attachments=..., sender_name=...)`` reads the subject, the
body and the attachments' names and text excerpts (``TriageRequest.attachments``) and
returns ``Facts``: invoice and order numbers (and other references), amounts with their
currency, dates, error codes and HTTP status lines (``413 Payload Too Large``,
``0x80070005``, ``E1042``), plan names, the attachments with the errors each shows, what
the customer already tried (``TRIED``: password reset, restart, reinstall, cache, another
browser or device, update, already paid), whether they say they were charged twice, that
their account is locked or that the password reset email does not arrive, and
how they sign (``Addressee``: a Herr/Frau, Madame/Monsieur, Sr./Sra., Mr/Ms title from the
display name or the signature). English, German, Spanish, French and Portuguese phrasings.

Pure: regular expressions over at most ``MAX_CHARS`` of each text, no I/O; each pattern
behind a ``core.ai.regex_gate.Gate`` (a mail without the pattern's words is not searched),
the text prepared once per mail. Values are kept
as the customer wrote them (an amount "49,00 €" stays so), each once, in order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from core.ai.adapt import find_references
from core.ai.regex_gate import Gate, Text
from core.ai.result import AttachmentInfo
from core.replies.rendering import first_name

MAX_CHARS = 20_000

# what the customer already tried, in the order a draft lists them
TRIED = (
    "password_reset",
    "restart",
    "reinstall",
    "cache",
    "other_browser",
    "other_device",
    "update",
    "paid",
)

_I = re.IGNORECASE | re.UNICODE


def _any(*patterns: str) -> Gate:
    return Gate(re.compile("|".join(f"(?:{p})" for p in patterns), _I))


_NEAR = r"[^.!?\n]{0,60}"  # within one sentence
_TRIED_ING = rf"\b(?:tried|already|also){_NEAR}\b"  # "I already tried restarting ..."

_TRIED_PATTERNS: dict[str, Gate] = {
    "password_reset": _any(
        # en: "I reset my password twice", "I've already changed the password"
        r"\b(?:i|we)(?:'ve|\s+have|\s+had)?\s+(?:already\s+|also\s+)?(?:reset|changed|renewed)"
        r"\s+(?:my|the|our)\s+password",
        r"\bpassword\s+(?:was\s+|has\s+been\s+)?(?:already\s+)?reset\s+(?:twice|already|"
        r"two\s+times|several\s+times|\d+\s+times|again)",
        r"\breset(?:ting)?\s+(?:my|the)\s+password\s+(?:twice|two\s+times|several\s+times|"
        r"\d+\s+times|again|already)",
        r"\bpassword\s+reset\s+(?:did\s*n[o']t|does\s*n[o']t|didn't)\s+help",
        # de: "Passwort zweimal zurückgesetzt", "das Passwort schon neu gesetzt"
        rf"\bpasswort{_NEAR}(?:zurückgesetzt|neu\s+gesetzt|geändert)",
        r"\bzurückgesetzt(?:es|e)?\s+passwort",
        # es: "ya restablecí la contraseña", "he cambiado mi contraseña"
        rf"\b(?:restablec[íi]|he\s+restablecido|cambi[ée]|he\s+cambiado|reinici[ée])\s+"
        rf"(?:la|mi){_NEAR}contraseña",
        rf"\bcontraseña{_NEAR}(?:restablecid[ao]|cambiad[ao])",
        # fr: "j'ai réinitialisé mon mot de passe deux fois"
        rf"\b(?:réinitialisé|changé|modifié)\s+(?:mon|le){_NEAR}mot\s+de\s+passe",
        rf"\bmot\s+de\s+passe{_NEAR}(?:réinitialisé|changé)",
        # pt: "já redefini a senha duas vezes"
        rf"\b(?:redefini|alterei|troquei|mudei|reiniciei)\s+(?:a\s+)?(?:minha\s+)?{_NEAR}senha",
        rf"\bsenha{_NEAR}(?:redefinida|alterada)",
    ),
    "restart": _any(
        r"\b(?:restarted|rebooted|re-started|turned\s+it\s+off\s+and\s+on)",
        rf"{_TRIED_ING}(?:restarting|rebooting)\b",
        r"\bneu\s*gestartet\b|\bneugestartet\b",
        r"\breinici(?:é|e|ado|amos)\b",
        r"\bredémarré\b",
        r"\breiniciei\b|\breiniciado\b",
    ),
    "reinstall": _any(
        r"\bre-?installed\b",
        rf"{_TRIED_ING}re-?installing\b",
        r"\bneu\s+installiert\b|\bneuinstalliert\b|\bneuinstallation\b",
        r"\breinstal(?:é|e|ado|amos)\b",
        r"\bréinstallé\b",
        r"\breinstalei\b|\breinstalado\b",
    ),
    "cache": _any(
        r"\b(?:cleared|deleted|emptied)\s+(?:the\s+|my\s+)?(?:browser\s+)?(?:cache|cookies)",
        rf"{_TRIED_ING}(?:clearing|deleting|emptying)\s+(?:the\s+|my\s+)?(?:browser\s+)?"
        r"(?:cache|cookies)",
        rf"\b(?:cache|cookies){_NEAR}(?:geleert|gelöscht)",
        r"\b(?:borr[ée]|he\s+borrado|limpi[ée])\s+(?:la\s+)?(?:caché|cache|cookies)",
        r"\bvidé\s+(?:le\s+)?(?:cache|cookies)",
        r"\blimpei\s+(?:o\s+|a\s+)?(?:cache|cookies)",
    ),
    "other_browser": _any(
        r"\b(?:another|a\s+different|other|different)\s+browsers?\b",
        r"\b(?:tried|also\s+in|same\s+in|in)\s+(?:chrome|firefox|safari|edge)\b",
        r"\b(?:anderen|anderem)\s+browser\b",
        r"\botro\s+navegador\b",
        r"\bautre\s+navigateur\b",
        r"\boutro\s+navegador\b",
    ),
    "other_device": _any(
        r"\b(?:another|a\s+different|other|different)\s+(?:device|computer|laptop|phone|pc)s?\b",
        r"\b(?:anderen|anderem)\s+(?:gerät|rechner|computer|handy|laptop)\b",
        r"\botro\s+(?:dispositivo|ordenador|móvil|equipo)\b",
        r"\bautre\s+(?:appareil|ordinateur|téléphone)\b",
        r"\boutro\s+(?:dispositivo|computador|telemóvel|celular)\b",
    ),
    "update": _any(
        r"\b(?:i|we)(?:'ve|\s+have)?\s+(?:already\s+)?updated\s+(?:the|my|to)\b",
        r"\b(?:already\s+on|installed)\s+the\s+latest\s+version\b",
        rf"{_TRIED_ING}updating\s+(?:the|my)\b",
        r"\b(?:bereits|schon)\s+aktualisiert\b|\bneueste\s+version\s+installiert\b",
        r"\b(?:ya\s+)?(?:actualicé|he\s+actualizado)\b",
        r"\b(?:j'ai\s+)?mis\s+à\s+jour\b",
        r"\batualizei\b",
    ),
    "paid": _any(
        r"\b(?:already|have)\s+paid\b|\bi\s+paid\s+(?:it|the|this|on)\b",
        r"\bpayment\s+went\s+through\b",
        r"\b(?:bereits|schon)\s+(?:bezahlt|überwiesen)\b",
        r"\bhabe\s+(?:\w+\s+){0,3}(?:bezahlt|überwiesen)\b",
        r"\bya\s+(?:he\s+)?pag(?:ado|ué)\b",
        r"\bdéjà\s+(?:payé|réglé)\b|\bj'ai\s+(?:déjà\s+)?(?:payé|réglé)\b",
        r"\bjá\s+(?:paguei|foi\s+pag[oa]|está\s+pag[oa])\b",
    ),
}

_CHARGED_TWICE = _any(
    r"\b(?:charged|billed|debited)\s+(?:me\s+|us\s+)?(?:twice|two\s+times|double)",
    r"\b(?:double|duplicate|duplicated)\s+(?:charge|payment|billing|debit)",
    r"\btook\s+\w+(?:\s+\w+){0,3}\s+twice\b",
    r"\b(?:doppelt|zweimal)\s+(?:\w+\s+){0,2}(?:abgebucht|berechnet|belastet|eingezogen)",
    r"\bdoppelte\s+(?:abbuchung|belastung|zahlung)",
    r"\b(?:cobrado|cobraron|cargado)\s+(?:\w+\s+)?dos\s+veces",
    r"\b(?:cobro|cargo)\s+duplicado|\bdoble\s+(?:cargo|cobro)",
    r"\b(?:débité|prélevé|facturé)e?s?\s+(?:\w+\s+)?deux\s+fois",
    r"\bdouble\s+prélèvement|\bprélèvement\s+en\s+double",
    r"\bcobrad[oa]\s+(?:\w+\s+)?duas\s+vezes|\bcobrança\s+(?:duplicada|em\s+dobro)",
)

_LOCKED = _any(
    r"\b(?:account|profile|user)\b[^.!?\n]{0,30}\b(?:is|got|was|has\s+been|been)\s+"
    r"(?:locked|blocked|suspended|disabled)",
    r"\blocked\s+out\b|\baccount\s+(?:is\s+)?locked\b",
    r"\bkonto\b[^.!?\n]{0,30}\bgesperrt|\bgesperrte[sn]?\s+konto",
    r"\bcuenta\b[^.!?\n]{0,30}\bbloquead[ao]",
    r"\bcompte\b[^.!?\n]{0,30}\b(?:bloqué|verrouillé|suspendu)",
    r"\bconta\b[^.!?\n]{0,30}\bbloquead[ao]",
)
_RESET_MAIL_MISSING = _any(
    r"\breset\b[^.!?\n]{0,30}\b(?:e-?mail|link|mail|message)s?\b[^.!?\n]{0,30}"
    r"(?:\bnever\b|\bnot\b|n't\b)[^.!?\n]{0,20}(?:arriv|com|show|reach)",
    r"(?:\bnever\b|\bnot\b|n't\b)\s+(?:\w+\s+){0,2}(?:receiv\w*|get\w*)\s+(?:the|a|any)\s+"
    r"(?:password\s+)?reset",
    r"(?:zurücksetz|passwort)[^.!?\n]{0,60}\b(?:kommt|kam)\s+(?:\w+\s+){0,2}(?:nicht|nie)\b",
    r"\b(?:erhalte|bekomme)\s+(?:\w+\s+){0,2}kein\w*\s+(?:e-?mail|mail|link)[^.!?\n]{0,40}"
    r"(?:zurücksetz|passwort)",
    r"\b(?:enlace|correo)\s+(?:de\s+)?(?:restablecimiento|recuperación)[^.!?\n]{0,40}\bno\s+"
    r"(?:me\s+)?(?:llega|ha\s+llegado)|\bno\s+(?:me\s+)?llega\s+(?:el\s+)?(?:enlace|correo)",
    r"\blien\s+de\s+réinitialisation[^.!?\n]{0,30}(?:n'arrive|ne\s+m'arrive|n'est\s+pas\s+arrivé)",
    r"\bje\s+ne\s+reçois\s+pas\s+(?:le\s+)?(?:lien|l'e-mail|le\s+mail)",
    r"\blink\s+de\s+(?:redefinição|recuperação)[^.!?\n]{0,30}\bnão\s+(?:me\s+)?(?:chega|chegou)",
    r"\bnão\s+(?:recebo|recebi)\s+(?:o\s+)?(?:link|e-mail)",
)

_INVOICE = Gate(
    re.compile(
        r"\b(?:invoice|inv|rechnung(?:snummer)?|factura|facture|fatura)\s*(?:no\.?|nr\.?|number|"
        r"n[°º]\.?|:)?\s*(#?(?=[A-Z-]*\d)[A-Z0-9][A-Z0-9-]{2,})|\b(INV-?\d{2,}[A-Z0-9-]*)\b",
        _I,
    )
)
_ORDER = Gate(
    re.compile(
        r"\b(?:order|bestellung|bestellnummer|auftrag|pedido|commande|encomenda)\s*(?:no\.?|nr\.?|"
        r"number|n[°º]\.?|:)?\s*(#?(?=[A-Z-]*\d)[A-Z0-9][A-Z0-9-]{2,})",
        _I,
    )
)

_CURRENCY = r"(?:€|\$|£|R\$|US\$|EUR|USD|GBP|CHF|BRL)"
_NUMBER = r"\d{1,3}(?:[.,\u202f ]\d{3})*(?:[.,]\d{2})?|\d+(?:[.,]\d{2})?"
_AMOUNT = Gate(
    re.compile(
        rf"(?<![\w.,]){_CURRENCY}\s?(?:{_NUMBER})(?![\d])"
        rf"|(?<![\w.,])(?:{_NUMBER})\s?(?:{_CURRENCY}|euros?|dollars?|reais)(?![\w])",
        _I,
    )
)

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|"
    "januar|jänner|februar|märz|mai|juni|juli|oktober|dezember|"
    "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre|"
    "janvier|février|mars|avril|juin|juillet|août|septembre|octobre|novembre|décembre|"
    "janeiro|fevereiro|março|maio|junho|julho|setembro|outubro|dezembro"
)
_SHORT = {
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
}
_FULL_MONTHS = "|".join(m for m in _MONTHS.split("|") if m not in _SHORT)
# "the invoice for October", "Rechnung für Oktober", "factura de octubre": the month only
_PERIOD = Gate(
    re.compile(
        rf"\b(?:for|from|of|für|vom|de|du|d'|em|en)\s+((?:{_FULL_MONTHS})(?:\s+(?:de\s+)?\d{{4}})?)\b",
        _I,
    )
)
_DATE = Gate(
    re.compile(
        r"\b\d{4}-\d{2}-\d{2}\b"
        r"|\b\d{1,2}[./]\d{1,2}[./](?:\d{4}|\d{2})\b"
        rf"|\b\d{{1,2}}(?:st|nd|rd|th|er|\.)?\s+(?:de\s+)?(?:{_MONTHS})\b(?:\s+(?:de\s+)?\d{{4}})?"
        rf"|\b(?:{_MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+\d{{4}})?",
        _I,
    )
)

HTTP_STATUS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    409: "Conflict",
    413: "Payload Too Large",
    414: "URI Too Long",
    415: "Unsupported Media Type",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
_STATUS_NAMES = "|".join(
    sorted({*HTTP_STATUS.values(), "Request Entity Too Large"}, key=len, reverse=True)
)
_HTTP_LINE = Gate(re.compile(rf"\b([45]\d\d)\s*[-:]?\s*({_STATUS_NAMES})\b", _I))
_HTTP_NUMBER = Gate(
    re.compile(
        r"\b(?:HTTP(?:/\d(?:\.\d)?)?|status(?:\s+code)?|error|fehler|erreur|error\s+code|"
        r"código|erro|code|returns?|returned|returning|gets?|getting|got|throws?|throwing|"
        r"liefert|devuelve|renvoie|retorna|devolve)\s*(?:an?\s+|einen\s+|un\s+|une\s+|um\s+)?"
        r"[:#]?\s*(?:HTTP\s*)?([45]\d\d)\b"
        r"|\b([45]\d\d)\s+(?:errors?|fehler|erreurs?|errores|erros)\b",
        _I,
    )
)
_CODE = Gate(
    re.compile(
        r"\b(0x[0-9A-Fa-f]{4,8})\b"
        r"|\b((?:E|ERR|ERROR)[-_]?\d{2,5})\b"
        r"|\b(ERR_[A-Z][A-Z_]{3,})\b"
        r"|\b(?i:error\s+code|fehlercode|code\s+d'erreur|código\s+de\s+error|código\s+de\s+erro)"
        r"\s*[:#]?\s*([A-Z0-9][A-Z0-9_-]{1,15})\b",
        re.UNICODE,
    )
)

_PLAN_WORDS = {"my", "the", "our", "this", "that", "your", "a", "an", "new", "old", "current"}
_PLAN = Gate(
    re.compile(
        r"\b([A-Z][\w+]*(?:\s[A-Z][\w+]*)?)\s+(?:plan|subscription|tier|edition|package)\b"
        r"|\b([A-Z][\w+]*)-(?:Tarif|Plan|Paket|Abo)\b"
        r"|\b(?:Tarif|Paket|Abo|plan|plano|forfait|abonnement|offre|suscripción|assinatura)\s+"
        r"[«„“\"]?([A-Z][\w+]*)",
        re.UNICODE,
    )
)

# "Frau Dr. Weber", "Herr Jürgen Klein", "Mme Dubois", "Sra. García", "Mr. John Smith"
_TITLES = {
    "herr": "m",
    "frau": "f",
    "monsieur": "m",
    "m.": "m",
    "madame": "f",
    "mme": "f",
    "mme.": "f",
    "señor": "m",
    "sr.": "m",
    "sr": "m",
    "señora": "f",
    "sra.": "f",
    "sra": "f",
    "senhor": "m",
    "senhora": "f",
    "mr": "m",
    "mr.": "m",
    "mrs": "f",
    "mrs.": "f",
    "ms": "f",
    "ms.": "f",
}
_ACADEMIC = re.compile(r"^(?:(?:prof\.|dr\.|dra\.|dr|prof)\s*)+", _I)
_CLOSING = re.compile(
    r"^\s*(?:(?:best|kind|warm)\s+)?(?:regards|wishes)|^\s*(?:thanks|thank\s+you|cheers|"
    r"sincerely|yours|mit\s+freundlichen\s+grüßen|freundliche\s+grüße|viele\s+grüße|"
    r"beste\s+grüße|mfg|gruß|saludos|un\s+saludo|atentamente|cordialement|bien\s+à\s+vous|"
    r"salutations|cumprimentos|atenciosamente|obrigad[oa])\b",
    _I,
)


_NAME_PART = re.compile(r"^[^\W\d_][\w'.-]{0,29}$")  # "Jürgen", "O'Neil", "Anna-Lena"


@dataclass(frozen=True, slots=True)
class Addressee:
    """How the customer signs: ``gender`` "m"/"f" only when a title said so."""

    first: str = ""
    last: str = ""
    gender: str = ""  # m|f|"" (unknown: no Herr/Frau, Madame/Monsieur ... in the mail)
    academic: str = ""  # "Dr.", "Prof. Dr." as written

    @property
    def full(self) -> str:
        return " ".join(p for p in (self.first, self.last) if p)


@dataclass(frozen=True, slots=True)
class AttachmentFact:
    name: str
    errors: tuple[str, ...] = ()  # error codes and status lines its text shows


@dataclass(frozen=True, slots=True)
class Facts:
    invoices: tuple[str, ...] = ()
    orders: tuple[str, ...] = ()
    references: tuple[str, ...] = ()  # every number above and case/ticket ids, in order
    amounts: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()  # of the mail and its attachments, the mail's first
    plans: tuple[str, ...] = ()
    attachments: tuple[AttachmentFact, ...] = ()
    tried: tuple[str, ...] = ()  # of TRIED, in that order
    tried_times: int = 0  # "reset my password twice": 2
    charged_twice: bool = False
    account_locked: bool = False  # they say the account is locked, blocked or suspended
    reset_mail_missing: bool = False  # the password reset email or link does not arrive
    mentions_device: bool = False  # browser, OS, app version, device or API call named
    addressee: Addressee = field(default_factory=Addressee)

    @property
    def invoice(self) -> str:
        return self.invoices[0] if self.invoices else ""

    @property
    def order(self) -> str:
        return self.orders[0] if self.orders else ""

    def has(self, tried: str) -> bool:
        return tried in self.tried

    def http_status(self) -> int | None:
        """The first HTTP error status among ``errors`` (``413 Payload Too Large``: 413)."""
        for error in self.errors:
            match = re.match(r"([45]\d\d)\b", error)
            if match:
                return int(match.group(1))
        return None


def _once(values: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for value in values:
        value = " ".join(value.split()).strip(" .,;:")
        if value and value.casefold() not in seen:
            seen[value.casefold()] = value
    return tuple(seen.values())


def _with_digit(values: Iterable[str]) -> list[str]:
    return [v for v in values if any(ch.isdigit() for ch in v)]


def _prepared(text: str | Text) -> str | Text:
    """A text as the patterns read it: its first MAX_CHARS (a Text is taken as given: one
    mail's, prepared once for all the patterns, ``_read``)."""
    return text[:MAX_CHARS] if isinstance(text, str) else text


def find_errors(text: str | Text) -> tuple[str, ...]:
    """Error codes and HTTP status lines, as "413 Payload Too Large", "0x80070005", "E1042"."""
    text = _prepared(text)
    found: list[tuple[int, str]] = []
    statuses: set[int] = set()
    for m in _HTTP_LINE.finditer(text):
        code = int(m.group(1))
        name = HTTP_STATUS.get(code, m.group(2))
        statuses.add(code)
        found.append((m.start(), f"{code} {name}"))
    for m in _HTTP_NUMBER.finditer(text):
        code = int(m.group(1) or m.group(2))
        if code in HTTP_STATUS and code not in statuses:
            statuses.add(code)
            found.append((m.start(), f"{code} {HTTP_STATUS[code]}"))
    for m in _CODE.finditer(text):
        value = next(g for g in m.groups() if g)
        if value.isdigit() and int(value) in statuses:
            continue
        if m.group(4) and not any(ch.isdigit() for ch in value) and "_" not in value:
            continue  # "error code: unknown"
        found.append((m.start(), value))
    return _once(v for _, v in sorted(found))


def find_amounts(text: str | Text) -> tuple[str, ...]:
    return _once(m.group(0) for m in _AMOUNT.finditer(_prepared(text)))


def find_dates(text: str | Text) -> tuple[str, ...]:
    """Dates as written; a month named alone ("for October") when no day is given with it."""
    text = _prepared(text)
    dates = [(m.start(), m.end(), m.group(0)) for m in _DATE.finditer(text)]
    for m in _PERIOD.finditer(text):
        if not any(start <= m.start(1) < end for start, end, _ in dates):
            dates.append((m.start(1), m.end(1), m.group(1)))
    return _once(d for _, _, d in sorted(dates))


def find_tried(text: str | Text) -> tuple[str, ...]:
    text = _prepared(text)
    return tuple(key for key in TRIED if _TRIED_PATTERNS[key].search(text))


_TIMES = Gate(
    re.compile(
        r"\b(?:twice|two\s+times|zweimal|zwei\s+mal|dos\s+veces|deux\s+fois|duas\s+vezes)\b"
        r"|\b(\d)\s*(?:times|mal|veces|fois|vezes)\b",
        _I,
    )
)


def _password_times(text: str | Text) -> int:
    text = _prepared(text)
    reset = _TRIED_PATTERNS["password_reset"]
    if isinstance(text, Text):
        if not reset.open_for(text):
            return 0  # no sentence of it can say so
        text = text.raw
    for sentence in re.split(r"(?<=[.!?\n])", text):
        if reset.pattern.search(sentence):
            m = _TIMES.pattern.search(sentence)
            if m:
                return int(m.group(1)) if m.group(1) else 2
    return 0


_DEVICE = Gate(
    re.compile(
        r"\b(?:chrome|firefox|safari|edge|opera|windows|macos|mac\s?os|linux|android|ios|iphone|"
        r"ipad|version\s+\d|v\d+\.\d+|\d+\.\d+\.\d+|api)\b"
        r"|\b(?:GET|POST|PUT|PATCH|DELETE)\s+/",  # an API call: no device to ask about
        _I,
    )
)


def addressee(sender_name: str, text: str = "") -> Addressee:
    """Who signed: the display name, or the signature's name line when that carries a
    title the display name lacks ("Frau Dr. Anna Weber" under "Mit freundlichen Grüßen")."""
    from_display = _parse_name(sender_name)
    if from_display.gender:
        return from_display
    signed = _parse_name(_signature_name(text))
    if signed.gender and (
        not from_display.last or signed.last.casefold() == from_display.last.casefold()
    ):
        if not signed.first and from_display.first:
            return Addressee(from_display.first, signed.last, signed.gender, signed.academic)
        return signed
    return from_display


def _signature_name(text: str) -> str:
    lines = [line.strip() for line in text[-2000:].splitlines()]
    for index, line in enumerate(lines):
        if _CLOSING.match(line):
            for after in lines[index + 1 : index + 3]:
                if after and len(after) <= 60:
                    return after
    return ""


def _parse_name(name: str) -> Addressee:
    name = " ".join(name.replace('"', "").split())
    if not name or "@" in name:
        return Addressee()
    if "," in name:  # "Weber, Anna"
        last, _, first = name.partition(",")
        name = f"{first.strip()} {last.strip()}"
    words = name.split(" ")
    gender = ""
    if words and words[0].casefold() in _TITLES:
        gender = _TITLES[words[0].casefold()]
        words = words[1:]
    rest = " ".join(words)
    academic_match = _ACADEMIC.match(rest)
    academic = ""
    if academic_match:
        academic = " ".join(academic_match.group(0).split())
        rest = rest[academic_match.end() :].strip()
    parts = rest.split(" ") if rest else []
    if not parts or len(parts) > 4 or not all(_NAME_PART.match(p) for p in parts):
        return Addressee(gender=gender, academic=academic) if gender else Addressee()
    if gender or academic:
        # a title: the last word is the surname, whatever came before is the first name
        return Addressee(" ".join(parts[:-1]), parts[-1], gender, academic)
    first = first_name(rest)
    return Addressee(first, " ".join(parts[1:]) if len(parts) > 1 else "", "", "")


def extract_facts(
    subject: str,
    text: str,
    *,
    attachments: Sequence[AttachmentInfo] = (),
    sender_name: str = "",
    earlier: Sequence[str] = (),
) -> Facts:
    """Everything above, from one mail. ``earlier``: the customer's earlier messages in the
    thread (their text), whose numbers, errors and tries count after the mail's own: a
    follow-up need not repeat the invoice number or that the password was reset."""
    mail = _read(f"{subject}\n{text[:MAX_CHARS]}")
    before = _read("\n".join(earlier)[-MAX_CHARS:]) if earlier else Facts()
    files = tuple(
        AttachmentFact(a.name, find_errors(f"{a.name}\n{a.excerpt}")) for a in attachments if a.name
    )
    tried = {*mail.tried, *before.tried}
    return Facts(
        invoices=_once([*mail.invoices, *before.invoices]),
        orders=_once([*mail.orders, *before.orders]),
        references=_once([*mail.references, *before.references]),
        amounts=_once([*mail.amounts, *before.amounts]),
        dates=_once([*mail.dates, *before.dates]),
        errors=_once([*mail.errors, *(e for f in files for e in f.errors), *before.errors]),
        plans=_once([*mail.plans, *before.plans]),
        attachments=files,
        tried=tuple(t for t in TRIED if t in tried),
        tried_times=mail.tried_times or before.tried_times,
        charged_twice=mail.charged_twice or before.charged_twice,
        account_locked=mail.account_locked or before.account_locked,
        reset_mail_missing=mail.reset_mail_missing or before.reset_mail_missing,
        mentions_device=mail.mentions_device or before.mentions_device,
        addressee=addressee(sender_name, text),
    )


def _read(raw: str) -> Facts:
    """The facts of one text (its first MAX_CHARS; no attachments, no addressee)."""
    mail = Text(raw[:MAX_CHARS])
    invoices = _once(_with_digit(m.group(1) or m.group(2) or "" for m in _INVOICE.finditer(mail)))
    orders = _once(
        o
        for o in _with_digit(m.group(1) for m in _ORDER.finditer(mail))
        if o.casefold() not in {i.casefold() for i in invoices}
    )
    plans = _once(
        p
        for m in _PLAN.finditer(mail)
        for p in [m.group(1) or m.group(2) or m.group(3) or ""]
        if p.casefold() not in _PLAN_WORDS and not any(ch.isdigit() for ch in p)
    )
    return Facts(
        invoices=invoices,
        orders=orders,
        references=_once([*find_references(mail), *invoices, *orders]),
        amounts=find_amounts(mail),
        dates=find_dates(mail),
        errors=find_errors(mail),
        plans=plans,
        tried=find_tried(mail),
        tried_times=_password_times(mail),
        charged_twice=bool(_CHARGED_TWICE.search(mail)),
        account_locked=bool(_LOCKED.search(mail)),
        reset_mail_missing=bool(_RESET_MAIL_MISSING.search(mail)),
        mentions_device=bool(_DEVICE.search(mail)),
    )
