// German: the formal "Sie". "Guten Tag" with the full name is the greeting
// that fits every customer without guessing "Herr" or "Frau".
#include "config/customer_texts_tables.h"

namespace frontdesk {
namespace {

constexpr CustomerPageText kPages[] = {
    {"form.title", "Kontakt zum Support"},
    {"form.intro", "Sagen Sie uns, wobei wir helfen können. Wir antworten Ihnen per E-Mail."},
    {"form.submit", "Anfrage senden"},
    {"form.name", "Ihr Name"},
    {"form.email", "Ihre E-Mail-Adresse"},
    {"form.subject", "Betreff"},
    {"form.message", "Nachricht"},
    {"form.attachments", "Anhänge"},
    {"form.optional", "(optional)"},
    {"form.choose", "Bitte wählen…"},
    {"form.attachments_hint", "Bis zu {count} Dateien, jeweils höchstens {kib} KiB."},
    {"form.honeypot", "Dieses Feld bitte leer lassen"},
    {"form.errors_heading", "Bitte korrigieren Sie Folgendes:"},
    {"form.field.name", "Name"},
    {"form.field.email", "E-Mail"},
    {"form.field.subject", "Betreff"},
    {"form.field.message", "Nachricht"},
    {"form.field.attachment", "Anhang"},
    {"error.not_utf8", "enthält ungültige Zeichen (erwartet wird UTF-8)"},
    {"error.name_missing", "bitte geben Sie Ihren Namen ein"},
    {"error.email_missing", "bitte geben Sie Ihre E-Mail-Adresse ein"},
    {"error.email_invalid",
     "bitte geben Sie eine gültige E-Mail-Adresse ein, zum Beispiel name@example.com"},
    {"error.subject_missing", "bitte geben Sie einen Betreff ein"},
    {"error.message_missing", "bitte schreiben Sie uns eine Nachricht"},
    {"error.not_one_line", "muss in eine Zeile passen und darf keine Steuerzeichen enthalten"},
    {"error.too_long", "ist länger als {max} Zeichen"},
    {"error.control_chars", "enthält unzulässige Steuerzeichen"},
    {"error.too_many_attachments", "höchstens {count} Anhänge sind möglich"},
    {"error.attachment_too_large", "die Datei „{file}“ ist größer als {bytes} Bytes"},
    {"error.required", "bitte füllen Sie dieses Feld aus"},
    {"error.not_a_choice", "bitte wählen Sie eine der angebotenen Möglichkeiten"},
    {"thanks.title", "Vielen Dank"},
    {"thanks.text", "Wir haben Ihre Anfrage erhalten und antworten Ihnen per E-Mail."},
    {"thanks.ticket_number", "Ihre Ticketnummer lautet {ticket}."},
    {"thanks.another", "Weitere Anfrage senden"},
    {"page.back_to_form", "Zurück zum Formular"},
    {"page.not_sent", "Nicht gesendet"},
    {"page.not_accepted", "Nicht angenommen"},
    {"page.wait", "Bitte warten Sie einen Moment"},
    {"page.retry", "Bitte versuchen Sie es erneut"},
    {"submit.source_refused",
     "Dieses Formular kann nur von seiner eigenen Seite aus gesendet werden, daher wurde nichts "
     "gesendet. Bitte senden Sie Ihre Anfrage über das Formular."},
    {"submit.rate_limited",
     "Wir haben in kurzer Zeit mehrere Anfragen von Ihrer Adresse erhalten. Bitte versuchen Sie es "
     "in ein paar Minuten erneut."},
    {"submit.rate_limited_json",
     "zu viele Anfragen von dieser Adresse; bitte in {seconds} Sekunden erneut versuchen"},
    {"submit.unavailable",
     "Wir können Ihre Anfrage gerade nicht annehmen. Bitte versuchen Sie es in einer Minute "
     "erneut."},
    {"promise.by", "Wir antworten Ihnen bis {when}."},
    {"promise.today", "Wir antworten Ihnen heute bis {time}."},
    {"promise.tomorrow", "Wir antworten Ihnen morgen bis {time}."},
    {"promise.later", "Wir antworten Ihnen bis {date}, {time}."},
    {"mail.your_message", "Ihre Nachricht"},
    {"survey.title", "Wie zufrieden waren Sie?"},
    {"survey.about", "Es geht um Ihr Ticket {ticket}, {subject}, das {team} bearbeitet hat."},
    {"survey.about_team", "unser Support-Team"},
    {"survey.previous", "Ihre bisherige Antwort: {score}. Eine neue Antwort ersetzt sie."},
    {"survey.question", "Wie zufrieden sind Sie mit der Hilfe, die Sie erhalten haben?"},
    {"survey.low", "Sehr unzufrieden"},
    {"survey.high", "Sehr zufrieden"},
    {"survey.comment_label", "Möchten Sie noch etwas ergänzen?"},
    {"survey.send", "Senden"},
    {"survey.field.score", "Bewertung"},
    {"survey.field.comment", "Kommentar"},
    {"survey.error.score", "bitte wählen Sie eine Bewertung von {min} bis {max}"},
    {"survey.error.comment_utf8", "enthält ungültige Zeichen (erwartet wird UTF-8)"},
    {"survey.error.comment_long",
     "der Kommentar ist zu lang: {chars} Zeichen, möglich sind höchstens {max}"},
    {"survey.thanks_title", "Vielen Dank"},
    {"survey.thanks_text",
     "Vielen Dank für Ihre Rückmeldung. Ihre Antwort hilft uns, besser zu werden."},
    {"survey.your_answer", "Ihre Antwort: {score} auf einer Skala von {min} bis {max}."},
    {"survey.change_until",
     "Wenn Sie sie ändern möchten, öffnen Sie den Link aus der E-Mail bitte vor {when} erneut."},
    {"survey.expired_title", "Diese Umfrage ist beendet"},
    {"survey.expired",
     "Der Link war bis {when} gültig. Trotzdem vielen Dank. Wenn Sie weitere Hilfe brauchen, "
     "antworten Sie einfach auf die E-Mail zu Ihrem Ticket."},
    {"survey.closed_title", "Bereits beantwortet"},
    {"survey.closed",
     "Ihre Antwort ({score}) ist gespeichert, und die Zeit für Änderungen ist abgelaufen. Vielen "
     "Dank."},
    {"survey.closed_no_score",
     "Ihre Antwort ist gespeichert, und die Zeit für Änderungen ist abgelaufen. Vielen Dank."},
    {"survey.invalid_title", "Dieser Link funktioniert nicht"},
    {"survey.invalid",
     "Vielleicht ist er unvollständig, oder er stammt nicht von uns. Bitte öffnen Sie den Link aus "
     "der E-Mail erneut, oder kopieren Sie die vollständige Adresse in Ihren Browser."},
    {"survey.unavailable_open", "Wir können die Umfrage gerade nicht öffnen."},
    {"survey.unavailable_record", "Wir können Ihre Antwort gerade nicht speichern."},
    {"survey.use_form", "Bitte antworten Sie über das Formular auf der Umfrageseite."},
    {"survey.rate_limited",
     "Wir haben in kurzer Zeit mehrere Antworten von Ihrer Adresse erhalten. Bitte versuchen Sie "
     "es in ein paar Minuten erneut."},
};

constexpr CustomerMailText kMails[] = {
    {"auto_ack", "{{subject}}",
     "Guten Tag{{#requester_name}} {{requester_name}}{{/requester_name}},\n"
     "\n"
     "vielen Dank für Ihre Nachricht. Wir haben sie als Ticket {{ticket}} aufgenommen"
     "{{#queue_name}} (Team {{queue_name}}){{/queue_name}}.\n"
     "{{#promise}}\n"
     "{{promise}}\n"
     "{{/promise}}\n"
     "\n"
     "Möchten Sie noch etwas ergänzen, antworten Sie einfach auf diese E-Mail und lassen Sie die "
     "Ticketnummer im Betreff stehen.\n"},
    {"solved", "{{subject}}",
     "Guten Tag{{#requester_name}} {{requester_name}}{{/requester_name}},\n"
     "\n"
     "wir haben Ihr Ticket {{ticket}} als gelöst markiert. Falls noch etwas nicht stimmt, "
     "antworten Sie einfach auf diese E-Mail – dann wird das Ticket wieder geöffnet.\n"},
    {"rejected", "Nicht angenommen: {{subject}}",
     "Guten Tag{{#requester_name}} {{requester_name}}{{/requester_name}},\n"
     "\n"
     "leider konnten wir Ihre Nachricht „{{subject}}“ an {{support_address}} nicht annehmen: "
     "{{reason}}.\n"
     "Es wurde daraus kein Ticket erstellt.\n"},
    {"oversize_notice", "{{subject}}",
     "Guten Tag{{#requester_name}} {{requester_name}}{{/requester_name}},\n"
     "\n"
     "Ihre Nachricht ist {{size}} groß und damit größer, als wir automatisch verarbeiten "
     "({{limit}}). Wir haben sie als Ticket {{ticket}} gespeichert"
     "{{#queue_name}} (Team {{queue_name}}){{/queue_name}}, und jemand aus unserem Team sieht sie "
     "sich persönlich an. Große Dateien senden Sie am besten als Link.\n"},
    {"survey", "Wie zufrieden waren Sie? {{subject}}",
     "Guten Tag{{#requester_name}} {{requester_name}}{{/requester_name}},\n"
     "\n"
     "Ihr Ticket {{ticket}} wurde vor Kurzem gelöst. Würden Sie uns sagen, wie zufrieden Sie mit "
     "{{#queue_name}}dem Team {{queue_name}}{{/queue_name}}"
     "{{^queue_name}}unserem Support{{/queue_name}} waren? Es ist nur eine Frage mit einer Skala "
     "von {{scale_min}} bis {{scale_max}}, dazu auf Wunsch ein Kommentar:\n"
     "\n"
     "{{survey_url}}\n"
     "\n"
     "Der Link ist gültig bis {{expires}}.\n"},
};

}  // namespace

const CustomerTextTable& GermanCustomerTexts() {
  static constexpr CustomerTextTable table{"de", kPages, kMails};
  return table;
}

}  // namespace frontdesk
