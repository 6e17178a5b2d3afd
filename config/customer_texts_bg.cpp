// Bulgarian: the formal "Вие", capitalised (Вие, Ви, Вас, Вашият) as in a
// letter. "Запитване" is both the request a customer sends and the ticket
// it becomes, as Bulgarian support desks say.
#include "config/customer_texts_tables.h"

namespace frontdesk {
namespace {

constexpr CustomerPageText kPages[] = {
    {"form.title", "Връзка с отдела за поддръжка"},
    {"form.intro", "Опишете с какво можем да Ви помогнем. Ще Ви отговорим по имейл."},
    {"form.submit", "Изпращане на запитването"},
    {"form.name", "Вашето име"},
    {"form.email", "Вашият имейл адрес"},
    {"form.subject", "Тема"},
    {"form.message", "Съобщение"},
    {"form.attachments", "Прикачени файлове"},
    {"form.optional", "(по желание)"},
    {"form.choose", "Изберете…"},
    {"form.attachments_hint", "Най-много {count} файла, всеки до {kib} KiB."},
    {"form.honeypot", "Оставете това поле празно"},
    {"form.errors_heading", "Моля, коригирайте следното:"},
    {"form.field.name", "име"},
    {"form.field.email", "имейл"},
    {"form.field.subject", "тема"},
    {"form.field.message", "съобщение"},
    {"form.field.attachment", "прикачен файл"},
    {"error.not_utf8", "съдържа невалидни знаци (очаква се кодиране UTF-8)"},
    {"error.name_missing", "моля, въведете името си"},
    {"error.email_missing", "моля, въведете имейл адреса си"},
    {"error.email_invalid", "моля, въведете валиден имейл адрес, например ivan@example.com"},
    {"error.subject_missing", "моля, въведете тема"},
    {"error.message_missing", "моля, напишете съобщение"},
    {"error.not_one_line", "трябва да е на един ред, без управляващи знаци"},
    {"error.too_long", "надвишава допустимите {max} знака"},
    {"error.control_chars", "съдържа недопустими управляващи знаци"},
    {"error.too_many_attachments", "максималният брой прикачени файлове е {count}"},
    {"error.attachment_too_large", "файлът „{file}“ е по-голям от {bytes} байта"},
    {"error.required", "това поле е задължително"},
    {"error.not_a_choice", "моля, изберете една от предложените възможности"},
    {"thanks.title", "Благодарим Ви"},
    {"thanks.text", "Получихме запитването Ви и ще Ви отговорим по имейл."},
    {"thanks.ticket_number", "Номерът на Вашето запитване е {ticket}."},
    {"thanks.another", "Изпращане на ново запитване"},
    {"page.back_to_form", "Обратно към формуляра"},
    {"page.not_sent", "Не е изпратено"},
    {"page.not_accepted", "Не е прието"},
    {"page.wait", "Моля, изчакайте"},
    {"page.retry", "Моля, опитайте отново"},
    {"submit.source_refused",
     "Този формуляр може да се изпраща само от собствената си страница, затова нищо не беше "
     "изпратено. Моля, изпратете запитването си чрез формуляра."},
    {"submit.rate_limited",
     "За кратко време получихме няколко запитвания от Вашия адрес. Моля, опитайте отново след "
     "няколко минути."},
    {"submit.rate_limited_json",
     "твърде много запитвания от този адрес; опитайте отново след {seconds} сек."},
    {"submit.unavailable",
     "В момента не можем да приемем запитването Ви. Моля, опитайте отново след минута."},
    {"promise.by", "Ще Ви отговорим до {when}."},
    {"promise.today", "Ще Ви отговорим днес до {time}."},
    {"promise.tomorrow", "Ще Ви отговорим утре до {time}."},
    {"promise.later", "Ще Ви отговорим до {date}, {time}."},
    {"mail.your_message", "Вашето съобщение"},
    {"survey.title", "Как се справихме?"},
    {"survey.about", "Относно запитване № {ticket}, {subject}, обработено от {team}."},
    {"survey.about_team", "нашия екип по поддръжката"},
    {"survey.previous", "Досегашният Ви отговор е {score}. Новият отговор ще го замени."},
    {"survey.question", "Как бихте оценили получената помощ?"},
    {"survey.low", "Много лошо"},
    {"survey.high", "Отлично"},
    {"survey.comment_label", "Искате ли да добавите нещо?"},
    {"survey.send", "Изпращане"},
    {"survey.field.score", "оценка"},
    {"survey.field.comment", "коментар"},
    {"survey.error.score", "моля, изберете оценка от {min} до {max}"},
    {"survey.error.comment_utf8", "съдържа невалидни знаци (очаква се кодиране UTF-8)"},
    {"survey.error.comment_long", "коментарът е твърде дълъг: {chars} знака при максимум {max}"},
    {"survey.thanks_title", "Благодарим Ви"},
    {"survey.thanks_text",
     "Благодарим Ви, че споделихте мнението си. То ни помага да работим по-добре."},
    {"survey.your_answer", "Вашата оценка: {score} по скала от {min} до {max}."},
    {"survey.change_until",
     "Ако искате да я промените, отворете отново връзката от имейла преди {when}."},
    {"survey.expired_title", "Анкетата е приключила"},
    {"survey.expired",
     "Връзката беше валидна до {when}. Все пак Ви благодарим. Ако имате нужда от още помощ, "
     "отговорете на имейла за Вашето запитване."},
    {"survey.closed_title", "Вече сте отговорили"},
    {"survey.closed",
     "Вашият отговор ({score}) е записан, а срокът за промяна е изтекъл. Благодарим Ви."},
    {"survey.closed_no_score",
     "Вашият отговор е записан, а срокът за промяна е изтекъл. Благодарим Ви."},
    {"survey.invalid_title", "Тази връзка не работи"},
    {"survey.invalid",
     "Възможно е да е непълна или да не е изпратена от нас. Моля, отворете отново връзката от "
     "имейла или копирайте целия адрес в браузъра си."},
    {"survey.unavailable_open", "В момента не можем да отворим анкетата."},
    {"survey.unavailable_record", "В момента не можем да запишем отговора Ви."},
    {"survey.use_form", "Моля, отговорете чрез формуляра на страницата на анкетата."},
    {"survey.rate_limited",
     "За кратко време получихме няколко отговора от Вашия адрес. Моля, опитайте отново след "
     "няколко минути."},
};

constexpr CustomerMailText kMails[] = {
    {"auto_ack", "{{subject}}",
     "Здравейте{{#requester_name}}, {{requester_name}}{{/requester_name}},\n"
     "\n"
     "Благодарим Ви за съобщението. Регистрирахме го като запитване № {{ticket}}"
     "{{#queue_name}} (отдел „{{queue_name}}“){{/queue_name}}.\n"
     "{{#promise}}\n"
     "{{promise}}\n"
     "{{/promise}}\n"
     "\n"
     "Ако искате да добавите нещо, просто отговорете на този имейл, като запазите номера на "
     "запитването в темата.\n"},
    {"solved", "{{subject}}",
     "Здравейте{{#requester_name}}, {{requester_name}}{{/requester_name}},\n"
     "\n"
     "Отбелязахме запитване № {{ticket}} като решено. Ако нещо все още не е наред, просто "
     "отговорете на този имейл и запитването ще бъде отворено отново.\n"},
    {"rejected", "Съобщението не е прието: {{subject}}",
     "Здравейте{{#requester_name}}, {{requester_name}}{{/requester_name}},\n"
     "\n"
     "За съжаление съобщението Ви „{{subject}}“ до {{support_address}} не беше прието: "
     "{{reason}}.\n"
     "По него не е регистрирано запитване.\n"},
    {"oversize_notice", "{{subject}}",
     "Здравейте{{#requester_name}}, {{requester_name}}{{/requester_name}},\n"
     "\n"
     "Съобщението Ви е с размер {{size}} – повече, отколкото обработваме автоматично "
     "({{limit}}). Запазихме го като запитване № {{ticket}}"
     "{{#queue_name}} (отдел „{{queue_name}}“){{/queue_name}} и наш служител ще го прегледа "
     "лично. Ако е възможно, изпращайте големите файлове като връзка.\n"},
    {"survey", "Как се справихме? {{subject}}",
     "Здравейте{{#requester_name}}, {{requester_name}}{{/requester_name}},\n"
     "\n"
     "Запитване № {{ticket}} беше решено наскоро. Ще се радваме да ни кажете доколко сте доволни "
     "от помощта{{#queue_name}} на отдел „{{queue_name}}“{{/queue_name}}"
     "{{^queue_name}} на нашия екип{{/queue_name}}. Въпросът е само един, с оценка от "
     "{{scale_min}} до {{scale_max}}, а ако желаете, можете да добавите и коментар:\n"
     "\n"
     "{{survey_url}}\n"
     "\n"
     "Връзката е валидна до {{expires}}.\n"},
};

}  // namespace

const CustomerTextTable& BulgarianCustomerTexts() {
  static constexpr CustomerTextTable table{"bg", kPages, kMails};
  return table;
}

}  // namespace frontdesk
