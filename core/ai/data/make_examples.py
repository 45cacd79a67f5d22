"""Generate the offline classifier's labelled training emails (``examples.jsonl``).

Hand-written fragments (problem statements tagged with a category and a base urgency,
openers, details, urgency cues, closings) in English, German, Spanish, French and
Portuguese are combined by a seeded random generator, so the output is identical on every
run. None of this text comes from the evaluation corpora in ``../shared/corpora``.

    .venv/bin/python core/ai/data/make_examples.py      # rewrites examples.jsonl
"""

from __future__ import annotations

import json
import random
from pathlib import Path

SEED = 20240611
OUT = Path(__file__).with_name("examples.jsonl")

BILLING = "Billing"
TECH = "Technical"
LOGIN = "Login / Access"
FEATURE = "Feature Request"
GENERAL = "General Inquiry"
OTHER = "Other"
CATEGORIES = [BILLING, TECH, LOGIN, FEATURE, GENERAL, OTHER]
URGENCY = {"L": "Low", "M": "Medium", "H": "High"}

# language -> examples per category
PER_CATEGORY = {"en": 70, "de": 30, "es": 30, "fr": 30, "pt": 30}

# fragment: (sentence, base urgency L|M|H)
PROBLEMS: dict[str, dict[str, list[tuple[str, str]]]] = {
    "en": {
        BILLING: [
            ("I was charged twice for my {plan} subscription this month.", "M"),
            ("My invoice {invoice} shows {amount}, but the price we agreed on was lower.", "M"),
            (
                "I cancelled my subscription last month but you still took a payment from my card.",
                "M",
            ),
            (
                "Could you send me a copy of invoice {invoice}? Our accounting department needs it.",
                "L",
            ),
            ("I need an invoice with our company VAT number on it.", "L"),
            ("My credit card expired and I would like to update the payment method on file.", "L"),
            (
                "The payment for order {order} was declined although my card works everywhere else.",
                "M",
            ),
            ("I returned the {product} two weeks ago and I am still waiting for my refund.", "M"),
            ("I would like a refund for the {product}, it arrived damaged.", "M"),
            ("Is there a fee if I cancel my contract before the end of the term?", "L"),
            ("Which payment methods do you accept? Can I pay by bank transfer or PayPal?", "L"),
            ("The discount code was not applied at checkout and I paid the full price.", "L"),
            (
                "Why did my monthly bill go up? I did not get any notice about a price increase.",
                "M",
            ),
            ("There is an unknown charge of {amount} from your company on my bank statement.", "H"),
            ("Please update the billing address on our account, we have moved offices.", "L"),
            ("When will the refund of {amount} for order {order} reach my account?", "M"),
            ("We were billed for 25 seats but we only have 10 users.", "M"),
            ("I want to send back the {product} and exchange it for another model.", "L"),
            (
                "Our payment keeps failing and your system says the account will be suspended tomorrow.",
                "H",
            ),
            (
                "The automatic renewal charged me for a whole year, but I chose monthly billing.",
                "M",
            ),
            (
                "Can you explain the charges on my last statement? I don't understand the line items.",
                "L",
            ),
            (
                "Your refund policy says 30 days; I bought the {product} 20 days ago and want my money back.",
                "M",
            ),
            ("How much is the cancellation fee for ending my plan early?", "L"),
            ("I was overcharged on order {order}, the shipping cost was added twice.", "M"),
            ("Please cancel the recurring payment, I do not want to be billed again.", "M"),
            ("Where can I download my receipts for the last six months?", "L"),
        ],
        TECH: [
            ("The app crashes every time I open the reports page.", "M"),
            ("Since the last update, syncing between my phone and my laptop no longer works.", "M"),
            ("I get error {error} when I try to upload a file larger than 10 MB.", "M"),
            ("The website is extremely slow today, pages take more than a minute to load.", "M"),
            ("Our whole team cannot open the dashboard, it only shows a blank page.", "H"),
            (
                "The API returns 500 Internal Server Error for every request since this morning.",
                "H",
            ),
            ("Your service is down for all our users and our production has stopped.", "H"),
            ("My {device} won't turn on anymore after the firmware update.", "M"),
            ("The office printer reports a paper jam although there is no paper stuck.", "L"),
            ("Exporting a report to PDF produces an empty file.", "M"),
            ("Push notifications stopped arriving on Android phones.", "L"),
            ("The nightly database backup failed with a timeout.", "H"),
            ("Our VPN connection drops every few minutes.", "M"),
            ("Emails sent from the platform end up in the recipients' spam folder.", "M"),
            ("The webhook integration with our CRM stopped firing.", "M"),
            ("Search returns no results, even for records I know exist.", "M"),
            ("After installing the new version the program freezes on the loading screen.", "M"),
            ("The laptop you delivered overheats and shuts down during video calls.", "M"),
            ("Some of our records disappeared after the data migration.", "H"),
            ("The mobile app shows a spinning wheel and never finishes loading.", "M"),
            ("The charts on the analytics page show different numbers than the raw data.", "L"),
            ("We suspect a security breach: unknown devices show up in our server logs.", "H"),
            ("The Wi-Fi keeps disconnecting on the machines you set up for us.", "M"),
            ("The checkout page throws a JavaScript error in Safari.", "M"),
            ("The software becomes very slow when more than five people use it at once.", "M"),
            ("Monitoring says the disk is almost full and the application keeps crashing.", "H"),
            ("The scanner driver is not recognised after the Windows update.", "L"),
            ("Video calls have no sound on the headsets we bought from you.", "M"),
            ("Our online shop is offline and customers get a 502 Bad Gateway error.", "H"),
            ("Scheduled jobs run twice since the server was moved to the cloud.", "M"),
        ],
        LOGIN: [
            ("I forgot my password and the reset link never arrives in my inbox.", "M"),
            ("My account has been locked after too many login attempts.", "M"),
            ("I lost my phone and can no longer receive the two-factor authentication codes.", "M"),
            ("Single sign-on with our Microsoft account fails with 'access denied'.", "M"),
            ("A new colleague needs access to our workspace, how do I invite her?", "L"),
            ("I can't log in; it says my email is not registered, but I do have an account.", "M"),
            ("Please remove the access of a former employee who left the company.", "M"),
            ("I'm trying to sign up but the registration form gives me an error.", "L"),
            ("How do I change the email address I use to sign in?", "L"),
            ("I would like to delete my account and the personal data attached to it.", "L"),
            ("I have two accounts and would like to switch between them or merge them.", "L"),
            ("None of our employees can sign in since this morning.", "H"),
            ("The verification code by SMS never arrives when I try to log in.", "M"),
            (
                "I get 'permission denied' when opening the shared folder, although I'm an admin.",
                "M",
            ),
            ("My username was changed and now I cannot log in anymore.", "M"),
            ("The password reset page says that my link has expired.", "L"),
            ("How can I update the name and phone number in my profile?", "L"),
            ("The login page keeps redirecting me back to the start page.", "M"),
            ("Our only admin account is locked and nobody else can manage users.", "H"),
            ("I cannot create a new account with my work email address.", "L"),
            ("My colleague's access rights are wrong, she can't see the projects she needs.", "M"),
            ("The app logs me out every few minutes and I have to sign in again.", "M"),
        ],
        FEATURE: [
            ("It would be great if you could add a dark mode to the app.", "L"),
            ("Please consider adding an export to Excel or CSV for the reports.", "L"),
            ("Do you plan an integration with Slack or Microsoft Teams?", "L"),
            ("We would love to have bulk editing for products.", "L"),
            ("Could you add support for more languages, especially Italian?", "L"),
            ("A calendar view for tasks would make planning much easier.", "L"),
            ("I'd like to suggest an option to schedule emails for later.", "L"),
            ("Please add custom fields to the customer records.", "L"),
            ("Is there any chance of getting an API endpoint for exporting reports?", "L"),
            ("It would help a lot if the mobile app also worked offline.", "L"),
            ("Feature suggestion: let admins create roles with limited permissions.", "L"),
            ("Could you make it possible to attach files to comments?", "L"),
            ("Is support for hardware security keys on your roadmap?", "L"),
            ("Our team would pay more for a version with advanced analytics dashboards.", "L"),
            ("A keyboard shortcut to archive items would save me a lot of time.", "L"),
            ("It would be nice to filter the search results by date range.", "L"),
            (
                "We are missing a high-contrast theme and a larger font option for accessibility.",
                "L",
            ),
            ("Would you consider adding a public status page for your service?", "L"),
            ("I wish the dashboard widgets could be rearranged by drag and drop.", "L"),
            ("Our contract renewal depends on having audit logs, please add them.", "M"),
        ],
        GENERAL: [
            ("What are your customer service opening hours?", "L"),
            ("Where is my order {order}? The tracking hasn't been updated for a week.", "M"),
            ("How long does delivery to Canada usually take?", "L"),
            ("I need to change the shipping address for my order {order}.", "M"),
            ("Can I cancel order {order}? I placed it by mistake.", "M"),
            ("Do you offer a discount for students or non-profits?", "L"),
            ("Is the {product} compatible with Mac computers?", "L"),
            ("I'd like to talk to a human agent, not a bot.", "M"),
            ("Could you send me more information about your business plan?", "L"),
            ("Do you ship to Switzerland, and what does shipping cost?", "L"),
            ("When will the {product} be back in stock?", "L"),
            ("How do I place an order by phone?", "L"),
            ("I want to change my order and add one more {product}.", "M"),
            ("Can I book a demo of your software for my team?", "L"),
            ("Where can I find the user manual for the {product}?", "L"),
            ("What is the difference between the Standard and the Pro plan?", "L"),
            ("Please sign me up for your newsletter.", "L"),
            ("How do I unsubscribe from your newsletter?", "L"),
            ("Is there a phone number I can call to reach someone?", "L"),
            ("Which express delivery options do you have?", "L"),
            ("My package was marked as delivered but I never received it.", "M"),
            ("Can I pick up the order in your store instead of having it delivered?", "L"),
            ("Could I get a quote for 50 licenses?", "L"),
            ("Do you have a warranty on refurbished devices?", "L"),
            ("How do I set up a delivery address for my company?", "L"),
        ],
        OTHER: [
            ("I just wanted to say thank you, your support team was fantastic!", "L"),
            ("Great product, I gave you five stars in the app store.", "L"),
            ("I am very disappointed with how rudely your agent treated me on the phone.", "M"),
            ("We offer SEO services that will put your website on the first page of Google.", "L"),
            ("I'm applying for the marketing position on your website; my CV is attached.", "L"),
            ("This email was sent to the wrong address, please ignore it.", "L"),
            ("When will my salary be paid this month? My payslip is missing.", "M"),
            ("I would like to request two weeks of vacation in August.", "L"),
            ("Congratulations, you have won a free cruise! Click here to claim your prize.", "L"),
            (
                "I am a journalist writing about your company; could someone answer a few questions?",
                "L",
            ),
            ("Please fill in our annual supplier survey by Friday.", "L"),
            ("I want to file a formal complaint about the behaviour of your delivery driver.", "M"),
            ("I am out of the office until Monday and will reply when I'm back.", "L"),
            ("Could your CEO speak at our conference next spring?", "L"),
            ("My manager has not approved my overtime hours in the HR system.", "M"),
            ("I want to leave a review: the service was slow but the staff were friendly.", "L"),
            ("Your product is terrible and I will tell everyone about it.", "M"),
            ("We are interested in a partnership to resell your products in Poland.", "L"),
            ("Happy holidays to the whole team!", "L"),
            ("How many days of parental leave am I entitled to?", "L"),
        ],
    },
    "de": {
        BILLING: [
            ("Mir wurde mein Abonnement diesen Monat doppelt abgebucht.", "M"),
            ("Auf der Rechnung {invoice} steht ein falscher Betrag.", "M"),
            (
                "Ich habe mein Abo gekündigt, aber es wurde trotzdem Geld von meiner Kreditkarte abgebucht.",
                "M",
            ),
            ("Bitte senden Sie mir eine Kopie der Rechnung {invoice} für unsere Buchhaltung.", "L"),
            ("Ich möchte meine Zahlungsmethode ändern, da meine Karte abgelaufen ist.", "L"),
            ("Die Zahlung für Bestellung {order} wurde abgelehnt.", "M"),
            (
                "Ich warte seit drei Wochen auf die Rückerstattung für den zurückgeschickten {product}.",
                "M",
            ),
            ("Ich möchte den {product} zurückgeben und mein Geld zurückerhalten.", "L"),
            ("Fallen Gebühren an, wenn ich den Vertrag vorzeitig kündige?", "L"),
            (
                "Auf meinem Kontoauszug ist eine unbekannte Abbuchung über {amount} von Ihrer Firma.",
                "H",
            ),
            ("Welche Zahlungsarten akzeptieren Sie? Ist eine Überweisung möglich?", "L"),
            ("Unsere Zahlung schlägt immer wieder fehl und das Konto wird morgen gesperrt.", "H"),
            ("Bitte ändern Sie die Rechnungsadresse, wir sind umgezogen.", "L"),
            ("Wir haben für 20 Lizenzen bezahlt, nutzen aber nur 8.", "M"),
        ],
        TECH: [
            ("Die App stürzt jedes Mal ab, wenn ich die Berichte öffne.", "M"),
            ("Seit dem letzten Update funktioniert die Synchronisierung nicht mehr.", "M"),
            ("Beim Hochladen von Dateien erscheint die Fehlermeldung {error}.", "M"),
            ("Die Webseite lädt heute extrem langsam.", "M"),
            ("Der Server ist ausgefallen und keiner unserer Mitarbeiter kann arbeiten.", "H"),
            ("Die Schnittstelle liefert seit heute Morgen nur noch Fehler 500.", "H"),
            ("Mein {device} lässt sich nach dem Firmware-Update nicht mehr einschalten.", "M"),
            ("Der Drucker im Büro meldet ständig einen Papierstau.", "L"),
            ("Die VPN-Verbindung bricht alle paar Minuten ab.", "M"),
            ("Nach der Migration fehlen Daten in unserer Datenbank.", "H"),
            ("Das Programm friert beim Start ein.", "M"),
            (
                "Wir vermuten einen Sicherheitsvorfall, es gibt unbekannte Zugriffe in den Logs.",
                "H",
            ),
            ("Das WLAN trennt sich ständig auf den Laptops.", "M"),
            ("Die Software ist sehr langsam, sobald mehrere Kollegen gleichzeitig arbeiten.", "M"),
        ],
        LOGIN: [
            ("Ich habe mein Passwort vergessen und der Link zum Zurücksetzen kommt nicht an.", "M"),
            ("Mein Konto wurde nach zu vielen Anmeldeversuchen gesperrt.", "M"),
            (
                "Ich habe mein Handy verloren und bekomme keine Codes für die Zwei-Faktor-Authentifizierung mehr.",
                "M",
            ),
            ("Die Anmeldung über Single Sign-On schlägt fehl.", "M"),
            ("Eine neue Kollegin braucht Zugriff auf unseren Arbeitsbereich.", "L"),
            ("Bitte entfernen Sie den Zugang eines ehemaligen Mitarbeiters.", "M"),
            ("Ich kann mich nicht registrieren, das Formular zeigt einen Fehler.", "L"),
            ("Wie ändere ich die E-Mail-Adresse für die Anmeldung?", "L"),
            ("Ich möchte mein Benutzerkonto löschen.", "L"),
            ("Seit heute Morgen kann sich niemand in unserer Firma mehr anmelden.", "H"),
            ("Ich erhalte 'Zugriff verweigert', obwohl ich Administrator bin.", "M"),
            ("Ich werde ständig ausgeloggt und muss mich neu anmelden.", "M"),
        ],
        FEATURE: [
            ("Es wäre toll, wenn die App einen Dunkelmodus hätte.", "L"),
            ("Bitte fügen Sie einen Export nach Excel hinzu.", "L"),
            ("Planen Sie eine Integration mit Microsoft Teams?", "L"),
            ("Ich schlage vor, eine Kalenderansicht für Aufgaben einzubauen.", "L"),
            ("Wir würden uns eine Massenbearbeitung von Artikeln wünschen.", "L"),
            ("Könnten Sie weitere Sprachen unterstützen, zum Beispiel Polnisch?", "L"),
            ("Eine Offline-Funktion für die mobile App wäre sehr hilfreich.", "L"),
            ("Verbesserungsvorschlag: benutzerdefinierte Felder für Kundendaten.", "L"),
            ("Wäre es möglich, Berichte automatisch per E-Mail zu verschicken?", "L"),
        ],
        GENERAL: [
            (
                "Wo ist meine Bestellung {order}? Die Sendungsverfolgung zeigt seit Tagen nichts Neues.",
                "M",
            ),
            ("Wie lange dauert die Lieferung nach Österreich?", "L"),
            ("Ich möchte die Lieferadresse für Bestellung {order} ändern.", "M"),
            ("Kann ich meine Bestellung {order} stornieren?", "M"),
            ("Was sind Ihre Öffnungszeiten für den Kundenservice?", "L"),
            ("Ist der {product} mit macOS kompatibel?", "L"),
            ("Ich möchte bitte mit einem Mitarbeiter sprechen.", "M"),
            ("Wann ist der {product} wieder lieferbar?", "L"),
            ("Können Sie mir ein Angebot für 20 Lizenzen schicken?", "L"),
            ("Wie kann ich mich für den Newsletter anmelden?", "L"),
            ("Was ist der Unterschied zwischen dem Standard- und dem Pro-Tarif?", "L"),
            ("Bieten Sie auch eine Schulung für neue Mitarbeiter an?", "L"),
        ],
        OTHER: [
            ("Ich möchte mich herzlich für die schnelle Hilfe bedanken!", "L"),
            ("Ich bin sehr unzufrieden mit dem unfreundlichen Verhalten Ihres Mitarbeiters.", "M"),
            ("Wir bieten günstige Suchmaschinenoptimierung für Ihre Webseite an.", "L"),
            ("Anbei meine Bewerbung für die ausgeschriebene Stelle.", "L"),
            ("Wann wird mein Gehalt überwiesen? Meine Gehaltsabrechnung fehlt.", "M"),
            ("Ich möchte im August zwei Wochen Urlaub beantragen.", "L"),
            ("Diese E-Mail ging an den falschen Empfänger, bitte ignorieren.", "L"),
            ("Herzlichen Glückwunsch, Sie haben gewonnen! Klicken Sie hier.", "L"),
        ],
    },
    "es": {
        BILLING: [
            ("Me han cobrado dos veces la suscripción este mes.", "M"),
            ("La factura {invoice} tiene un importe incorrecto.", "M"),
            ("Cancelé mi suscripción pero siguen cobrándome en la tarjeta.", "M"),
            ("¿Podrían enviarme una copia de la factura {invoice}?", "L"),
            ("Quiero cambiar el método de pago porque mi tarjeta ha caducado.", "L"),
            ("El pago del pedido {order} fue rechazado.", "M"),
            ("Devolví el {product} hace dos semanas y todavía no he recibido el reembolso.", "M"),
            ("Quiero devolver el {product} y que me devuelvan el dinero.", "L"),
            ("¿Hay alguna penalización por cancelar el contrato antes de tiempo?", "L"),
            ("Aparece un cargo desconocido de {amount} de su empresa en mi cuenta bancaria.", "H"),
            ("¿Qué formas de pago aceptan? ¿Puedo pagar por transferencia?", "L"),
            ("Necesito una factura con el NIF de mi empresa.", "L"),
        ],
        TECH: [
            ("La aplicación se cierra cada vez que abro los informes.", "M"),
            ("Desde la última actualización la sincronización no funciona.", "M"),
            ("Al subir archivos aparece el error {error}.", "M"),
            ("La página web va muy lenta hoy.", "M"),
            ("El servidor está caído y ningún empleado puede trabajar.", "H"),
            ("La API devuelve errores 500 desde esta mañana.", "H"),
            ("Mi {device} no enciende después de la actualización del firmware.", "M"),
            ("La impresora de la oficina indica un atasco de papel constantemente.", "L"),
            ("La conexión VPN se corta cada pocos minutos.", "M"),
            ("Faltan datos en la base de datos después de la migración.", "H"),
            ("El programa se congela al iniciar.", "M"),
            ("Sospechamos una brecha de seguridad en nuestros sistemas.", "H"),
            ("El rendimiento del sistema es muy lento desde el cambio de servidor.", "M"),
        ],
        LOGIN: [
            ("Olvidé mi contraseña y no me llega el enlace para restablecerla.", "M"),
            ("Mi cuenta está bloqueada por demasiados intentos de inicio de sesión.", "M"),
            ("Perdí mi móvil y ya no recibo los códigos de verificación en dos pasos.", "M"),
            ("No puedo entrar con el inicio de sesión único (SSO).", "M"),
            ("Una nueva compañera necesita acceso a nuestra cuenta.", "L"),
            ("Por favor, eliminen el acceso de un antiguo empleado.", "M"),
            ("No consigo registrarme, el formulario da un error.", "L"),
            ("¿Cómo cambio el correo electrónico con el que inicio sesión?", "L"),
            ("Quiero eliminar mi cuenta.", "L"),
            ("Nadie en la empresa puede acceder desde esta mañana.", "H"),
            ("Me aparece 'acceso denegado' aunque soy administrador.", "M"),
        ],
        FEATURE: [
            ("Sería genial que la aplicación tuviera modo oscuro.", "L"),
            ("Por favor, añadan la exportación a Excel.", "L"),
            ("¿Tienen previsto integrarse con Slack?", "L"),
            ("Les sugiero añadir una vista de calendario.", "L"),
            ("Nos gustaría poder editar productos de forma masiva.", "L"),
            ("Sería muy útil que la app funcionara sin conexión.", "L"),
            ("Propuesta de mejora: campos personalizados en las fichas de clientes.", "L"),
        ],
        GENERAL: [
            ("¿Dónde está mi pedido {order}? El seguimiento no se actualiza.", "M"),
            ("¿Cuánto tarda el envío a México?", "L"),
            ("Necesito cambiar la dirección de envío del pedido {order}.", "M"),
            ("¿Puedo cancelar mi pedido {order}?", "M"),
            ("¿Cuál es el horario de atención al cliente?", "L"),
            ("¿El {product} es compatible con Mac?", "L"),
            ("Quiero hablar con una persona, no con un robot.", "M"),
            ("¿Cuándo volverá a estar disponible el {product}?", "L"),
            ("¿Me pueden enviar un presupuesto para 30 licencias?", "L"),
            ("¿Cómo me doy de baja del boletín?", "L"),
            ("¿Ofrecen formación para usar el producto?", "L"),
        ],
        OTHER: [
            ("Solo quería dar las gracias, su equipo de soporte es excelente.", "L"),
            ("Estoy muy decepcionado con el trato de su agente.", "M"),
            ("Ofrecemos servicios de posicionamiento web a precios increíbles.", "L"),
            ("Adjunto mi currículum para el puesto de marketing.", "L"),
            ("¿Cuándo se pagará la nómina de este mes?", "M"),
            ("Quisiera solicitar vacaciones para la primera semana de agosto.", "L"),
            ("Este correo llegó por error, por favor ignórenlo.", "L"),
            ("¡Enhorabuena, ha ganado un premio! Haga clic aquí.", "L"),
        ],
    },
    "fr": {
        BILLING: [
            ("J'ai été débité deux fois pour mon abonnement ce mois-ci.", "M"),
            ("La facture {invoice} comporte un montant erroné.", "M"),
            ("J'ai résilié mon abonnement mais vous continuez à prélever ma carte.", "M"),
            ("Pourriez-vous m'envoyer une copie de la facture {invoice} ?", "L"),
            ("Je souhaite changer de moyen de paiement, ma carte a expiré.", "L"),
            ("Le paiement de la commande {order} a été refusé.", "M"),
            (
                "J'ai renvoyé le {product} il y a deux semaines et je n'ai toujours pas été remboursé.",
                "M",
            ),
            ("Je voudrais retourner le {product} et être remboursé.", "L"),
            ("Y a-t-il des frais si je résilie mon contrat avant la fin ?", "L"),
            (
                "Un prélèvement inconnu de {amount} de votre société apparaît sur mon relevé bancaire.",
                "H",
            ),
            ("Quels moyens de paiement acceptez-vous ? Le virement est-il possible ?", "L"),
        ],
        TECH: [
            ("L'application plante à chaque fois que j'ouvre les rapports.", "M"),
            ("Depuis la dernière mise à jour, la synchronisation ne fonctionne plus.", "M"),
            ("Lors de l'envoi de fichiers, j'obtiens l'erreur {error}.", "M"),
            ("Le site est très lent aujourd'hui.", "M"),
            ("Le serveur est en panne et aucun employé ne peut travailler.", "H"),
            ("L'API renvoie des erreurs 500 depuis ce matin.", "H"),
            ("Mon {device} ne s'allume plus après la mise à jour du firmware.", "M"),
            ("L'imprimante du bureau signale sans arrêt un bourrage papier.", "L"),
            ("La connexion VPN se coupe toutes les quelques minutes.", "M"),
            ("Des données ont disparu de la base après la migration.", "H"),
            ("Le logiciel se fige au démarrage.", "M"),
            ("Nous soupçonnons une faille de sécurité sur notre réseau.", "H"),
        ],
        LOGIN: [
            ("J'ai oublié mon mot de passe et le lien de réinitialisation n'arrive pas.", "M"),
            ("Mon compte est bloqué après trop de tentatives de connexion.", "M"),
            (
                "J'ai perdu mon téléphone et je ne reçois plus les codes de double authentification.",
                "M",
            ),
            ("La connexion via l'authentification unique (SSO) échoue.", "M"),
            ("Une nouvelle collègue a besoin d'un accès à notre espace.", "L"),
            ("Merci de supprimer l'accès d'un ancien employé.", "M"),
            ("Je n'arrive pas à créer un compte, le formulaire affiche une erreur.", "L"),
            ("Comment modifier l'adresse e-mail de connexion ?", "L"),
            ("Je souhaite supprimer mon compte.", "L"),
            ("Plus personne dans l'entreprise ne peut se connecter depuis ce matin.", "H"),
        ],
        FEATURE: [
            ("Ce serait génial d'avoir un mode sombre dans l'application.", "L"),
            ("Pourriez-vous ajouter un export vers Excel ?", "L"),
            ("Prévoyez-vous une intégration avec Microsoft Teams ?", "L"),
            ("Je suggère d'ajouter une vue calendrier.", "L"),
            ("Nous aimerions pouvoir modifier les produits en masse.", "L"),
            (
                "Une suggestion d'amélioration : des champs personnalisés pour les fiches clients.",
                "L",
            ),
        ],
        GENERAL: [
            ("Où en est ma commande {order} ? Le suivi n'a pas bougé depuis une semaine.", "M"),
            ("Quel est le délai de livraison pour la Belgique ?", "L"),
            ("Je dois modifier l'adresse de livraison de la commande {order}.", "M"),
            ("Puis-je annuler ma commande {order} ?", "M"),
            ("Quels sont vos horaires d'ouverture du service client ?", "L"),
            ("Le {product} est-il compatible avec Mac ?", "L"),
            ("Je voudrais parler à un conseiller.", "M"),
            ("Quand le {product} sera-t-il de nouveau en stock ?", "L"),
            ("Pouvez-vous m'envoyer un devis pour 15 licences ?", "L"),
            ("Comment me désabonner de la newsletter ?", "L"),
        ],
        OTHER: [
            ("Je voulais simplement vous remercier pour votre aide rapide.", "L"),
            ("Je suis très mécontent de l'attitude de votre conseiller.", "M"),
            ("Nous proposons des services de référencement à prix imbattables.", "L"),
            ("Veuillez trouver ci-joint ma candidature pour le poste de commercial.", "L"),
            ("Quand mon salaire sera-t-il versé ? Ma fiche de paie est manquante.", "M"),
            ("Je souhaite poser deux semaines de congés en août.", "L"),
            ("Ce message vous a été envoyé par erreur.", "L"),
        ],
    },
    "pt": {
        BILLING: [
            ("Fui cobrado duas vezes pela assinatura este mês.", "M"),
            ("A fatura {invoice} tem um valor errado.", "M"),
            ("Cancelei a assinatura, mas continuam a cobrar no meu cartão.", "M"),
            ("Podem enviar-me uma cópia da fatura {invoice}?", "L"),
            ("Quero alterar a forma de pagamento, o meu cartão expirou.", "L"),
            ("O pagamento da encomenda {order} foi recusado.", "M"),
            ("Devolvi o {product} há duas semanas e ainda não recebi o reembolso.", "M"),
            ("Quero devolver o {product} e receber o meu dinheiro de volta.", "L"),
            ("Há alguma taxa se eu cancelar o contrato antes do prazo?", "L"),
            (
                "Apareceu uma cobrança desconhecida de {amount} da vossa empresa no meu extrato.",
                "H",
            ),
        ],
        TECH: [
            ("O aplicativo fecha sozinho sempre que abro os relatórios.", "M"),
            ("Desde a última atualização a sincronização não funciona.", "M"),
            ("Ao enviar arquivos aparece o erro {error}.", "M"),
            ("O site está muito lento hoje.", "M"),
            ("O servidor caiu e nenhum funcionário consegue trabalhar.", "H"),
            ("A API retorna erro 500 desde esta manhã.", "H"),
            ("O meu {device} não liga depois da atualização do firmware.", "M"),
            ("A impressora do escritório indica encravamento de papel.", "L"),
            ("A ligação VPN cai a cada poucos minutos.", "M"),
            ("Desapareceram dados do banco de dados após a migração.", "H"),
            ("Suspeitamos de uma violação de segurança nos nossos sistemas.", "H"),
        ],
        LOGIN: [
            ("Esqueci a minha senha e o link de redefinição não chega.", "M"),
            ("A minha conta foi bloqueada depois de várias tentativas de login.", "M"),
            ("Perdi o telemóvel e já não recebo os códigos de autenticação de dois fatores.", "M"),
            ("O login com SSO falha.", "M"),
            ("Uma nova colega precisa de acesso à nossa conta.", "L"),
            ("Por favor, removam o acesso de um ex-funcionário.", "M"),
            ("Não consigo criar uma conta, o formulário dá erro.", "L"),
            ("Como altero o e-mail de acesso?", "L"),
            ("Quero excluir a minha conta.", "L"),
            ("Ninguém na empresa consegue entrar no sistema desde esta manhã.", "H"),
        ],
        FEATURE: [
            ("Seria ótimo ter um modo escuro no aplicativo.", "L"),
            ("Por favor, adicionem exportação para Excel.", "L"),
            ("Pretendem integrar com o Slack?", "L"),
            ("Sugiro adicionar uma visualização de calendário.", "L"),
            ("Gostaríamos de poder editar produtos em massa.", "L"),
            ("Sugestão de melhoria: campos personalizados nos registos de clientes.", "L"),
        ],
        GENERAL: [
            ("Onde está a minha encomenda {order}? O rastreamento não atualiza.", "M"),
            ("Quanto tempo demora a entrega para o Brasil?", "L"),
            ("Preciso de alterar a morada de entrega da encomenda {order}.", "M"),
            ("Posso cancelar o meu pedido {order}?", "M"),
            ("Qual é o horário do apoio ao cliente?", "L"),
            ("O {product} é compatível com Mac?", "L"),
            ("Quero falar com um atendente humano.", "M"),
            ("Quando o {product} volta a estar disponível?", "L"),
            ("Podem enviar um orçamento para 10 licenças?", "L"),
        ],
        OTHER: [
            ("Só queria agradecer a ajuda rápida da vossa equipa.", "L"),
            ("Estou muito insatisfeito com o atendimento do vosso funcionário.", "M"),
            ("Oferecemos serviços de SEO a preços imbatíveis.", "L"),
            ("Segue em anexo o meu currículo para a vaga de vendas.", "L"),
            ("Quando será pago o salário deste mês? Falta o meu recibo de vencimento.", "M"),
            ("Gostaria de pedir férias na primeira semana de agosto.", "L"),
            ("Este e-mail foi enviado por engano.", "L"),
        ],
    },
}

# category-specific context sentences (no urgency of their own)
DETAILS: dict[str, dict[str, list[str]]] = {
    "en": {
        BILLING: [
            "The invoice number is {invoice}.",
            "My order number is {order}.",
            "The amount was {amount}, charged on {date}.",
            "I attached a screenshot of my bank statement.",
            "We pay with our company credit card.",
            "I paid with PayPal.",
            "The receipt went to my old email address.",
        ],
        TECH: [
            "I already tried restarting the device and clearing the cache.",
            "It started right after the update to version {version}.",
            "We use Windows 11 and Chrome.",
            "It happens on both iOS and Android.",
            "The error code is {error}.",
            "Reinstalling did not help.",
            "I attached the log file and a screenshot.",
            "It affects about {n} users in our company.",
            "The problem comes and goes, roughly every hour.",
        ],
        LOGIN: [
            "My username is {email}.",
            "I tried three different browsers.",
            "I checked my spam folder as well.",
            "The account was created with my old work email.",
            "I am the administrator of our company account.",
        ],
        FEATURE: [
            "Many of my colleagues have asked for this.",
            "Other tools we use already have this.",
            "This would save our team hours every week.",
            "I'd be happy to test a beta version.",
        ],
        GENERAL: [
            "I ordered it on {date}.",
            "The delivery address is in {city}.",
            "I am a new customer.",
            "We are a small company with {n} employees.",
        ],
        OTHER: [
            "Have a nice weekend.",
            "Keep up the good work.",
            "I look forward to hearing from you.",
        ],
    },
    "de": {
        BILLING: [
            "Die Rechnungsnummer lautet {invoice}.",
            "Meine Bestellnummer ist {order}.",
            "Der Betrag von {amount} wurde am {date} abgebucht.",
        ],
        TECH: [
            "Ich habe das Gerät bereits neu gestartet.",
            "Das Problem tritt seit Version {version} auf.",
            "Der Fehlercode lautet {error}.",
            "Eine Neuinstallation hat nicht geholfen.",
            "Betroffen sind etwa {n} Benutzer.",
        ],
        LOGIN: ["Mein Benutzername ist {email}.", "Ich habe auch im Spam-Ordner nachgesehen."],
        FEATURE: ["Viele Kollegen wünschen sich das.", "Das würde uns viel Zeit sparen."],
        GENERAL: ["Ich habe am {date} bestellt.", "Die Lieferadresse ist in {city}."],
        OTHER: ["Schönes Wochenende!", "Weiter so!"],
    },
    "es": {
        BILLING: [
            "El número de factura es {invoice}.",
            "Mi número de pedido es {order}.",
            "El importe fue de {amount}, cobrado el {date}.",
        ],
        TECH: [
            "Ya he reiniciado el equipo.",
            "Empezó tras actualizar a la versión {version}.",
            "El código de error es {error}.",
            "Reinstalar no ha servido de nada.",
            "Afecta a unos {n} usuarios.",
        ],
        LOGIN: ["Mi usuario es {email}.", "También he revisado la carpeta de spam."],
        FEATURE: ["Muchos compañeros lo han pedido.", "Nos ahorraría mucho tiempo."],
        GENERAL: ["Hice el pedido el {date}.", "La dirección de entrega está en {city}."],
        OTHER: ["¡Buen fin de semana!", "Sigan así."],
    },
    "fr": {
        BILLING: [
            "Le numéro de facture est {invoice}.",
            "Mon numéro de commande est {order}.",
            "Le montant de {amount} a été prélevé le {date}.",
        ],
        TECH: [
            "J'ai déjà redémarré l'appareil.",
            "Le problème est apparu avec la version {version}.",
            "Le code d'erreur est {error}.",
            "La réinstallation n'a rien changé.",
            "Environ {n} utilisateurs sont concernés.",
        ],
        LOGIN: ["Mon identifiant est {email}.", "J'ai aussi vérifié mes courriers indésirables."],
        FEATURE: [
            "Beaucoup de collègues le demandent.",
            "Cela nous ferait gagner beaucoup de temps.",
        ],
        GENERAL: ["J'ai commandé le {date}.", "L'adresse de livraison est à {city}."],
        OTHER: ["Bon week-end !", "Continuez comme ça."],
    },
    "pt": {
        BILLING: [
            "O número da fatura é {invoice}.",
            "O número da encomenda é {order}.",
            "O valor de {amount} foi cobrado em {date}.",
        ],
        TECH: [
            "Já reiniciei o equipamento.",
            "Começou depois da atualização para a versão {version}.",
            "O código de erro é {error}.",
            "Reinstalar não ajudou.",
            "Afeta cerca de {n} utilizadores.",
        ],
        LOGIN: ["O meu utilizador é {email}.", "Também verifiquei a pasta de spam."],
        FEATURE: ["Muitos colegas pediram isto.", "Isto poupar-nos-ia muito tempo."],
        GENERAL: ["Fiz a encomenda em {date}.", "A morada de entrega é em {city}."],
        OTHER: ["Bom fim de semana!", "Continuem assim."],
    },
}

SUBJECTS: dict[str, dict[str, list[str]]] = {
    "en": {
        BILLING: [
            "Double charge",
            "Invoice {invoice}",
            "Refund request",
            "Question about my bill",
            "Payment failed",
            "Wrong amount charged",
            "Billing address change",
            "Copy of invoice",
            "Refund status for order {order}",
            "Cancellation fee?",
            "Return and refund",
        ],
        TECH: [
            "App crashing",
            "Error {error}",
            "Sync not working",
            "Website very slow",
            "Dashboard not loading",
            "API errors",
            "Outage",
            "Device does not start",
            "Bug in export",
            "VPN problem",
            "Integration broken",
            "Data missing",
        ],
        LOGIN: [
            "Cannot log in",
            "Password reset not working",
            "Account locked",
            "2FA problem",
            "SSO login fails",
            "Access for new employee",
            "Remove user access",
            "Registration error",
            "Change login email",
            "Delete my account",
        ],
        FEATURE: [
            "Feature request",
            "Suggestion",
            "Idea for improvement",
            "Dark mode?",
            "Integration with Slack",
            "Roadmap question",
            "Wishlist",
        ],
        GENERAL: [
            "Question",
            "Order {order} status",
            "Delivery time",
            "Change shipping address",
            "Cancel my order",
            "Opening hours",
            "Product question",
            "Demo request",
            "Newsletter",
            "Quote request",
            "Where is my package?",
        ],
        OTHER: [
            "Thank you!",
            "Feedback",
            "Complaint",
            "Business opportunity",
            "Job application",
            "Wrong recipient",
            "Payroll question",
            "Vacation request",
            "You have won!",
            "Press inquiry",
            "Partnership",
        ],
    },
    "de": {
        BILLING: [
            "Doppelte Abbuchung",
            "Rechnung {invoice}",
            "Rückerstattung",
            "Frage zur Rechnung",
        ],
        TECH: ["App stürzt ab", "Fehler {error}", "Serverausfall", "Synchronisierung defekt"],
        LOGIN: ["Anmeldung nicht möglich", "Passwort zurücksetzen", "Konto gesperrt", "Zugang"],
        FEATURE: ["Funktionswunsch", "Verbesserungsvorschlag", "Idee"],
        GENERAL: ["Frage", "Bestellung {order}", "Lieferzeit", "Anfrage"],
        OTHER: ["Danke!", "Beschwerde", "Bewerbung", "Urlaubsantrag"],
    },
    "es": {
        BILLING: ["Cobro duplicado", "Factura {invoice}", "Reembolso", "Consulta sobre mi factura"],
        TECH: ["La aplicación falla", "Error {error}", "Servidor caído", "Problema técnico"],
        LOGIN: ["No puedo iniciar sesión", "Restablecer contraseña", "Cuenta bloqueada", "Acceso"],
        FEATURE: ["Sugerencia", "Propuesta de mejora", "Nueva función"],
        GENERAL: ["Consulta", "Pedido {order}", "Plazo de entrega", "Información"],
        OTHER: ["¡Gracias!", "Queja", "Candidatura", "Vacaciones"],
    },
    "fr": {
        BILLING: [
            "Double prélèvement",
            "Facture {invoice}",
            "Remboursement",
            "Question sur ma facture",
        ],
        TECH: ["L'application plante", "Erreur {error}", "Panne du serveur", "Problème technique"],
        LOGIN: ["Connexion impossible", "Réinitialiser le mot de passe", "Compte bloqué", "Accès"],
        FEATURE: ["Suggestion", "Idée d'amélioration", "Nouvelle fonctionnalité"],
        GENERAL: ["Question", "Commande {order}", "Délai de livraison", "Renseignement"],
        OTHER: ["Merci !", "Réclamation", "Candidature", "Congés"],
    },
    "pt": {
        BILLING: ["Cobrança duplicada", "Fatura {invoice}", "Reembolso", "Dúvida sobre a fatura"],
        TECH: ["O aplicativo falha", "Erro {error}", "Servidor em baixo", "Problema técnico"],
        LOGIN: ["Não consigo entrar", "Redefinir senha", "Conta bloqueada", "Acesso"],
        FEATURE: ["Sugestão", "Melhoria", "Nova funcionalidade"],
        GENERAL: ["Dúvida", "Encomenda {order}", "Prazo de entrega", "Informação"],
        OTHER: ["Obrigado!", "Reclamação", "Candidatura", "Férias"],
    },
}

URGENCY_CUES: dict[str, dict[str, list[str]]] = {
    "en": {
        "H": [
            "This is urgent!",
            "Please treat this as a priority, we are losing sales every hour.",
            "We need this fixed today.",
            "Our business is at a standstill.",
            "Please respond immediately.",
            "Critical: it affects all of our customers.",
            "ASAP please, our deadline is tomorrow.",
        ],
        "M": [
            "I would appreciate an answer in the next few days.",
            "Please get back to me this week.",
            "It is becoming a problem for our team.",
        ],
        "L": [
            "No rush, whenever you have time.",
            "It's not urgent.",
            "Just curious, no hurry.",
            "Low priority, answer when you get a chance.",
        ],
    },
    "de": {
        "H": [
            "Das ist dringend!",
            "Bitte um sofortige Hilfe, wir verlieren Umsatz.",
            "Wir brauchen heute noch eine Lösung.",
            "Unser Betrieb steht still.",
        ],
        "M": ["Ich bitte um eine Antwort in den nächsten Tagen."],
        "L": ["Es eilt nicht.", "Keine Eile, wann immer Sie Zeit haben."],
    },
    "es": {
        "H": [
            "¡Es urgente!",
            "Necesitamos una solución hoy mismo.",
            "Estamos perdiendo ventas cada hora.",
            "Nuestro negocio está paralizado.",
        ],
        "M": ["Agradecería una respuesta en los próximos días."],
        "L": ["No hay prisa.", "Cuando tengan tiempo, no es urgente."],
    },
    "fr": {
        "H": [
            "C'est urgent !",
            "Nous avons besoin d'une solution aujourd'hui.",
            "Nous perdons des ventes à chaque heure.",
            "Notre activité est bloquée.",
        ],
        "M": ["Merci de me répondre dans les prochains jours."],
        "L": ["Rien d'urgent.", "Quand vous aurez le temps, ce n'est pas pressé."],
    },
    "pt": {
        "H": [
            "É urgente!",
            "Precisamos de uma solução hoje.",
            "Estamos a perder vendas a cada hora.",
            "O nosso negócio está parado.",
        ],
        "M": ["Agradeço uma resposta nos próximos dias."],
        "L": ["Sem pressa.", "Quando puderem, não é urgente."],
    },
}

URGENT_SUBJECT = {
    "en": "URGENT: ",
    "de": "DRINGEND: ",
    "es": "URGENTE: ",
    "fr": "URGENT : ",
    "pt": "URGENTE: ",
}

OPENERS = {
    "en": [
        "Hi,",
        "Hello support team,",
        "Dear Sir or Madam,",
        "Hey there,",
        "Good morning,",
        "Hello {company},",
        "Hi team,",
    ],
    "de": ["Hallo,", "Sehr geehrte Damen und Herren,", "Guten Tag,", "Liebes Support-Team,"],
    "es": ["Hola,", "Estimados señores:", "Buenos días,", "Hola equipo de soporte,"],
    "fr": ["Bonjour,", "Madame, Monsieur,", "Bonjour l'équipe support,", "Bonsoir,"],
    "pt": ["Olá,", "Bom dia,", "Prezados,", "Olá equipa de suporte,"],
}

FILLERS = {
    "en": [
        "Thanks in advance.",
        "Let me know if you need more information.",
        "I have been a customer for three years.",
        "Could you please help me with this?",
        "Thank you for your help.",
    ],
    "de": [
        "Vielen Dank im Voraus.",
        "Können Sie mir bitte helfen?",
        "Melden Sie sich, wenn Sie weitere Informationen brauchen.",
    ],
    "es": [
        "Gracias de antemano.",
        "¿Me pueden ayudar, por favor?",
        "Quedo a la espera de su respuesta.",
    ],
    "fr": [
        "Merci d'avance.",
        "Pouvez-vous m'aider, s'il vous plaît ?",
        "Dans l'attente de votre réponse.",
    ],
    "pt": ["Obrigado desde já.", "Podem ajudar-me, por favor?", "Aguardo a vossa resposta."],
}

CLOSINGS = {
    "en": [
        "Best regards,\n{name}",
        "Thanks,\n{name}",
        "Kind regards\n{name}",
        "Cheers, {name}",
        "{name}",
    ],
    "de": ["Mit freundlichen Grüßen\n{name}", "Viele Grüße\n{name}", "Danke und Gruß, {name}"],
    "es": ["Saludos,\n{name}", "Un saludo,\n{name}", "Atentamente,\n{name}"],
    "fr": ["Cordialement,\n{name}", "Bien à vous,\n{name}", "Merci, {name}"],
    "pt": ["Cumprimentos,\n{name}", "Atenciosamente,\n{name}", "Obrigado, {name}"],
}

NAMES = [
    "Anna Keller",
    "John Miller",
    "Priya Shah",
    "Lucas Martin",
    "María García",
    "Jonas Becker",
    "Chloé Dubois",
    "João Silva",
    "Emma Wilson",
    "Kenji Tanaka",
    "Fatima Benali",
    "Olga Ivanova",
    "Tom",
    "Sara",
    "Luis Fernández",
    "Ana Costa",
]
SLOTS = {
    "plan": ["Premium", "Basic", "Team", "Business", "annual"],
    "invoice": ["INV-20417", "2023-0815", "R-55102", "F-7731", "#9921"],
    "amount": ["49.90 EUR", "$120.00", "€ 19,99", "£75", "230 USD"],
    "order": ["#48213", "A-99120", "100-552-871", "#7730", "ORD-3315"],
    "product": ["headphones", "router", "laptop", "monitor", "coffee machine", "keyboard"],
    "device": ["router", "laptop", "tablet", "printer", "smartwatch"],
    "error": ["E1042", "0x80070005", "ERR_CONNECTION_RESET", "503", "DB-17"],
    "version": ["4.2.1", "2.10", "11.3", "7.0.2"],
    "date": ["March 3", "12/05", "last Monday", "2024-02-14"],
    "city": ["Lyon", "Berlin", "Porto", "Austin", "Sevilla"],
    "n": ["5", "12", "40", "200"],
    "email": ["j.doe@example.com", "anna@firma.example", "m.garcia@empresa.example"],
    "company": ["Acme", "support", "there"],
}


def _fill(rng: random.Random, text: str) -> str:
    for key, values in SLOTS.items():
        token = "{" + key + "}"
        while token in text:
            text = text.replace(token, rng.choice(values), 1)
    return text


def _example(
    rng: random.Random, lang: str, category: str, problem: tuple[str, str]
) -> dict[str, str]:
    sentence, base = problem
    cue = ""
    urgency = base
    roll = rng.random()
    promotable = category not in (FEATURE, OTHER) or rng.random() < 0.15
    if roll < 0.3 and promotable:
        urgency = "H"
        cue = rng.choice(URGENCY_CUES[lang]["H"])
    elif roll < 0.4 and base == "L" and category not in (FEATURE, OTHER):
        urgency = "M"
        cue = rng.choice(URGENCY_CUES[lang]["M"])
    elif roll > 0.82 and base != "H":
        urgency = "L"
        cue = rng.choice(URGENCY_CUES[lang]["L"])

    subject = _fill(rng, rng.choice(SUBJECTS[lang][category]))
    if urgency == "H" and cue and rng.random() < 0.5:
        subject = URGENT_SUBJECT[lang] + subject
    body_parts = [_fill(rng, sentence)]
    for detail in rng.sample(
        DETAILS[lang][category], k=min(len(DETAILS[lang][category]), rng.choice([0, 1, 1, 2]))
    ):
        body_parts.append(_fill(rng, detail))
    if cue:
        body_parts.insert(rng.choice([0, len(body_parts)]), cue)
    style = rng.random()
    if style < 0.25:  # a terse one-liner, as typed into a contact form
        text = " ".join(body_parts[:2])
        if rng.random() < 0.5:
            text = text.lower().rstrip(".!")
    else:
        if rng.random() < 0.5:
            body_parts.append(rng.choice(FILLERS[lang]))
        opener = _fill(rng, rng.choice(OPENERS[lang]))
        closing = rng.choice(CLOSINGS[lang]).format(name=rng.choice(NAMES))
        text = f"{opener}\n\n{' '.join(body_parts)}\n\n{closing}"
    return {
        "lang": lang,
        "subject": subject,
        "text": text,
        "category": category,
        "urgency": URGENCY[urgency],
    }


def generate() -> list[dict[str, str]]:
    rng = random.Random(SEED)
    rows: list[dict[str, str]] = []
    for lang, per_category in PER_CATEGORY.items():
        for category in CATEGORIES:
            problems = PROBLEMS[lang][category]
            order = list(range(len(problems)))
            for i in range(per_category):
                if i % len(problems) == 0:
                    rng.shuffle(order)
                rows.append(_example(rng, lang, category, problems[order[i % len(problems)]]))
    return rows


def main() -> None:
    rows = generate()
    with OUT.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} examples to {OUT}")


if __name__ == "__main__":
    main()
