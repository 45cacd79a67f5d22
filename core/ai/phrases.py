"""The sentences an offline draft says about what the mail said (``core.ai.facts``), per
draft language, in the one register ``core.ai.templates`` documents for it: English
neutral; German formal ("Sie", "Ihr"); Spanish formal ("usted": "su", "le"); French formal
("vous"); European Portuguese formal (third person: "a sua conta", no "tu").

Slots: ``{doc}`` is the invoice or order (or, in ``general_doc`` only, the plan) with its
article ("die Rechnung INV-2291", "la factura INV-2291"; the forms are chosen so no
preposition must contract with it), ``{ref}`` the bare number, ``{detail}``
" (49,00 €, 3. März)" or "", ``{error}``, ``{files}``, ``{items}``, ``{times}``,
``{title}``, ``{url}``. Like the templates, no sentence claims an
action was taken or asks for a password, code or card number (``core.ai.guardrails``).
"""

from __future__ import annotations

Phrases = dict[str, str]

EN: Phrases = {
    "doc_invoice": "invoice {ref}",
    "doc_order": "order {ref}",
    "doc_plan": "the {ref} plan",
    "twice_doc": (
        "I'm sorry that you were charged twice for {doc}{detail}. Our billing team will check "
        "the duplicate charge on {doc} and, once it is confirmed, refund the extra payment to "
        "your original payment method. We will let you know the outcome by email."
    ),
    "twice": (
        "I'm sorry that you were charged twice{detail}. Our billing team will check the "
        "duplicate charge and, once it is confirmed, refund the extra payment to your original "
        "payment method. We will let you know the outcome by email."
    ),
    "paid_doc": (
        "Thank you for letting us know that you have already paid {doc}{detail}. Our billing "
        "team will match your payment to it and correct the status of your account."
    ),
    "paid": (
        "Thank you for letting us know that you have already paid{detail}. Our billing team "
        "will match your payment and correct the status of your account."
    ),
    "review_doc": (
        "Our billing team will review {doc}{detail} and the payments on your account and get "
        "back to you with the outcome and, if a correction is due, how and when it will be "
        "applied."
    ),
    "review": (
        "I'm sorry for the trouble with your billing. Our billing team will review the charges "
        "and payments on your account{detail} and get back to you with the outcome and, if a "
        "correction is due, how and when it will be applied."
    ),
    "ask_invoice": "If you have the invoice number at hand, please add it in your reply.",
    "ask_invoice_date": (
        "If you have the invoice number or the date of the charge at hand, please add it in "
        "your reply."
    ),
    "no_cards": "Please do not include card numbers or passwords in your email.",
    "attached_one": "Thanks also for the attached file {files}.",
    "attached_many": "Thanks also for the attached files {files}.",
    "shows": "It shows the error {error}.",
    "reported": "You report the error {error}.",
    "e413": (
        "This error means that the file or request is larger than the upload size limit the "
        "server accepts. Our technical team will check the upload limit that applies to your "
        "account; until then, a smaller file (or the file split into parts) should go through."
    ),
    "e_auth": (
        "This error means that the server refused access for the signed-in account, so our "
        "technical team will check the account's permissions and sign-in state."
    ),
    "e_rate": (
        "This error means that too many requests arrived in a short time; our technical team "
        "will check the rate limits that apply to your account."
    ),
    "e_server": (
        "This error comes from our side, not from your device, and our technical team will "
        "look into it."
    ),
    "e_other": "Our technical team will look this error up.",
    "tried": "You have already tried {items}, so there is no need to repeat that.",
    "restart": "restarting",
    "reinstall": "reinstalling",
    "cache": "clearing the cache",
    "other_browser": "another browser",
    "other_device": "another device",
    "update": "updating the app",
    "ask_tech": (
        "So that our technical team can reproduce it quickly, could you reply with {items}?"
    ),
    "steps": "the steps that lead to the problem",
    "error": "the exact error message you see",
    "device": "the device, browser or app version you use",
    "logs": "a screenshot or log file",
    "follow_up": "We will follow up as soon as we know more.",
    "locked": (
        "You have already reset your password{times}, so the password itself is most likely "
        "not the problem: after several failed sign-ins the account may be locked, or a "
        "security setting may be blocking it. Our team will check whether your account is "
        "locked and, once we have confirmed that the request comes from the account's owner, "
        "unlock it through our secure process. Please don't reset the password again in the "
        "meantime."
    ),
    "locked_said": (
        "You write that your account is locked. Our team will check the lock and, once we have "
        "confirmed that the request comes from the account's owner, unlock it through our "
        "secure process."
    ),
    "reset_missing": (
        "The password reset email doesn't seem to reach you. Please check your spam or junk "
        "folder for it; our team will check the email address registered on the account and "
        "whether our emails to it are delivered."
    ),
    "twice_times": " twice",
    "n_times": " {n} times",
    "secrets": (
        "For your security we will never ask for your password or one-time codes, so please "
        "don't send them to us."
    ),
    "general_doc": (
        "We're looking into your question about {doc} and will get back to you with a complete "
        "answer shortly."
    ),
    "link": "You'll find the steps in our help article “{title}”: {url}",
    "and": "and",
}

DE: Phrases = {
    "doc_invoice": "die Rechnung {ref}",
    "doc_order": "die Bestellung {ref}",
    "doc_plan": "den Tarif {ref}",
    "twice_doc": (
        "Es tut uns leid, dass {doc}{detail} doppelt abgebucht wurde. Unser Abrechnungsteam "
        "prüft die doppelte Abbuchung für {doc} und erstattet Ihnen den zu viel gezahlten "
        "Betrag auf Ihr ursprüngliches Zahlungsmittel, sobald sie bestätigt ist. Wir "
        "informieren Sie per E-Mail über das Ergebnis."
    ),
    "twice": (
        "Es tut uns leid, dass Ihnen ein Betrag{detail} doppelt abgebucht wurde. Unser "
        "Abrechnungsteam prüft die doppelte Abbuchung und erstattet Ihnen den zu viel gezahlten "
        "Betrag auf Ihr ursprüngliches Zahlungsmittel, sobald sie bestätigt ist. Wir "
        "informieren Sie per E-Mail über das Ergebnis."
    ),
    "paid_doc": (
        "Danke für Ihren Hinweis, dass Sie {doc}{detail} bereits bezahlt haben. Unser "
        "Abrechnungsteam ordnet Ihre Zahlung zu und korrigiert den Stand Ihres Kontos."
    ),
    "paid": (
        "Danke für Ihren Hinweis, dass Sie bereits bezahlt haben{detail}. Unser "
        "Abrechnungsteam ordnet Ihre Zahlung zu und korrigiert den Stand Ihres Kontos."
    ),
    "review_doc": (
        "Unser Abrechnungsteam prüft {doc}{detail} und die Zahlungen Ihres Kontos und meldet "
        "sich mit dem Ergebnis und, falls eine Korrektur nötig ist, wie und wann sie erfolgt."
    ),
    "review": (
        "Es tut uns leid, dass es Probleme mit Ihrer Abrechnung gibt. Unser Abrechnungsteam "
        "prüft die Buchungen und Zahlungen Ihres Kontos{detail} und meldet sich mit dem "
        "Ergebnis und, falls eine Korrektur nötig ist, wie und wann sie erfolgt."
    ),
    "ask_invoice": (
        "Wenn Sie die Rechnungsnummer zur Hand haben, nennen Sie sie bitte in Ihrer Antwort."
    ),
    "ask_invoice_date": (
        "Wenn Sie die Rechnungsnummer oder das Datum der Abbuchung zur Hand haben, nennen Sie "
        "sie bitte in Ihrer Antwort."
    ),
    "no_cards": "Bitte senden Sie uns keine Kartennummern oder Passwörter.",
    "attached_one": "Danke auch für die angehängte Datei {files}.",
    "attached_many": "Danke auch für die angehängten Dateien {files}.",
    "shows": "Darin ist der Fehler {error} zu sehen.",
    "reported": "Sie melden den Fehler {error}.",
    "e413": (
        "Dieser Fehler bedeutet, dass die Datei oder Anfrage größer ist als die Upload-Grenze, "
        "die der Server annimmt. Unser technisches Team prüft die Upload-Grenze, die für Ihr "
        "Konto gilt; bis dahin sollte eine kleinere Datei (oder die Datei in Teilen) "
        "durchgehen."
    ),
    "e_auth": (
        "Dieser Fehler bedeutet, dass der Server dem angemeldeten Konto den Zugriff verweigert; "
        "unser technisches Team prüft daher die Berechtigungen und den Anmeldestatus des Kontos."
    ),
    "e_rate": (
        "Dieser Fehler bedeutet, dass in kurzer Zeit zu viele Anfragen eingegangen sind; unser "
        "technisches Team prüft die Grenzwerte, die für Ihr Konto gelten."
    ),
    "e_server": (
        "Dieser Fehler liegt auf unserer Seite, nicht an Ihrem Gerät, und unser technisches "
        "Team geht ihm nach."
    ),
    "e_other": "Unser technisches Team schlägt diesen Fehler nach.",
    "tried": "Sie haben bereits {items} versucht; das müssen Sie nicht wiederholen.",
    "restart": "einen Neustart",
    "reinstall": "eine Neuinstallation",
    "cache": "das Leeren des Caches",
    "other_browser": "einen anderen Browser",
    "other_device": "ein anderes Gerät",
    "update": "ein Update",
    "ask_tech": (
        "Damit unser technisches Team es schnell nachstellen kann, schreiben Sie uns bitte {items}."
    ),
    "steps": "die Schritte, die zum Problem führen",
    "error": "die genaue Fehlermeldung",
    "device": "Gerät, Browser oder App-Version",
    "logs": "einen Screenshot oder eine Protokolldatei",
    "follow_up": "Wir melden uns, sobald wir mehr wissen.",
    "locked": (
        "Sie haben Ihr Passwort bereits{times} zurückgesetzt, daher liegt es sehr "
        "wahrscheinlich nicht am Passwort selbst: Nach mehreren fehlgeschlagenen Anmeldungen "
        "kann Ihr Konto gesperrt sein, oder eine Sicherheitseinstellung blockiert die "
        "Anmeldung. Unser Team prüft, ob Ihr Konto gesperrt ist, und entsperrt es über unser "
        "sicheres Verfahren, sobald wir bestätigt haben, dass die Anfrage vom Kontoinhaber "
        "kommt. Bitte setzen Sie das Passwort in der Zwischenzeit nicht erneut zurück."
    ),
    "locked_said": (
        "Sie schreiben, dass Ihr Konto gesperrt ist. Unser Team prüft die Sperre und entsperrt "
        "das Konto über unser sicheres Verfahren, sobald wir bestätigt haben, dass die Anfrage "
        "vom Kontoinhaber kommt."
    ),
    "reset_missing": (
        "Die E-Mail zum Zurücksetzen des Passworts scheint Sie nicht zu erreichen. Bitte prüfen "
        "Sie Ihren Spam-Ordner; unser Team prüft die im Konto hinterlegte E-Mail-Adresse und ob "
        "unsere E-Mails dort zugestellt werden."
    ),
    "twice_times": " zweimal",
    "n_times": " {n}-mal",
    "secrets": (
        "Zu Ihrer Sicherheit fragen wir nie nach Ihrem Passwort oder nach Einmalcodes, bitte "
        "senden Sie uns diese nicht."
    ),
    "general_doc": (
        "Wir kümmern uns um Ihre Frage betreffend {doc} und melden uns in Kürze mit einer "
        "vollständigen Antwort."
    ),
    "link": "Die Schritte finden Sie in unserem Hilfeartikel „{title}“: {url}",
    "and": "und",
}

ES: Phrases = {
    "doc_invoice": "la factura {ref}",
    "doc_order": "el pedido {ref}",
    "doc_plan": "el plan {ref}",
    "twice_doc": (
        "Sentimos que se le haya cobrado dos veces {doc}{detail}. Nuestro equipo de "
        "facturación revisará el cargo duplicado ({ref}) y, una vez confirmado, le devolverá el "
        "importe cobrado de más en su método de pago original. Le informaremos del resultado "
        "por correo."
    ),
    "twice": (
        "Sentimos que se le haya cobrado dos veces{detail}. Nuestro equipo de facturación "
        "revisará el cargo duplicado y, una vez confirmado, le devolverá el importe cobrado de "
        "más en su método de pago original. Le informaremos del resultado por correo."
    ),
    "paid_doc": (
        "Gracias por avisarnos de que ya ha pagado {doc}{detail}. Nuestro equipo de "
        "facturación asignará su pago y corregirá el estado de su cuenta."
    ),
    "paid": (
        "Gracias por avisarnos de que ya ha pagado{detail}. Nuestro equipo de facturación "
        "asignará su pago y corregirá el estado de su cuenta."
    ),
    "review_doc": (
        "Nuestro equipo de facturación revisará {doc}{detail} y los pagos de su cuenta y le "
        "informará del resultado y, si procede una corrección, de cómo y cuándo se aplicará."
    ),
    "review": (
        "Sentimos las molestias con su facturación. Nuestro equipo de facturación revisará los "
        "cargos y pagos de su cuenta{detail} y le informará del resultado y, si procede una "
        "corrección, de cómo y cuándo se aplicará."
    ),
    "ask_invoice": "Si tiene a mano el número de factura, indíquelo en su respuesta.",
    "ask_invoice_date": (
        "Si tiene a mano el número de factura o la fecha del cargo, indíquelo en su respuesta."
    ),
    "no_cards": "Por favor, no incluya números de tarjeta ni contraseñas en su correo.",
    "attached_one": "Gracias también por el archivo adjunto {files}.",
    "attached_many": "Gracias también por los archivos adjuntos {files}.",
    "shows": "En él se ve el error {error}.",
    "reported": "Nos indica el error {error}.",
    "e413": (
        "Este error significa que el archivo o la petición supera el límite de tamaño de "
        "subida que acepta el servidor. Nuestro equipo técnico revisará el límite de subida "
        "que se aplica a su cuenta; mientras tanto, un archivo más pequeño (o dividido en "
        "partes) debería funcionar."
    ),
    "e_auth": (
        "Este error significa que el servidor deniega el acceso a la cuenta con la que ha "
        "iniciado sesión; nuestro equipo técnico revisará los permisos de la cuenta."
    ),
    "e_rate": (
        "Este error significa que llegaron demasiadas peticiones en poco tiempo; nuestro equipo "
        "técnico revisará los límites que se aplican a su cuenta."
    ),
    "e_server": (
        "Este error se produce en nuestros servidores, no en su dispositivo, y nuestro equipo "
        "técnico lo está revisando."
    ),
    "e_other": "Nuestro equipo técnico consultará este error.",
    "tried": "Ya ha probado {items}, así que no hace falta que lo repita.",
    "restart": "reiniciar",
    "reinstall": "reinstalar",
    "cache": "borrar la caché",
    "other_browser": "otro navegador",
    "other_device": "otro dispositivo",
    "update": "actualizar la aplicación",
    "ask_tech": (
        "Para que nuestro equipo técnico pueda reproducirlo rápidamente, ¿podría indicarnos "
        "{items}?"
    ),
    "steps": "los pasos que llevan al problema",
    "error": "el mensaje de error exacto",
    "device": "el dispositivo, navegador o versión de la aplicación",
    "logs": "una captura de pantalla o un registro",
    "follow_up": "Le responderemos en cuanto sepamos más.",
    "locked": (
        "Ya ha restablecido su contraseña{times}, así que lo más probable es que el problema no "
        "sea la contraseña: tras varios intentos fallidos la cuenta puede estar bloqueada, o un "
        "ajuste de seguridad puede estar impidiendo el acceso. Nuestro equipo comprobará si su "
        "cuenta está bloqueada y, una vez confirmado que la solicitud procede del titular de la "
        "cuenta, la desbloqueará mediante nuestro proceso seguro. Mientras tanto, no vuelva a "
        "restablecer la contraseña."
    ),
    "locked_said": (
        "Nos indica que su cuenta está bloqueada. Nuestro equipo revisará el bloqueo y, una vez "
        "confirmado que la solicitud procede del titular de la cuenta, la desbloqueará mediante "
        "nuestro proceso seguro."
    ),
    "reset_missing": (
        "Parece que el correo para restablecer la contraseña no le llega. Revise su carpeta de "
        "spam; nuestro equipo comprobará la dirección de correo registrada en la cuenta y si "
        "nuestros correos se entregan."
    ),
    "twice_times": " dos veces",
    "n_times": " {n} veces",
    "secrets": (
        "Por su seguridad nunca le pediremos su contraseña ni códigos de un solo uso, así que "
        "no nos los envíe."
    ),
    "general_doc": (
        "Estamos revisando su consulta sobre {doc} y le responderemos en breve con una "
        "respuesta completa."
    ),
    "link": "Encontrará los pasos en nuestro artículo de ayuda «{title}»: {url}",
    "and": "y",
}

FR: Phrases = {
    "doc_invoice": "la facture {ref}",
    "doc_order": "la commande {ref}",
    "doc_plan": "l'offre {ref}",
    "twice_doc": (
        "Nous sommes désolés que {doc}{detail} vous ait été débitée deux fois. Notre service "
        "facturation va vérifier le double prélèvement ({ref}) et, une fois celui-ci confirmé, "
        "vous rembourser le montant prélevé en trop sur votre moyen de paiement d'origine. "
        "Nous vous informerons du résultat par e-mail."
    ),
    "twice": (
        "Nous sommes désolés que vous ayez été débité deux fois{detail}. Notre service "
        "facturation va vérifier le double prélèvement et, une fois celui-ci confirmé, vous "
        "rembourser le montant prélevé en trop sur votre moyen de paiement d'origine. Nous "
        "vous informerons du résultat par e-mail."
    ),
    "paid_doc": (
        "Merci de nous avoir signalé que vous avez déjà réglé {doc}{detail}. Notre service "
        "facturation va rapprocher votre paiement et corriger l'état de votre compte."
    ),
    "paid": (
        "Merci de nous avoir signalé que vous avez déjà payé{detail}. Notre service "
        "facturation va rapprocher votre paiement et corriger l'état de votre compte."
    ),
    "review_doc": (
        "Notre service facturation va vérifier {doc}{detail} et les paiements de votre compte "
        "et reviendra vers vous avec le résultat et, si une correction s'impose, comment et "
        "quand elle sera appliquée."
    ),
    "review": (
        "Nous sommes désolés pour ce souci de facturation. Notre service facturation va "
        "vérifier les prélèvements et paiements de votre compte{detail} et reviendra vers vous "
        "avec le résultat et, si une correction s'impose, comment et quand elle sera appliquée."
    ),
    "ask_invoice": "Si vous avez le numéro de facture, indiquez-le dans votre réponse.",
    "ask_invoice_date": (
        "Si vous avez le numéro de facture ou la date du prélèvement, indiquez-les dans votre "
        "réponse."
    ),
    "no_cards": "Merci de ne pas inclure de numéro de carte ni de mot de passe.",
    "attached_one": "Merci aussi pour le fichier joint {files}.",
    "attached_many": "Merci aussi pour les fichiers joints {files}.",
    "shows": "On y voit l'erreur {error}.",
    "reported": "Vous signalez l'erreur {error}.",
    "e413": (
        "Cette erreur signifie que le fichier ou la requête dépasse la taille maximale d'envoi "
        "acceptée par le serveur. Notre équipe technique va vérifier la limite d'envoi qui "
        "s'applique à votre compte ; en attendant, un fichier plus petit (ou découpé en "
        "plusieurs parties) devrait passer."
    ),
    "e_auth": (
        "Cette erreur signifie que le serveur refuse l'accès au compte connecté ; notre équipe "
        "technique va vérifier les droits du compte."
    ),
    "e_rate": (
        "Cette erreur signifie que trop de requêtes sont arrivées en peu de temps ; notre "
        "équipe technique va vérifier les limites qui s'appliquent à votre compte."
    ),
    "e_server": (
        "Cette erreur vient de nos serveurs, pas de votre appareil, et notre équipe technique "
        "s'en occupe."
    ),
    "e_other": "Notre équipe technique va rechercher cette erreur.",
    "tried": "Vous avez déjà essayé {items} : inutile de le refaire.",
    "restart": "de redémarrer",
    "reinstall": "de réinstaller",
    "cache": "de vider le cache",
    "other_browser": "un autre navigateur",
    "other_device": "un autre appareil",
    "update": "de mettre à jour l'application",
    "ask_tech": (
        "Pour que notre équipe technique puisse le reproduire rapidement, pourriez-vous nous "
        "indiquer {items} ?"
    ),
    "steps": "les étapes qui mènent au problème",
    "error": "le message d'erreur exact",
    "device": "l'appareil, le navigateur ou la version de l'application",
    "logs": "une capture d'écran ou un journal",
    "follow_up": "Nous reviendrons vers vous dès que nous en saurons plus.",
    "locked": (
        "Vous avez déjà réinitialisé votre mot de passe{times} : le problème ne vient donc très "
        "probablement pas du mot de passe lui-même. Après plusieurs échecs de connexion, le "
        "compte peut être verrouillé, ou un paramètre de sécurité peut bloquer l'accès. Notre "
        "équipe va vérifier si votre compte est verrouillé et, après avoir confirmé que la "
        "demande vient du titulaire du compte, le déverrouiller par notre procédure sécurisée. "
        "En attendant, merci de ne pas réinitialiser à nouveau le mot de passe."
    ),
    "locked_said": (
        "Vous nous indiquez que votre compte est bloqué. Notre équipe va vérifier le blocage "
        "et, après avoir confirmé que la demande vient du titulaire du compte, le débloquer par "
        "notre procédure sécurisée."
    ),
    "reset_missing": (
        "L'e-mail de réinitialisation du mot de passe ne semble pas vous parvenir. Vérifiez vos "
        "courriers indésirables ; notre équipe va vérifier l'adresse e-mail enregistrée sur le "
        "compte et la bonne remise de nos e-mails."
    ),
    "twice_times": " deux fois",
    "n_times": " {n} fois",
    "secrets": (
        "Pour votre sécurité, nous ne vous demanderons jamais votre mot de passe ni de codes à "
        "usage unique : ne nous les envoyez pas."
    ),
    "general_doc": (
        "Nous examinons votre question concernant {doc} et reviendrons vers vous très bientôt "
        "avec une réponse complète."
    ),
    "link": "Vous trouverez les étapes dans notre article d'aide « {title} » : {url}",
    "and": "et",
}

PT: Phrases = {
    "doc_invoice": "a fatura {ref}",
    "doc_order": "a encomenda {ref}",
    "doc_plan": "o plano {ref}",
    "twice_doc": (
        "Lamentamos que {doc}{detail} lhe tenha sido cobrada duas vezes. A nossa equipa de "
        "faturação vai verificar a cobrança duplicada ({ref}) e, depois de confirmada, "
        "devolver o valor cobrado a mais no seu meio de pagamento original. Informaremos o "
        "resultado por e-mail."
    ),
    "twice": (
        "Lamentamos que lhe tenham cobrado duas vezes{detail}. A nossa equipa de faturação vai "
        "verificar a cobrança duplicada e, depois de confirmada, devolver o valor cobrado a "
        "mais no seu meio de pagamento original. Informaremos o resultado por e-mail."
    ),
    "paid_doc": (
        "Obrigado por nos informar de que já pagou {doc}{detail}. A nossa equipa de faturação "
        "vai associar o seu pagamento e corrigir o estado da sua conta."
    ),
    "paid": (
        "Obrigado por nos informar de que já pagou{detail}. A nossa equipa de faturação vai "
        "associar o seu pagamento e corrigir o estado da sua conta."
    ),
    "review_doc": (
        "A nossa equipa de faturação vai analisar {doc}{detail} e os pagamentos da sua conta e "
        "responderá com o resultado e, se for necessária uma correção, como e quando será "
        "aplicada."
    ),
    "review": (
        "Lamentamos o incómodo com a sua faturação. A nossa equipa de faturação vai analisar as "
        "cobranças e pagamentos da sua conta{detail} e responderá com o resultado e, se for "
        "necessária uma correção, como e quando será aplicada."
    ),
    "ask_invoice": "Se tiver à mão o número da fatura, indique-o na resposta.",
    "ask_invoice_date": (
        "Se tiver à mão o número da fatura ou a data da cobrança, indique-os na resposta."
    ),
    "no_cards": "Por favor, não inclua números de cartão nem senhas no seu e-mail.",
    "attached_one": "Obrigado também pelo ficheiro anexado {files}.",
    "attached_many": "Obrigado também pelos ficheiros anexados {files}.",
    "shows": "Nele é visível o erro {error}.",
    "reported": "Indica o erro {error}.",
    "e413": (
        "Este erro significa que o ficheiro ou o pedido excede o limite de tamanho de envio "
        "aceite pelo servidor. A nossa equipa técnica vai verificar o limite de envio que se "
        "aplica à sua conta; entretanto, um ficheiro mais pequeno (ou dividido em partes) "
        "deverá passar."
    ),
    "e_auth": (
        "Este erro significa que o servidor recusa o acesso à conta com sessão iniciada; a "
        "nossa equipa técnica vai verificar as permissões da conta."
    ),
    "e_rate": (
        "Este erro significa que chegaram demasiados pedidos em pouco tempo; a nossa equipa "
        "técnica vai verificar os limites que se aplicam à sua conta."
    ),
    "e_server": (
        "Este erro vem dos nossos servidores, não do seu dispositivo, e a nossa equipa técnica "
        "vai analisá-lo."
    ),
    "e_other": "A nossa equipa técnica vai pesquisar este erro.",
    "tried": "Já experimentou {items}, por isso não precisa de o repetir.",
    "restart": "reiniciar",
    "reinstall": "reinstalar",
    "cache": "limpar a cache",
    "other_browser": "outro navegador",
    "other_device": "outro dispositivo",
    "update": "atualizar a aplicação",
    "ask_tech": (
        "Para que a nossa equipa técnica o possa reproduzir rapidamente, pode indicar {items}?"
    ),
    "steps": "os passos que levam ao problema",
    "error": "a mensagem de erro exata",
    "device": "o dispositivo, navegador ou versão da aplicação",
    "logs": "uma captura de ecrã ou um registo",
    "follow_up": "Daremos notícias assim que soubermos mais.",
    "locked": (
        "Já redefiniu a sua senha{times}, por isso o problema muito provavelmente não é a "
        "senha: após várias tentativas falhadas a conta pode estar bloqueada, ou uma definição "
        "de segurança pode estar a impedir o acesso. A nossa equipa vai verificar se a sua "
        "conta está bloqueada e, depois de confirmar que o pedido vem do titular da conta, "
        "desbloqueá-la através do nosso processo seguro. Entretanto, por favor não volte a "
        "redefinir a senha."
    ),
    "locked_said": (
        "Indica que a sua conta está bloqueada. A nossa equipa vai verificar o bloqueio e, "
        "depois de confirmar que o pedido vem do titular da conta, desbloqueá-la através do "
        "nosso processo seguro."
    ),
    "reset_missing": (
        "O e-mail de redefinição da senha parece não lhe chegar. Verifique a pasta de spam; a "
        "nossa equipa vai verificar o endereço de e-mail registado na conta e se os nossos "
        "e-mails são entregues."
    ),
    "twice_times": " duas vezes",
    "n_times": " {n} vezes",
    "secrets": (
        "Por segurança, nunca pediremos a sua senha nem códigos de uso único, por isso não os "
        "envie."
    ),
    "general_doc": (
        "Estamos a analisar a sua questão sobre {doc} e responderemos em breve com uma "
        "resposta completa."
    ),
    "link": "Encontra os passos no nosso artigo de ajuda «{title}»: {url}",
    "and": "e",
}

PHRASES: dict[str, Phrases] = {"en": EN, "de": DE, "es": ES, "fr": FR, "pt": PT}
