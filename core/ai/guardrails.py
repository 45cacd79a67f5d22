"""Checks every generated draft before an agent sees it.

A draft must not
- ask the customer for a password, one-time/verification code or card number,
- tell the customer to disable antivirus, firewalls or two-factor authentication,
- claim an action nobody took (refund issued, account unlocked, password reset...), unless
  an agent wrote it.

The checks are cheap regular expressions over sentences and clauses, in English, German,
Spanish, French and Portuguese, with negation handling so that "we will never ask for your
password" passes while "please reply with your password" does not. They err on the side of
flagging: a finding only escalates the draft to a human, nothing is sent without approval.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

ASKS_FOR_SECRET = "asks_for_secret"
DISABLES_SECURITY = "disables_security"
CLAIMS_ACTION = "claims_action"

_MESSAGES = {
    ASKS_FOR_SECRET: "asks the customer for a password, one-time code or card number",
    DISABLES_SECURITY: "tells the customer to disable a security control",
    CLAIMS_ACTION: "claims an action that was not taken",
}


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    excerpt: str

    @property
    def message(self) -> str:
        return _MESSAGES[self.code]

    def __str__(self) -> str:
        return f"{self.code}: {self.message}: “{self.excerpt}”"


def _alt(*words: str) -> str:
    return "(?:" + "|".join(words) + ")"


_I = re.IGNORECASE | re.UNICODE

# --- vocabulary -------------------------------------------------------------------------

_SECRET = re.compile(
    r"\b"
    + _alt(
        # en
        r"pass(?:word|words|code|codes|phrase)",
        r"pins?(?:\s+codes?)?",
        r"one[- ]time\s+(?:pass)?codes?",
        r"otps?",
        r"(?:verification|security|authentication|auth|login|sign[- ]in|sms|2fa|mfa|"
        r"two[- ]factor|confirmation|access|backup|recovery|6[- ]digit|six[- ]digit)\s+codes?",
        r"codes?\s+(?:we|you)\s+(?:sent|texted|received|got)",
        r"the\s+code\s+from",
        r"(?:credit|debit|bank)\s*card(?:\s+(?:number|numbers|details|info|information|data))?",
        r"card\s+(?:number|numbers|details)",
        r"cvv2?",
        r"cvc2?",
        r"security\s+number",
        r"expiry\s+date",
        r"expiration\s+date",
        r"seed\s+phrase",
        r"private\s+keys?",
        r"social\s+security\s+number",
        r"ssn",
        r"online\s+banking\s+login",
        # de
        r"passw(?:o|ö)rt(?:er)?",
        r"kennw(?:o|ö)rt(?:er)?",
        r"einmal(?:code|passwort|kennwort)\w*",
        r"(?:bestätigungs|sicherheits|verifizierungs|anmelde|sms)[- ]?codes?",
        r"tans?",
        r"(?:kredit)?kartennummer\w*",
        r"kreditkarten(?:daten|nummer)\w*",
        r"prüfziffer",
        # es
        r"contraseñas?",
        r"claves?(?:\s+de\s+acceso)?",
        r"códigos?\s+(?:de\s+verificación|de\s+un\s+solo\s+uso|de\s+seguridad|sms|del\s+sms|"
        r"que\s+le\s+enviamos|de\s+acceso)",
        r"(?:número|datos)\s+de\s+(?:la\s+|su\s+)?tarjeta",
        # fr
        r"mots?\s+de\s+passe",
        r"codes?\s+(?:de\s+vérification|à\s+usage\s+unique|de\s+sécurité|"
        r"reçus?\s+par\s+sms|sms|de\s+confirmation|d'accès)",
        r"cryptogramme",
        r"numéro\s+de\s+(?:votre\s+|la\s+)?carte(?:\s+bancaire)?",
        # pt
        r"senhas?",
        r"palavras?[- ]passe",
        r"códigos?\s+(?:de\s+verificação|de\s+uso\s+único|de\s+segurança|sms|de\s+acesso)",
        r"(?:número|dados)\s+do\s+cartão",
    )
    + r"\b",
    _I,
)

_REQUEST = re.compile(
    r"\b"
    + _alt(
        # en
        r"send(?:ing)?",
        r"shar(?:e|ing)",
        r"provid(?:e|ing)",
        r"giv(?:e|ing)",
        r"tell(?:ing)?",
        r"reply(?:ing)?\s+with",
        r"respond(?:ing)?\s+with",
        r"e-?mail(?:ing)?\s+(?:us|me)",
        r"forward(?:ing)?",
        r"confirm(?:ing)?",
        r"includ(?:e|ing)",
        r"writ(?:e|ing)\s+down\s+for\s+us",
        r"let\s+(?:us|me)\s+know",
        r"(?:we|i)\s+(?:will\s+|would\s+)?(?:need|require)",
        r"ask(?:ing)?\s+(?:you\s+)?for",
        r"what\s+is",
        r"what's",
        r"read\s+out",
        r"post(?:ing)?",
        r"text(?:ing)?\s+(?:us|me)",
        r"type\s+(?:it\s+)?(?:in|into)\s+(?:your|this|the)\s+(?:reply|email)",
        r"verify\s+(?:it\s+)?by\s+sending",
        # de
        r"senden",
        r"sende",
        r"schicken",
        r"schick",
        r"mitteilen",
        r"teilen",
        r"nennen",
        r"angeben",
        r"geben\s+sie",
        r"übermitteln",
        r"bestätigen",
        r"antworten\s+sie\s+mit",
        r"benötigen",
        r"brauchen",
        r"fragen\s+nach",
        # es
        r"env[ií]e(?:nos|me|n)?",
        r"enviar(?:nos)?",
        r"mánd(?:e|enos)",
        r"mande",
        r"compart(?:a|ir)",
        r"facilít(?:e|enos)",
        r"facilite",
        r"indíque(?:nos)?",
        r"indique",
        r"proporcion(?:e|ar)",
        r"díga(?:nos|me)",
        r"confirme",
        r"escríba(?:nos)?",
        r"responda\s+con",
        r"necesitamos",
        r"pedir(?:emos|le)?",
        r"pediremos",
        # fr
        r"envoy(?:er|ez)(?:-nous|-moi)?",
        r"transmett(?:re|ez)",
        r"communiqu(?:er|ez)(?:-nous)?",
        r"indiqu(?:er|ez)(?:-nous)?",
        r"donn(?:er|ez)(?:-nous)?",
        r"fourni(?:r|ssez)",
        r"confirmez",
        r"partag(?:er|ez)",
        r"répondez\s+avec",
        r"demand(?:er|erons|ons)",
        r"avons\s+besoin",
        # pt
        r"envi(?:e|ar)(?:-nos|-me)?",
        r"mand(?:e|ar)",
        r"partilh(?:e|ar)",
        r"compartilh(?:e|ar)",
        r"forneça",
        r"fornecer",
        r"inform(?:e|ar)",
        r"diga(?:-nos)?",
        r"responda\s+com",
        r"precisamos",
        r"pedir(?:emos)?",
        r"pediremos",
    )
    + r"\b",
    _I,
)

_NEGATION = re.compile(
    r"(?:\b"
    + _alt(
        r"not",
        r"never",
        r"no",
        r"without",
        r"nobody",
        r"neither",
        r"nor",  # en
        r"nicht",
        r"nie",
        r"niemals",
        r"kein\w*",
        r"ohne",  # de
        r"nunca",
        r"jamás",
        r"sin",
        r"ni",
        r"ningún",
        r"ninguna",  # es
        r"ne",
        r"pas",
        r"jamais",
        r"sans",
        r"aucun\w*",  # fr
        r"não",
        r"nem",
        r"sem",
        r"nenhum\w*",  # pt
    )
    + r"\b|n't\b|\bn')",
    _I,
)

_DISABLE = re.compile(
    r"\b"
    + _alt(
        # en
        r"disabl(?:e|ing)",
        r"turn(?:ing)?\s+(?:\w+\s+){0,3}off",
        r"switch(?:ing)?\s+(?:\w+\s+){0,3}off",
        r"shut(?:ting)?\s+(?:\w+\s+){0,3}(?:off|down)",
        r"deactivat(?:e|ing)",
        r"uninstall(?:ing)?",
        r"bypass(?:ing)?",
        r"paus(?:e|ing)",
        r"suspend(?:ing)?",
        r"kill(?:ing)?",
        r"stop(?:ping)?",
        r"get\s+rid\s+of",
        r"opt(?:ing)?\s+out\s+of",
        r"turned\s+off",
        r"switched\s+off",
        r"be\s+disabled",
        r"be\s+off",
        # de
        r"deaktivier\w*",
        r"ausschalten",
        r"abschalten",
        r"schalten\s+sie\s+(?:\w+\s+){0,4}(?:aus|ab)",
        r"ausgeschaltet",
        r"abgeschaltet",
        r"deinstallier\w*",
        r"umgehen",
        # es
        r"desactiv\w*",
        r"apag(?:ue|ar|a)\w*",
        r"desinstal\w*",
        r"deshabilit\w*",
        r"quit(?:e|ar)",
        # fr
        r"désactiv\w*",
        r"coup(?:er|ez)",
        r"désinstall\w*",
        r"arrêt(?:er|ez)",
        r"contourn(?:er|ez)",
        # pt
        r"desativ\w*",
        r"deslig\w*",
        r"desinstal\w*",
        r"contorn(?:e|ar)",
    )
    + r"\b",
    _I,
)

_SECURITY_CONTROL = re.compile(
    r"\b"
    + _alt(
        r"anti-?virus\w*",
        r"antivírus",
        r"virus\s*(?:scanner|protection|checker)",
        r"malware\s+protection",
        r"(?:windows\s+)?defender",
        r"security\s+(?:software|suite|settings)",
        r"endpoint\s+protection",
        r"real-?time\s+protection",
        r"smartscreen",
        r"gatekeeper",
        r"user\s+account\s+control",
        r"firewalls?",
        r"mfa",
        r"2fa",
        r"two[- ](?:factor|step)\w*",
        r"multi[- ]factor\w*",
        r"2[- ]step\w*",
        r"authenticator",
        r"security\s+keys?",
        r"virenschutz\w*",
        r"virenscanner",
        r"sicherheitssoftware",
        r"zwei-faktor\w*",
        r"cortafuegos",
        r"autenticación\s+(?:de\s+dos\s+factores|en\s+dos\s+pasos|multifactor)",
        r"verificación\s+en\s+dos\s+pasos",
        r"pare-feu",
        r"double\s+authentification",
        r"authentification\s+(?:à\s+deux\s+facteurs|multifacteur|forte)",
        r"autenticação\s+(?:de\s+dois\s+fatores|em\s+duas\s+etapas|multifator)",
        r"verificação\s+em\s+duas\s+etapas",
    )
    + r"\b",
    _I,
)

# first-person perfect / passive markers that turn a verb into a claim of a finished action
_CLAIM_MARKER = re.compile(
    r"\b"
    + _alt(
        r"we\s+have",
        r"we've",
        r"i\s+have",
        r"i've",
        r"we\s+just",
        r"we\s+already",
        r"i\s+just",
        r"i\s+already",
        r"we\s+went\s+ahead\s+and",
        r"i\s+went\s+ahead\s+and",
        r"we\s+successfully",
        r"our\s+team\s+has",
        r"has\s+been",
        r"have\s+been",
        r"was",
        r"were",
        r"is\s+now",
        r"are\s+now",
        r"wir\s+haben",
        r"ich\s+habe",
        r"haben\s+wir",
        r"habe\s+ich",
        r"wurden?",
        r"ist\s+(?:nun|jetzt)",
        r"hemos",
        r"he",
        r"ha\s+sido",
        r"han\s+sido",
        r"fue",
        r"fueron",
        r"se\s+ha",
        r"se\s+han",
        r"ya\s+está",
        r"ya\s+están",
        r"nous\s+avons",
        r"j'ai",
        r"a\s+été",
        r"ont\s+été",
        r"est\s+désormais",
        r"est\s+maintenant",
        r"foi",
        r"foram",
        r"já\s+está",
        r"já\s+estão",
    )
    + r"\b",
    _I,
)

_CLAIM_ACTION = re.compile(
    r"\b"
    + _alt(
        # en
        r"refunded",
        r"issued\s+(?:you\s+)?(?:a|the|your)\s+(?:full\s+|partial\s+)?(?:refund|credit)",
        r"credited",
        r"reversed",
        r"cancell?ed",
        r"unlocked",
        r"unblocked",
        r"reset",
        r"restored",
        r"reactivated",
        r"re-?enabled",
        r"deleted",
        r"upgraded",
        r"downgraded",
        r"waived",
        r"shipped",
        r"replaced",
        r"granted",
        r"resolved",
        r"fixed",
        r"unsuspended",
        r"closed\s+your\s+account",
        r"changed\s+your",
        r"updated\s+your",
        r"removed\s+your",
        r"applied\s+(?:a|the)\s+(?:discount|credit|refund)",
        # de
        r"erstattet",
        r"zurückerstattet",
        r"gutgeschrieben",
        r"storniert",
        r"entsperrt",
        r"freigeschaltet",
        r"zurückgesetzt",
        r"wiederhergestellt",
        r"gelöscht",
        r"reaktiviert",
        r"behoben",
        r"versandt",
        r"ersetzt",
        r"veranlasst",
        r"angewiesen",
        # es
        r"reembolsad[oa]s?",
        r"reembolsado",
        r"emitid[oa]s?",
        r"procesad[oa]s?",
        r"desbloquead[oa]s?",
        r"restablecid[oa]s?",
        r"restaurad[oa]s?",
        r"reactivad[oa]s?",
        r"eliminad[oa]s?",
        r"cancelad[oa]s?",
        r"anulad[oa]s?",
        r"abonad[oa]s?",
        r"solucionad[oa]s?",
        r"resuelt[oa]s?",
        r"reemplazad[oa]s?",
        # fr
        r"rembours(?:é|ée|és|ées)",
        r"émis",
        r"débloqu(?:é|ée|és|ées)",
        r"réinitialis(?:é|ée|és|ées)",
        r"rétabli[es]?",
        r"restaur(?:é|ée)",
        r"réactiv(?:é|ée)",
        r"supprim(?:é|ée)",
        r"annul(?:é|ée)",
        r"crédit(?:é|ée)",
        r"corrig(?:é|ée)",
        r"résolu[es]?",
        r"remplac(?:é|ée)",
        r"expédi(?:é|ée)",
        r"effectu(?:é|ée)",
        # pt
        r"reembolsad[oa]s?",
        r"desbloquead[oa]s?",
        r"redefinid[oa]s?",
        r"restaurad[oa]s?",
        r"reativad[oa]s?",
        r"excluíd[oa]s?",
        r"cancelad[oa]s?",
        r"creditad[oa]s?",
        r"resolvid[oa]s?",
        r"substituíd[oa]s?",
        r"estornad[oa]s?",
    )
    + r"\b",
    _I,
)

# "issued"/"processed" only claim something when money is being talked about
_MONEY_ACTION = re.compile(
    r"\b"
    + _alt(
        r"issued",
        r"processed",
        r"initiated",
        r"approved",
        r"sent",
        r"completed",
        r"made",
        r"tramitad[oa]",
        r"realizad[oa]",
        r"enviad[oa]",
        r"aprovad[oa]",
        r"aprobad[oa]",
        r"bearbeitet",
        r"ausgezahlt",
        r"überwiesen",
        r"traité",
        r"envoyé",
        r"approuvé",
        r"processad[oa]",
        r"efetuad[oa]",
    )
    + r"\b",
    _I,
)
_MONEY = re.compile(
    r"\b"
    + _alt(
        r"refunds?",
        r"credits?",
        r"reimbursements?",
        r"chargebacks?",
        r"money\s+back",
        r"erstattung\w*",
        r"rückerstattung\w*",
        r"gutschrift\w*",
        r"reembolsos?",
        r"remboursements?",
        r"avoirs?",
        r"estornos?",
    )
    + r"\b",
    _I,
)

# claims without a marker: Portuguese/Spanish first-person plural preterite, fixed phrases
_CLAIM_DIRECT = re.compile(
    r"\b"
    + _alt(
        r"reembolsamos",
        r"estornamos",
        r"desbloqueamos",
        r"redefinimos",
        r"reativamos",
        r"cancelamos\s+(?:a|o|su|sua|seu)",
        r"creditamos",
        r"reembolsé",
        r"desbloqueé",
        r"(?:refund|credit|reimbursement)\s+is\s+(?:on\s+its\s+way|being\s+processed|underway)",
        r"you\s+(?:will|'ll)\s+(?:see|receive)\s+(?:the|your)\s+refund",
    )
    + r"\b",
    _I,
)

_CONDITIONAL = re.compile(
    r"\b"
    + _alt(
        r"if",
        r"once",
        r"when",
        r"after",
        r"as\s+soon\s+as",
        r"until",
        r"whether",
        r"unless",
        r"sobald",
        r"wenn",
        r"falls",
        r"nachdem",
        r"ob",
        r"si",
        r"cuando",
        r"una\s+vez",
        r"en\s+cuanto",
        r"hasta\s+que",
        r"dès\s+que",
        r"une\s+fois",
        r"quand",
        r"lorsque",
        # Portuguese "se" (if) is left out: it is also Spanish "se" (reflexive), and a
        # missed claim is worse than an extra escalation
        r"quando",
        r"assim\s+que",
        r"depois\s+que",
        r"até\s+que",
    )
    + r"\b",
    _I,
)

_SENTENCE_SPLIT = re.compile(r"(?<=[.!?;])\s+|\n+")
_CLAUSE_SPLIT = re.compile(
    r"[,;:()\[\]—–]|\s-\s|\b(?:but|however|aber|jedoch|pero|sin\s+embargo|mais|cependant|porém|contudo)\b",
    _I,
)


def _normalise(text: str) -> str:
    return text.replace("’", "'").replace("‘", "'").replace("\u00a0", " ")


def _excerpt(sentence: str) -> str:
    sentence = " ".join(sentence.split())
    return sentence if len(sentence) <= 160 else sentence[:157] + "..."


def _asks_for_secret(sentence: str) -> bool:
    """Clause by clause: a secret term in a clause that requests it and is not negated.

    A clause without its own verb inherits the request of the clause before it, so
    "reply with your username, password and code" is caught and "send your username, not
    your password" is not.
    """
    carried = False
    for clause in _CLAUSE_SPLIT.split(sentence):
        if not clause or not clause.strip():
            continue
        negated = bool(_NEGATION.search(clause))
        has_request = bool(_REQUEST.search(clause))
        if has_request:
            carried = not negated
        elif negated:
            carried = False
        if _SECRET.search(clause) and not negated and (has_request or carried):
            return True
    return False


def _disables_security(sentence: str) -> bool:
    """A security control named in the sentence and a non-negated clause that disables."""
    if not _SECURITY_CONTROL.search(sentence):
        return False
    return any(
        clause and _DISABLE.search(clause) and not _NEGATION.search(clause)
        for clause in _CLAUSE_SPLIT.split(sentence)
    )


def _claims_action(sentence: str) -> bool:
    direct = _CLAIM_DIRECT.search(sentence)
    if direct is not None:
        head = sentence[: direct.start()]
        # "no reembolsamos gastos de envío" states a policy, not an action
        if not _CONDITIONAL.search(head) and not _NEGATION.search(head[-12:]):
            return True
    for marker in _CLAIM_MARKER.finditer(sentence):
        action = _CLAIM_ACTION.search(sentence, marker.end(), marker.end() + 80)
        if action is None and _MONEY.search(sentence):
            action = _MONEY_ACTION.search(sentence, marker.end(), marker.end() + 80)
        if action is None:
            continue
        if _CONDITIONAL.search(sentence[: marker.start()]):
            continue
        if _NEGATION.search(sentence[marker.start() : action.end()]):
            continue
        return True
    return False


SENTENCE_CACHE = 8192  # sentences whose checks are remembered (drafts repeat their templates')


@lru_cache(maxsize=SENTENCE_CACHE)
def _failed_checks(sentence: str, allow_action_claims: bool) -> tuple[str, ...]:
    """The codes of the checks ``sentence`` fails, in check order. Each check is a pure
    function of the sentence, so the answer is remembered: the built-in drafts are made
    of the same template sentences mail after mail."""
    checks = [(ASKS_FOR_SECRET, _asks_for_secret), (DISABLES_SECURITY, _disables_security)]
    if not allow_action_claims:
        checks.append((CLAIMS_ACTION, _claims_action))
    return tuple(code for code, check in checks if check(sentence))


def clear_caches() -> None:
    """Forget the remembered sentence checks (benchmarks start each round cold)."""
    _failed_checks.cache_clear()


def check_draft(draft: str, *, allow_action_claims: bool = False) -> list[Finding]:
    """Every problem found in ``draft``, at most one finding per check and sentence.

    ``allow_action_claims`` is for text an agent wrote: they may say a refund was issued.
    """
    findings: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for raw in _SENTENCE_SPLIT.split(_normalise(draft)):
        sentence = raw.strip()
        if not sentence:
            continue
        for code in _failed_checks(sentence, allow_action_claims):
            finding = Finding(code=code, excerpt=_excerpt(sentence))
            key = (finding.code, finding.excerpt)
            if key not in seen:
                seen.add(key)
                findings.append(finding)
    return findings


def is_safe(text: str) -> bool:
    """True when ``text`` raises no finding at all (used to vet text echoed into drafts)."""
    return not check_draft(text)
