// Polish: the polite impersonal forms and "Państwo" that Polish shops write
// in. Sentences are built so that no word has to agree with a queue's name
// or a date's case: a name stands after "dział:", a date after a colon.
#include "config/customer_texts_tables.h"

namespace frontdesk {
namespace {

constexpr CustomerPageText kPages[] = {
    {"form.title", "Kontakt z obsługą klienta"},
    {"form.intro", "Prosimy opisać, w czym możemy pomóc. Odpowiemy e-mailem."},
    {"form.submit", "Wyślij zgłoszenie"},
    {"form.name", "Imię i nazwisko"},
    {"form.email", "Adres e-mail"},
    {"form.subject", "Temat"},
    {"form.message", "Wiadomość"},
    {"form.attachments", "Załączniki"},
    {"form.optional", "(opcjonalnie)"},
    {"form.choose", "Proszę wybrać…"},
    {"form.attachments_hint", "Liczba plików: najwyżej {count}, każdy do {kib} KiB."},
    {"form.honeypot", "To pole należy zostawić puste"},
    {"form.errors_heading", "Prosimy poprawić następujące błędy:"},
    {"form.field.name", "imię i nazwisko"},
    {"form.field.email", "e-mail"},
    {"form.field.subject", "temat"},
    {"form.field.message", "wiadomość"},
    {"form.field.attachment", "załącznik"},
    {"error.not_utf8", "zawiera nieprawidłowe znaki (wymagane jest kodowanie UTF-8)"},
    {"error.name_missing", "prosimy podać imię i nazwisko"},
    {"error.email_missing", "prosimy podać adres e-mail"},
    {"error.email_invalid", "prosimy podać poprawny adres e-mail, np. jan.kowalski@example.com"},
    {"error.subject_missing", "prosimy podać temat"},
    {"error.message_missing", "prosimy wpisać treść wiadomości"},
    {"error.not_one_line", "musi mieścić się w jednym wierszu, bez znaków sterujących"},
    {"error.too_long", "przekracza limit {max} znaków"},
    {"error.control_chars", "zawiera niedozwolone znaki sterujące"},
    {"error.too_many_attachments", "maksymalna liczba załączników to {count}"},
    {"error.attachment_too_large", "plik „{file}” przekracza limit {bytes} bajtów"},
    {"error.required", "to pole jest wymagane"},
    {"error.not_a_choice", "prosimy wybrać jedną z dostępnych opcji"},
    {"thanks.title", "Dziękujemy"},
    {"thanks.text", "Otrzymaliśmy Państwa zgłoszenie i odpowiemy e-mailem."},
    {"thanks.ticket_number", "Numer Państwa zgłoszenia to {ticket}."},
    {"thanks.another", "Wyślij kolejne zgłoszenie"},
    {"page.back_to_form", "Powrót do formularza"},
    {"page.not_sent", "Nie wysłano"},
    {"page.not_accepted", "Zgłoszenie nieprzyjęte"},
    {"page.wait", "Prosimy chwilę poczekać"},
    {"page.retry", "Prosimy spróbować ponownie"},
    {"submit.source_refused",
     "Ten formularz można wysłać tylko z jego własnej strony, dlatego nic nie zostało wysłane. "
     "Prosimy wysłać zgłoszenie bezpośrednio z formularza."},
    {"submit.rate_limited",
     "W krótkim czasie otrzymaliśmy z Państwa adresu kilka zgłoszeń. Prosimy spróbować ponownie "
     "za kilka minut."},
    {"submit.rate_limited_json",
     "zbyt wiele zgłoszeń z tego adresu; prosimy spróbować ponownie za {seconds} s"},
    {"submit.unavailable",
     "W tej chwili nie możemy przyjąć zgłoszenia. Prosimy spróbować ponownie za minutę."},
    {"promise.by", "Odpowiemy najpóźniej w terminie: {when}."},
    {"promise.today", "Odpowiemy dziś do godz. {time}."},
    {"promise.tomorrow", "Odpowiemy jutro do godz. {time}."},
    {"promise.later", "Odpowiemy najpóźniej w terminie: {date}, godz. {time}."},
    {"mail.your_message", "Państwa wiadomość"},
    {"survey.title", "Jak oceniają Państwo naszą pomoc?"},
    {"survey.about",
     "Ankieta dotyczy zgłoszenia nr {ticket}, {subject}, którym zajmuje się {team}."},
    {"survey.about_team", "nasz zespół obsługi klienta"},
    {"survey.previous", "Państwa dotychczasowa ocena: {score}. Nowa odpowiedź ją zastąpi."},
    {"survey.question", "Jak oceniają Państwo otrzymaną pomoc?"},
    {"survey.low", "Bardzo źle"},
    {"survey.high", "Bardzo dobrze"},
    {"survey.comment_label", "Czy chcieliby Państwo coś dodać?"},
    {"survey.send", "Wyślij"},
    {"survey.field.score", "ocena"},
    {"survey.field.comment", "komentarz"},
    {"survey.error.score", "prosimy wybrać ocenę od {min} do {max}"},
    {"survey.error.comment_utf8", "zawiera nieprawidłowe znaki (wymagane jest kodowanie UTF-8)"},
    {"survey.error.comment_long", "komentarz jest za długi (liczba znaków: {chars}, limit: {max})"},
    {"survey.thanks_title", "Dziękujemy"},
    {"survey.thanks_text", "Dziękujemy za opinię. Dzięki niej możemy pomagać jeszcze lepiej."},
    {"survey.your_answer", "Państwa ocena: {score} w skali od {min} do {max}."},
    {"survey.change_until",
     "Aby ją zmienić, wystarczy ponownie otworzyć link z wiadomości e-mail. Termin na zmianę: "
     "{when}."},
    {"survey.expired_title", "Ankieta jest już zamknięta"},
    {"survey.expired",
     "Termin ważności linku upłynął: {when}. Mimo to serdecznie dziękujemy. Jeśli potrzebują "
     "Państwo dalszej pomocy, wystarczy odpowiedzieć na wiadomość dotyczącą zgłoszenia."},
    {"survey.closed_title", "Odpowiedź została już udzielona"},
    {"survey.closed",
     "Państwa odpowiedź ({score}) została zapisana, a czas na jej zmianę już minął. Dziękujemy."},
    {"survey.closed_no_score",
     "Państwa odpowiedź została zapisana, a czas na jej zmianę już minął. Dziękujemy."},
    {"survey.invalid_title", "Ten link nie działa"},
    {"survey.invalid",
     "Być może jest niepełny albo nie pochodzi od nas. Prosimy ponownie otworzyć link z wiadomości "
     "e-mail lub skopiować cały adres do przeglądarki."},
    {"survey.unavailable_open", "W tej chwili nie możemy otworzyć ankiety."},
    {"survey.unavailable_record", "W tej chwili nie możemy zapisać Państwa odpowiedzi."},
    {"survey.use_form", "Prosimy odpowiedzieć za pomocą formularza na stronie ankiety."},
    {"survey.rate_limited",
     "W krótkim czasie otrzymaliśmy z Państwa adresu kilka odpowiedzi. Prosimy spróbować ponownie "
     "za kilka minut."},
};

constexpr CustomerMailText kMails[] = {
    {"auto_ack", "{{subject}}",
     "Dzień dobry,\n"
     "\n"
     "dziękujemy za wiadomość. Przyjęliśmy ją jako zgłoszenie nr {{ticket}}"
     "{{#queue_name}} (dział: {{queue_name}}){{/queue_name}}.\n"
     "{{#promise}}\n"
     "{{promise}}\n"
     "{{/promise}}\n"
     "\n"
     "Jeśli chcą Państwo coś dodać, wystarczy odpowiedzieć na tę wiadomość, nie zmieniając numeru "
     "zgłoszenia w temacie.\n"},
    {"solved", "{{subject}}",
     "Dzień dobry,\n"
     "\n"
     "zgłoszenie nr {{ticket}} oznaczyliśmy jako rozwiązane. Jeśli coś nadal nie działa tak, jak "
     "powinno, wystarczy odpowiedzieć na tę wiadomość, a zgłoszenie zostanie ponownie otwarte.\n"},
    {"rejected", "Wiadomość nieprzyjęta: {{subject}}",
     "Dzień dobry,\n"
     "\n"
     "niestety nie mogliśmy przyjąć Państwa wiadomości „{{subject}}” wysłanej na adres "
     "{{support_address}}. Powód: {{reason}}.\n"
     "Wiadomość nie została zarejestrowana jako zgłoszenie.\n"},
    {"oversize_notice", "{{subject}}",
     "Dzień dobry,\n"
     "\n"
     "Państwa wiadomość ma rozmiar {{size}}, czyli więcej, niż możemy automatycznie odczytać "
     "({{limit}}). Zachowaliśmy ją jako zgłoszenie nr {{ticket}}"
     "{{#queue_name}} (dział: {{queue_name}}){{/queue_name}} i ktoś z naszego zespołu przejrzy ją "
     "osobiście. Duże pliki najlepiej przesyłać w postaci linku.\n"},
    {"survey", "Jak oceniają Państwo naszą pomoc? {{subject}}",
     "Dzień dobry,\n"
     "\n"
     "zgłoszenie nr {{ticket}} zostało niedawno rozwiązane. Czy zechcieliby Państwo ocenić naszą "
     "pomoc{{#queue_name}} (dział: {{queue_name}}){{/queue_name}}? To tylko jedno pytanie "
     "(skala od {{scale_min}} do {{scale_max}}) i, jeśli mają Państwo ochotę, krótki komentarz:\n"
     "\n"
     "{{survey_url}}\n"
     "\n"
     "Termin ważności linku: {{expires}}.\n"},
};

}  // namespace

const CustomerTextTable& PolishCustomerTexts() {
  static constexpr CustomerTextTable table{"pl", kPages, kMails};
  return table;
}

}  // namespace frontdesk
