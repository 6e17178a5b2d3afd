// Italian: the formal "Lei", with its pronouns in lower case as current
// business writing has them. The scale's ends are adjectives in -e, which
// read the same to a man and to a woman.
#include "config/customer_texts_tables.h"

namespace frontdesk {
namespace {

constexpr CustomerPageText kPages[] = {
    {"form.title", "Assistenza clienti"},
    {"form.intro", "Ci dica di che cosa ha bisogno. Le risponderemo via email."},
    {"form.submit", "Invia la richiesta"},
    {"form.name", "Nome e cognome"},
    {"form.email", "Indirizzo email"},
    {"form.subject", "Oggetto"},
    {"form.message", "Messaggio"},
    {"form.attachments", "Allegati"},
    {"form.optional", "(facoltativo)"},
    {"form.choose", "Selezionare…"},
    {"form.attachments_hint", "Al massimo {count} file, ciascuno di non oltre {kib} KiB."},
    {"form.honeypot", "Lasciare vuoto questo campo"},
    {"form.errors_heading", "La preghiamo di correggere quanto segue:"},
    {"form.field.name", "nome"},
    {"form.field.email", "email"},
    {"form.field.subject", "oggetto"},
    {"form.field.message", "messaggio"},
    {"form.field.attachment", "allegato"},
    {"error.not_utf8", "contiene caratteri non validi (è richiesta la codifica UTF-8)"},
    {"error.name_missing", "inserisca il suo nome"},
    {"error.email_missing", "inserisca il suo indirizzo email"},
    {"error.email_invalid",
     "inserisca un indirizzo email valido, ad esempio mario.rossi@example.com"},
    {"error.subject_missing", "inserisca un oggetto"},
    {"error.message_missing", "scriva il suo messaggio"},
    {"error.not_one_line", "deve stare su una sola riga, senza caratteri di controllo"},
    {"error.too_long", "supera il limite di {max} caratteri"},
    {"error.control_chars", "contiene caratteri di controllo non ammessi"},
    {"error.too_many_attachments", "si possono allegare al massimo {count} file"},
    {"error.attachment_too_large", "il file «{file}» supera il limite di {bytes} byte"},
    {"error.required", "campo obbligatorio"},
    {"error.not_a_choice", "scelga una delle opzioni proposte"},
    {"thanks.title", "Grazie"},
    {"thanks.text", "Abbiamo ricevuto la sua richiesta e le risponderemo via email."},
    {"thanks.ticket_number", "Il numero della sua richiesta è {ticket}."},
    {"thanks.another", "Invia un'altra richiesta"},
    {"page.back_to_form", "Torna al modulo"},
    {"page.not_sent", "Non inviato"},
    {"page.not_accepted", "Non accettato"},
    {"page.wait", "Attenda un momento"},
    {"page.retry", "La preghiamo di riprovare"},
    {"submit.source_refused",
     "Questo modulo si può inviare solo dalla sua pagina, quindi non è stato inviato nulla. La "
     "preghiamo di inviare la richiesta dal modulo."},
    {"submit.rate_limited",
     "Abbiamo ricevuto diverse richieste dal suo indirizzo in poco tempo. La preghiamo di "
     "riprovare tra qualche minuto."},
    {"submit.rate_limited_json", "troppe richieste da questo indirizzo; riprovi tra {seconds} s"},
    {"submit.unavailable",
     "Al momento non riusciamo a ricevere la sua richiesta. La preghiamo di riprovare tra un "
     "minuto."},
    {"promise.by", "Le risponderemo entro {when}."},
    {"promise.today", "Le risponderemo oggi entro le {time}."},
    {"promise.tomorrow", "Le risponderemo domani entro le {time}."},
    {"promise.later", "Le risponderemo entro le {time} di {date}."},
    {"mail.your_message", "Il Suo messaggio"},
    {"survey.title", "Com'è andata?"},
    {"survey.about", "Riguarda la richiesta n. {ticket}, {subject}, di cui si occupa {team}."},
    {"survey.about_team", "il nostro servizio clienti"},
    {"survey.previous", "La sua risposta finora: {score}. Una nuova risposta la sostituisce."},
    {"survey.question", "Come valuta l'aiuto che ha ricevuto?"},
    {"survey.low", "Molto insoddisfacente"},
    {"survey.high", "Molto soddisfacente"},
    {"survey.comment_label", "Vuole aggiungere qualcosa?"},
    {"survey.send", "Invia"},
    {"survey.field.score", "punteggio"},
    {"survey.field.comment", "commento"},
    {"survey.error.score", "scelga un punteggio da {min} a {max}"},
    {"survey.error.comment_utf8", "contiene caratteri non validi (è richiesta la codifica UTF-8)"},
    {"survey.error.comment_long",
     "il commento è troppo lungo: {chars} caratteri su un massimo di {max}"},
    {"survey.thanks_title", "Grazie"},
    {"survey.thanks_text",
     "Grazie per averci dato la sua opinione. La sua risposta ci aiuta a migliorare."},
    {"survey.your_answer", "La sua risposta: {score} su una scala da {min} a {max}."},
    {"survey.change_until", "Per modificarla, riapra il link dell'email prima di {when}."},
    {"survey.expired_title", "Il sondaggio è chiuso"},
    {"survey.expired",
     "Il link era valido fino a {when}. La ringraziamo comunque. Se ha bisogno di altro aiuto, "
     "risponda all'email che riguarda la sua richiesta."},
    {"survey.closed_title", "Risposta già inviata"},
    {"survey.closed",
     "La sua risposta ({score}) è stata registrata e il tempo per modificarla è scaduto. Grazie."},
    {"survey.closed_no_score",
     "La sua risposta è stata registrata e il tempo per modificarla è scaduto. Grazie."},
    {"survey.invalid_title", "Questo link non funziona"},
    {"survey.invalid",
     "Forse è incompleto, oppure non proviene da noi. La preghiamo di riaprire il link dall'email "
     "o di copiare l'indirizzo completo nel browser."},
    {"survey.unavailable_open", "Al momento non riusciamo ad aprire il sondaggio."},
    {"survey.unavailable_record", "Al momento non riusciamo a registrare la sua risposta."},
    {"survey.use_form", "La preghiamo di rispondere con il modulo nella pagina del sondaggio."},
    {"survey.rate_limited",
     "Abbiamo ricevuto diverse risposte dal suo indirizzo in poco tempo. La preghiamo di riprovare "
     "tra qualche minuto."},
};

constexpr CustomerMailText kMails[] = {
    {"auto_ack", "{{subject}}",
     "{{#requester_name}}Gentile {{requester_name}},{{/requester_name}}"
     "{{^requester_name}}Gentile cliente,{{/requester_name}}\n"
     "\n"
     "grazie per averci scritto. Abbiamo registrato il suo messaggio come richiesta n. {{ticket}}"
     "{{#queue_name}} (reparto {{queue_name}}){{/queue_name}}.\n"
     "{{#promise}}\n"
     "{{promise}}\n"
     "{{/promise}}\n"
     "\n"
     "Se desidera aggiungere qualcosa, risponda a questa email lasciando il numero della richiesta "
     "nell'oggetto.\n"},
    {"solved", "{{subject}}",
     "{{#requester_name}}Gentile {{requester_name}},{{/requester_name}}"
     "{{^requester_name}}Gentile cliente,{{/requester_name}}\n"
     "\n"
     "abbiamo segnato la richiesta n. {{ticket}} come risolta. Se qualcosa non va ancora come "
     "dovrebbe, risponda a questa email e la richiesta verrà riaperta.\n"},
    {"rejected", "Messaggio non accettato: {{subject}}",
     "{{#requester_name}}Gentile {{requester_name}},{{/requester_name}}"
     "{{^requester_name}}Gentile cliente,{{/requester_name}}\n"
     "\n"
     "purtroppo il suo messaggio «{{subject}}» inviato a {{support_address}} non è stato "
     "accettato: {{reason}}.\n"
     "Non è stata aperta alcuna richiesta.\n"},
    {"oversize_notice", "{{subject}}",
     "{{#requester_name}}Gentile {{requester_name}},{{/requester_name}}"
     "{{^requester_name}}Gentile cliente,{{/requester_name}}\n"
     "\n"
     "il suo messaggio pesa {{size}}, più di quanto possiamo elaborare automaticamente "
     "({{limit}}). L'abbiamo comunque registrato come richiesta n. {{ticket}}"
     "{{#queue_name}} (reparto {{queue_name}}){{/queue_name}} e una persona del nostro team lo "
     "esaminerà. Se possibile, per i file di grandi dimensioni ci invii piuttosto un link.\n"},
    {"survey", "Com'è andata? {{subject}}",
     "{{#requester_name}}Gentile {{requester_name}},{{/requester_name}}"
     "{{^requester_name}}Gentile cliente,{{/requester_name}}\n"
     "\n"
     "la richiesta n. {{ticket}} è stata risolta da poco. Ci direbbe come valuta l'aiuto ricevuto"
     "{{#queue_name}} dal reparto {{queue_name}}{{/queue_name}}"
     "{{^queue_name}} dal nostro servizio clienti{{/queue_name}}? È una sola domanda, con un "
     "punteggio da {{scale_min}} a {{scale_max}}, più un commento se lo desidera:\n"
     "\n"
     "{{survey_url}}\n"
     "\n"
     "Il link è valido fino a {{expires}}.\n"},
};

}  // namespace

const CustomerTextTable& ItalianCustomerTexts() {
  static constexpr CustomerTextTable table{"it", kPages, kMails};
  return table;
}

}  // namespace frontdesk
