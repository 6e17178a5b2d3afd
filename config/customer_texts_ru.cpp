// Russian: the polite "Вы", capitalised as in a letter to one person. A
// queue's name stands in «» after "отдел", and a date after a colon, so that
// neither has to take a case.
#include "config/customer_texts_tables.h"

namespace frontdesk {
namespace {

constexpr CustomerPageText kPages[] = {
    {"form.title", "Связаться со службой поддержки"},
    {"form.intro", "Расскажите, чем мы можем помочь. Мы ответим Вам по электронной почте."},
    {"form.submit", "Отправить запрос"},
    {"form.name", "Ваше имя"},
    {"form.email", "Ваш адрес электронной почты"},
    {"form.subject", "Тема"},
    {"form.message", "Сообщение"},
    {"form.attachments", "Вложения"},
    {"form.optional", "(необязательно)"},
    {"form.choose", "Выберите…"},
    {"form.attachments_hint", "Файлов — не более {count}, каждый — до {kib} КиБ."},
    {"form.honeypot", "Оставьте это поле пустым"},
    {"form.errors_heading", "Пожалуйста, исправьте следующее:"},
    {"form.field.name", "имя"},
    {"form.field.email", "эл. почта"},
    {"form.field.subject", "тема"},
    {"form.field.message", "сообщение"},
    {"form.field.attachment", "вложение"},
    {"error.not_utf8", "содержит недопустимые символы (нужна кодировка UTF-8)"},
    {"error.name_missing", "укажите, пожалуйста, Ваше имя"},
    {"error.email_missing", "укажите, пожалуйста, адрес электронной почты"},
    {"error.email_invalid",
     "укажите, пожалуйста, правильный адрес электронной почты, например ivan@example.com"},
    {"error.subject_missing", "укажите, пожалуйста, тему"},
    {"error.message_missing", "напишите, пожалуйста, сообщение"},
    {"error.not_one_line", "допускается только одна строка без управляющих символов"},
    {"error.too_long", "превышена допустимая длина ({max} симв.)"},
    {"error.control_chars", "содержит недопустимые управляющие символы"},
    {"error.too_many_attachments", "максимальное число вложений: {count}"},
    {"error.attachment_too_large", "файл «{file}» больше допустимого размера ({bytes} байт)"},
    {"error.required", "это поле обязательно для заполнения"},
    {"error.not_a_choice", "выберите, пожалуйста, один из предложенных вариантов"},
    {"thanks.title", "Спасибо"},
    {"thanks.text", "Мы получили Ваш запрос и ответим Вам по электронной почте."},
    {"thanks.ticket_number", "Номер Вашего обращения: {ticket}."},
    {"thanks.another", "Отправить ещё один запрос"},
    {"page.back_to_form", "Вернуться к форме"},
    {"page.not_sent", "Не отправлено"},
    {"page.not_accepted", "Не принято"},
    {"page.wait", "Пожалуйста, подождите"},
    {"page.retry", "Пожалуйста, попробуйте ещё раз"},
    {"submit.source_refused",
     "Эту форму можно отправить только с её собственной страницы, поэтому ничего не отправлено. "
     "Пожалуйста, отправьте запрос через форму."},
    {"submit.rate_limited",
     "За короткое время с Вашего адреса пришло несколько запросов. Пожалуйста, попробуйте ещё раз "
     "через несколько минут."},
    {"submit.rate_limited_json",
     "слишком много запросов с этого адреса; попробуйте ещё раз через {seconds} с"},
    {"submit.unavailable",
     "Сейчас мы не можем принять Ваш запрос. Пожалуйста, попробуйте ещё раз через минуту."},
    {"promise.by", "Мы ответим Вам не позднее срока: {when}."},
    {"promise.today", "Мы ответим Вам сегодня до {time}."},
    {"promise.tomorrow", "Мы ответим Вам завтра до {time}."},
    {"promise.later", "Мы ответим Вам не позднее срока: {date}, {time}."},
    {"mail.your_message", "Ваше сообщение"},
    {"survey.title", "Как мы справились?"},
    {"survey.about", "Опрос касается обращения № {ticket}, {subject}, которым занимается {team}."},
    {"survey.about_team", "наша служба поддержки"},
    {"survey.previous", "Ваша прежняя оценка: {score}. Новый ответ заменит её."},
    {"survey.question", "Как Вы оцениваете полученную помощь?"},
    {"survey.low", "Очень плохо"},
    {"survey.high", "Отлично"},
    {"survey.comment_label", "Хотите что-нибудь добавить?"},
    {"survey.send", "Отправить"},
    {"survey.field.score", "оценка"},
    {"survey.field.comment", "комментарий"},
    {"survey.error.score", "выберите, пожалуйста, оценку от {min} до {max}"},
    {"survey.error.comment_utf8", "содержит недопустимые символы (нужна кодировка UTF-8)"},
    {"survey.error.comment_long", "комментарий слишком длинный: {chars} симв. при максимуме {max}"},
    {"survey.thanks_title", "Спасибо"},
    {"survey.thanks_text",
     "Спасибо, что поделились своим мнением. Ваш ответ помогает нам работать лучше."},
    {"survey.your_answer", "Ваша оценка: {score} по шкале от {min} до {max}."},
    {"survey.change_until",
     "Чтобы изменить её, снова откройте ссылку из письма. Это можно сделать до истечения срока: "
     "{when}."},
    {"survey.expired_title", "Опрос завершён"},
    {"survey.expired",
     "Срок действия ссылки истёк: {when}. Всё равно спасибо! Если Вам нужна дополнительная помощь, "
     "ответьте на письмо о Вашем обращении."},
    {"survey.closed_title", "Ответ уже получен"},
    {"survey.closed", "Ваш ответ ({score}) сохранён, а срок для его изменения истёк. Спасибо!"},
    {"survey.closed_no_score", "Ваш ответ сохранён, а срок для его изменения истёк. Спасибо!"},
    {"survey.invalid_title", "Ссылка не работает"},
    {"survey.invalid",
     "Возможно, она неполная или отправлена не нами. Пожалуйста, откройте ссылку из письма ещё раз "
     "или скопируйте весь адрес в браузер."},
    {"survey.unavailable_open", "Сейчас мы не можем открыть опрос."},
    {"survey.unavailable_record", "Сейчас мы не можем сохранить Ваш ответ."},
    {"survey.use_form", "Пожалуйста, ответьте через форму на странице опроса."},
    {"survey.rate_limited",
     "За короткое время с Вашего адреса пришло несколько ответов. Пожалуйста, попробуйте ещё раз "
     "через несколько минут."},
};

constexpr CustomerMailText kMails[] = {
    {"auto_ack", "{{subject}}",
     "Здравствуйте{{#requester_name}}, {{requester_name}}{{/requester_name}}!\n"
     "\n"
     "Спасибо за Ваше обращение. Мы зарегистрировали его под номером {{ticket}}"
     "{{#queue_name}} (отдел «{{queue_name}}»){{/queue_name}}.\n"
     "{{#promise}}\n"
     "{{promise}}\n"
     "{{/promise}}\n"
     "\n"
     "Если захотите что-то добавить, просто ответьте на это письмо, сохранив номер обращения в "
     "теме.\n"},
    {"solved", "{{subject}}",
     "Здравствуйте{{#requester_name}}, {{requester_name}}{{/requester_name}}!\n"
     "\n"
     "Мы отметили обращение № {{ticket}} как решённое. Если что-то всё ещё не так, просто "
     "ответьте на это письмо, и обращение откроется снова.\n"},
    {"rejected", "Сообщение не принято: {{subject}}",
     "Здравствуйте{{#requester_name}}, {{requester_name}}{{/requester_name}}!\n"
     "\n"
     "К сожалению, Ваше сообщение «{{subject}}», отправленное на адрес {{support_address}}, не "
     "принято. Причина: {{reason}}.\n"
     "Обращение по нему не создано.\n"},
    {"oversize_notice", "{{subject}}",
     "Здравствуйте{{#requester_name}}, {{requester_name}}{{/requester_name}}!\n"
     "\n"
     "Размер Вашего письма — {{size}}, это больше, чем мы обрабатываем автоматически ({{limit}}). "
     "Мы сохранили его как обращение № {{ticket}}"
     "{{#queue_name}} (отдел «{{queue_name}}»){{/queue_name}}, и наш сотрудник посмотрит его "
     "лично. Если возможно, присылайте, пожалуйста, большие файлы ссылкой.\n"},
    {"survey", "Оцените, пожалуйста, нашу работу: {{subject}}",
     "Здравствуйте{{#requester_name}}, {{requester_name}}{{/requester_name}}!\n"
     "\n"
     "Недавно мы решили Ваше обращение № {{ticket}}. Оцените, пожалуйста, нашу работу"
     "{{#queue_name}} (отдел «{{queue_name}}»){{/queue_name}}: это всего один вопрос со шкалой "
     "от {{scale_min}} до {{scale_max}} и, если захотите, комментарий:\n"
     "\n"
     "{{survey_url}}\n"
     "\n"
     "Срок действия ссылки истекает: {{expires}}.\n"},
};

}  // namespace

const CustomerTextTable& RussianCustomerTexts() {
  static constexpr CustomerTextTable table{"ru", kPages, kMails};
  return table;
}

}  // namespace frontdesk
