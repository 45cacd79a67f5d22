"""Reply templates and fix steps for the offline provider, in one swappable module.

Drafts are customer-facing and written in the customer's language (en, de, es, fr, pt);
fix steps are agent-facing and in English. Templates never claim that an action was taken
and never ask for passwords, codes or card numbers (``core.ai.guardrails`` checks that).
In-app Jinja2 templates (``core.replies``) take precedence when the desk has one; keep
``render_draft`` and ``fix_steps_for`` as the seam.

With ``DraftContext.facts`` (``core.ai.facts``) the draft starts from what the mail says:
it quotes the invoice or order, amount and date, names the attachments and the error they
show and what it means, acknowledges what the customer already tried, asks only for what
the mail lacks, and links the knowledge-base article's public page (``DraftContext.link``).
The sentences are in ``core.ai.phrases``. One register per language, greeting and body
alike (``greeting``): a title (Herr/Frau, Madame/Monsieur, Sr./Sra., Mr/Ms) only when the
mail gave one (display name or signature), else the name as written:

- en: neutral; "Hi Ann," or "Dear Ms Weber,".
- de: formal "Sie"; "Guten Tag Frau Dr. Weber," or "Guten Tag Jürgen Klein,"; never
  "Hallo" (it belongs to "du").
- fr: "vous"; "Bonjour Madame Dubois," or "Bonjour Claire Dubois,".
- es: "usted"; "Estimada Sra. García:" or "Hola, Juan García:".
- pt (European): third person ("a sua conta"), no "tu"; "Cara Sra. Souza," or
  "Olá, João Silva,".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.ai.facts import Addressee, AttachmentFact, Facts
from core.ai.phrases import PHRASES
from core.ai.result import Category
from core.mail.language import likely_language, load_identifier

LANGUAGES = ("en", "de", "es", "fr", "pt")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# A few very frequent words per language; enough to pick the reply language.
_STOPWORDS: dict[str, frozenset[str]] = {
    "en": _words(
        "the and is are to of my i you your for with this that it not have was can please"
    ),
    "de": _words(
        "der die das und ist ich nicht mit mein meine ein eine sie für bitte wir auf zu den von"
    ),
    "es": _words("el la los las y es que de mi no por para con una un se su hola gracias está"),
    "fr": _words(
        "le la les et est je de mon ma ne pas pour avec une un vous nous des bonjour merci"
    ),
    "pt": _words("o a os as e é que de meu minha não para com uma um se sua olá obrigado está"),
}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


LANGUAGE_CHARS = 1000  # a mail's first characters say its language (the model's cost is per byte)


def detect_language(text: str) -> str:
    """The reply language: the most likely of LANGUAGES (``core.mail.language``'s
    ``likely_language``, a model of character n-grams, over the first LANGUAGE_CHARS:
    on the 6,265 training and benchmark mails the first 600, 1,000 or 4,000 characters give
    the same answer); English when the text is too short to tell, after the stopword
    counter has had its say."""
    return likely_language(text[:LANGUAGE_CHARS], LANGUAGES) or _stopword_language(text)


def warm_up() -> None:
    """Load the language model ``detect_language`` reads (once per process)."""
    load_identifier(LANGUAGES)


def _stopword_language(text: str) -> str:
    """The most likely of LANGUAGES by stopword hits; English when unsure."""
    words = [w.lower() for w in _WORD.findall(text[:4000])]
    if not words:
        return "en"
    scores = {lang: sum(1 for w in words if w in stop) for lang, stop in _STOPWORDS.items()}
    # Portuguese and Spanish share many words; a few characters tell them apart.
    lowered = text.lower()
    scores["pt"] += 2 * sum(lowered.count(ch) for ch in ("ã", "õ", "ç", "ê")) + lowered.count(
        " não "
    )
    scores["es"] += 2 * sum(lowered.count(ch) for ch in ("ñ", "¿", "¡"))
    scores["de"] += 2 * sum(lowered.count(ch) for ch in ("ä", "ö", "ü", "ß"))
    best = max(LANGUAGES, key=lambda lang: (scores[lang], lang == "en"))
    return best if scores[best] >= 2 else "en"


_THANKS = {
    "en": "Thank you for contacting {company}{about}{ref}.",
    "de": "Vielen Dank für Ihre Nachricht an {company}{about}{ref}.",
    "es": "Gracias por contactar con {company}{about}{ref}.",
    "fr": "Merci d'avoir contacté {company}{about}{ref}.",
    "pt": "Obrigado por contactar a {company}{about}{ref}.",
}
_ABOUT = {
    "en": " about “{subject}”",
    "de": " zum Thema „{subject}“",
    "es": " sobre «{subject}»",
    "fr": " au sujet de « {subject} »",
    "pt": " sobre «{subject}»",
}
_REF = {
    "en": " (reference {ref})",
    "de": " (Referenz {ref})",
    "es": " (referencia {ref})",
    "fr": " (référence {ref})",
    "pt": " (referência {ref})",
}

_BODY: dict[str, dict[Category, str]] = {
    "en": {
        Category.billing: (
            "I'm sorry for the trouble with your billing. Our billing team will review the "
            "charges and payments on your account and get back to you with the outcome and, "
            "if a correction is due, how and when it will be applied. If you have the invoice "
            "number or the date of the charge at hand, please add it in your reply. Please do "
            "not include card numbers or passwords in your email."
        ),
        Category.technical: (
            "We're sorry that this problem is getting in your way. So that our technical team "
            "can reproduce it quickly, could you reply with the steps that lead to the problem, "
            "the exact error message you see, and the device, browser or app version you use? "
            "Screenshots or log files are welcome too. We will follow up as soon as we know more."
        ),
        Category.login: (
            "We'll help you get back into your account. For your security we will never ask "
            "for your password or one-time codes, so please don't send them to us. Please try "
            "the “Forgot password” link on the sign-in page and check your spam folder for the "
            "email. If that doesn't work, reply from the email address registered on the "
            "account and our team will guide you through the next steps."
        ),
        Category.feature: (
            "Thank you for taking the time to share this idea. Our product team reviews every "
            "suggestion when planning the roadmap. We can't promise a date, but we will let you "
            "know if it becomes available. If you can tell us a bit more about how you would "
            "use it, that helps us prioritise."
        ),
        Category.general: (
            "We're looking into your question and will get back to you with a complete answer "
            "shortly. If there is anything you can add, such as an order number or the product "
            "you are asking about, simply reply to this email."
        ),
        Category.other: (
            "We have received your message and will make sure it reaches the right person. If "
            "you need help with one of our products or your account, just reply to this email "
            "with the details."
        ),
    },
    "de": {
        Category.billing: (
            "Es tut uns leid, dass es Probleme mit Ihrer Abrechnung gibt. Unser Abrechnungsteam "
            "prüft die Buchungen und Zahlungen Ihres Kontos und meldet sich mit dem Ergebnis "
            "und, falls eine Korrektur nötig ist, wie und wann sie erfolgt. Wenn Sie die "
            "Rechnungsnummer oder das Datum der Abbuchung zur Hand haben, nennen Sie sie bitte "
            "in Ihrer Antwort. Bitte senden Sie uns keine Kartennummern oder Passwörter."
        ),
        Category.technical: (
            "Es tut uns leid, dass dieses Problem Sie aufhält. Damit unser technisches Team es "
            "schnell nachstellen kann, schreiben Sie uns bitte die Schritte, die zum Problem "
            "führen, die genaue Fehlermeldung sowie Gerät, Browser oder App-Version. "
            "Screenshots oder Protokolldateien helfen ebenfalls. Wir melden uns, sobald wir "
            "mehr wissen."
        ),
        Category.login: (
            "Wir helfen Ihnen gern, wieder Zugang zu Ihrem Konto zu erhalten. Zu Ihrer "
            "Sicherheit fragen wir nie nach Passwörtern oder Einmalcodes, bitte senden Sie uns "
            "diese nicht. Nutzen Sie bitte den Link „Passwort vergessen“ auf der Anmeldeseite "
            "und prüfen Sie auch Ihren Spam-Ordner. Falls das nicht hilft, antworten Sie bitte "
            "von der im Konto hinterlegten E-Mail-Adresse, und unser Team begleitet Sie durch "
            "die nächsten Schritte."
        ),
        Category.feature: (
            "Vielen Dank, dass Sie uns diese Idee mitteilen. Unser Produktteam prüft jeden "
            "Vorschlag bei der Planung. Einen Termin können wir nicht zusagen, aber wir "
            "informieren Sie, sobald die Funktion verfügbar ist. Erzählen Sie uns gern mehr "
            "darüber, wie Sie sie nutzen würden."
        ),
        Category.general: (
            "Wir kümmern uns um Ihre Frage und melden uns in Kürze mit einer vollständigen "
            "Antwort. Wenn Sie etwas ergänzen möchten, etwa eine Bestellnummer, antworten Sie "
            "einfach auf diese E-Mail."
        ),
        Category.other: (
            "Wir haben Ihre Nachricht erhalten und sorgen dafür, dass sie die richtige Person "
            "erreicht. Wenn Sie Hilfe zu unseren Produkten oder Ihrem Konto benötigen, "
            "antworten Sie einfach mit den Details."
        ),
    },
    "es": {
        Category.billing: (
            "Sentimos las molestias con su facturación. Nuestro equipo de facturación revisará "
            "los cargos y pagos de su cuenta y le informará del resultado y, si procede una "
            "corrección, de cómo y cuándo se aplicará. Si tiene a mano el número de factura o "
            "la fecha del cargo, indíquelo en su respuesta. Por favor, no incluya números de "
            "tarjeta ni contraseñas en su correo."
        ),
        Category.technical: (
            "Sentimos que este problema le esté afectando. Para que nuestro equipo técnico pueda "
            "reproducirlo rápidamente, ¿podría indicarnos los pasos que llevan al problema, el "
            "mensaje de error exacto y el dispositivo, navegador o versión de la aplicación? "
            "Las capturas de pantalla o registros también ayudan. Le responderemos en cuanto "
            "sepamos más."
        ),
        Category.login: (
            "Le ayudaremos a recuperar el acceso a su cuenta. Por su seguridad nunca le "
            "pediremos su contraseña ni códigos de un solo uso, así que no nos los envíe. Pruebe "
            "el enlace «¿Olvidó su contraseña?» en la página de inicio de sesión y revise su "
            "carpeta de spam. Si no funciona, responda desde el correo registrado en la cuenta "
            "y nuestro equipo le guiará en los siguientes pasos."
        ),
        Category.feature: (
            "Gracias por compartir esta idea con nosotros. Nuestro equipo de producto revisa "
            "todas las sugerencias al planificar. No podemos prometer una fecha, pero le "
            "avisaremos si llega a estar disponible. Si nos cuenta cómo la usaría, nos ayudará "
            "a priorizarla."
        ),
        Category.general: (
            "Estamos revisando su consulta y le responderemos en breve con una respuesta "
            "completa. Si desea añadir algo, como un número de pedido, simplemente responda a "
            "este correo."
        ),
        Category.other: (
            "Hemos recibido su mensaje y nos aseguraremos de que llegue a la persona adecuada. "
            "Si necesita ayuda con nuestros productos o su cuenta, responda a este correo con "
            "los detalles."
        ),
    },
    "fr": {
        Category.billing: (
            "Nous sommes désolés pour ce souci de facturation. Notre service facturation va "
            "vérifier les prélèvements et paiements de votre compte et reviendra vers vous avec "
            "le résultat et, si une correction s'impose, comment et quand elle sera appliquée. "
            "Si vous avez le numéro de facture ou la date du prélèvement, indiquez-les dans "
            "votre réponse. Merci de ne pas inclure de numéro de carte ni de mot de passe."
        ),
        Category.technical: (
            "Nous sommes désolés que ce problème vous gêne. Pour que notre équipe technique "
            "puisse le reproduire rapidement, pourriez-vous nous indiquer les étapes qui "
            "mènent au problème, le message d'erreur exact et l'appareil, le navigateur ou la "
            "version de l'application ? Des captures d'écran ou des journaux sont aussi les "
            "bienvenus. Nous reviendrons vers vous dès que nous en saurons plus."
        ),
        Category.login: (
            "Nous allons vous aider à retrouver l'accès à votre compte. Pour votre sécurité, "
            "nous ne vous demanderons jamais votre mot de passe ni de codes à usage unique : "
            "ne nous les envoyez pas. Utilisez le lien « Mot de passe oublié » sur la page de "
            "connexion et vérifiez vos courriers indésirables. Si cela ne suffit pas, répondez "
            "depuis l'adresse e-mail enregistrée sur le compte et notre équipe vous guidera."
        ),
        Category.feature: (
            "Merci d'avoir pris le temps de partager cette idée. Notre équipe produit étudie "
            "chaque suggestion lors de la planification. Nous ne pouvons pas promettre de date, "
            "mais nous vous préviendrons si elle devient disponible. Dites-nous comment vous "
            "l'utiliseriez, cela nous aide à prioriser."
        ),
        Category.general: (
            "Nous examinons votre question et reviendrons vers vous très bientôt avec une "
            "réponse complète. Si vous souhaitez ajouter un détail, comme un numéro de "
            "commande, répondez simplement à cet e-mail."
        ),
        Category.other: (
            "Nous avons bien reçu votre message et veillerons à ce qu'il parvienne à la bonne "
            "personne. Si vous avez besoin d'aide avec nos produits ou votre compte, répondez "
            "avec les détails."
        ),
    },
    "pt": {
        Category.billing: (
            "Lamentamos o incómodo com a sua faturação. A nossa equipa de faturação vai analisar "
            "as cobranças e pagamentos da sua conta e responderá com o resultado e, se for "
            "necessária uma correção, como e quando será aplicada. Se tiver à mão o número da "
            "fatura ou a data da cobrança, indique-os na resposta. Por favor, não inclua números "
            "de cartão nem senhas no seu e-mail."
        ),
        Category.technical: (
            "Lamentamos que este problema esteja a atrapalhar. Para que a nossa equipa técnica o "
            "possa reproduzir rapidamente, pode indicar os passos que levam ao problema, a "
            "mensagem de erro exata e o dispositivo, navegador ou versão da aplicação? Capturas "
            "de ecrã ou registos também ajudam. Daremos notícias assim que soubermos mais."
        ),
        Category.login: (
            "Vamos ajudar a recuperar o acesso à sua conta. Por segurança, nunca pediremos a "
            "sua senha nem códigos de uso único, por isso não os envie. Experimente o link "
            "“Esqueci a senha” na página de início de sessão e verifique a pasta de spam. Se "
            "não resultar, responda a partir do e-mail registado na conta e a nossa equipa "
            "orientará os próximos passos."
        ),
        Category.feature: (
            "Obrigado por partilhar esta ideia connosco. A nossa equipa de produto analisa todas "
            "as sugestões no planeamento. Não podemos prometer uma data, mas avisaremos se ficar "
            "disponível. Se nos contar como a usaria, ajuda-nos a definir prioridades."
        ),
        Category.general: (
            "Estamos a analisar a sua questão e responderemos em breve com uma resposta "
            "completa. Se quiser acrescentar algo, como um número de encomenda, basta responder "
            "a este e-mail."
        ),
        Category.other: (
            "Recebemos a sua mensagem e vamos garantir que chega à pessoa certa. Se precisar de "
            "ajuda com os nossos produtos ou a sua conta, responda com os detalhes."
        ),
    },
}

_CLOSING = {
    "en": "Best regards,",
    "de": "Mit freundlichen Grüßen",
    "es": "Un saludo,",
    "fr": "Cordialement,",
    "pt": "Com os melhores cumprimentos,",
}
_TEAM = {
    "en": "The {company} team",
    "de": "Ihr {company}-Team",
    "es": "El equipo de {company}",
    "fr": "L'équipe {company}",
    "pt": "A equipa {company}",
}

_FIX_STEPS: dict[Category, tuple[str, ...]] = {
    Category.billing: (
        "Open the customer's account and billing history ({email}).",
        "Check the charge or invoice in question{ref} against the plan, payments and refund policy.",
        "If a charge is duplicated or wrong, prepare the correction or refund for approval.",
        "Reply with the outcome and when any correction will show on the statement.",
    ),
    Category.technical: (
        "Confirm the affected product, version, device or browser and the exact error{ref}.",
        "Check the status page, open incidents and recent releases for a known cause.",
        "Try to reproduce the problem and collect logs or screenshots.",
        "Escalate to engineering with reproduction steps if it is a bug or an outage.",
        "Send the customer a workaround or an expected time for a fix.",
    ),
    Category.login: (
        "Verify the requester against the email registered on the account ({email}); never ask for passwords or codes.",
        "Check the account state: locked, disabled, SSO or two-factor settings.",
        "Review recent sign-in activity for anything suspicious before restoring access.",
        "Once identity is confirmed, trigger a reset or unlock through the standard secure flow.",
    ),
    Category.feature: (
        "Restate the requested capability and the customer's use case.",
        "Check whether the feature or a workaround already exists and share it if so.",
        "Log the request in the product backlog, linked to this customer.",
        "Explain how requests are prioritised without promising dates.",
    ),
    Category.general: (
        "Identify exactly what the customer wants to know (order, delivery, product, plans, contact).",
        "Look up the relevant order or account details{ref}.",
        "Answer from the documentation or knowledge base and link the relevant page.",
        "Route to sales, shipping or billing if they need to follow up.",
    ),
    Category.other: (
        "Decide whether the message needs a reply (thanks, spam, misdirected, HR, press, partnership).",
        "Forward it to the right team or person if it is not a support matter.",
        "Close spam or marketing mail without replying; acknowledge everything else.",
    ),
}


def fix_steps_for(
    category: Category,
    *,
    email: str = "",
    reference: str = "",
    facts: Facts | None = None,
    article: str = "",
) -> list[str]:
    """The agent's steps (English), starting from what the mail says when ``facts`` are
    given: the duplicate charge on the invoice it names, the lockout after resets already
    done, the upload limit behind a 413; without facts, the category's generic steps.
    ``article``: how to name the knowledge-base article the draft used (its last step)."""
    ref = f" ({reference})" if reference else ""
    address = email or "the sender's address"
    steps = _situation_steps(category, facts, address) or [
        step.replace("{email}", address).replace("{ref}", ref) for step in _FIX_STEPS[category]
    ]
    tried = [t for t in facts.tried if t not in ("password_reset", "paid")] if facts else []
    if tried and category in (Category.technical, Category.login):
        done = ", ".join(t.replace("_", " ") for t in tried)
        steps.insert(1, f"Skip what the customer already tried ({done}).")
    if article:
        steps = [*steps[:4], f"Point to the knowledge-base article {article}."]
    return steps[:5]


def _situation_steps(category: Category, facts: Facts | None, email: str) -> list[str]:
    if facts is None:
        return []
    detail = ", ".join([*facts.amounts[:1], *facts.dates[:1]])
    detail = f" ({detail})" if detail else ""
    if category == Category.billing and facts.charged_twice:
        on = (
            f"invoice {facts.invoice}"
            if facts.invoice
            else f"order {facts.order}"
            if facts.order
            else ""
        )
        return [
            f"Open {email}'s billing history{f' and {on}' if on else ''} and find both "
            f"charges{detail}.",
            "Confirm the duplicate against the payment provider's records (same amount, same "
            "period).",
            f"Prepare the refund of the duplicate charge{f' on {on}' if on else ''} to the "
            "original payment method, for approval.",
            "Reply with the refunded amount and when it will show on the statement.",
        ]
    if category == Category.billing and facts.has("paid"):
        on = f" for invoice {facts.invoice}" if facts.invoice else ""
        return [
            f"Find the customer's payment{on}{detail} in {email}'s billing history and at the "
            "payment provider.",
            "Match it to the open invoice and correct the account's balance or dunning state.",
            "Reply with the corrected status and stop any reminder still scheduled.",
        ]
    if category == Category.login and facts.has("password_reset"):
        return [
            f"Verify the requester against the email registered on the account ({email}); "
            "never ask for passwords or codes.",
            "The customer already reset the password: check the account's lockout state "
            "(failed sign-ins, lock timer, disabled flag) instead of sending another reset.",
            "Check SSO or two-factor settings and recent sign-in activity for anything suspicious.",
            "Unlock the account (clear the lockout) through the standard secure flow and ask "
            "the customer to sign in once.",
        ]
    if category == Category.login and facts.account_locked:
        return [
            f"Verify the requester against the email registered on the account ({email}); "
            "never ask for passwords or codes.",
            "Check the account's lockout state (failed sign-ins, lock timer, disabled or "
            "suspended flag) and why it was locked.",
            "Review recent sign-in activity for anything suspicious before restoring access.",
            "Unlock the account through the standard secure flow once identity is confirmed.",
        ]
    if category == Category.login and facts.reset_mail_missing:
        return [
            f"Check the email registered on the account against the sender ({email}).",
            "Look up the reset emails in the mail log: bounced, suppressed or filtered as spam.",
            "Fix the address or the suppression, then resend the reset through the standard "
            "flow; never ask for passwords or codes.",
        ]
    if category == Category.technical and facts.http_status() == 413:
        shown = [a.name for a in facts.attachments if any(e.startswith("413") for e in a.errors)]
        source = f"The attachment {shown[0]} shows" if shown else "The customer reports"
        return [
            f"{source} 413 Payload Too Large: the upload exceeds the request size limit.",
            "Check the upload limit of the customer's plan and where it is enforced (proxy or "
            "server max body size) against the file's size.",
            "Offer a smaller or split upload as a workaround; raise the limit if the plan "
            "allows it.",
            "Escalate to engineering if the file is within the documented limit.",
        ]
    if category == Category.technical and facts.errors:
        shown = [a.name for a in facts.attachments if a.errors]
        where = f" (shown in {shown[0]})" if shown else ""
        return [
            f"Look up the error {facts.errors[0]}{where} in the known issues and recent releases.",
            "Check the status page and open incidents for a known cause.",
            "Reproduce it with the customer's product, version, device or browser.",
            "Escalate to engineering with the error and reproduction steps if it is a bug or "
            "an outage.",
        ]
    return []


# --- the draft ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Link:
    """The knowledge-base article a draft points the customer to (its public page)."""

    title: str
    url: str


@dataclass(frozen=True, slots=True)
class DraftContext:
    category: Category
    language: str
    customer_name: str  # the first name ("" when the sender gave none)
    company_name: str
    signature: str
    subject: str = ""  # already sanitised by the caller; "" leaves the topic out
    reference: str = ""  # an order/invoice number found in the email, if any
    facts: Facts | None = None  # what the mail says (core.ai.facts); None: a generic draft
    link: Link | None = None


def greeting(language: str, who: Addressee) -> str:
    """The salutation in the register of ``language`` (see the module docstring): a title
    only when the mail gave one (``Addressee.gender``), else the name as the sender wrote it."""
    academic = f"{who.academic} " if who.academic else ""
    titled = bool(who.gender and who.last)
    if language == "de":
        if titled:
            title = "Herr" if who.gender == "m" else "Frau"
            return f"Guten Tag {title} {academic}{who.last},"
        return f"Guten Tag {academic}{who.full}," if who.full else "Guten Tag,"
    if language == "fr":
        if titled:
            return f"Bonjour {'Monsieur' if who.gender == 'm' else 'Madame'} {who.last},"
        return f"Bonjour {who.full}," if who.full else "Bonjour,"
    if language == "es":
        if titled:
            return (
                f"Estimado Sr. {who.last}:" if who.gender == "m" else f"Estimada Sra. {who.last}:"
            )
        return f"Hola, {who.full}:" if who.full else "Hola:"
    if language == "pt":
        if titled:
            return f"Caro Sr. {who.last}," if who.gender == "m" else f"Cara Sra. {who.last},"
        return f"Olá, {who.full}," if who.full else "Olá,"
    if titled:  # "Dear Dr. Weber" for a doctor: the academic title replaces Mr/Ms
        title = who.academic.split(" ")[0] if who.academic else "Mr" if who.gender == "m" else "Ms"
        return f"Dear {title} {who.last},"
    return f"Hi {who.first}," if who.first else "Hello,"


def _join(items: list[str], conjunction: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def _detail(facts: Facts) -> str:
    parts = [*facts.amounts[:1], *facts.dates[:1]]
    return f" ({', '.join(parts)})" if parts else ""


def _document(p: dict[str, str], facts: Facts) -> tuple[str, str]:
    """The invoice (else the order) the mail names, with its article, and its bare number."""
    if facts.invoice:
        return p["doc_invoice"].format(ref=facts.invoice), facts.invoice
    if facts.order:
        return p["doc_order"].format(ref=facts.order), facts.order
    return "", ""


def _error_sentences(p: dict[str, str], facts: Facts) -> list[str]:
    """What the mail's error (or its attachment's) means, starting from the code itself."""
    if not facts.errors:
        return []
    status = facts.http_status()
    error = next((e for e in facts.errors if status and e.startswith(str(status))), facts.errors[0])
    key = (
        "e413"
        if status == 413
        else "e_auth"
        if status in (401, 403)
        else "e_rate"
        if status == 429
        else "e_server"
        if status and status >= 500
        else "e_other"
    )
    shown = any(error in a.errors for a in _named(facts))  # said with the attachment
    return [p[key]] if shown else [p["reported"].format(error=error), p[key]]


_FILE_NAME = re.compile(r"^[\w][\w .()+,-]{0,79}$")


def _named(facts: Facts) -> list[AttachmentFact]:
    """The attachments a draft names: those whose names are plain file names (no text, no
    links), at most four."""
    return [
        a
        for a in facts.attachments
        if _FILE_NAME.match(a.name) and not re.search(r"https?|www\.", a.name, re.IGNORECASE)
    ][:4]


def _attachment_sentences(p: dict[str, str], facts: Facts) -> list[str]:
    named = _named(facts)
    if not named:
        return []
    names = [a.name for a in named]
    thanks = p["attached_one" if len(names) == 1 else "attached_many"].format(
        files=_join(names, p["and"])
    )
    status = facts.http_status()
    errors = sorted(
        (e for a in named for e in a.errors),
        key=lambda e: not (status and e.startswith(str(status))),
    )
    return [thanks, p["shows"].format(error=errors[0])] if errors else [thanks]


def _tried_sentence(p: dict[str, str], facts: Facts, skip: tuple[str, ...]) -> list[str]:
    items = [p[t] for t in facts.tried if t not in skip and t in p]
    return [p["tried"].format(items=_join(items, p["and"]))] if items else []


def _billing(p: dict[str, str], facts: Facts) -> list[str]:
    doc, ref = _document(p, facts)
    detail = _detail(facts)
    if facts.charged_twice:
        said = [
            p["twice_doc"].format(doc=doc, ref=ref, detail=detail)
            if doc
            else p["twice"].format(detail=detail)
        ]
    elif facts.has("paid"):
        said = [
            p["paid_doc"].format(doc=doc, detail=detail) if doc else p["paid"].format(detail=detail)
        ]
    else:
        said = [
            p["review_doc"].format(doc=doc, detail=detail)
            if doc
            else p["review"].format(detail=detail)
        ]
    if not doc:
        said.append(p["ask_invoice"] if facts.dates else p["ask_invoice_date"])
    return [*said, p["no_cards"]]


def _technical(p: dict[str, str], facts: Facts) -> list[str]:
    said = [*_attachment_sentences(p, facts), *_error_sentences(p, facts)]
    said += _tried_sentence(p, facts, skip=("password_reset", "paid"))
    missing: list[str] = []
    if not facts.errors:
        missing += [p["steps"], p["error"]]
    tried_elsewhere = facts.has("other_browser") or facts.has("other_device")
    if not facts.mentions_device and not tried_elsewhere and not facts.attachments:
        missing.append(p["device"])
    if not facts.attachments and not facts.errors:
        missing.append(p["logs"])
    if missing:
        said.append(p["ask_tech"].format(items=_join(missing, p["and"])))
    return [*said, p["follow_up"]]


def _login(p: dict[str, str], facts: Facts, generic: str) -> list[str]:
    if not facts.has("password_reset"):
        said = [*_attachment_sentences(p, facts), *_error_sentences(p, facts)]
        if facts.account_locked:
            return [*said, p["locked_said"], p["secrets"]]
        if facts.reset_mail_missing:
            return [*said, p["reset_missing"], p["secrets"]]
        return [*said, generic]
    n = facts.tried_times
    times = p["twice_times"] if n == 2 else p["n_times"].format(n=n) if n > 2 else ""
    said = [*_attachment_sentences(p, facts), p["locked"].format(times=times)]
    said += _tried_sentence(p, facts, skip=("password_reset", "paid"))
    return [*said, p["secrets"]]


def _body(lang: str, ctx: DraftContext) -> str:
    generic = _BODY[lang][ctx.category]
    facts = ctx.facts
    if facts is None:
        return generic
    p = PHRASES[lang]
    if ctx.category == Category.billing:
        said = _billing(p, facts)
    elif ctx.category == Category.technical:
        said = _technical(p, facts)
    elif ctx.category == Category.login:
        said = _login(p, facts, generic)
    elif ctx.category == Category.general and (_document(p, facts)[0] or facts.plans):
        doc = _document(p, facts)[0] or p["doc_plan"].format(ref=facts.plans[0])
        said = [*_attachment_sentences(p, facts), p["general_doc"].format(doc=doc)]
    else:
        said = [*_attachment_sentences(p, facts), generic]
    return " ".join(s for s in said if s)


def render_draft(ctx: DraftContext) -> str:
    lang = ctx.language if ctx.language in LANGUAGES else "en"
    facts = ctx.facts
    named = facts is not None and (facts.addressee.full or facts.addressee.gender)
    who = facts.addressee if facts is not None and named else Addressee(first=ctx.customer_name)
    body = _body(lang, ctx)
    about = _ABOUT[lang].format(subject=ctx.subject) if ctx.subject else ""
    quoted = ctx.reference and ctx.reference in body
    ref = _REF[lang].format(ref=ctx.reference) if ctx.reference and not quoted else ""
    thanks = _THANKS[lang].format(company=ctx.company_name, about=about, ref=ref)
    link = (
        f"\n\n{PHRASES[lang]['link'].format(title=ctx.link.title, url=ctx.link.url)}"
        if ctx.link
        else ""
    )
    sign_off = ctx.signature.strip() or _TEAM[lang].format(company=ctx.company_name)
    return f"{greeting(lang, who)}\n\n{thanks} {body}{link}\n\n{_CLOSING[lang]}\n{sign_off}"
