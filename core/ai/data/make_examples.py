"""Generate the offline classifier's labelled training emails (``examples.jsonl``).

Hand-written fragments in English, German, Spanish, French and Portuguese are composed by
a seeded random generator, so the output is identical on every run:

- fixed problem statements (``PROBLEMS``) and composed frames (``FRAMES``: "U:text" with a
  base urgency U and {slots} filled from ``PARTS``: things, symptoms, actions, documents,
  wishes, questions ... of that language), each frame a ``group`` (the calibration slice of
  ``core.ai.offline.train`` holds whole groups);
- the urgency from a business-impact situation (``SITUATIONS``: everyone blocked, a
  deadline, money lost, a security incident, a threat against a person -> High; some
  impact, one person's date soon, a customer's renewal waiting on a feature -> Medium; no
  rush, a fault with a workaround or that still works -> Low) or else the frame's base
  urgency;
- details, openers, fillers, closings, a generic or urgent subject, terse and accent-less
  variants; rows are distinct (``PER_CATEGORY`` per language and category).

None of this text comes from the evaluation corpora in ``../shared/corpora`` nor from the
held-out split (a test checks that no 6-word run of it occurs here).

    .venv/bin/python core/ai/data/make_examples.py      # rewrites examples.jsonl
"""

from __future__ import annotations

import json
import random
import re
import unicodedata
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
LANGUAGES = ("en", "de", "es", "fr", "pt")

PER_CATEGORY = 180  # examples per language and category

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
            (
                "Could you let us pay invoices by PayPal as well? Today only card payment works.",
                "L",
            ),
            ("It would be handy to download all invoices of a year as one zip file.", "L"),
            ("Please add a second billing contact so that our accountant gets a copy too.", "L"),
            (
                "Any plans for a yearly plan at a lower price? Paying monthly is a hassle for us.",
                "L",
            ),
            (
                "We would really like single sign-on with our Google accounts for the whole team.",
                "L",
            ),
            ("My team keeps asking for a way to undo a deleted entry, could you build that?", "M"),
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
            ("How do I add a colleague to our account so they can see the tickets too?", "L"),
            ("Is two-factor login included in the basic plan, or only in Pro?", "L"),
            ("Does the app work without an internet connection, for example on a train?", "L"),
            ("Where in the settings can I change the language of the menus?", "L"),
            ("Can we use one licence on both a Windows laptop and a Linux desktop?", "L"),
            ("What happens to our data if we decide to close the account?", "L"),
            ("Before we buy: is there a free trial, and how long does it last?", "L"),
            (
                "We have to decide this week, so could you tell me soon whether you invoice in euros?",
                "M",
            ),
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
            (
                "Könnten Sie auch PayPal als Zahlungsart anbieten? Bisher geht nur die Kreditkarte.",
                "L",
            ),
            ("Praktisch wäre ein Download aller Rechnungen eines Jahres als ZIP-Datei.", "L"),
            (
                "Bitte ergänzen Sie einen zweiten Rechnungsempfänger, damit unsere Buchhaltung eine Kopie bekommt.",
                "L",
            ),
            (
                "Planen Sie einen Jahrestarif mit Rabatt? Die monatliche Abrechnung ist für uns umständlich.",
                "L",
            ),
            ("Wir wünschen uns eine Anmeldung über unsere Google-Konten für das ganze Team.", "L"),
            (
                "Mein Team fragt ständig nach einer Möglichkeit, gelöschte Einträge wiederherzustellen.",
                "M",
            ),
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
                "Wie kann ich eine Kollegin zu unserem Konto hinzufügen, damit sie die Tickets auch sieht?",
                "L",
            ),
            ("Ist die Zwei-Faktor-Anmeldung im Basistarif enthalten oder nur im Pro-Tarif?", "L"),
            ("Funktioniert die App auch ohne Internetverbindung, zum Beispiel im Zug?", "L"),
            ("Wo in den Einstellungen kann ich die Sprache der Menüs ändern?", "L"),
            (
                "Dürfen wir eine Lizenz auf einem Windows-Laptop und einem Linux-Rechner nutzen?",
                "L",
            ),
            ("Was passiert mit unseren Daten, wenn wir das Konto kündigen?", "L"),
            ("Vor dem Kauf: Gibt es eine kostenlose Testphase, und wie lange dauert sie?", "L"),
            (
                "Wir müssen diese Woche entscheiden, könnten Sie mir bald sagen, ob Sie in Euro abrechnen?",
                "M",
            ),
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
            ("¿Podrían aceptar también PayPal? Ahora solo se puede pagar con tarjeta.", "L"),
            ("Sería práctico descargar todas las facturas de un año en un solo archivo ZIP.", "L"),
            (
                "Por favor añadan un segundo contacto de facturación para que nuestra gestoría reciba copia.",
                "L",
            ),
            (
                "¿Tienen previsto un plan anual más barato? Pagar cada mes nos resulta incómodo.",
                "L",
            ),
            ("Nos gustaría mucho entrar con nuestras cuentas de Google en todo el equipo.", "L"),
            (
                "Mi equipo pide a menudo poder recuperar una entrada borrada, ¿podrían hacerlo posible?",
                "M",
            ),
            ("Sería genial que la aplicación tuviera modo oscuro.", "L"),
            ("Por favor, añadan la exportación a Excel.", "L"),
            ("¿Tienen previsto integrarse con Slack?", "L"),
            ("Les sugiero añadir una vista de calendario.", "L"),
            ("Nos gustaría poder editar productos de forma masiva.", "L"),
            ("Sería muy útil que la app funcionara sin conexión.", "L"),
            ("Propuesta de mejora: campos personalizados en las fichas de clientes.", "L"),
        ],
        GENERAL: [
            (
                "¿Cómo puedo añadir a una compañera a nuestra cuenta para que también vea los tickets?",
                "L",
            ),
            (
                "¿El inicio de sesión en dos pasos está incluido en el plan básico o solo en el Pro?",
                "L",
            ),
            ("¿La aplicación funciona sin conexión a internet, por ejemplo en el tren?", "L"),
            ("¿Dónde puedo cambiar en los ajustes el idioma de los menús?", "L"),
            (
                "¿Podemos usar una licencia en un portátil con Windows y en un equipo con Linux?",
                "L",
            ),
            ("¿Qué pasa con nuestros datos si decidimos cerrar la cuenta?", "L"),
            ("Antes de comprar: ¿hay un periodo de prueba gratuito y cuánto dura?", "L"),
            (
                "Tenemos que decidirlo esta semana, ¿me pueden confirmar pronto si facturan en euros?",
                "M",
            ),
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
            (
                "Pourriez-vous accepter aussi PayPal ? Pour l'instant seule la carte fonctionne.",
                "L",
            ),
            (
                "Ce serait pratique de télécharger toutes les factures d'une année en un seul fichier ZIP.",
                "L",
            ),
            (
                "Merci d'ajouter un second contact de facturation pour que notre comptable reçoive une copie.",
                "L",
            ),
            (
                "Prévoyez-vous une formule annuelle moins chère ? Payer chaque mois nous complique la vie.",
                "L",
            ),
            (
                "Nous aimerions beaucoup nous connecter avec nos comptes Google pour toute l'équipe.",
                "L",
            ),
            (
                "Mon équipe réclame souvent un moyen de récupérer une entrée supprimée, est-ce envisageable ?",
                "M",
            ),
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
            (
                "Comment puis-je ajouter une collègue à notre compte pour qu'elle voie aussi les tickets ?",
                "L",
            ),
            (
                "La connexion en deux étapes est-elle incluse dans la formule de base ou seulement en Pro ?",
                "L",
            ),
            (
                "L'application fonctionne-t-elle sans connexion internet, par exemple dans le train ?",
                "L",
            ),
            ("Où puis-je changer la langue des menus dans les paramètres ?", "L"),
            ("Peut-on utiliser une licence sur un portable Windows et sur un poste Linux ?", "L"),
            ("Que deviennent nos données si nous décidons de fermer le compte ?", "L"),
            ("Avant d'acheter : y a-t-il un essai gratuit, et combien de temps dure-t-il ?", "L"),
            (
                "Nous devons décider cette semaine, pouvez-vous me dire rapidement si vous facturez en euros ?",
                "M",
            ),
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
            ("Podiam aceitar também PayPal? Por agora só dá para pagar com cartão.", "L"),
            ("Seria prático descarregar todas as faturas de um ano num único ficheiro ZIP.", "L"),
            (
                "Por favor adicionem um segundo contacto de faturação para o nosso contabilista receber cópia.",
                "L",
            ),
            (
                "Têm planos para um plano anual mais barato? Pagar todos os meses é incómodo para nós.",
                "L",
            ),
            ("Gostávamos muito de entrar com as nossas contas Google em toda a equipa.", "L"),
            (
                "A minha equipa pede muitas vezes uma forma de recuperar uma entrada apagada, é possível fazer isso?",
                "M",
            ),
            ("Seria ótimo ter um modo escuro no aplicativo.", "L"),
            ("Por favor, adicionem exportação para Excel.", "L"),
            ("Pretendem integrar com o Slack?", "L"),
            ("Sugiro adicionar uma visualização de calendário.", "L"),
            ("Gostaríamos de poder editar produtos em massa.", "L"),
            ("Sugestão de melhoria: campos personalizados nos registos de clientes.", "L"),
        ],
        GENERAL: [
            ("Como posso adicionar uma colega à nossa conta para ela também ver os tickets?", "L"),
            ("O início de sessão em dois passos está incluído no plano básico ou só no Pro?", "L"),
            ("A aplicação funciona sem ligação à internet, por exemplo no comboio?", "L"),
            ("Onde posso mudar nas definições o idioma dos menus?", "L"),
            ("Podemos usar uma licença num portátil Windows e num computador Linux?", "L"),
            ("O que acontece aos nossos dados se decidirmos fechar a conta?", "L"),
            ("Antes de comprar: há um período de teste gratuito e quanto tempo dura?", "L"),
            ("Temos de decidir esta semana, podem dizer-me em breve se faturam em euros?", "M"),
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
        "Keep up the good work.",
        "Love the product otherwise.",
    ],
    "de": [
        "Vielen Dank im Voraus.",
        "Können Sie mir bitte helfen?",
        "Melden Sie sich, wenn Sie weitere Informationen brauchen.",
        "Ansonsten sind wir sehr zufrieden.",
    ],
    "es": [
        "Gracias de antemano.",
        "¿Me pueden ayudar, por favor?",
        "Quedo a la espera de su respuesta.",
        "Por lo demás, estamos muy contentos.",
    ],
    "fr": [
        "Merci d'avance.",
        "Pouvez-vous m'aider, s'il vous plaît ?",
        "Dans l'attente de votre réponse.",
        "Pour le reste, nous sommes très satisfaits.",
    ],
    "pt": [
        "Obrigado desde já.",
        "Podem ajudar-me, por favor?",
        "Aguardo a vossa resposta.",
        "De resto, estamos muito satisfeitos.",
    ],
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
    "fmt": ["Excel", "CSV", "PDF", "Google Sheets", "JSON"],
    "tool": ["Slack", "Microsoft Teams", "Salesforce", "HubSpot", "Shopify", "Zapier"],
}


# --- composed frames -------------------------------------------------------------------
# Each frame is "U:text" (U = base urgency L|M|H); {slot}s take values from PARTS[lang]
# (a "|"-separated list each), then from SLOTS. Situations (SITUATIONS) add the business
# impact that decides urgency: H (outage, everyone blocked, deadline, money, security),
# M (some impact), L (calm).

FRAMES: dict[str, dict[str, str]] = {
    "en": {
        TECH: (
            "M:{thing} {sym}.|M:Since {since}, {thing} {sym}.|"
            "M:Whenever I try to {do}, {thing} {sym}.|"
            "M:We have a problem with {thing}: it {sym}.|M:Help, {thing} {sym} again.|"
            "H:{thing} is completely down for everyone.|"
            "H:{thing} returns {error} for every single request.|"
            "L:Minor thing: {thing} {minor}.|L:Not a big issue, but {thing} {minor}.|"
            "M:Importing {file} stops with an error every time.|"
            "M:{thing} has become really slow, it takes minutes to {do}.|"
            "L:Is it normal that {thing} {slowish}?|"
            "M:Nothing happens when I click save in {thing}."
        ),
        LOGIN: (
            "M:When I try to {ldo}, {fail}.|M:I can't {ldo}: {fail}.|"
            "M:Trying to {ldo} since {since}, but {fail}.|L:How do I {task}?|"
            "L:Could you help me {task}?|L:Quick one: how can I {task}?|"
            "H:Someone {sec} and now I cannot log in.|H:I got an alert that someone {sec}.|"
            "M:I'm locked out after too many wrong attempts, {fail}.|"
            "M:My {factor} stopped working on my new phone, so I can't finish logging in."
        ),
        BILLING: (
            "M:{issue} {obj}.|M:Can you check this? {issue} {obj}.|"
            "M:Please sort this out: {issue} {obj}.|L:Could you send me {doc}?|"
            "L:I need {doc} for our bookkeeping.|L:{bq}|"
            "M:I want my money back {obj}, {reason}.|"
            "H:{issue} {obj} and now the account will be suspended {when}.|"
            "L:Please put {cdetail} on our invoices from now on.|"
            "M:Our last bill is much higher than usual and nobody told us why."
        ),
        FEATURE: (
            "L:It would be great to have {want}.|L:Are you planning to add {want}?|"
            "L:Please consider {want} in a future version.|L:Feature idea: {want}.|"
            "L:We would really like {want}, {why}.|L:Is {want} on your roadmap?|"
            "M:We need {want} before our renewal, {why2}.|"
            "L:Would it be possible to get {want}?|L:We are really missing {want}.|"
            "M:Our IT requires {want2} from next quarter, will you offer it?|"
            "L:I'd love it if the app had {want}."
        ),
        GENERAL: (
            "L:{q}|L:One question: {q}|L:{q} {follow}|M:My order {order} {parcel}.|"
            "M:Order {order} {parcel}, could you ask the carrier?|"
            "L:What does {pthing} cost for {pwho}?|"
            "L:What exactly is included in the {plan} plan?|"
            "M:I'd like to change my order {order}: {change}.|L:Are you open {day}?|"
            "L:Do you have special prices for {pwho}?|L:Is there a price list for {pwho}?|"
            "L:How much would {n} licences cost us?"
        ),
        OTHER: (
            "L:Thank you, {agent} {praise}.|L:We offer {spam} for your company.|"
            "L:I am applying for the {role} position, my CV is attached.|"
            "M:I want to complain about {person} who {bad}.|M:{hr}|L:{misc}|L:{ooo}|"
            "L:I write a blog about {topic} and would like to publish a guest article on your site.|"
            "M:The person I spoke to on {channel} {bad}.|L:Just wanted to say {praise2}."
        ),
    },
    "de": {
        TECH: (
            "M:{thing}: {sym}.|M:Seit {since}: {thing} – {sym}.|"
            "M:Immer wenn ich {do} will, {sym2}.|M:Wir haben ein Problem mit {thing}: {sym}.|"
            "H:{thing} ist für alle komplett ausgefallen.|"
            "H:{thing} liefert bei jeder Anfrage Fehler {error}.|"
            "L:Kleinigkeit: {thing} – {minor}.|L:Nichts Dramatisches, aber {thing}: {minor}.|"
            "M:Der Import von {file} bricht jedes Mal mit einem Fehler ab.|"
            "M:{thing} ist richtig langsam geworden, es dauert Minuten, {do}.|"
            "L:Ist es normal, dass {thing} {slowish}?|"
            "M:In {thing} passiert nichts, wenn ich auf Speichern klicke."
        ),
        LOGIN: (
            "M:Wenn ich {ldo} will, {fail}.|M:{lnoun} klappt nicht. Jedes Mal {fail}.|"
            "M:Seit {since} versuche ich, {ldo}. Jedes Mal {fail}.|L:Wie kann ich {task}?|"
            "L:Können Sie mir helfen, {task}?|L:Kurze Frage: wie kann ich {task}?|"
            "H:Jemand hat {sec}, ich komme nicht mehr rein.|"
            "H:Ich habe eine Warnung bekommen: jemand hat {sec}.|"
            "M:Nach zu vielen Fehlversuchen bin ich ausgesperrt, jedes Mal {fail}.|"
            "M:{factor} funktioniert auf meinem neuen Handy nicht mehr, ich komme nicht rein."
        ),
        BILLING: (
            "M:{issue} ({obj}).|M:Bitte prüfen: {issue} ({obj}).|"
            "M:Bitte klären Sie das: {issue}, {obj}.|L:Könnten Sie mir {doc} schicken?|"
            "L:Ich brauche {doc} für die Buchhaltung.|L:{bq}|"
            "M:Ich möchte mein Geld zurück ({obj}), {reason}.|"
            "H:{issue} ({obj}) und jetzt soll das Konto {when} gesperrt werden.|"
            "L:Bitte schreiben Sie künftig {cdetail} auf unsere Rechnungen.|"
            "M:Unsere letzte Rechnung ist viel höher als sonst, ohne Erklärung."
        ),
        FEATURE: (
            "L:Es wäre toll, {want} zu haben.|L:Planen Sie {want}?|"
            "L:Bitte denken Sie für eine spätere Version an {want}.|L:Funktionsidee: {want}.|"
            "L:Wir hätten gern {want}, {why}.|L:Steht {want} auf Ihrer Roadmap?|"
            "M:Wir brauchen {want} vor der Vertragsverlängerung, {why2}.|"
            "L:Wäre es möglich, {want} zu bekommen?|L:Uns fehlt wirklich {want}.|"
            "M:Unsere IT verlangt ab nächstem Quartal {want2}, bieten Sie das an?|"
            "L:Ich fände es super, wenn es {want} gäbe."
        ),
        GENERAL: (
            "L:{q}|L:Kurze Frage: {q}|L:{q} {follow}|M:Meine Bestellung {order}: {parcel}.|"
            "M:Bestellung {order} – {parcel}. Können Sie beim Paketdienst nachfragen?|"
            "L:Was kostet {pthing} für {pwho}?|L:Was genau ist im Tarif {plan} enthalten?|"
            "M:Ich möchte meine Bestellung {order} ändern: {change}.|"
            "L:Haben Sie {day} geöffnet?|L:Gibt es Sonderpreise für {pwho}?|"
            "L:Haben Sie eine Preisliste für {pwho}?|L:Was würden uns {n} Lizenzen kosten?"
        ),
        OTHER: (
            "L:Vielen Dank, {agent} {praise}.|L:Wir bieten {spam} für Ihr Unternehmen an.|"
            "L:Ich bewerbe mich auf die Stelle im Bereich {role}, mein Lebenslauf ist angehängt.|"
            "M:Ich möchte mich über {person} beschweren: {bad}.|M:{hr}|L:{misc}|L:{ooo}|"
            "L:Ich schreibe einen Blog über {topic} und würde gern einen Gastartikel auf Ihrer Seite veröffentlichen.|"
            "M:Die Person, mit der ich {channel} gesprochen habe, {bad}.|"
            "L:Ich wollte nur sagen: {praise2}."
        ),
    },
    "es": {
        TECH: (
            "M:{thing}: {sym}.|M:Desde {since}, {thing}: {sym}.|"
            "M:Cada vez que intento {do}, {sym2}.|M:Tenemos un problema con {thing}: {sym}.|"
            "H:{thing} está caído por completo para todos.|"
            "H:{thing} devuelve el error {error} en cada petición.|"
            "L:Una tontería: {thing}, {minor}.|L:Nada grave, pero {thing}: {minor}.|"
            "M:Al importar {file} siempre se para con un error.|"
            "M:{thing} va lentísimo, tardo minutos en {do}.|"
            "L:¿Es normal que {thing} {slowish}?|"
            "M:En {thing} no pasa nada cuando pulso guardar."
        ),
        LOGIN: (
            "M:Cuando intento {ldo}, {fail}.|M:No consigo {ldo}: {fail}.|"
            "M:Llevo desde {since} intentando {ldo} y {fail}.|L:¿Cómo puedo {task}?|"
            "L:¿Me ayudan a {task}?|L:Pregunta rápida: ¿cómo se puede {task}?|"
            "H:Alguien {sec} y ya no puedo entrar.|H:Me llegó un aviso: alguien {sec}.|"
            "M:Tras demasiados intentos fallidos estoy bloqueado, {fail}.|"
            "M:{factor} ya no funciona en mi móvil nuevo y no puedo terminar de entrar."
        ),
        BILLING: (
            "M:{issue} ({obj}).|M:¿Pueden revisarlo? {issue} ({obj}).|"
            "M:Por favor, soluciónenlo: {issue}, {obj}.|L:¿Me pueden enviar {doc}?|"
            "L:Necesito {doc} para contabilidad.|L:{bq}|"
            "M:Quiero que me devuelvan el dinero ({obj}), {reason}.|"
            "H:{issue} ({obj}) y ahora amenazan con suspender la cuenta {when}.|"
            "L:Por favor, pongan {cdetail} en nuestras facturas a partir de ahora.|"
            "M:La última factura es mucho más alta de lo normal y nadie nos ha explicado por qué."
        ),
        FEATURE: (
            "L:Sería genial tener {want}.|L:¿Tienen pensado añadir {want}?|"
            "L:Por favor, piensen en {want} para una próxima versión.|"
            "L:Idea de funcionalidad: {want}.|L:Nos gustaría mucho {want}, {why}.|"
            "L:¿Está {want} en su hoja de ruta?|"
            "M:Necesitamos {want} antes de renovar, {why2}.|L:¿Sería posible tener {want}?|"
            "L:Echamos mucho de menos {want}.|"
            "M:Nuestro departamento de IT exige {want2} a partir del próximo trimestre, ¿lo van a ofrecer?|"
            "L:Ojalá la aplicación tuviera {want}."
        ),
        GENERAL: (
            "L:{q}|L:Una consulta: {q}|L:{q} {follow}|M:Mi pedido {order}: {parcel}.|"
            "M:Pedido {order}: {parcel}. ¿Pueden consultarlo con la agencia de transporte?|"
            "L:¿Cuánto cuesta {pthing} para {pwho}?|"
            "L:¿Qué incluye exactamente el plan {plan}?|"
            "M:Quiero cambiar mi pedido {order}: {change}.|L:¿Abren {day}?|"
            "L:¿Tienen precios especiales para {pwho}?|"
            "L:¿Hay una lista de precios para {pwho}?|L:¿Cuánto nos costarían {n} licencias?"
        ),
        OTHER: (
            "L:Muchas gracias, {agent} {praise}.|L:Ofrecemos {spam} para su empresa.|"
            "L:Me presento al puesto de {role}, adjunto mi currículum.|"
            "M:Quiero quejarme de {person}: {bad}.|M:{hr}|L:{misc}|L:{ooo}|"
            "L:Escribo un blog sobre {topic} y me gustaría publicar un artículo como invitado en su web.|"
            "M:La persona con la que hablé {channel} {bad}.|"
            "L:Solo quería decir que {praise2}."
        ),
    },
    "fr": {
        TECH: (
            "M:{thing} : {sym}.|M:Depuis {since}, {thing} : {sym}.|"
            "M:À chaque fois que j'essaie de {do}, {sym2}.|"
            "M:Nous avons un problème avec {thing} : {sym}.|"
            "H:{thing} est complètement en panne pour tout le monde.|"
            "H:{thing} renvoie l'erreur {error} à chaque requête.|"
            "L:Détail : {thing}, {minor}.|L:Rien de grave, mais {thing} : {minor}.|"
            "M:L'import de {file} s'arrête à chaque fois sur une erreur.|"
            "M:{thing} est devenu très lent, il faut des minutes pour {do}.|"
            "L:Est-ce normal que {thing} {slowish} ?|"
            "M:Dans {thing}, rien ne se passe quand je clique sur enregistrer."
        ),
        LOGIN: (
            "M:Quand j'essaie de {ldo}, {fail}.|M:Impossible de {ldo} : {fail}.|"
            "M:J'essaie de {ldo} depuis {since} et {fail}.|L:Comment puis-je {task} ?|"
            "L:Pouvez-vous m'aider à {task} ?|L:Petite question : comment {task} ?|"
            "H:Quelqu'un a {sec} et je ne peux plus entrer.|"
            "H:J'ai reçu une alerte : quelqu'un a {sec}.|"
            "M:Après trop d'essais ratés je suis bloqué dehors, {fail}.|"
            "M:{factor} ne marche plus sur mon nouveau téléphone, je ne peux pas finir la connexion."
        ),
        BILLING: (
            "M:{issue} ({obj}).|M:Pouvez-vous vérifier ? {issue} ({obj}).|"
            "M:Merci de régler ça : {issue}, {obj}.|L:Pourriez-vous m'envoyer {doc} ?|"
            "L:J'ai besoin de {doc} pour la comptabilité.|L:{bq}|"
            "M:Je voudrais être remboursé ({obj}), {reason}.|"
            "H:{issue} ({obj}) et maintenant le compte sera suspendu {when}.|"
            "L:Merci d'indiquer désormais {cdetail} sur nos factures.|"
            "M:Notre dernière facture est bien plus élevée que d'habitude, sans explication."
        ),
        FEATURE: (
            "L:Ce serait génial d'avoir {want}.|L:Prévoyez-vous d'ajouter {want} ?|"
            "L:Pensez à {want} pour une prochaine version.|"
            "L:Idée de fonctionnalité : {want}.|L:Nous aimerions beaucoup {want}, {why}.|"
            "L:Est-ce que {want} est sur votre feuille de route ?|"
            "M:Il nous faut {want} avant le renouvellement, {why2}.|"
            "L:Serait-il possible d'avoir {want} ?|L:Il nous manque vraiment {want}.|"
            "M:Notre DSI exige {want2} dès le prochain trimestre, allez-vous le proposer ?|"
            "L:Ce serait bien que l'outil propose {want}."
        ),
        GENERAL: (
            "L:{q}|L:Une question : {q}|L:{q} {follow}|M:Ma commande {order} : {parcel}.|"
            "M:Commande {order} : {parcel}. Pouvez-vous relancer le transporteur ?|"
            "L:Combien coûte {pthing} pour {pwho} ?|"
            "L:Que comprend exactement la formule {plan} ?|"
            "M:Je voudrais modifier ma commande {order} : {change}.|"
            "L:Êtes-vous ouverts {day} ?|L:Avez-vous des prix spéciaux pour {pwho} ?|"
            "L:Existe-t-il une grille de prix pour {pwho} ?|"
            "L:Combien nous coûteraient {n} licences ?"
        ),
        OTHER: (
            "L:Un grand merci, {agent} {praise}.|"
            "L:Nous proposons {spam} pour votre entreprise.|"
            "L:Je postule au poste en {role}, mon CV est joint.|"
            "M:Je souhaite me plaindre de {person} : {bad}.|M:{hr}|L:{misc}|L:{ooo}|"
            "L:J'écris un blog sur {topic} et j'aimerais publier un article invité sur votre site.|"
            "M:La personne que j'ai eue {channel} {bad}.|"
            "L:Je voulais juste dire que {praise2}."
        ),
    },
    "pt": {
        TECH: (
            "M:{thing}: {sym}.|M:Desde {since}, {thing}: {sym}.|"
            "M:Sempre que tento {do}, {sym2}.|M:Temos um problema com {thing}: {sym}.|"
            "H:{thing} está totalmente fora do ar para todos.|"
            "H:{thing} devolve o erro {error} em cada pedido.|L:Pormenor: {thing}, {minor}.|"
            "L:Nada de grave, mas {thing}: {minor}.|"
            "M:A importação de {file} para sempre com um erro.|"
            "M:{thing} ficou muito lento, demoro minutos a {do}.|"
            "L:É normal que {thing} {slowish}?|"
            "M:Em {thing} não acontece nada quando clico em gravar."
        ),
        LOGIN: (
            "M:Quando tento {ldo}, {fail}.|M:Não consigo {ldo}: {fail}.|"
            "M:Tento {ldo} desde {since} e {fail}.|L:Como posso {task}?|"
            "L:Podem ajudar-me a {task}?|L:Pergunta rápida: como {task}?|"
            "H:Alguém {sec} e já não consigo entrar.|H:Recebi um alerta: alguém {sec}.|"
            "M:Depois de muitas tentativas erradas fiquei bloqueado, {fail}.|"
            "M:{factor} deixou de funcionar no meu telemóvel novo e não consigo concluir o login."
        ),
        BILLING: (
            "M:{issue} ({obj}).|M:Podem verificar? {issue} ({obj}).|"
            "M:Por favor resolvam: {issue}, {obj}.|L:Podem enviar-me {doc}?|"
            "L:Preciso de {doc} para a contabilidade.|L:{bq}|"
            "M:Quero o meu dinheiro de volta ({obj}), {reason}.|"
            "H:{issue} ({obj}) e agora ameaçam suspender a conta {when}.|"
            "L:Por favor coloquem {cdetail} nas nossas faturas a partir de agora.|"
            "M:A última fatura veio muito mais alta do que o normal e ninguém explicou porquê."
        ),
        FEATURE: (
            "L:Seria ótimo ter {want}.|L:Pensam em adicionar {want}?|"
            "L:Por favor considerem {want} numa próxima versão.|"
            "L:Ideia de funcionalidade: {want}.|L:Gostávamos muito de ter {want}, {why}.|"
            "L:{want} está no vosso roadmap?|"
            "M:Precisamos de {want} antes da renovação, {why2}.|L:Seria possível ter {want}?|"
            "L:Faz-nos muita falta {want}.|"
            "M:O nosso departamento de TI exige {want2} a partir do próximo trimestre, vão oferecer isso?|"
            "L:Era ótimo que a aplicação tivesse {want}."
        ),
        GENERAL: (
            "L:{q}|L:Uma dúvida: {q}|L:{q} {follow}|M:A minha encomenda {order}: {parcel}.|"
            "M:Encomenda {order}: {parcel}. Podem verificar com a transportadora?|"
            "L:Quanto custa {pthing} para {pwho}?|L:O que inclui exatamente o plano {plan}?|"
            "M:Quero alterar a minha encomenda {order}: {change}.|L:Estão abertos {day}?|"
            "L:Têm preços especiais para {pwho}?|L:Há uma tabela de preços para {pwho}?|"
            "L:Quanto nos custariam {n} licenças?"
        ),
        OTHER: (
            "L:Muito obrigado, {agent} {praise}.|L:Oferecemos {spam} para a vossa empresa.|"
            "L:Candidato-me à vaga de {role}, segue o meu currículo em anexo.|"
            "M:Quero reclamar de {person}: {bad}.|M:{hr}|L:{misc}|L:{ooo}|"
            "L:Escrevo um blog sobre {topic} e queria publicar um artigo convidado no vosso site.|"
            "M:A pessoa com quem falei {channel} {bad}.|L:Só queria dizer que {praise2}."
        ),
    },
}

PARTS: dict[str, dict[str, str]] = {
    "en": {
        "thing": (
            "the app|the dashboard|the reports page|the mobile app|our online shop|"
            "the checkout|the export function|the search|the sync|the desktop client|"
            "the admin panel|the customer portal|the API|the booking page|the invoice module|"
            "the label printer|the calendar|the file upload|the order form|"
            "the order confirmation emails|push notifications|the database|"
            "the barcode scanner|the card terminal|the PDF documents|the sales report|"
            "our mail server"
        ),
        "sym": (
            "crashes as soon as it opens|shows only a white page|takes ages to load|"
            "keeps freezing|throws error {error}|stopped working after the last update|"
            "runs into a timeout|does not save my changes|shows wrong numbers|"
            "hangs on the loading screen|randomly closes|produces an empty file|"
            "no longer arrive|shows garbled characters|counts every entry twice|"
            "fails with a connection error|rejects every scan"
        ),
        "minor": (
            "looks a bit off on small screens|shows the date in the wrong format|"
            "has a typo in one menu|is slightly slower than usual|shows one icon twice"
        ),
        "since": (
            "this morning|yesterday's update|the weekend|the move to the new server|"
            "version {version}|Monday"
        ),
        "do": (
            "export a report|upload a file|open an invoice|print a label|sync my phone|"
            "save a customer record|import our contacts|run the monthly report"
        ),
        "ldo": (
            "log in|sign in|reset my password|get into the admin area|open my account|"
            "enter the verification code|use single sign-on|log in on the app|"
            "accept the invitation|sign in with Google"
        ),
        "fail": (
            "it says my password is wrong|the page just reloads|I get 'access denied'|"
            "nothing happens|the code never arrives|it tells me the account is locked|"
            "I end up on the start page again|it says the user does not exist|"
            "the reset link has expired|the invitation link says it is invalid or expired|"
            "the Google sign-in button gives an error"
        ),
        "task": (
            "add a colleague to our account|change the email I sign in with|"
            "give a new employee access|remove a user who left|update my profile name|"
            "switch between my two accounts|delete my account|"
            "turn on two-factor authentication|change my username"
        ),
        "sec": (
            "changed my password|got into my account|changed the email on my account|"
            "logged in from another country"
        ),
        "issue": (
            "I was charged twice|I was billed the wrong amount|The refund has not arrived|"
            "My payment was declined|I was charged after cancelling|"
            "The price went up without warning|The discount was not applied|"
            "We were charged for more seats than we use|The VAT on the invoice is wrong|"
            "An unknown payment shows up on my statement|The credit note was never applied|"
            "I got a payment reminder although I paid"
        ),
        "obj": (
            "for my subscription|for order {order}|on invoice {invoice}|on my credit card|"
            "for the {plan} plan|for last month|for the {product}"
        ),
        "doc": (
            "a copy of invoice {invoice}|an invoice with our VAT number|"
            "all receipts for this year|a corrected invoice|a statement of our payments|"
            "the invoice for order {order}"
        ),
        "bq": (
            "Which payment methods can I use?|Can I pay by bank transfer?|"
            "How do I change the card on file?|What does it cost to cancel early?|"
            "Can we switch to yearly billing?|Is VAT included in the price?|"
            "How do I update the billing address?"
        ),
        "reason": "it arrived broken|it never worked|I cancelled in time|it was not as described",
        "when": "tomorrow|on Friday|in two days|tonight",
        "want": (
            "a dark mode|an export to {fmt}|an integration with {tool}|recurring tasks|"
            "custom fields for contacts|bulk editing|an offline mode for the app|"
            "keyboard shortcuts|a public API for reports|a home screen widget|"
            "roles with limited permissions|colour labels|a calendar view|"
            "scheduled reports by email|support for security keys|more interface languages|"
            "a larger font option|filters by date range|templates for common replies|"
            "drag and drop in the dashboard|an audit log|single sign-on|recurring invoices|"
            "an automatic weekly export|an import from {fmt}|bulk delete for old records|"
            "automatic reminders for customers"
        ),
        "why": (
            "it would save us time|other tools already have it|our team keeps asking for it|"
            "it would make onboarding easier"
        ),
        "why2": (
            "otherwise we have to look at other tools|our management requires it|"
            "it decides whether we stay"
        ),
        "q": (
            "Do you ship to {country}?|How long does delivery to {country} take?|"
            "What is the status of order {order}?|When will the {product} be back in stock?|"
            "Can I change the delivery address of order {order}?|"
            "Can I still cancel order {order}?|Do you have a discount for {group}?|"
            "What is the difference between the basic and the Pro plan?|"
            "Could I book a demo for my team?|Is the {product} compatible with {platform}?|"
            "What are your opening hours?|Can I pick up my order at your store?|"
            "Could you send a quote for {n} licences?|Is there a phone number I can call?|"
            "Where can I find the manual for the {product}?|Do you offer gift cards?|"
            "Can I add another {product} to order {order}?|"
            "Do you have a shop in {city} where I can see the products?|"
            "What warranty do you give on the {product}?|"
            "How many days do I have to return an item?"
        ),
        "country": "Canada|Switzerland|Ireland|Norway|Mexico|Brazil|Belgium|Austria",
        "group": "students|schools|non-profits|start-ups",
        "platform": "Mac|Linux|iPad|Android tablets",
        "follow": (
            "Thanks for letting me know.|I couldn't find it on the website.|"
            "A short answer is enough."
        ),
        "parcel": (
            "still hasn't arrived|is shown as delivered but I never got it|"
            "has been stuck in transit for a week|arrived with a missing item|"
            "went to my old address"
        ),
        "agent": "your colleague on the phone|the chat agent|your support team|the technician",
        "praise": (
            "was really patient with me|solved it in minutes|went above and beyond|"
            "was very friendly"
        ),
        "spam": (
            "SEO services|cheap web design|lead generation|a free marketing audit|"
            "crypto investments"
        ),
        "role": "sales assistant|marketing|junior developer|warehouse|customer service",
        "person": "your delivery driver|the agent I spoke to|a member of your staff|the technician",
        "bad": "was rude to me|hung up on me|ignored my questions|damaged my fence",
        "hr": (
            "My overtime from last month is missing from my payslip.|"
            "My leave request has not been approved yet.|"
            "I did not receive my salary this month.|"
            "Who do I ask about my pension contributions?"
        ),
        "misc": (
            "I am a journalist and would like to interview your CEO.|"
            "This message reached me by mistake, please ignore it.|"
            "I'm out of the office until next week.|Happy new year to the whole team!|"
            "We'd like to invite you to speak at our conference.|"
            "Please take part in our customer survey.|"
            "We are interested in becoming a reseller in {country}.|"
            "Congratulations, you have been selected for a prize!"
        ),
        "file": (
            "our customer list|the product catalogue|a spreadsheet|last year's orders|"
            "the price list"
        ),
        "slowish": (
            "gets sluggish after a day or two|needs a restart every few days|"
            "is slower in the mornings|uses so much memory"
        ),
        "factor": "authenticator app|security key|SMS code|login app",
        "cdetail": (
            "our new address|our full company name|our VAT ID|the name of our cost centre|"
            "our purchase order number"
        ),
        "want2": "single sign-on|an audit log|data hosting in the EU|two-factor login for all users",
        "pthing": "the software|one licence|the Pro plan|the team plan|a yearly subscription",
        "pwho": "a school|a charity|a small office|five users|a freelancer|a university",
        "change": "a different size|another colour|one more item|a later delivery date|fewer pieces",
        "day": "on Saturdays|over the holidays|on public holidays|late on Thursdays",
        "ooo": (
            "I'm on leave until {date} with limited access to email.|"
            "Out of office: back on Monday, for urgent matters contact my colleague.|"
            "I am travelling this week and will answer when I'm back.|"
            "Automatic reply: I am away until {date}."
        ),
        "topic": "small business tools|online retail|productivity|IT security|customer service",
        "channel": "the phone|your hotline|the chat",
        "praise2": (
            "your team did a great job this year|the new version is fantastic|"
            "your agent made my day|I love your product"
        ),
    },
    "de": {
        "thing": (
            "die App|das Dashboard|die Berichtsseite|die mobile App|unser Onlineshop|"
            "der Checkout|der Export|die Suche|die Synchronisierung|das Desktop-Programm|"
            "der Adminbereich|das Kundenportal|die API|die Buchungsseite|das Rechnungsmodul|"
            "der Etikettendrucker|der Kalender|der Datei-Upload|das Bestellformular|"
            "die Bestellbestätigungen|die Push-Benachrichtigungen|die Datenbank|"
            "der Barcode-Scanner|das Kartenterminal|die PDF-Dokumente|der Verkaufsbericht|"
            "unser Mailserver"
        ),
        "sym": (
            "stürzt direkt beim Öffnen ab|zeigt nur eine weiße Seite|lädt ewig|"
            "friert ständig ein|meldet Fehler {error}|"
            "funktioniert seit dem letzten Update nicht mehr|"
            "bricht mit Zeitüberschreitung ab|speichert meine Änderungen nicht|"
            "zeigt falsche Zahlen|hängt beim Ladebildschirm|schließt sich einfach|"
            "erzeugt eine leere Datei|kommen nicht mehr an|zeigt kaputte Sonderzeichen|"
            "zählt jeden Eintrag doppelt|bricht mit Verbindungsfehler ab|lehnt jeden Scan ab"
        ),
        "sym2": (
            "stürzt das Programm ab|kommt Fehler {error}|passiert gar nichts|"
            "bleibt alles hängen|kommt eine leere Seite|dauert es minutenlang"
        ),
        "minor": (
            "sieht auf kleinen Bildschirmen etwas verschoben aus|"
            "zeigt das Datum im falschen Format|hat einen Tippfehler im Menü|"
            "ist etwas langsamer als sonst|zeigt ein Symbol doppelt"
        ),
        "since": (
            "heute früh|dem gestrigen Update|dem Wochenende|dem Serverumzug|"
            "Version {version}|Montag"
        ),
        "do": (
            "einen Bericht exportieren|eine Datei hochladen|eine Rechnung öffnen|"
            "ein Etikett drucken|mein Handy synchronisieren|einen Kunden speichern|"
            "unsere Kontakte importieren|den Monatsbericht erstellen"
        ),
        "ldo": (
            "mich anmelden|mich einloggen|mein Passwort zurücksetzen|"
            "in den Adminbereich wechseln|den Bestätigungscode eingeben|"
            "mich per SSO anmelden|die Einladung annehmen|mich mit Google anmelden"
        ),
        "lnoun": (
            "Die Anmeldung|Das Einloggen|Das Zurücksetzen des Passworts|"
            "Der Zugang zum Adminbereich|Die Bestätigung per Code|Die SSO-Anmeldung"
        ),
        "fail": (
            "heißt es, das Passwort sei falsch|lädt die Seite nur neu|"
            "kommt 'Zugriff verweigert'|passiert nichts|kommt der Code nie an|"
            "steht da, das Konto sei gesperrt|lande ich wieder auf der Startseite|"
            "heißt es, den Benutzer gebe es nicht|ist der Link abgelaufen|"
            "sagt der Einladungslink, er sei ungültig|meldet der Google-Login einen Fehler"
        ),
        "task": (
            "eine Kollegin zu unserem Konto hinzufügen|die Login-E-Mail ändern|"
            "einem neuen Mitarbeiter Zugang geben|einen ausgeschiedenen Benutzer entfernen|"
            "meinen Profilnamen ändern|zwischen meinen zwei Konten wechseln|"
            "mein Konto löschen|die Zwei-Faktor-Anmeldung einschalten|"
            "meinen Benutzernamen ändern"
        ),
        "sec": (
            "mein Passwort geändert|sich in mein Konto eingeloggt|"
            "die E-Mail-Adresse meines Kontos geändert|sich aus dem Ausland angemeldet"
        ),
        "issue": (
            "Mir wurde doppelt abgebucht|Mir wurde ein falscher Betrag berechnet|"
            "Die Rückerstattung ist nicht angekommen|Meine Zahlung wurde abgelehnt|"
            "Nach der Kündigung wurde trotzdem abgebucht|"
            "Der Preis ist ohne Ankündigung gestiegen|Der Rabatt wurde nicht abgezogen|"
            "Uns werden mehr Lizenzen berechnet als wir nutzen|"
            "Die MwSt. auf der Rechnung stimmt nicht|"
            "Auf meinem Kontoauszug ist eine unbekannte Abbuchung|"
            "Die Gutschrift wurde nie verrechnet|"
            "Ich bekam eine Mahnung, obwohl ich bezahlt habe"
        ),
        "obj": (
            "Abonnement|Bestellung {order}|Rechnung {invoice}|Kreditkarte|Tarif {plan}|"
            "letzter Monat|{product}"
        ),
        "doc": (
            "eine Kopie der Rechnung {invoice}|eine Rechnung mit unserer USt-ID|"
            "alle Belege dieses Jahres|eine korrigierte Rechnung|eine Zahlungsübersicht|"
            "die Rechnung zur Bestellung {order}"
        ),
        "bq": (
            "Welche Zahlungsarten gibt es?|Kann ich per Überweisung zahlen?|"
            "Wie ändere ich die hinterlegte Karte?|Was kostet eine vorzeitige Kündigung?|"
            "Können wir auf jährliche Abrechnung wechseln?|Ist die MwSt. im Preis enthalten?|"
            "Wie ändere ich die Rechnungsadresse?"
        ),
        "reason": (
            "es kam kaputt an|es hat nie funktioniert|ich habe rechtzeitig gekündigt|"
            "es entsprach nicht der Beschreibung"
        ),
        "when": "morgen|am Freitag|in zwei Tagen|heute Nacht",
        "want": (
            "einen Dunkelmodus|einen Export nach {fmt}|eine Anbindung an {tool}|"
            "wiederkehrende Aufgaben|eigene Felder für Kontakte|Massenbearbeitung|"
            "einen Offline-Modus für die App|Tastenkürzel|eine API für Berichte|"
            "ein Widget für den Startbildschirm|Rollen mit eingeschränkten Rechten|"
            "farbige Labels|eine Kalenderansicht|geplante Berichte per E-Mail|"
            "Unterstützung für Sicherheitsschlüssel|mehr Sprachen in der Oberfläche|"
            "eine größere Schrift|Filter nach Zeitraum|Vorlagen für häufige Antworten|"
            "Drag & Drop im Dashboard|ein Audit-Log|Single Sign-On|wiederkehrende Rechnungen|"
            "einen automatischen Wochenexport|einen Import aus {fmt}|"
            "Massenlöschung für alte Datensätze|automatische Erinnerungen an Kunden"
        ),
        "why": (
            "das würde uns Zeit sparen|andere Tools haben das schon|"
            "unser Team fragt ständig danach|das würde die Einarbeitung erleichtern"
        ),
        "why2": (
            "sonst müssen wir uns andere Anbieter ansehen|"
            "unsere Geschäftsleitung verlangt es|davon hängt ab, ob wir bleiben"
        ),
        "q": (
            "Liefern Sie nach {country}?|Wie lange dauert die Lieferung nach {country}?|"
            "Wie ist der Stand meiner Bestellung {order}?|"
            "Wann ist der {product} wieder auf Lager?|"
            "Kann ich die Lieferadresse der Bestellung {order} ändern?|"
            "Kann ich die Bestellung {order} noch stornieren?|Gibt es Rabatt für {group}?|"
            "Was ist der Unterschied zwischen Basis- und Pro-Tarif?|"
            "Kann ich eine Demo für mein Team buchen?|"
            "Ist der {product} mit {platform} kompatibel?|Wie sind Ihre Öffnungszeiten?|"
            "Kann ich die Bestellung im Laden abholen?|"
            "Können Sie ein Angebot für {n} Lizenzen schicken?|"
            "Unter welcher Nummer erreiche ich Sie?|"
            "Wo finde ich die Anleitung für den {product}?|Gibt es Gutscheine?|"
            "Haben Sie ein Geschäft in {city}, in dem ich die Produkte ansehen kann?|"
            "Wie lange gilt die Garantie auf den {product}?|"
            "Wie viele Tage habe ich für eine Rücksendung?"
        ),
        "country": "die Schweiz|Österreich|Italien|Dänemark|Polen|Belgien|Kanada",
        "group": "Studierende|Schulen|Vereine|Start-ups",
        "platform": "Mac|Linux|dem iPad|Android-Tablets",
        "follow": (
            "Danke für eine kurze Info.|Auf der Webseite habe ich nichts gefunden.|"
            "Eine kurze Antwort genügt."
        ),
        "parcel": (
            "ist immer noch nicht da|steht als zugestellt, kam aber nie an|"
            "hängt seit einer Woche im Versand fest|kam unvollständig an|"
            "ging an meine alte Adresse"
        ),
        "agent": "Ihr Kollege am Telefon|die Mitarbeiterin im Chat|Ihr Support-Team|der Techniker",
        "praise": (
            "war sehr geduldig|hat alles in Minuten gelöst|hat sich toll gekümmert|"
            "war sehr freundlich"
        ),
        "spam": (
            "SEO-Dienstleistungen|günstiges Webdesign|Leadgenerierung|"
            "eine kostenlose Marketing-Analyse|Krypto-Investments"
        ),
        "role": "Vertrieb|Marketing|Softwareentwicklung|Lager|Kundenservice",
        "person": "Ihren Lieferfahrer|den Mitarbeiter am Telefon|einen Ihrer Angestellten|den Techniker",
        "bad": (
            "war unhöflich|hat einfach aufgelegt|hat meine Fragen ignoriert|"
            "hat meinen Zaun beschädigt"
        ),
        "hr": (
            "Meine Überstunden vom letzten Monat fehlen auf der Abrechnung.|"
            "Mein Urlaubsantrag ist noch nicht genehmigt.|"
            "Ich habe diesen Monat kein Gehalt bekommen.|"
            "Wen frage ich wegen meiner Betriebsrente?"
        ),
        "misc": (
            "Ich bin Journalistin und würde gern Ihren Geschäftsführer interviewen.|"
            "Diese Nachricht kam versehentlich bei mir an, bitte ignorieren.|"
            "Ich bin bis nächste Woche nicht im Büro.|"
            "Ein frohes neues Jahr an das ganze Team!|"
            "Wir möchten Sie als Sprecher auf unsere Konferenz einladen.|"
            "Bitte nehmen Sie an unserer Kundenumfrage teil.|"
            "Wir würden Ihre Produkte gern in {country} vertreiben.|"
            "Herzlichen Glückwunsch, Sie wurden für einen Preis ausgewählt!"
        ),
        "file": (
            "unserer Kundenliste|dem Produktkatalog|einer Excel-Tabelle|"
            "den Bestellungen des Vorjahres|der Preisliste"
        ),
        "slowish": (
            "nach ein, zwei Tagen träge wird|alle paar Tage einen Neustart braucht|"
            "morgens langsamer ist|so viel Speicher braucht"
        ),
        "factor": "Die Authenticator-App|Der Sicherheitsschlüssel|Der SMS-Code|Die Login-App",
        "cdetail": (
            "unsere neue Adresse|den vollständigen Firmennamen|unsere USt-ID|"
            "unsere Kostenstelle|unsere Bestellnummer"
        ),
        "want2": "Single Sign-On|ein Audit-Log|Datenhaltung in der EU|Zwei-Faktor-Anmeldung für alle",
        "pthing": "die Software|eine Lizenz|der Pro-Tarif|der Team-Tarif|ein Jahresabo",
        "pwho": "eine Schule|einen Verein|ein kleines Büro|fünf Benutzer|Freiberufler|eine Hochschule",
        "change": (
            "eine andere Größe|eine andere Farbe|ein Stück mehr|ein späterer Liefertermin|"
            "weniger Stück"
        ),
        "day": "samstags|über die Feiertage|an Feiertagen|donnerstags länger",
        "ooo": (
            "Ich bin bis {date} im Urlaub und lese E-Mails nur eingeschränkt.|"
            "Abwesend: ab Montag wieder da, in dringenden Fällen bitte an meinen Kollegen.|"
            "Ich bin diese Woche auf Reisen und antworte nach meiner Rückkehr.|"
            "Automatische Antwort: ich bin bis {date} nicht erreichbar."
        ),
        "topic": "Software für kleine Firmen|Onlinehandel|Produktivität|IT-Sicherheit|Kundenservice",
        "channel": "am Telefon|an Ihrer Hotline|im Chat",
        "praise2": (
            "Ihr Team hat dieses Jahr großartige Arbeit geleistet|"
            "die neue Version ist fantastisch|Ihre Mitarbeiterin hat mir den Tag gerettet|"
            "ich liebe Ihr Produkt"
        ),
    },
    "es": {
        "thing": (
            "la app|el panel|la página de informes|la aplicación móvil|nuestra tienda online|"
            "el proceso de pago|la exportación|el buscador|la sincronización|"
            "el programa de escritorio|el área de administración|el portal de clientes|"
            "la API|la página de reservas|el módulo de facturas|la impresora de etiquetas|"
            "el calendario|la subida de archivos|el formulario de pedido|"
            "los correos de confirmación|las notificaciones push|la base de datos|"
            "el lector de códigos de barras|el datáfono|los documentos PDF|"
            "el informe de ventas|nuestro servidor de correo"
        ),
        "sym": (
            "se cierra nada más abrirla|solo muestra una página en blanco|"
            "tarda muchísimo en cargar|se queda congelado|da el error {error}|"
            "dejó de funcionar con la última actualización|da un tiempo de espera agotado|"
            "no guarda mis cambios|muestra cifras incorrectas|"
            "se queda en la pantalla de carga|se cierra sin motivo|genera un archivo vacío|"
            "ya no llegan|muestra caracteres raros|cuenta cada registro dos veces|"
            "falla con un error de conexión|rechaza cada lectura"
        ),
        "sym2": (
            "el programa se cierra|sale el error {error}|no pasa nada|se queda todo colgado|"
            "sale una página en blanco|tarda varios minutos"
        ),
        "minor": (
            "se ve un poco descolocado en pantallas pequeñas|"
            "muestra la fecha en otro formato|tiene una errata en un menú|"
            "va algo más lento de lo normal|muestra un icono repetido"
        ),
        "since": (
            "esta mañana|la actualización de ayer|el fin de semana|el cambio de servidor|"
            "la versión {version}|el lunes"
        ),
        "do": (
            "exportar un informe|subir un archivo|abrir una factura|imprimir una etiqueta|"
            "sincronizar el móvil|guardar un cliente|importar nuestros contactos|"
            "sacar el informe mensual"
        ),
        "ldo": (
            "iniciar sesión|entrar en mi cuenta|restablecer la contraseña|"
            "acceder al área de administración|introducir el código de verificación|"
            "entrar con SSO|aceptar la invitación|entrar con Google"
        ),
        "fail": (
            "me dice que la contraseña es incorrecta|la página se recarga sin más|"
            "sale 'acceso denegado'|no pasa nada|el código nunca llega|"
            "me sale que la cuenta quedó bloqueada|vuelvo a la página de inicio|"
            "dice que el usuario no existe|el enlace ha caducado|"
            "el enlace de invitación dice que no es válido|el botón de Google da un error"
        ),
        "task": (
            "añadir a una compañera a nuestra cuenta|cambiar el correo con el que entro|"
            "dar acceso a un empleado nuevo|quitar a un usuario que se fue|"
            "cambiar el nombre del perfil|cambiar entre mis dos cuentas|borrar mi cuenta|"
            "activar la verificación en dos pasos|cambiar mi nombre de usuario"
        ),
        "sec": (
            "cambió mi contraseña|entró en mi cuenta|cambió el correo de mi cuenta|"
            "inició sesión desde otro país"
        ),
        "issue": (
            "Me han cobrado dos veces|Me han cobrado un importe incorrecto|"
            "El reembolso no ha llegado|Mi pago fue rechazado|"
            "Me cobraron después de darme de baja|El precio subió sin avisar|"
            "No se aplicó el descuento|Nos cobran más licencias de las que usamos|"
            "El IVA de la factura está mal|Aparece un cargo desconocido en mi extracto|"
            "Nunca me aplicaron el abono|Me llegó un aviso de impago aunque pagué"
        ),
        "obj": (
            "suscripción|pedido {order}|factura {invoice}|tarjeta de crédito|plan {plan}|"
            "el mes pasado|{product}"
        ),
        "doc": (
            "una copia de la factura {invoice}|una factura con nuestro NIF|"
            "todos los recibos de este año|una factura corregida|"
            "un resumen de nuestros pagos|la factura del pedido {order}"
        ),
        "bq": (
            "¿Qué formas de pago tienen?|¿Puedo pagar por transferencia?|"
            "¿Cómo cambio la tarjeta guardada?|¿Cuánto cuesta cancelar antes de tiempo?|"
            "¿Podemos pasar a facturación anual?|¿El precio incluye IVA?|"
            "¿Cómo cambio la dirección de facturación?"
        ),
        "reason": "llegó roto|nunca funcionó|cancelé a tiempo|no era como se describía",
        "when": "mañana|el viernes|en dos días|esta noche",
        "want": (
            "un modo oscuro|una exportación a {fmt}|una integración con {tool}|"
            "tareas periódicas|campos propios para contactos|edición masiva|"
            "un modo sin conexión en la app|atajos de teclado|una API para informes|"
            "un widget para la pantalla de inicio|roles con permisos limitados|"
            "etiquetas de colores|una vista de calendario|informes programados por correo|"
            "soporte para llaves de seguridad|más idiomas en la interfaz|"
            "una letra más grande|filtros por fechas|plantillas de respuestas|"
            "arrastrar y soltar en el panel|un registro de auditoría|inicio de sesión único|"
            "facturas periódicas|una exportación automática semanal|"
            "una importación desde {fmt}|borrado masivo de registros antiguos|"
            "recordatorios automáticos para clientes"
        ),
        "why": (
            "nos ahorraría tiempo|otras herramientas ya lo tienen|"
            "el equipo lo pide constantemente|facilitaría la formación de nuevos compañeros"
        ),
        "why2": (
            "si no tendremos que mirar otras opciones|la dirección lo exige|"
            "de eso depende que sigamos"
        ),
        "q": (
            "¿Envían a {country}?|¿Cuánto tarda el envío a {country}?|"
            "¿Cómo va mi pedido {order}?|¿Cuándo vuelve a haber {product}?|"
            "¿Puedo cambiar la dirección de entrega del pedido {order}?|"
            "¿Todavía puedo cancelar el pedido {order}?|¿Hay descuento para {group}?|"
            "¿Qué diferencia hay entre el plan básico y el Pro?|"
            "¿Puedo reservar una demo para mi equipo?|"
            "¿Es {product} compatible con {platform}?|¿Cuál es su horario?|"
            "¿Puedo recoger el pedido en tienda?|"
            "¿Me pasan un presupuesto para {n} licencias?|¿Hay un teléfono de contacto?|"
            "¿Dónde está el manual de {product}?|¿Tienen tarjetas regalo?|"
            "¿Tienen tienda en {city} para ver los productos?|"
            "¿Cuánto dura la garantía de {product}?|"
            "¿Cuántos días tengo para devolver un artículo?"
        ),
        "country": "Portugal|Francia|Andorra|México|Chile|Argentina|Italia",
        "group": "estudiantes|colegios|ONG|startups",
        "platform": "Mac|Linux|iPad|tabletas Android",
        "follow": (
            "Gracias por la información.|No lo encontré en la web.|"
            "Con una respuesta breve me basta."
        ),
        "parcel": (
            "todavía no ha llegado|figura como entregado pero no lo recibí|"
            "lleva una semana parado en tránsito|llegó incompleto|"
            "se envió a mi dirección antigua"
        ),
        "agent": "su compañero del teléfono|la persona del chat|el equipo de soporte|el técnico",
        "praise": "tuvo mucha paciencia|lo resolvió en minutos|se esforzó muchísimo|fue muy amable",
        "spam": (
            "servicios SEO|diseño web barato|captación de clientes|"
            "una auditoría de marketing gratis|inversiones en cripto"
        ),
        "role": "comercial|marketing|desarrollo|almacén|atención al cliente",
        "person": "su repartidor|el agente con el que hablé|un empleado suyo|el técnico",
        "bad": "fue maleducado|me colgó|ignoró mis preguntas|me rompió la valla",
        "hr": (
            "Faltan mis horas extra del mes pasado en la nómina.|"
            "Mi solicitud de vacaciones sigue sin aprobar.|Este mes no he cobrado el sueldo.|"
            "¿A quién pregunto por mi plan de pensiones?"
        ),
        "misc": (
            "Soy periodista y me gustaría entrevistar a su director.|"
            "Este mensaje me llegó por error, ignórenlo.|"
            "Estoy fuera de la oficina hasta la semana que viene.|"
            "¡Feliz año nuevo a todo el equipo!|"
            "Queremos invitarles a hablar en nuestra conferencia.|"
            "Participen en nuestra encuesta de clientes.|"
            "Nos interesa distribuir sus productos en {country}.|"
            "¡Enhorabuena, ha sido seleccionado para un premio!"
        ),
        "file": (
            "nuestra lista de clientes|el catálogo de productos|una hoja de cálculo|"
            "los pedidos del año pasado|la lista de precios"
        ),
        "slowish": (
            "se vuelva lento tras un par de días|necesite reiniciarse cada pocos días|"
            "vaya más lento por las mañanas|use tanta memoria"
        ),
        "factor": "La app de autenticación|La llave de seguridad|El código SMS|La app de acceso",
        "cdetail": (
            "nuestra nueva dirección|el nombre completo de la empresa|nuestro NIF|"
            "nuestro centro de coste|nuestro número de orden de compra"
        ),
        "want2": (
            "inicio de sesión único|un registro de auditoría|alojamiento de datos en la UE|"
            "verificación en dos pasos para todos"
        ),
        "pthing": "el programa|una licencia|el plan Pro|el plan de equipo|una suscripción anual",
        "pwho": (
            "un colegio|una asociación|una oficina pequeña|cinco usuarios|un autónomo|"
            "una universidad"
        ),
        "change": "otra talla|otro color|una unidad más|otra fecha de entrega|menos unidades",
        "day": "los sábados|en las fiestas|los festivos|hasta tarde los jueves",
        "ooo": (
            "Estoy de vacaciones hasta el {date} y apenas leo el correo.|"
            "Fuera de la oficina: vuelvo el lunes, para temas urgentes escriban a mi compañero.|"
            "Esta semana estoy de viaje y responderé a la vuelta.|"
            "Respuesta automática: no estoy disponible hasta el {date}."
        ),
        "topic": (
            "herramientas para pymes|comercio electrónico|productividad|"
            "seguridad informática|atención al cliente"
        ),
        "channel": "por teléfono|en su línea de atención|en el chat",
        "praise2": (
            "su equipo ha hecho un trabajo estupendo este año|la nueva versión es fantástica|"
            "su agente me alegró el día|me encanta su producto"
        ),
    },
    "fr": {
        "thing": (
            "l'appli|le tableau de bord|la page des rapports|l'application mobile|"
            "notre boutique en ligne|le paiement en ligne|l'export|la recherche|"
            "la synchronisation|le logiciel de bureau|l'espace admin|le portail client|l'API|"
            "la page de réservation|le module de facturation|l'imprimante d'étiquettes|"
            "le calendrier|l'envoi de fichiers|le formulaire de commande|"
            "les e-mails de confirmation|les notifications push|la base de données|"
            "le lecteur de codes-barres|le terminal de paiement|les documents PDF|"
            "le rapport des ventes|notre serveur mail"
        ),
        "sym": (
            "plante dès l'ouverture|n'affiche qu'une page blanche|met une éternité à charger|"
            "se fige sans arrêt|affiche l'erreur {error}|"
            "ne marche plus depuis la dernière mise à jour|part en délai d'attente dépassé|"
            "n'enregistre pas mes modifications|affiche des chiffres faux|"
            "reste bloqué sur l'écran de chargement|se ferme sans raison|"
            "produit un fichier vide|n'arrivent plus|affiche des caractères bizarres|"
            "compte chaque ligne deux fois|échoue avec une erreur de connexion|"
            "refuse chaque scan"
        ),
        "sym2": (
            "le programme plante|j'ai l'erreur {error}|rien ne se passe|tout se bloque|"
            "j'ai une page blanche|ça prend plusieurs minutes"
        ),
        "minor": (
            "s'affiche un peu de travers sur petit écran|"
            "montre la date dans le mauvais format|a une faute de frappe dans un menu|"
            "est un peu plus lent que d'habitude|affiche une icône en double"
        ),
        "since": (
            "ce matin|la mise à jour d'hier|le week-end|le changement de serveur|"
            "la version {version}|lundi"
        ),
        "do": (
            "exporter un rapport|envoyer un fichier|ouvrir une facture|"
            "imprimer une étiquette|synchroniser mon téléphone|enregistrer un client|"
            "importer nos contacts|sortir le rapport mensuel"
        ),
        "ldo": (
            "me connecter|entrer dans mon compte|réinitialiser mon mot de passe|"
            "accéder à l'espace admin|saisir le code de vérification|me connecter via SSO|"
            "accepter l'invitation|me connecter avec Google"
        ),
        "fail": (
            "on me dit que le mot de passe est faux|la page se recharge|"
            "j'obtiens « accès refusé »|il ne se passe rien|le code n'arrive jamais|"
            "on me dit que le compte est bloqué|je reviens sur la page d'accueil|"
            "l'utilisateur n'existe pas, paraît-il|le lien a expiré|"
            "le lien d'invitation est dit invalide|le bouton Google affiche une erreur"
        ),
        "task": (
            "ajouter une collègue à notre compte|changer l'adresse e-mail de connexion|"
            "donner un accès à un nouvel employé|retirer un utilisateur parti|"
            "modifier le nom du profil|passer d'un compte à l'autre|supprimer mon compte|"
            "activer la double authentification|changer mon identifiant"
        ),
        "sec": (
            "changé mon mot de passe|pénétré dans mon compte|changé l'e-mail de mon compte|"
            "fait une connexion depuis l'étranger"
        ),
        "issue": (
            "J'ai été prélevé deux fois|On m'a facturé un mauvais montant|"
            "Le remboursement n'est pas arrivé|Mon paiement a été refusé|"
            "On m'a débité après la résiliation|Le prix a augmenté sans prévenir|"
            "La remise n'a pas été appliquée|"
            "On nous facture plus de licences que nous n'en utilisons|"
            "La TVA de la facture est fausse|Un prélèvement inconnu apparaît sur mon relevé|"
            "L'avoir n'a jamais été appliqué|J'ai reçu une relance alors que j'ai payé"
        ),
        "obj": (
            "abonnement|commande {order}|facture {invoice}|carte bancaire|formule {plan}|"
            "mois dernier|{product}"
        ),
        "doc": (
            "une copie de la facture {invoice}|une facture avec notre numéro de TVA|"
            "tous les reçus de l'année|une facture corrigée|un relevé de nos paiements|"
            "la facture de la commande {order}"
        ),
        "bq": (
            "Quels moyens de paiement acceptez-vous ?|Puis-je payer par virement ?|"
            "Comment changer la carte enregistrée ?|"
            "Combien coûte une résiliation anticipée ?|"
            "Pouvons-nous passer à une facturation annuelle ?|La TVA est-elle comprise ?|"
            "Comment modifier l'adresse de facturation ?"
        ),
        "reason": (
            "il est arrivé cassé|il n'a jamais marché|j'ai résilié à temps|"
            "il ne correspondait pas à la description"
        ),
        "when": "demain|vendredi|dans deux jours|cette nuit",
        "want": (
            "un mode sombre|un export vers {fmt}|une intégration avec {tool}|"
            "des tâches récurrentes|des champs personnalisés pour les contacts|"
            "la modification en masse|un mode hors ligne dans l'appli|des raccourcis clavier|"
            "une API pour les rapports|un widget pour le téléphone|"
            "des rôles aux droits limités|des étiquettes de couleur|une vue calendrier|"
            "des rapports programmés par e-mail|la prise en charge des clés de sécurité|"
            "plus de langues dans l'interface|une police plus grande|des filtres par période|"
            "des modèles de réponses|le glisser-déposer dans le tableau de bord|"
            "un journal d'audit|l'authentification unique|des factures récurrentes|"
            "un export automatique chaque semaine|un import depuis {fmt}|"
            "la suppression en masse des vieilles fiches|des rappels automatiques aux clients"
        ),
        "why": (
            "cela nous ferait gagner du temps|d'autres outils l'ont déjà|"
            "l'équipe le réclame sans cesse|cela faciliterait l'arrivée des nouveaux"
        ),
        "why2": "sinon nous regarderons ailleurs|la direction l'exige|notre maintien en dépend",
        "q": (
            "Livrez-vous en {country} ?|Combien de temps prend la livraison en {country} ?|"
            "Où en est ma commande {order} ?|"
            "Quand le {product} sera-t-il de nouveau en stock ?|"
            "Puis-je changer l'adresse de livraison de la commande {order} ?|"
            "Puis-je encore annuler la commande {order} ?|"
            "Avez-vous une remise pour {group} ?|"
            "Quelle différence entre la formule de base et la Pro ?|"
            "Puis-je réserver une démo pour mon équipe ?|"
            "Le {product} est-il compatible avec {platform} ?|Quels sont vos horaires ?|"
            "Puis-je retirer ma commande en magasin ?|"
            "Pouvez-vous m'envoyer un devis pour {n} licences ?|"
            "Y a-t-il un numéro à appeler ?|Où trouver le mode d'emploi du {product} ?|"
            "Proposez-vous des cartes cadeaux ?|"
            "Avez-vous une boutique à {city} pour voir les produits ?|"
            "Quelle est la durée de garantie du {product} ?|"
            "Combien de jours ai-je pour retourner un article ?"
        ),
        "country": "Suisse|Espagne|Italie|Allemagne|Pologne|Autriche|Irlande",
        "group": "les étudiants|les écoles|les associations|les start-up",
        "platform": "Mac|Linux|l'iPad|les tablettes Android",
        "follow": "Merci pour l'info.|Je n'ai rien trouvé sur le site.|Une réponse courte suffit.",
        "parcel": (
            "toujours pas arrivée|indiquée livrée mais jamais reçue|"
            "bloquée en transit depuis une semaine|arrivée incomplète|"
            "partie à mon ancienne adresse"
        ),
        "agent": "votre collègue au téléphone|la personne du chat|votre équipe support|le technicien",
        "praise": (
            "a été très patient|a tout réglé en quelques minutes|s'est vraiment donné du mal|"
            "a été très aimable"
        ),
        "spam": (
            "des services SEO|de la création de site pas chère|de la génération de leads|"
            "un audit marketing gratuit|des placements en crypto"
        ),
        "role": "vente|marketing|développement|entrepôt|service client",
        "person": "votre livreur|le conseiller que j'ai eu|un de vos employés|le technicien",
        "bad": "a été grossière|m'a raccroché au nez|a ignoré mes questions|a abîmé ma clôture",
        "hr": (
            "Mes heures supplémentaires du mois dernier manquent sur ma fiche de paie.|"
            "Ma demande de congés n'est toujours pas validée.|"
            "Je n'ai pas reçu mon salaire ce mois-ci.|"
            "À qui m'adresser pour ma retraite complémentaire ?"
        ),
        "misc": (
            "Je suis journaliste et j'aimerais interviewer votre PDG.|"
            "Ce message m'est arrivé par erreur, merci de l'ignorer.|"
            "Je suis absent jusqu'à la semaine prochaine.|Bonne année à toute l'équipe !|"
            "Nous aimerions vous inviter à parler à notre conférence.|"
            "Merci de répondre à notre enquête de satisfaction.|"
            "Nous voudrions distribuer vos produits en {country}.|"
            "Félicitations, vous avez été sélectionné pour un prix !"
        ),
        "file": (
            "notre liste de clients|le catalogue produits|un tableur|"
            "les commandes de l'an dernier|la grille tarifaire"
        ),
        "slowish": (
            "devienne lent au bout d'un ou deux jours|doive redémarrer tous les trois jours|"
            "soit plus lent le matin|consomme autant de mémoire"
        ),
        "factor": "L'application d'authentification|La clé de sécurité|Le code SMS|L'appli de connexion",
        "cdetail": (
            "notre nouvelle adresse|la raison sociale complète|notre numéro de TVA|"
            "notre centre de coût|notre numéro de bon de commande"
        ),
        "want2": (
            "l'authentification unique (SSO)|un journal d'audit|"
            "un hébergement des données dans l'UE|la double authentification pour tous"
        ),
        "pthing": "le logiciel|une licence|la formule Pro|la formule équipe|un abonnement annuel",
        "pwho": (
            "une école|une association|un petit bureau|cinq utilisateurs|un indépendant|"
            "une université"
        ),
        "change": (
            "une autre taille|une autre couleur|un article de plus|"
            "une autre date de livraison|moins de pièces"
        ),
        "day": "le samedi|pendant les fêtes|les jours fériés|tard le jeudi",
        "ooo": (
            "En vacances jusqu'au {date}, je consulte peu ma messagerie.|"
            "Absent du bureau : de retour lundi, pour l'urgent écrivez à mon collègue.|"
            "Je suis en déplacement cette semaine et répondrai à mon retour.|"
            "Réponse automatique : je suis absent jusqu'au {date}."
        ),
        "topic": (
            "les outils pour petites entreprises|le e-commerce|la productivité|"
            "la sécurité informatique|le service client"
        ),
        "channel": "au téléphone|sur votre hotline|sur le chat",
        "praise2": (
            "votre équipe a fait un super travail cette année|"
            "la nouvelle version est géniale|votre conseillère a illuminé ma journée|"
            "j'adore votre produit"
        ),
    },
    "pt": {
        "thing": (
            "a app|o painel|a página de relatórios|o aplicativo|a nossa loja online|"
            "o checkout|a exportação|a pesquisa|a sincronização|o programa de desktop|"
            "a área de administração|o portal do cliente|a API|a página de reservas|"
            "o módulo de faturas|a impressora de etiquetas|o calendário|o envio de ficheiros|"
            "o formulário de encomenda|os emails de confirmação|as notificações push|"
            "a base de dados|o leitor de código de barras|o terminal de pagamento|"
            "os documentos PDF|o relatório de vendas|o nosso servidor de email"
        ),
        "sym": (
            "fecha logo ao abrir|só mostra uma página em branco|demora imenso a carregar|"
            "trava o tempo todo|dá o erro {error}|"
            "deixou de funcionar com a última atualização|dá tempo limite esgotado|"
            "não guarda as minhas alterações|mostra números errados|"
            "fica preso no ecrã de carregamento|fecha sem motivo|gera um ficheiro vazio|"
            "já não chegam|mostra caracteres estranhos|conta cada registo duas vezes|"
            "falha com erro de ligação|rejeita cada leitura"
        ),
        "sym2": (
            "o programa fecha|aparece o erro {error}|não acontece nada|fica tudo travado|"
            "aparece uma página em branco|demora vários minutos"
        ),
        "minor": (
            "fica um pouco desalinhado em ecrãs pequenos|mostra a data noutro formato|"
            "tem um erro de escrita num menu|está um pouco mais lento do que o normal|"
            "mostra um ícone repetido"
        ),
        "since": (
            "hoje de manhã|a atualização de ontem|o fim de semana|a mudança de servidor|"
            "a versão {version}|segunda-feira"
        ),
        "do": (
            "exportar um relatório|enviar um ficheiro|abrir uma fatura|imprimir uma etiqueta|"
            "sincronizar o telemóvel|gravar um cliente|importar os nossos contactos|"
            "gerar o relatório mensal"
        ),
        "ldo": (
            "fazer login|entrar na minha conta|redefinir a senha|"
            "aceder à área de administração|introduzir o código de verificação|"
            "entrar com SSO|aceitar o convite|entrar com o Google"
        ),
        "fail": (
            "diz que a senha está errada|a página só recarrega|aparece 'acesso negado'|"
            "não acontece nada|o código nunca chega|aparece que a conta foi bloqueada|"
            "volto à página inicial|diz que o utilizador não existe|o link expirou|"
            "o link do convite diz que é inválido|o botão do Google dá erro"
        ),
        "task": (
            "adicionar uma colega à nossa conta|mudar o email de login|"
            "dar acesso a um funcionário novo|remover um utilizador que saiu|"
            "mudar o nome do perfil|alternar entre as minhas duas contas|"
            "apagar a minha conta|ativar a autenticação de dois fatores|"
            "mudar o meu nome de utilizador"
        ),
        "sec": (
            "mudou a minha senha|entrou na minha conta|mudou o email da minha conta|"
            "fez login a partir de outro país"
        ),
        "issue": (
            "Fui cobrado duas vezes|Cobraram-me um valor errado|O reembolso não chegou|"
            "O meu pagamento foi recusado|Cobraram depois de eu cancelar|"
            "O preço subiu sem aviso|O desconto não foi aplicado|"
            "Cobram-nos mais licenças do que usamos|O IVA da fatura está errado|"
            "Aparece uma cobrança desconhecida no meu extrato|"
            "A nota de crédito nunca foi aplicada|"
            "Recebi um aviso de pagamento apesar de ter pago"
        ),
        "obj": (
            "assinatura|encomenda {order}|fatura {invoice}|cartão de crédito|plano {plan}|"
            "mês passado|{product}"
        ),
        "doc": (
            "uma cópia da fatura {invoice}|uma fatura com o nosso NIF|"
            "todos os recibos deste ano|uma fatura corrigida|um resumo dos nossos pagamentos|"
            "a fatura da encomenda {order}"
        ),
        "bq": (
            "Que formas de pagamento aceitam?|Posso pagar por transferência?|"
            "Como mudo o cartão guardado?|Quanto custa cancelar antes do fim?|"
            "Podemos mudar para faturação anual?|O IVA está incluído no preço?|"
            "Como altero a morada de faturação?"
        ),
        "reason": "chegou partido|nunca funcionou|cancelei a tempo|não era como descrito",
        "when": "amanhã|na sexta-feira|daqui a dois dias|esta noite",
        "want": (
            "um modo escuro|uma exportação para {fmt}|uma integração com {tool}|"
            "tarefas recorrentes|campos próprios nos contactos|edição em massa|"
            "um modo offline na app|atalhos de teclado|uma API para relatórios|"
            "um widget para o ecrã inicial|perfis com permissões limitadas|"
            "etiquetas coloridas|uma vista de calendário|relatórios agendados por email|"
            "suporte a chaves de segurança|mais idiomas na interface|uma letra maior|"
            "filtros por datas|modelos de resposta|arrastar e largar no painel|"
            "um registo de auditoria|login único|faturas recorrentes|"
            "uma exportação automática semanal|uma importação de {fmt}|"
            "eliminação em massa de registos antigos|lembretes automáticos para clientes"
        ),
        "why": (
            "poupava-nos tempo|outras ferramentas já têm|a equipa pede isso sempre|"
            "facilitava a integração de novos colegas"
        ),
        "why2": "senão vamos procurar alternativas|a direção exige|disso depende ficarmos",
        "q": (
            "Enviam para {country}?|Quanto tempo demora a entrega para {country}?|"
            "Como está a minha encomenda {order}?|Quando volta a haver {product}?|"
            "Posso mudar a morada da encomenda {order}?|"
            "Ainda posso cancelar a encomenda {order}?|Há desconto para {group}?|"
            "Em que difere o plano básico do Pro?|Posso marcar uma demo para a minha equipa?|"
            "{product} é compatível com {platform}?|Qual é o vosso horário?|"
            "Posso levantar a encomenda na loja?|"
            "Podem enviar um orçamento para {n} licenças?|"
            "Há um número de telefone para ligar?|Onde encontro o manual de {product}?|"
            "Têm cartões presente?|Têm loja em {city} para ver os produtos?|"
            "Qual é a garantia de {product}?|Quantos dias tenho para devolver um artigo?"
        ),
        "country": "Espanha|França|Angola|Moçambique|Cabo Verde|Brasil|Suíça",
        "group": "estudantes|escolas|associações|startups",
        "platform": "Mac|Linux|iPad|tablets Android",
        "follow": "Obrigado pela informação.|Não encontrei no site.|Basta uma resposta curta.",
        "parcel": (
            "ainda não chegou|aparece como entregue mas não recebi|"
            "está parada em trânsito há uma semana|chegou incompleta|"
            "foi para a minha morada antiga"
        ),
        "agent": "o vosso colega ao telefone|a pessoa do chat|a equipa de suporte|o técnico",
        "praise": "foi muito paciente|resolveu tudo em minutos|fez tudo para ajudar|foi muito simpático",
        "spam": (
            "serviços de SEO|web design barato|geração de leads|"
            "uma auditoria de marketing grátis|investimentos em cripto"
        ),
        "role": "vendas|marketing|desenvolvimento|armazém|apoio ao cliente",
        "person": "o vosso estafeta|o assistente com quem falei|um funcionário vosso|o técnico",
        "bad": (
            "foi mal-educado|desligou-me o telefone|ignorou as minhas perguntas|"
            "danificou a minha vedação"
        ),
        "hr": (
            "As minhas horas extra do mês passado não estão no recibo de vencimento.|"
            "O meu pedido de férias ainda não foi aprovado.|Este mês não recebi o salário.|"
            "A quem pergunto sobre o meu plano de reforma?"
        ),
        "misc": (
            "Sou jornalista e gostaria de entrevistar o vosso diretor.|"
            "Esta mensagem chegou-me por engano, ignorem.|"
            "Estou fora do escritório até à próxima semana.|Feliz ano novo a toda a equipa!|"
            "Gostaríamos de vos convidar para falar na nossa conferência.|"
            "Participem no nosso inquérito de satisfação.|"
            "Queremos distribuir os vossos produtos em {country}.|"
            "Parabéns, foi selecionado para um prémio!"
        ),
        "file": (
            "a nossa lista de clientes|o catálogo de produtos|uma folha de cálculo|"
            "as encomendas do ano passado|a tabela de preços"
        ),
        "slowish": (
            "fique lento depois de um ou dois dias|precise de reiniciar a cada poucos dias|"
            "seja mais lento de manhã|use tanta memória"
        ),
        "factor": "A app de autenticação|A chave de segurança|O código por SMS|A app de login",
        "cdetail": (
            "a nossa nova morada|o nome completo da empresa|o nosso NIF|"
            "o nosso centro de custo|o número da nossa nota de encomenda"
        ),
        "want2": (
            "login único (SSO)|um registo de auditoria|alojamento de dados na UE|"
            "autenticação de dois fatores para todos"
        ),
        "pthing": "o programa|uma licença|o plano Pro|o plano de equipa|uma assinatura anual",
        "pwho": (
            "uma escola|uma associação|um pequeno escritório|cinco utilizadores|"
            "um freelancer|uma universidade"
        ),
        "change": "outro tamanho|outra cor|mais uma unidade|outra data de entrega|menos unidades",
        "day": "aos sábados|nas festas|nos feriados|até tarde às quintas",
        "ooo": (
            "Estou de férias até {date} e leio pouco o email.|"
            "Fora do escritório: volto na segunda, para assuntos urgentes escrevam ao meu colega.|"
            "Esta semana estou em viagem e respondo quando voltar.|"
            "Resposta automática: estou ausente até {date}."
        ),
        "topic": (
            "ferramentas para pequenas empresas|comércio online|produtividade|"
            "segurança informática|apoio ao cliente"
        ),
        "channel": "ao telefone|na vossa linha de apoio|no chat",
        "praise2": (
            "a vossa equipa fez um ótimo trabalho este ano|a nova versão está fantástica|"
            "o vosso assistente ganhou o meu dia|adoro o vosso produto"
        ),
    },
}

SITUATIONS: dict[str, dict[str, str]] = {
    "en": {
        "W": (
            "It still works, it is just annoying.|Not a big deal, we have a workaround for now.|"
            "It's not blocking us, I just wanted to flag it.|"
            "It seems to be working again, but I wanted you to know.|"
            "Nothing is held up by it, it's more of a cosmetic thing.|"
            "Small one: everything else works fine."
        ),
        "D": (
            "I need it for my exam on Friday.|My flight is tomorrow morning, so I need this soon.|"
            "I have to hand in my tax return next week.|"
            "Our accountant needs it by the end of the week.|"
            "I have a client meeting on Thursday and need it for that.|"
            "The offer I want to use expires in two days."
        ),
        "B": (
            "Our contract renewal next month depends on this.|"
            "We are deciding this month whether to renew for the whole team.|"
            "If it doesn't come soon we will have to look at other providers.|"
            "Our rollout to the other offices is waiting on this."
        ),
        "T": (
            "I know where your agent works and I will be waiting outside.|"
            "Tell him he will regret it, I am not joking.|"
            "Your courier has been sending me threatening messages since the delivery.|"
            "The host keeps harassing me and turned up at my door last night."
        ),
        "H": (
            "{all} {stuck}.|We need this solved {now}, {event}.|"
            "We are losing {loss} every {unit} while this is broken.|"
            "{all} {stuck} and {event}."
        ),
        "S": (
            "We think our account was hacked.|There may be a data breach on our side.|"
            "Someone unauthorised used our account.|Customer data might have leaked."
        ),
        "M": (
            "This is starting to slow us down.|A few colleagues are affected as well.|"
            "Please have a look this week.|I'd appreciate an answer in the next few days.|"
            "It is annoying but we can work around it for now.|Please get back to me soon."
        ),
        "L": (
            "Not urgent at all.|Whenever you have time.|Just a question, nothing pressing.|"
            "No hurry, answer when it suits you.|Just curious.|Low priority."
        ),
        "all": (
            "Our whole team|All of our users|Everyone in the office|All our agents|"
            "The entire warehouse|All {n} employees"
        ),
        "stuck": "can't work|is completely blocked|is sitting idle|cannot do anything",
        "now": "today|by tonight|before tomorrow morning|within the next hour|right now",
        "event": (
            "our launch is tomorrow|the audit starts tomorrow|payroll has to go out today|"
            "the client demo is this afternoon|the month-end closing is today"
        ),
        "loss": "sales|orders|money|customers",
        "unit": "hour|minute",
    },
    "de": {
        "W": (
            "Es funktioniert trotzdem, ist nur nervig.|"
            "Nicht schlimm, wir behelfen uns vorerst anders.|"
            "Es blockiert uns nicht, ich wollte es nur melden.|"
            "Inzwischen geht es wieder, ich wollte es Ihnen aber mitteilen.|"
            "Ist eher ein optisches Problem, alles andere läuft.|"
            "Nur eine Kleinigkeit, sonst läuft alles normal."
        ),
        "D": (
            "Ich brauche das für meine Prüfung am Freitag.|"
            "Mein Flug geht morgen früh, darum wäre es bald nötig.|"
            "Ich muss nächste Woche meine Steuererklärung abgeben.|"
            "Unser Steuerberater braucht es bis Ende der Woche.|"
            "Ich habe am Donnerstag einen Kundentermin und brauche es dafür.|"
            "Das Angebot, das ich nutzen möchte, läuft in zwei Tagen ab."
        ),
        "B": (
            "Davon hängt unsere Vertragsverlängerung im nächsten Monat ab.|"
            "Wir entscheiden diesen Monat, ob wir für das ganze Team verlängern.|"
            "Wenn das nicht bald kommt, müssen wir uns nach einem anderen Anbieter umsehen.|"
            "Die Einführung an den anderen Standorten wartet darauf."
        ),
        "T": (
            "Ich weiß, wo Ihr Mitarbeiter arbeitet, und ich werde draußen auf ihn warten.|"
            "Sagen Sie ihm, das wird er noch bereuen, ich mache keine Witze.|"
            "Ihr Fahrer schickt mir seit der Lieferung drohende Nachrichten.|"
            "Der Vermieter belästigt mich ständig und stand gestern Abend vor meiner Tür."
        ),
        "H": (
            "{all} {stuck}.|Wir brauchen eine Lösung {now}, {event}.|"
            "Wir verlieren jede {unit} {loss}, solange das nicht geht.|"
            "{all} {stuck}, und {event}."
        ),
        "S": (
            "Wir glauben, unser Konto wurde gehackt.|Möglicherweise gibt es ein Datenleck.|"
            "Jemand Unbefugtes hat unser Konto benutzt.|Kundendaten könnten abgeflossen sein."
        ),
        "M": (
            "Das bremst uns langsam aus.|Ein paar Kollegen sind auch betroffen.|"
            "Bitte schauen Sie sich das diese Woche an.|"
            "Eine Antwort in den nächsten Tagen wäre gut.|"
            "Es nervt, aber wir kommen vorerst drumherum.|Bitte melden Sie sich bald."
        ),
        "L": (
            "Überhaupt nicht dringend.|Wann immer Sie Zeit haben.|"
            "Nur eine Frage, nichts Eiliges.|Keine Eile, antworten Sie, wann es passt.|"
            "Nur aus Neugier.|Niedrige Priorität."
        ),
        "all": (
            "Unser ganzes Team|Alle unsere Benutzer|Das ganze Büro|Alle Agenten|"
            "Das gesamte Lager|Alle {n} Mitarbeiter"
        ),
        "stuck": (
            "kann nicht arbeiten|ist komplett blockiert|sitzt untätig herum|kann gar nichts machen"
        ),
        "now": "heute noch|bis heute Abend|vor morgen früh|innerhalb der nächsten Stunde|sofort",
        "event": (
            "morgen ist unser Launch|morgen beginnt die Prüfung|"
            "heute muss die Lohnabrechnung raus|heute Nachmittag ist die Kundenpräsentation|"
            "heute ist Monatsabschluss"
        ),
        "loss": "Umsatz|Bestellungen|Geld|Kunden",
        "unit": "Stunde|Minute",
    },
    "es": {
        "W": (
            "Sigue funcionando, solo es molesto.|"
            "No es grave, de momento nos apañamos de otra forma.|"
            "No nos bloquea, solo quería avisarles.|"
            "Ya parece que vuelve a funcionar, pero quería que lo supieran.|"
            "No frena nada, es más bien algo estético.|"
            "Es un detalle: todo lo demás funciona bien."
        ),
        "D": (
            "Lo necesito para mi examen del viernes.|"
            "Mi vuelo sale mañana temprano, así que lo necesito pronto.|"
            "Tengo que presentar la declaración de la renta la semana que viene.|"
            "Nuestra gestoría lo necesita antes de que acabe la semana.|"
            "El jueves tengo una reunión con un cliente y lo necesito para entonces.|"
            "La oferta que quiero usar caduca en dos días."
        ),
        "B": (
            "La renovación de nuestro contrato el mes que viene depende de esto.|"
            "Este mes decidimos si renovamos para todo el equipo.|"
            "Si no llega pronto tendremos que mirar otros proveedores.|"
            "La implantación en las demás oficinas está esperando a esto."
        ),
        "T": (
            "Sé dónde trabaja su agente y lo voy a esperar a la salida.|"
            "Díganle que se va a arrepentir, no estoy bromeando.|"
            "Su repartidor me manda mensajes amenazantes desde la entrega.|"
            "El anfitrión me acosa sin parar y anoche se presentó en mi puerta."
        ),
        "H": (
            "{all} {stuck}.|Necesitamos una solución {now}, {event}.|"
            "Estamos perdiendo {loss} cada {unit} mientras esto no funcione.|"
            "{all} {stuck} y {event}."
        ),
        "S": (
            "Creemos que han hackeado nuestra cuenta.|Puede que haya una fuga de datos.|"
            "Alguien no autorizado ha usado nuestra cuenta.|"
            "Es posible que se hayan filtrado datos de clientes."
        ),
        "M": (
            "Esto empieza a retrasarnos.|A algunos compañeros también les pasa.|"
            "Por favor, mírenlo esta semana.|Agradecería respuesta en los próximos días.|"
            "Es molesto, aunque de momento podemos apañarnos.|Respondan pronto, por favor."
        ),
        "L": (
            "No es nada urgente.|Cuando tengan un rato.|Solo es una pregunta, sin prisa.|"
            "Sin prisa, contesten cuando les venga bien.|Por pura curiosidad.|Prioridad baja."
        ),
        "all": (
            "Todo el equipo|Todos nuestros usuarios|Toda la oficina|Todos los agentes|"
            "Todo el almacén|Los {n} empleados"
        ),
        "stuck": "está sin poder trabajar|está totalmente bloqueado|está parado|no puede hacer nada",
        "now": "hoy mismo|antes de esta noche|antes de mañana por la mañana|en la próxima hora|ya",
        "event": (
            "mañana es nuestro lanzamiento|mañana empieza la auditoría|"
            "hoy hay que pagar las nóminas|esta tarde tenemos la demo con el cliente|"
            "hoy es el cierre de mes"
        ),
        "loss": "ventas|pedidos|dinero|clientes",
        "unit": "hora|minuto",
    },
    "fr": {
        "W": (
            "Ça marche quand même, c'est juste agaçant.|"
            "Pas grave, on contourne pour le moment.|"
            "Ce n'est pas bloquant, je voulais juste vous le signaler.|"
            "Ça semble remarcher, mais je préférais vous prévenir.|"
            "Ça ne bloque rien, c'est plutôt esthétique.|"
            "Petit détail : tout le reste fonctionne bien."
        ),
        "D": (
            "J'en ai besoin pour mon examen de vendredi.|"
            "Mon vol part demain matin, il me le faudrait rapidement.|"
            "Je dois rendre ma déclaration d'impôts la semaine prochaine.|"
            "Notre comptable en a besoin d'ici la fin de la semaine.|"
            "J'ai un rendez-vous client jeudi et j'en ai besoin pour ça.|"
            "L'offre que je veux utiliser expire dans deux jours."
        ),
        "B": (
            "Le renouvellement de notre contrat le mois prochain en dépend.|"
            "Nous décidons ce mois-ci si nous renouvelons pour toute l'équipe.|"
            "Si ça n'arrive pas bientôt, nous devrons regarder d'autres fournisseurs.|"
            "Le déploiement dans nos autres agences attend ça."
        ),
        "T": (
            "Je sais où travaille votre conseiller et je vais l'attendre à la sortie.|"
            "Dites-lui qu'il va le regretter, je ne plaisante pas.|"
            "Votre livreur m'envoie des messages menaçants depuis la livraison.|"
            "L'hôte me harcèle et s'est présenté devant ma porte hier soir."
        ),
        "H": (
            "{all} {stuck}.|Il nous faut une solution {now}, {event}.|"
            "Nous perdons des {loss} à chaque {unit} tant que ça ne marche pas.|"
            "{all} {stuck} et {event}."
        ),
        "S": (
            "Nous pensons que notre compte a été piraté.|"
            "Il y a peut-être une fuite de données.|"
            "Quelqu'un de non autorisé a utilisé notre compte.|"
            "Des données clients ont pu fuiter."
        ),
        "M": (
            "Ça commence à nous ralentir.|Quelques collègues sont aussi touchés.|"
            "Merci de regarder cette semaine.|"
            "Une réponse dans les prochains jours serait bien.|"
            "C'est agaçant, mais on contourne pour l'instant.|"
            "Merci de revenir vers moi rapidement."
        ),
        "L": (
            "Pas urgent du tout.|Quand vous aurez un moment.|"
            "Simple question, rien de pressé.|"
            "Aucune urgence, répondez quand ça vous arrange.|Par simple curiosité.|"
            "Priorité basse."
        ),
        "all": (
            "Toute l'équipe|Tous nos utilisateurs|Tout le bureau|Tous les conseillers|"
            "Tout l'entrepôt|Les {n} salariés"
        ),
        "stuck": "ne peut pas travailler|est complètement bloqué|est à l'arrêt|ne peut rien faire",
        "now": "aujourd'hui|avant ce soir|avant demain matin|dans l'heure|tout de suite",
        "event": (
            "notre lancement est demain|l'audit commence demain|"
            "la paie doit partir aujourd'hui|la démo client est cet après-midi|"
            "c'est la clôture du mois aujourd'hui"
        ),
        "loss": "ventes|commandes|clients|euros",
        "unit": "heure|minute",
    },
    "pt": {
        "W": (
            "Continua a funcionar, é só chato.|"
            "Não é grave, por agora conseguimos contornar.|"
            "Não nos bloqueia, só queria avisar.|"
            "Parece que já voltou a funcionar, mas queria que soubessem.|"
            "Não impede nada, é mais uma questão estética.|"
            "É um pormenor: o resto funciona bem."
        ),
        "D": (
            "Preciso disto para o meu exame de sexta-feira.|"
            "O meu voo é amanhã de manhã, por isso precisava disto em breve.|"
            "Tenho de entregar a declaração de IRS na próxima semana.|"
            "O nosso contabilista precisa disto até ao fim da semana.|"
            "Tenho uma reunião com um cliente na quinta e preciso disto para lá.|"
            "A promoção que quero usar acaba daqui a dois dias."
        ),
        "B": (
            "A renovação do nosso contrato no próximo mês depende disto.|"
            "Este mês decidimos se renovamos para a equipa toda.|"
            "Se isto não vier em breve, vamos ter de procurar outros fornecedores.|"
            "A implementação nos outros escritórios está à espera disto."
        ),
        "T": (
            "Sei onde o vosso atendente trabalha e vou esperá-lo à saída.|"
            "Digam-lhe que se vai arrepender, não estou a brincar.|"
            "O vosso estafeta manda-me mensagens ameaçadoras desde a entrega.|"
            "O anfitrião não pára de me assediar e apareceu à minha porta ontem à noite."
        ),
        "H": (
            "{all} {stuck}.|Precisamos de uma solução {now}, {event}.|"
            "Estamos a perder {loss} a cada {unit} enquanto isto não funciona.|"
            "{all} {stuck} e {event}."
        ),
        "S": (
            "Achamos que a nossa conta foi hackeada.|Pode haver uma fuga de dados.|"
            "Alguém não autorizado usou a nossa conta.|"
            "Dados de clientes podem ter sido expostos."
        ),
        "M": (
            "Isto começa a atrasar-nos.|Alguns colegas também estão afetados.|"
            "Por favor vejam isto esta semana.|Agradecia uma resposta nos próximos dias.|"
            "É chato, mas por agora conseguimos contornar.|Respondam em breve, por favor."
        ),
        "L": (
            "Nada urgente.|Quando tiverem um tempinho.|É só uma pergunta, sem pressa.|"
            "Sem pressa, respondam quando der jeito.|Pura curiosidade.|Prioridade baixa."
        ),
        "all": (
            "A equipa toda|Todos os nossos utilizadores|O escritório inteiro|"
            "Todos os atendentes|O armazém inteiro|Os {n} funcionários"
        ),
        "stuck": (
            "não consegue trabalhar|está completamente bloqueado|está parado|"
            "não consegue fazer nada"
        ),
        "now": "hoje|antes de hoje à noite|antes de amanhã de manhã|na próxima hora|já",
        "event": (
            "amanhã é o nosso lançamento|a auditoria começa amanhã|"
            "os salários têm de sair hoje|a demo com o cliente é esta tarde|"
            "hoje é o fecho do mês"
        ),
        "loss": "vendas|encomendas|dinheiro|clientes",
        "unit": "hora|minuto",
    },
}

GENERIC_SUBJECTS = {
    "en": ["Question", "Help needed", "Problem", "Support request", "Hello", ""],
    "de": ["Frage", "Hilfe", "Problem", "Anfrage", "Hallo", ""],
    "es": ["Consulta", "Ayuda", "Problema", "Solicitud", "Hola", ""],
    "fr": ["Question", "Besoin d'aide", "Problème", "Demande", "Bonjour", ""],
    "pt": ["Dúvida", "Ajuda", "Problema", "Pedido", "Olá", ""],
}
SECURITY_CATEGORIES = (TECH, LOGIN, BILLING)
# the situations added after the others (``_urgency`` picks them with their own generator)
LATER_SITUATIONS = {
    lang: {v for key in ("W", "D", "B", "T") for v in table[key].split("|")}
    for lang, table in SITUATIONS.items()
}
_SLOT = re.compile(r"\{(\w+)\}")


def _values(text: str) -> list[str]:
    return text.split("|")


def _fill(rng: random.Random, text: str, *tables: dict[str, str]) -> str:
    """``text`` with every {slot} replaced by a random value of the first table that has
    it (then ``SLOTS``), recursively."""

    def pick(match: re.Match[str]) -> str:
        key = match.group(1)
        for table in tables:
            if key in table:
                return rng.choice(_values(table[key]))
        return rng.choice(SLOTS[key])

    for _ in range(5):
        text, count = _SLOT.subn(pick, text)
        if not count:
            break
    return text


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def frames(lang: str, category: str) -> list[tuple[str, str, str]]:
    """(group, frame, base urgency): the fixed problems, then the composed frames."""
    out = [(f"{lang}/{category}/p{i}", s, u) for i, (s, u) in enumerate(PROBLEMS[lang][category])]
    for i, frame in enumerate(_values(FRAMES[lang][category])):
        base, text = frame.split(":", 1)
        out.append((f"{lang}/{category}/f{i}", text, base))
    return out


def _urgency(
    rng: random.Random, lang: str, category: str, frame: tuple[str, str, str], extra: random.Random
) -> tuple[str, str]:
    """The row's urgency and the situation sentence that says so ("" for none). ``extra``
    picks the sentences of the later situations (W, D, B, T) so that adding them left
    every other row as it was."""
    _, sentence, base = frame
    situations = SITUATIONS[lang]
    roll = rng.random()
    if base == "H":
        cue = _fill(rng, rng.choice(_values(situations["H"])), situations) if roll < 0.4 else ""
        return "H", cue
    if category == FEATURE:
        if roll < 0.05:
            return "M", _fill(rng, rng.choice(_values(situations["M"])), situations)
        if roll < 0.25:
            return "L", rng.choice(_values(situations["L"]))
        if roll < 0.32:  # the customer's business waits on it: time-sensitive
            return "M", extra.choice(_values(situations["B"]))
        return base, ""
    if category == OTHER:
        if roll < 0.2:
            return "L", rng.choice(_values(situations["L"]))
        if "{bad}" in sentence and roll > 0.85:  # a complaint that threatens a person
            return "H", extra.choice(_values(situations["T"]))
        return base, ""
    if roll < 0.27:
        if category in SECURITY_CATEGORIES and rng.random() < 0.25:
            return "H", rng.choice(_values(situations["S"]))
        return "H", _fill(rng, rng.choice(_values(situations["H"])), situations)
    if roll < 0.42:
        return "M", _fill(rng, rng.choice(_values(situations["M"])), situations)
    if roll > 0.84:
        return "L", rng.choice(_values(situations["L"]))
    if roll < 0.50:  # one person's date soon: time-sensitive, not an outage
        return "M", extra.choice(_values(situations["D"]))
    if base == "M" and category in (TECH, LOGIN) and roll > 0.76:  # a fault nobody minds
        return "L", extra.choice(_values(situations["W"]))
    return base, ""


def _plain(text: str) -> str:
    """``text`` without accents, as typed on a keyboard that has none (ß stays)."""
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    )


def _example(
    rng: random.Random,
    lang: str,
    category: str,
    frame: tuple[str, str, str],
    extra: random.Random,
) -> dict[str, str]:
    group, sentence, base = frame
    urgency, cue = _urgency(rng, lang, category, frame, extra)
    # a later situation's row draws its own placement from ``extra`` too (the other rows
    # keep their random sequence, so they stay as they were before those situations)
    later = extra if cue in LATER_SITUATIONS[lang] else rng
    parts = PARTS[lang]
    if rng.random() < 0.15:
        subject = rng.choice(GENERIC_SUBJECTS[lang])
    else:
        subject = _fill(rng, rng.choice(SUBJECTS[lang][category]), parts)
    if urgency == "H" and later.random() < 0.4:
        subject = URGENT_SUBJECT[lang] + subject
    body_parts = [_sentence(_fill(rng, sentence, parts))]
    details = DETAILS[lang][category]
    for detail in rng.sample(details, k=min(len(details), rng.choice([0, 1, 1, 2]))):
        body_parts.append(_fill(rng, detail, parts))
    if cue:
        body_parts.insert(later.choice([0, len(body_parts), len(body_parts)]), _sentence(cue))
    style = rng.random()
    if style < 0.25:  # a terse note, as typed into a contact form
        text = " ".join(body_parts[:3])
        if rng.random() < 0.5:
            text = text.lower().rstrip(".!")
    else:
        if rng.random() < 0.4:
            body_parts.append(rng.choice(FILLERS[lang]))
        opener = _fill(rng, rng.choice(OPENERS[lang]))
        closing = rng.choice(CLOSINGS[lang]).format(name=rng.choice(NAMES))
        text = f"{opener}\n\n{' '.join(body_parts)}\n\n{closing}"
    if lang != "en" and rng.random() < 0.15:
        text, subject = _plain(text), _plain(subject)
    return {
        "lang": lang,
        "subject": subject,
        "text": text,
        "category": category,
        "urgency": URGENCY[urgency],
        "group": group,
    }


def generate() -> list[dict[str, str]]:
    """PER_CATEGORY distinct rows per language and category, the frames taken in turns."""
    rng, extra = random.Random(SEED), random.Random(SEED + 1)
    rows: list[dict[str, str]] = []
    seen: set[str] = set()
    for lang in LANGUAGES:
        for category in CATEGORIES:
            pool = frames(lang, category)
            order = list(range(len(pool)))
            made = attempts = 0
            while made < PER_CATEGORY and attempts < 20 * PER_CATEGORY:
                if attempts % len(pool) == 0:
                    rng.shuffle(order)
                row = _example(rng, lang, category, pool[order[attempts % len(pool)]], extra)
                attempts += 1
                if row["text"] in seen:
                    continue
                seen.add(row["text"])
                rows.append(row)
                made += 1
    return rows


def main() -> None:
    rows = generate()
    with OUT.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} examples to {OUT}")


if __name__ == "__main__":
    main()
