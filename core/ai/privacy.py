"""Personal data out of the text an external model reads, and back into its answer.

    text, mapping = redact(mail, keep={"support@acme.example"})
    ... send ``text`` to the provider, get ``answer`` ...
    draft = restore(answer, mapping)

Card numbers (13-19 digits passing the Luhn check), IBANs (mod-97), passwords and one-time
codes named as such ("password: x", "code is 123456", in en/de/es/fr/pt), API keys and
tokens (``sk-``, ``ghp_``, ``AKIA``, ``Bearer ...``, JWTs, long mixed-case tokens), phone
numbers (international and national forms) and email addresses other than those in
``keep`` become typed placeholders: ``[CARD_1]``, ``[IBAN_1]``, ``[PASSWORD_1]``,
``[CODE_1]``, ``[API_KEY_1]``, ``[TOKEN_1]``, ``[PHONE_1]``, ``[EMAIL_1]``. One
``Redactor`` serves one request: the same value (compared normalised: digits of a card or
phone number, an IBAN without spaces, an address in lower case) gets the same placeholder in
every text it redacts. Pure: no I/O, no clock.

What is left alone on purpose: dates, times, amounts, order and invoice ids (``INV-2291``,
``#100234567``), error and status codes, postal codes, version numbers, short hex ids.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

KINDS = ("API_KEY", "TOKEN", "EMAIL", "PASSWORD", "CODE", "IBAN", "CARD", "PHONE")

PLACEHOLDER = re.compile(r"\[(?:" + "|".join(KINDS) + r")_\d+\]")


# --- checksums ----------------------------------------------------------------------------


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        n = int(char)
        if index % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


# IBAN lengths by country (ISO 13616 registry); an unknown country is checked by mod-97 only
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20,
    "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18,
    "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IS": 26, "IT": 27, "JO": 30,
    "KW": 30, "KZ": 20, "LB": 28, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24,
    "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28,
    "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24, "SE": 24, "SI": 19, "SK": 24,
    "SM": 27, "TN": 24, "TR": 26, "UA": 29, "VG": 24, "XK": 20,
}  # fmt: skip


def iban_ok(iban: str) -> bool:
    """``iban`` upper case without spaces: its country's length and the mod-97 check."""
    if not 15 <= len(iban) <= 34 or not iban.isalnum():
        return False
    expected = IBAN_LENGTHS.get(iban[:2])
    if expected is not None and len(iban) != expected:
        return False
    moved = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def entropy_bits(text: str) -> float:
    """Shannon entropy per character."""
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


# --- patterns -----------------------------------------------------------------------------

_KEYS = re.compile(
    r"(?<![\w-])(?:"
    r"sk-(?:proj-|live-|test-|ant-)?[A-Za-z0-9_-]{16,}"  # OpenAI, Anthropic, Stripe-like
    r"|(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{16,}"  # Stripe
    r"|gh[pousr]_[A-Za-z0-9]{20,}"  # GitHub
    r"|github_pat_[A-Za-z0-9_]{20,}"
    r"|(?:AKIA|ASIA)[0-9A-Z]{16}"  # AWS access key id
    r"|xox[abposr]-[A-Za-z0-9-]{10,}"  # Slack
    r"|AIza[0-9A-Za-z_-]{35}"  # Google
    r"|glpat-[A-Za-z0-9_-]{20,}"  # GitLab
    r")(?![\w-])"
)
_BEARER = re.compile(r"(?i)\b(?:bearer|token)\s+(?=[A-Za-z0-9._~+/-]*\d)([A-Za-z0-9._~+/-]{12,}=*)")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")
_SECRET_CONTEXT = re.compile(
    r"(?i)\b(?:api[ _-]?key|access[ _-]?key|secret(?:[ _-]?key)?|client[ _-]?secret|"
    r"auth[ _-]?token|access[ _-]?token|api[ _-]?token|token)\b"
    r"\s*(?:[:=]|\bis\b)\s*[\"'“«]?([A-Za-z0-9._~+/=-]{8,})"
)
_LONG_TOKEN = re.compile(r"(?<![\w./@-])[A-Za-z0-9_+/-]{20,}={0,2}(?![\w@-])")

_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
)

_PASSWORD_WORDS = (
    r"passwords?|passcode|passphrase|pwd|passwort|kennwort|contrase[ñn]a|clave|"
    r"mot\s+de\s+passe|mdp|senha"
)
_VERBS = r"is|was|ist|war|lautet|es|era|est|était|etait|é|e|foi"
_PASSWORD = re.compile(
    rf"(?i)\b(?:{_PASSWORD_WORDS})\b(?P<sep>[ \t]*[:=][ \t]*|[ \t]+(?:(?:{_VERBS})[ \t]+)(?:now[ \t]+|jetzt[ \t]+|)?)"
    r"(?P<q>[\"'“«‹]?)(?P<value>[^\s\"'”»›]+)"
)
_CODE_WORDS = r"\w*code|codes|otp|pin|tan|c[óo]digo|token|verification|bestätigung|vérification"
_CODE_NOT = re.compile(
    r"(?i)^(?:error|status|exit|zip|post|postal|source|promo|promotion|discount|rabatt|"
    r"gutschein|coupon|voucher|qr|bar|country|area|tracking|product|fehler|fehlercode|"
    r"statuscode|postcode|zipcode|barcode|qrcode|sourcecode|promocode|http|response)"
)
_CODE = re.compile(
    rf"(?i)(?P<before>\b[\w-]+\s+)?\b(?P<word>{_CODE_WORDS})\b"
    rf"(?:\s*[:=]\s*|\s+(?:(?:{_VERBS})\s+)?|\s*(?:{_VERBS})?\s*:\s*)"
    r"(?P<q>[\"'“«]?)(?P<value>\d{3}[ -]?\d{3}|\d{4,8})(?![\w/:-]|[.,]\d)"
)

_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b")
_CARD = re.compile(r"(?<![\w+#/.,-])\d(?:[ -]?\d){12,18}(?![\w/-]|[.,]\d)")
_PHONE_INTL = re.compile(
    r"(?<![\w+#/.,-])(?:\+|00)[1-9]\d{0,2}(?:[ .-]?\(0\))?(?:[ .-]?\(?\d{1,5}\)?){1,6}"
    r"(?![\w/-]|[.,]\d)"
)
_PHONE_NATIONAL = re.compile(
    r"(?<![\w+#/.,:-])(?:"
    r"\(0\d{1,5}\)[ ]?\d{2,}(?:[ .-]?\d{2,}){0,3}"  # (030) 1234567
    r"|0\d{1,5}(?:[ ]|/|-|\.)\d{2,}(?:[ .-]\d{2,}){0,3}"  # 030 1234567, 0171/1234567, 06 12 34 56 78
    r"|\(\d{3}\)[ ]?\d{3}[ .-]\d{4}"  # (555) 123-4567
    r"|\d{3}[.-]\d{3}[.-]\d{4}"  # 555-123-4567
    r")(?![\w/-]|[.,]\d)"
)
# a number right after one of these words is an id, not a phone or card number
_ID_WORDS = re.compile(
    r"(?i)(?:order|invoice|inv|ticket|case|ref|reference|no|nr|num|number|bestellung|"
    r"rechnung|auftrag|pedido|factura|commande|facture|fatura|encomenda|#)\W{0,3}$"
)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _looks_like_password(value: str, *, explicit: bool) -> bool:
    """After "password:" anything counts; after "password is", only what is not a word."""
    if explicit:
        return True
    if len(value) < 4:  # "the password is 12 characters long"
        return False
    if value.lower() in {"not", "wrong", "correct", "incorrect", "expired", "invalid"}:
        return False
    return bool(re.search(r"\d|[^\w]|_", value) or re.search(r"[a-z].*[A-Z]", value))


# --- the redactor -------------------------------------------------------------------------


@dataclass
class Redactor:
    """Placeholders for one request: ``redact`` each text sent, ``restore`` each answered."""

    keep: frozenset[str] = frozenset()
    mapping: dict[str, str] = field(default_factory=dict)  # placeholder -> original text
    _by_value: dict[tuple[str, str], str] = field(default_factory=dict)
    _counts: Counter[str] = field(default_factory=Counter)
    _text: str = ""  # the text being redacted

    @classmethod
    def keeping(cls, addresses: Iterable[str]) -> Redactor:
        return cls(keep=frozenset(a.strip().lower() for a in addresses if a.strip()))

    def redact(self, text: str) -> str:
        self._text = text
        text = self._sub(_KEYS, text, "API_KEY")
        text = self._sub(_JWT, text, "TOKEN")
        text = self._sub(_BEARER, text, "TOKEN", group=1)
        text = self._sub(_SECRET_CONTEXT, text, "TOKEN", group=1)
        text = self._sub(
            _EMAIL, text, "EMAIL", accept=lambda m: m.group(0).lower() not in self.keep
        )
        text = self._sub(_PASSWORD, text, "PASSWORD", group="value", accept=self._password)
        text = self._sub(_CODE, text, "CODE", group="value", accept=self._code)
        text = self._sub(_IBAN, text, "IBAN", accept=lambda m: iban_ok(m.group(0).replace(" ", "")))
        text = self._sub(_CARD, text, "CARD", accept=self._card)
        text = self._sub_all(
            text,
            "PHONE",
            [(_PHONE_INTL, 0, self._intl_phone), (_PHONE_NATIONAL, 0, self._national_phone)],
        )
        text = self._sub(_LONG_TOKEN, text, "TOKEN", accept=self._token)
        return text

    def restore(self, text: str) -> str:
        return restore(text, self.mapping)

    # --- acceptance rules ------------------------------------------------------------------

    @staticmethod
    def _password(m: re.Match[str]) -> bool:
        value = m.group("value").rstrip(".,;:)")
        if not value or PLACEHOLDER.fullmatch(value):
            return False
        explicit = bool(m.group("q")) or bool(re.search(r"[:=]", m.group("sep")))
        return _looks_like_password(value, explicit=explicit)

    @staticmethod
    def _code(m: re.Match[str]) -> bool:
        before = (m.group("before") or "").strip()
        return not (_CODE_NOT.match(m.group("word")) or (before and _CODE_NOT.match(before)))

    @staticmethod
    def _after_id_word(m: re.Match[str]) -> bool:
        return bool(_ID_WORDS.search(m.string[: m.start()]))

    def _card(self, m: re.Match[str]) -> bool:
        digits = _digits(m.group(0))
        return (
            13 <= len(digits) <= 19
            and luhn_ok(digits)
            and not self._after_id_word(m)
            and not _in_iban_shape(m)
        )

    def _intl_phone(self, m: re.Match[str]) -> bool:
        return (
            8 <= len(_digits(m.group(0))) <= 15
            and not self._after_id_word(m)
            and not _in_iban_shape(m)
        )

    def _national_phone(self, m: re.Match[str]) -> bool:
        return (
            9 <= len(_digits(m.group(0))) <= 13
            and not self._after_id_word(m)
            and not _in_iban_shape(m)
        )

    @staticmethod
    def _token(m: re.Match[str]) -> bool:
        token = m.group(0)
        has = (
            re.search(r"[a-z]", token),
            re.search(r"[A-Z]", token),
            re.search(r"\d", token),
        )
        if not all(has) or entropy_bits(token) < 3.5:
            return False
        # CamelCaseWords and snake_words are names, not secrets: a token's runs are short
        runs = re.findall(r"[A-Za-z]{5,}", token)
        return sum(map(len, runs)) < len(token) * 0.6

    # --- replacement -----------------------------------------------------------------------

    def _sub(
        self,
        pattern: re.Pattern[str],
        text: str,
        kind: str,
        *,
        group: int | str = 0,
        accept: Callable[[re.Match[str]], bool] | None = None,
    ) -> str:
        return self._sub_all(text, kind, [(pattern, group, accept)])

    def _sub_all(
        self,
        text: str,
        kind: str,
        rules: Sequence[tuple[re.Pattern[str], int | str, Callable[[re.Match[str]], bool] | None]],
    ) -> str:
        """Replace what any of ``rules`` finds (leftmost, then longest), numbered in order."""
        found: list[tuple[int, int, str]] = []
        for pattern, group, accept in rules:
            for m in pattern.finditer(text):
                start, end = m.span(group)
                value = m.group(group)
                if kind == "PASSWORD":
                    trimmed = value.rstrip(".,;:)")
                    end -= len(value) - len(trimmed)
                    value = trimmed
                if not value or (accept is not None and not accept(m)):
                    continue
                if not _inside_placeholder(text, start, end):
                    found.append((start, end, value))
        out: list[str] = []
        last = 0
        for start, end, value in sorted(found, key=lambda f: (f[0], f[0] - f[1])):
            if start < last:
                continue
            out.append(text[last:start])
            out.append(self._placeholder(kind, value))
            last = end
        out.append(text[last:])
        return "".join(out)

    def _placeholder(self, kind: str, value: str) -> str:
        key = (kind, _normalised(kind, value))
        found = self._by_value.get(key)
        if found is not None:
            return found
        while True:
            self._counts[kind] += 1
            placeholder = f"[{kind}_{self._counts[kind]}]"
            if placeholder not in self._text:  # the text's own look-alikes keep their meaning
                break
        self._by_value[key] = placeholder
        self.mapping[placeholder] = value
        return placeholder


def _normalised(kind: str, value: str) -> str:
    if kind in {"CARD", "PHONE"}:
        return _digits(value)
    if kind == "IBAN":
        return value.replace(" ", "").upper()
    if kind == "EMAIL":
        return value.lower()
    return value


def _in_iban_shape(m: re.Match[str]) -> bool:
    """Inside something written like an IBAN (one that failed its check is a typo, not a
    card or phone number)."""
    start, end = m.span()
    for shape in _IBAN.finditer(m.string, max(0, start - 40), min(len(m.string), end + 40)):
        if shape.start() <= start and end <= shape.end():
            return True
    return False


def _inside_placeholder(text: str, start: int, end: int) -> bool:
    for m in PLACEHOLDER.finditer(text, max(0, start - 16), min(len(text), end + 16)):
        if m.start() < end and start < m.end():
            return True
    return False


def redact(text: str, keep: Iterable[str] = ()) -> tuple[str, Mapping[str, str]]:
    """``text`` with personal data replaced by placeholders, and placeholder -> original."""
    redactor = Redactor.keeping(keep)
    return redactor.redact(text), dict(redactor.mapping)


def restore(text: str, mapping: Mapping[str, str]) -> str:
    """Every placeholder of ``mapping`` in ``text`` back to its original; others stay."""
    if not mapping:
        return text
    return PLACEHOLDER.sub(lambda m: mapping.get(m.group(0), m.group(0)), text)
