"""Keyword cues for the offline classifier, per language (en, de, es, fr, pt).

Each cue is a named group of word stems. ``CATEGORY_CUES`` point at one of the desk's
categories (money words at Billing, error words at Technical, ...); ``URGENCY_CUES`` name
the business impact that makes a ticket urgent (an outage, everyone blocked, a deadline
today, a security incident, a threat against a person, money being lost), a date soon but
not today (``soon``: time-sensitive), and the phrases that say it is not urgent (``minor``:
a fault with a workaround or that still works; ``calm``: no rush, just a question).

``hits(text)`` says which groups occur in a text: a stem matches at the start of a word
(lowercased, so "Rechnung" matches "rechnung" and "Rechnungen"), in any of the five
languages (a mail's language is not known when it is classified, and the stems rarely
collide across them). ``core.ai.offline`` turns the hits into one 0/1 feature per group
next to its TF-IDF features and lets the logistic regressions weigh them; the lexicon only
says what was found, never what the answer is. Pure and deterministic: plain regular
expressions compiled once at import.
"""

from __future__ import annotations

import re
from functools import cache

# group -> language -> stems separated by "|": a stem matches a word that starts with it, a
# stem ending in "_" only the whole word ("abo_" is German "Abo", not "about"); a space
# inside a stem matches any run of spaces
CATEGORY_CUES: dict[str, dict[str, str]] = {
    "billing": {
        "en": (
            "invoice|refund|charged|charge|overcharg|billing|billed|bill_|payment|receipt|"
            "subscription|vat_|credit card|debited|price|money back|paid_|pay_|renewal|"
            "renew"
        ),
        "de": (
            "rechnung|abbuch|abgebucht|erstattung|rückerstatt|zahlung|bezahl|gutschrift|"
            "lastschrift|kreditkarte|abonnement|abo_|preis|geld zurück|beleg|quittung|mwst|"
            "kosten|belastet|verlängerung|mahnung"
        ),
        "es": (
            "factura|reembols|cobr|cargo_|pago|pagar|pagué|tarjeta|suscripci|recibo|precio|"
            "devoluci|importe|iva_|dinero|renovaci|abono"
        ),
        "fr": (
            "factur|rembours|prélève|prélevé|débit|paiement|payé|payer|carte bancaire|"
            "abonnement|reçu|tarif|prix_|montant|tva|renouvellement|relance de paiement"
        ),
        "pt": (
            "fatura|reembols|cobra|cobrad|pagamento|paguei|pagar|cartão|assinatura|recibo|"
            "preço|estorno|débito|valor_|dinheiro|nif_|devoluç|renovaç|nota de crédito"
        ),
    },
    "technical": {
        "en": (
            "error_|crash|bug_|broken|not working|doesn't work|does not work|"
            "stopped working|freez|slow|timeout|time out|won't load|not loading|blank page|"
            "outage|down|sync|server|api_|install|update|printer|wifi|wi-fi|vpn|backup|"
            "upload|export|integration|webhook|glitch|import|spinning|loads forever|"
            "keeps loading"
        ),
        "de": (
            "fehler|absturz|stürzt|abgestürzt|funktioniert nicht|geht nicht|lädt nicht|"
            "langsam|hängt|ausfall|ausgefallen|störung|server|schnittstelle|synchronis|"
            "installation|aktualisierung|drucker|wlan|backup|sicherung|hochladen|export|"
            "integration|defekt|kaputt|bug_|import|lädt ewig|dreht sich"
        ),
        "es": (
            "error_|fallo|falla|se cierra|no funciona|dejó de funcionar|lento|lenta|caído|"
            "caída|servidor|bloquea|se cuelga|no carga|sincroniz|instal|actualizaci|"
            "impresora|wifi|copia de seguridad|subir|exportar|integraci|pantalla en blanco|"
            "importa|no termina de cargar"
        ),
        "fr": (
            "erreur|plante|plantage|bug_|bogue|ne fonctionne plus|ne fonctionne pas|"
            "ne marche|lent_|panne|serveur|se bloque|figé|ne charge|synchronis|install|"
            "mise à jour|imprimante|wifi|sauvegarde|télécharg|export|intégration|"
            "page blanche|import|tourne dans le vide"
        ),
        "pt": (
            "erro_|falha|trava|travou|fecha sozinh|não funciona|deixou de funcionar|"
            "parou de funcionar|lento|lenta|fora do ar|em baixo|servidor|não carrega|"
            "sincroniz|instal|atualizaç|impressora|wifi|backup|cópia de segurança|carregar|"
            "exportar|integraç|ecrã em branco|tela em branco|importa|"
            "não termina de carregar"
        ),
    },
    "login": {
        "en": (
            "log in|login|logged out|sign in|signin|sign-in|password|2fa_|two-factor|mfa_|"
            "sso_|single sign|locked out|account locked|access denied|permission|"
            "verification code|reset link|username|sign up|register|registration|"
            "delete my account|my account"
        ),
        "de": (
            "anmeld|einlogg|login|passwort|kennwort|zugang|zugriff|gesperrt|zwei-faktor|"
            "2fa_|benutzername|berechtigung|bestätigungscode|registrier|konto löschen|"
            "mein konto|konto"
        ),
        "es": (
            "iniciar sesión|inicio de sesión|contraseña|acceso|acceder|usuario|verificaci|"
            "código|registrar|cuenta|permiso|dos factores|2fa_|cuenta bloqueada"
        ),
        "fr": (
            "connexion|connecter|identifiant|mot de passe|accès|accéder|verrouill|"
            "code de vérification|double authentification|inscri|compte|autorisation|"
            "droits d'accès|2fa_|compte bloqué|compte verrouillé"
        ),
        "pt": (
            "login|entrar|iniciar sessão|senha|palavra-passe|acesso|acessar|aceder|"
            "utilizador|usuário|código de verifica|cadastr|conta_|permiss|2fa_|"
            "dois fatores|conta bloqueada"
        ),
    },
    "feature": {
        "en": (
            "feature|would be great|would be nice|it would help|suggest|suggestion|"
            "could you add|please add|roadmap|wish_|improvement|would love|option to|"
            "support for|dark mode|i'd love it if|it would be handy|would be really handy|"
            "i wish|we wish|would it be possible to add|any plans to|please consider|"
            "can you add|add an option|add a way"
        ),
        "de": (
            "funktion|wäre schön|wäre toll|wäre super|wäre hilfreich|vorschlag|schlage vor|"
            "wunsch|wünsche|verbesserung|könnten sie|hinzufügen|roadmap|geplant|"
            "dunkelmodus|option|fände es|wäre praktisch|bitte ergänzen|"
            "einbauen|nachrüsten|ich wünsche mir|wir wünschen uns"
        ),
        "es": (
            "función|funcionalidad|sería genial|sería útil|estaría bien|sugerencia|sugiero|"
            "añadir|agregar|mejora|hoja de ruta|opción|modo oscuro|nos encantaría|"
            "me encantaría|ojalá|sería práctico|podrían añadir|podrían incluir|incluir|"
            "por favor añadan|tienen previsto|estaría genial"
        ),
        "fr": (
            "fonctionnalité|ce serait|serait génial|serait utile|suggestion|suggère|"
            "ajouter|amélioration|feuille de route|option|mode sombre|nous aimerions|"
            "j'aimerais|j'aimerais bien|serait pratique|pourriez-vous ajouter|"
            "merci d'ajouter|serait-il possible d'ajouter|prévoyez-vous|ce serait top"
        ),
        "pt": (
            "funcionalidade|recurso|seria ótimo|seria útil|seria bom|sugestão|sugiro|"
            "adicionar|acrescentar|melhoria|roadmap|opção|modo escuro|gostaríamos|gostava|"
            "era ótimo|podiam adicionar|poderiam adicionar|incluir|por favor adicionem|"
            "têm planos|seria muito bom|seria excelente"
        ),
    },
    "general": {
        "en": (
            "order|delivery|shipping|ship_|tracking|package|parcel|opening hours|in stock|"
            "stock_|quote|demo_|newsletter|do you offer|how long|question|information|"
            "compatible|physical store|in store|your shop in|your store in"
        ),
        "de": (
            "bestellung|bestellt|liefer|versand|sendung|paket|öffnungszeit|lager|angebot|"
            "demo_|newsletter|bieten sie|wie lange|frage|information|kompatibel|verfügbar|"
            "geschäft|filiale|ladengeschäft"
        ),
        "es": (
            "pedido|entrega|envío|enviar|seguimiento|paquete|horario|stock_|presupuesto|"
            "demo_|boletín|newsletter|ofrecen|cuánto tarda|pregunta|consulta|información|"
            "compatible|tienda física|tienda en"
        ),
        "fr": (
            "commande|livraison|livré|expédi|suivi|colis|horaires|en stock|devis|démo|"
            "newsletter|proposez|combien de temps|question|renseignement|information|"
            "compatible|boutique physique|magasin"
        ),
        "pt": (
            "encomenda|pedido|entrega|envio|rastreio|rastreamento|pacote|horário|stock_|"
            "estoque|orçamento|demo_|newsletter|oferecem|quanto tempo|pergunta|dúvida|"
            "informaç|compatível|loja física|loja em"
        ),
    },
    # how-to and availability questions: a general inquiry, not a report of a fault
    "howto": {
        "en": (
            "how do i|how can i|how do we|where can i|where do i|is it possible|"
            "is there a way|do you offer|do you have|can i_|can we_|do you ship|"
            "do you sell|what is the|what are the|are you open"
        ),
        "de": (
            "wie kann ich|wie können wir|wo kann ich|wo finde ich|ist es möglich|"
            "gibt es eine möglichkeit|gibt es bei ihnen|haben sie|kann ich_|können wir_|"
            "liefern sie|verkaufen sie|was kostet|welche"
        ),
        "es": (
            "cómo puedo|como puedo|cómo se|dónde puedo|donde puedo|es posible|"
            "hay alguna forma|hay manera|tienen|puedo_|podemos_|hacen envíos|venden|"
            "cuál es|cuáles son|qué horario"
        ),
        "fr": (
            "comment puis-je|comment faire|où puis-je|où trouver|est-il possible|"
            "est-ce possible|y a-t-il|existe-t-il|avez-vous|proposez-vous|puis-je|"
            "pouvons-nous|livrez-vous|vendez-vous|quel est|quels sont|quelles sont"
        ),
        "pt": (
            "como posso|como faço|onde posso|onde encontro|é possível|há alguma forma|"
            "existe alguma forma|vocês têm|têm_|posso_|podemos_|fazem entregas|vendem|"
            "qual é|quais são|qual o horário"
        ),
    },
    "other": {
        "en": (
            "thank you for|thanks for|great job|complaint|rude|seo_|job_|position|cv_|"
            "resume|vacation|holiday|salary|payslip|partnership|journalist|press_|"
            "conference|survey|out of office|wrong address|you have won|prize|"
            "unsubscribe me|unacceptable|apology|disappointed"
        ),
        "de": (
            "vielen dank für|danke für|lob_|beschwerde|unfreundlich|bewerbung|lebenslauf|"
            "urlaub|gehalt|lohn|partnerschaft|journalist|presse|konferenz|umfrage|"
            "abwesenheit|falsche adresse|gewonnen|überstunden|unverschämt|entschuldigung|"
            "enttäuscht|beschwer"
        ),
        "es": (
            "gracias por|felicita|queja|reclamación|grosero|maleducad|candidatura|vacante|"
            "currículum|vacaciones|nómina|salario|colaboraci|periodista|prensa|conferencia|"
            "encuesta|fuera de la oficina|ha ganado|premio|disculpa|decepcionad|"
            "inaceptable|queja"
        ),
        "fr": (
            "merci pour|bravo|félicit|réclamation|plainte|impoli|candidature|cv_|congés|"
            "salaire|fiche de paie|partenariat|journaliste|presse|conférence|enquête|"
            "absent|vous avez gagné|prix_|excuses|déçu|inadmissible|inacceptable"
        ),
        "pt": (
            "obrigado pelo|obrigada pelo|parabéns|reclamação|queixa|mal-educad|candidatura|"
            "vaga_|currículo|férias|salário|recibo de vencimento|holerite|parceria|"
            "jornalista|imprensa|conferência|inquérito|pesquisa|fora do escritório|ganhou|"
            "prémio|péssimo|desculpas|desiludid|inaceitável"
        ),
    },
}

URGENCY_CUES: dict[str, dict[str, str]] = {
    "outage": {
        "en": (
            "is down|are down|went down|outage|offline|not reachable|unreachable|"
            "production stopped|production is down|502|503|standstill|nothing works|"
            "completely broken"
        ),
        "de": (
            "ausgefallen|ausfall|nicht erreichbar|offline|steht still|stillstand|"
            "geht gar nichts|nichts geht|komplett down|ist down|produktion steht"
        ),
        "es": (
            "caído|caída|fuera de servicio|sin servicio|no responde|paralizad|"
            "nada funciona|producción parada|inaccesible"
        ),
        "fr": (
            "en panne|hors service|hors ligne|inaccessible|à l'arrêt|paralysé|"
            "plus rien ne fonctionne|production arrêtée|est down"
        ),
        "pt": (
            "fora do ar|em baixo|indisponível|parad|inacessível|nada funciona|"
            "produção parou|sem serviço|caiu"
        ),
    },
    "blocked": {
        "en": (
            "whole team|entire team|all our users|all users|everyone|nobody can|no one can|"
            "none of our|all of our|all customers|whole company|entire company|can't work|"
            "cannot work|blocked|every user|every single user|all staff|all our staff|"
            "all employees|whole office"
        ),
        "de": (
            "ganze team|gesamte team|alle mitarbeiter|alle benutzer|alle kunden|"
            "niemand kann|keiner kann|kein mitarbeiter|ganze firma|gesamte firma|"
            "nicht arbeiten|blockiert|jeder benutzer|alle kollegen|das ganze büro|"
            "alle plätze|keiner kommt rein"
        ),
        "es": (
            "todo el equipo|todos los usuarios|todos nuestros|todos los clientes|"
            "nadie puede|ningún empleado|toda la empresa|no podemos trabajar|bloquead|"
            "toda la oficina|todos los empleados|ningún usuario"
        ),
        "fr": (
            "toute l'équipe|tous les utilisateurs|tous nos|tous les clients|"
            "personne ne peut|aucun employé|toute l'entreprise|ne pouvons pas travailler|"
            "bloqué|tout le bureau|tous les postes|tous les salariés|aucun utilisateur|"
            "plus aucun poste|plus aucun téléphone|plus aucune ligne"
        ),
        "pt": (
            "toda a equipa|toda a equipe|todos os utilizadores|todos os usuários|"
            "todos os nossos|todos os clientes|ninguém consegue|ninguém pode|"
            "toda a empresa|não conseguimos trabalhar|bloquead|o escritório inteiro|"
            "todos os funcionários|nenhum utilizador|nenhum usuário"
        ),
    },
    # a hard deadline today or now (High when it is business impact)
    "deadline": {
        "en": (
            "today|tonight|this morning|this afternoon|deadline|asap|immediately|right now|"
            "urgent|in an hour|within the hour|end of day|by noon|before noon"
        ),
        "de": (
            "heute|heute abend|frist|deadline|sofort|umgehend|dringend|eilig|"
            "in einer stunde|bis mittag"
        ),
        "es": (
            "hoy_|esta noche|esta tarde|plazo|fecha límite|urgente|inmediat|cuanto antes|"
            "lo antes posible|ya mismo|en una hora"
        ),
        "fr": (
            "aujourd'hui|ce soir|cet après-midi|délai|échéance|date limite|urgent|immédiat|"
            "au plus vite|dès que possible|dans une heure|avant midi"
        ),
        "pt": (
            "hoje|esta noite|esta tarde|prazo|data limite|urgente|imediat|o mais rápido|"
            "quanto antes|assim que possível|daqui a uma hora"
        ),
    },
    # a date soon but not today: time-sensitive (Medium), High only with an outage or a loss
    "soon": {
        "en": (
            "tomorrow|by friday|by monday|by thursday|by wednesday|by tuesday|this week|"
            "next week|end of the month|before the|in two weeks"
        ),
        "de": (
            "bis morgen|morgen früh|morgen um|ab morgen|für morgen|übermorgen|morgen ist|"
            "morgen beginnt|bis freitag|bis montag|bis donnerstag|bis mittwoch|diese woche|"
            "nächste woche|nächsten woche|ende des monats|monatsende|in zwei wochen"
        ),
        "es": (
            "mañana|el viernes|el lunes|el jueves|esta semana|la próxima semana|"
            "la semana que viene|fin de mes|antes del|en dos semanas"
        ),
        "fr": (
            "demain|d'ici vendredi|d'ici lundi|vendredi|lundi prochain|cette semaine|"
            "la semaine prochaine|fin du mois|avant le|dans deux semaines"
        ),
        "pt": (
            "amanhã|até sexta|até segunda|até quinta|esta semana|semana que vem|"
            "próxima semana|fim do mês|final do mês|antes do dia|daqui a duas semanas"
        ),
    },
    "security": {
        "en": (
            "hacked|breach|compromised|data leak|leaked|phishing|unauthori|"
            "someone logged into|stolen|fraud|malware|ransomware|suspicious login"
        ),
        "de": (
            "gehackt|sicherheitslücke|datenleck|datenpanne|kompromittiert|unbefugt|"
            "phishing|gestohlen|betrug|schadsoftware|verdächtig"
        ),
        "es": (
            "hackead|pirateado|brecha|fuga de datos|comprometid|no autorizad|phishing|"
            "robad|fraude|malware|sospechos"
        ),
        "fr": (
            "piraté|piratage|faille|fuite de données|compromis|non autorisé|hameçonnage|"
            "phishing|volé|fraude|malveillant|suspect"
        ),
        "pt": (
            "hackead|invadid|violação|vazamento de dados|fuga de dados|comprometid|"
            "não autorizad|phishing|roubad|fraude|malware|suspeit"
        ),
    },
    "money": {
        "en": (
            "losing money|losing sales|lost sales|losing customers|revenue|charged twice|"
            "double charge|charged again|unknown charge|suspended|suspension|cut off|"
            "overdrawn|payment failing|payment keeps failing|payroll"
        ),
        "de": (
            "verlieren geld|umsatz|umsatzverlust|doppelt abgebucht|zweimal abgebucht|"
            "unbekannte abbuchung|gesperrt werden|sperrung|abgeschaltet|kontoüberziehung|"
            "zahlung schlägt fehl|zahlung fehlgeschlagen"
        ),
        "es": (
            "perdiendo dinero|perdiendo ventas|pérdidas|cobrado dos veces|doble cobro|"
            "cobro duplicado|cargo desconocido|suspendid|suspensión|cortar el servicio|"
            "pago rechazado|el pago falla"
        ),
        "fr": (
            "perdons de l'argent|perdons des ventes|pertes|chiffre d'affaires|"
            "prélevé deux fois|double prélèvement|débité deux fois|prélèvement inconnu|"
            "suspendu|suspension|coupé|paiement refusé|paiement échoue"
        ),
        "pt": (
            "perder dinheiro|perdendo dinheiro|a perder vendas|perdendo vendas|prejuízo|"
            "cobrado duas vezes|cobrança duplicada|cobrança desconhecida|suspens|"
            "cortar o serviço|pagamento recusado|pagamento falha"
        ),
    },
    # the fault is there but does not stop anyone: a workaround, it still works, it is
    # cosmetic, or it has already fixed itself (Low, not the Medium of a fault)
    "minor": {
        "en": (
            "not a big deal|no big deal|not blocking|not holding us up|not stopping us|"
            "still works|it still works|working fine|works fine|all working now|"
            "working again|works again|cleared on its own|fixed itself|just annoying|"
            "just cosmetic|cosmetic|minor issue|small one|small thing|just flagging|fyi_|"
            "we have a workaround|working around it|not the end of the world"
        ),
        "de": (
            "nicht schlimm|kein drama|nicht blockierend|blockiert uns nicht|"
            "funktioniert trotzdem|läuft trotzdem|geht trotzdem|geht wieder|"
            "funktioniert wieder|läuft wieder|nur optisch|nur kosmetisch|kleinigkeit|"
            "nur zur info|nur als hinweis|nur mal so|helfe mir gerade|"
            "behelfen uns|ist nur nervig|halb so wild"
        ),
        "es": (
            "no es grave|no es para tanto|no nos bloquea|no es bloqueante|"
            "funciona todo igual|sigue funcionando|ya funciona|vuelve a funcionar|"
            "se solucionó solo|solo estético|algo menor|un detalle|para que lo sepan|"
            "de momento nos apañamos|no es apuro|no corre prisa|solo es molesto"
        ),
        "fr": (
            "pas bloquant|pas grave|pas méchant|pas la fin du monde|ça marche quand même|"
            "fonctionne quand même|ça remarche|fonctionne à nouveau|marche à nouveau|"
            "rentré dans l'ordre|juste esthétique|purement esthétique|petit détail|"
            "pour info|pour information|on contourne|juste agaçant|"
            "c'est juste le montant"
        ),
        "pt": (
            "não é grave|não é bloqueante|não bloqueia|não é nada de grave|"
            "continua a funcionar|continua funcionando|já funciona|voltou a funcionar|"
            "resolveu-se sozinho|só estético|apenas estético|pormenor|detalhe pequeno|"
            "só para informar|por agora estou a contornar|consigo contornar|"
            "só é chato|é só chato"
        ),
    },
    # a threat of violence or harassment against a person: a safety incident (High)
    "threat": {
        "en": (
            "i know where he|i know where she|i know where you|i know what car|i'll be waiting outside|will regret|"
            "watch himself|watch herself|watch yourselves|i'm not joking|dont think i'm joking|"
            "turned up at my|turned up outside|harassing me|harassment|threatening me|"
            "threatened me|stalking"
        ),
        "de": (
            "ich weiß wo sie|ich weiß wo er|ich weiß wo euer|ich weiß, wo|ich weiß wann sie|wird es bereuen|wird sie noch bereuen|"
            "wird er noch bereuen|komm ich vorbei|dann komme ich vorbei|passt bloß auf|"
            "ich mache keine witze|belästigt mich|belästigung|bedroht mich|bedrohung|"
            "stalkt|droht mir"
        ),
        "es": (
            "sé dónde vive|sé dónde trabaja|sé a qué hora sale|se va a arrepentir|se arrepentirá|"
            "no estoy bromeando|no es broma|me está acosando|acoso|me amenaz|amenaza|"
            "apareció en mi casa|me espera a la salida"
        ),
        "fr": (
            "je sais où elle|je sais où il|je sais où vous|je sais à quelle heure|va le regretter|va le payer|"
            "ça va mal se passer|je ne plaisante pas|me harcèle|harcèlement|me menace|"
            "menaces|menace de|s'est présenté chez moi"
        ),
        "pt": (
            "sei onde ela|sei onde ele|sei onde mora|sei onde trabalha|sei a que horas|vai se arrepender|vai arrepender-se|"
            "não estou a brincar|não estou brincando|assédio|me assedia|ameaça|ameaçou|"
            "apareceu na minha casa|apareceu à porta"
        ),
    },
    "calm": {
        "en": (
            "no rush|no hurry|not urgent|when you have time|when you get a chance|"
            "whenever you|just a question|just curious|low priority|at your convenience|"
            "no pressure|just wondering|out of curiosity"
        ),
        "de": (
            "keine eile|eilt nicht|nicht dringend|wenn sie zeit haben|bei gelegenheit|"
            "nur eine frage|nur neugierig|ganz entspannt|kein stress|irgendwann"
        ),
        "es": (
            "sin prisa|no hay prisa|no es urgente|cuando tengan tiempo|cuando puedan|"
            "solo una pregunta|por curiosidad|sin apuro|con calma"
        ),
        "fr": (
            "pas pressé|rien d'urgent|pas urgent|quand vous aurez le temps|"
            "quand vous pourrez|juste une question|par curiosité|aucune urgence|"
            "sans urgence"
        ),
        "pt": (
            "sem pressa|não é urgente|nada urgente|quando tiverem tempo|quando puderem|"
            "só uma pergunta|apenas uma dúvida|por curiosidade|com calma"
        ),
    },
}

GROUPS: tuple[str, ...] = (
    *(f"cat:{name}" for name in CATEGORY_CUES),
    *(f"urg:{name}" for name in URGENCY_CUES),
)


def _stem(stem: str) -> str:
    whole = stem.endswith("_")
    pattern = re.escape(stem.strip().rstrip("_")).replace(r"\ ", r"\s+")
    return pattern + r"(?!\w)" if whole else pattern


def _pattern(stems: list[str]) -> re.Pattern[str]:
    parts = sorted({_stem(s) for s in stems if s.strip()}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + ")", re.IGNORECASE)


@cache
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    out = []
    for prefix, table in (("cat", CATEGORY_CUES), ("urg", URGENCY_CUES)):
        for name, by_language in table.items():
            stems = [s for joined in by_language.values() for s in joined.split("|")]
            out.append((f"{prefix}:{name}", _pattern(stems)))
    return tuple(out)


def hits(text: str) -> list[str]:
    """The groups of ``GROUPS`` whose stems occur in ``text``, in ``GROUPS`` order."""
    return [group for group, pattern in _patterns() if pattern.search(text)]


def vector(text: str) -> list[float]:
    """``hits`` as one 0/1 value per group of ``GROUPS``."""
    found = set(hits(text))
    return [1.0 if group in found else 0.0 for group in GROUPS]
