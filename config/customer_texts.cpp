#include "config/customer_texts.h"

#include <algorithm>

#include "config/customer_texts_tables.h"

namespace frontdesk {
namespace {

// English is what the pages, the form's checks and the promise said before
// there were other languages; existing tests compare them, so a change here
// is a change to what every English customer reads.
constexpr CustomerPageText kEnglishPages[] = {
    // The form (form_pages.cpp) and its defaults (config.h, [form]).
    {"form.title", "Contact support"},
    {"form.intro", "Tell us what you need. We will answer by email."},
    {"form.submit", "Send request"},
    {"form.name", "Your name"},
    {"form.email", "Your email address"},
    {"form.subject", "Subject"},
    {"form.message", "Message"},
    {"form.attachments", "Attachments"},
    {"form.optional", "(optional)"},
    {"form.choose", "Choose…"},
    {"form.attachments_hint", "Up to {count} files, each at most {kib} KiB."},
    {"form.honeypot", "Leave this empty"},
    {"form.errors_heading", "Please correct the following:"},
    // The field names the error summary links to.
    {"form.field.name", "name"},
    {"form.field.email", "email"},
    {"form.field.subject", "subject"},
    {"form.field.message", "message"},
    {"form.field.attachment", "attachment"},
    // The form's checks (intake/submission.cpp); they follow "field: ".
    {"error.not_utf8", "is not valid UTF-8"},
    {"error.name_missing", "enter your name"},
    {"error.email_missing", "enter your email address"},
    // New: today an English customer reads ParseMailAddress's own reason.
    {"error.email_invalid", "is not a valid email address, such as name@example.com"},
    {"error.subject_missing", "enter a subject"},
    {"error.message_missing", "enter a message"},
    {"error.not_one_line", "must be one line without control characters"},
    {"error.too_long", "is longer than {max} characters"},
    {"error.control_chars", "contains control characters"},
    {"error.too_many_attachments", "at most {count} attachments are allowed"},
    {"error.attachment_too_large", "\"{file}\" is larger than {bytes} bytes"},
    {"error.required", "is required"},
    {"error.not_a_choice", "is not one of the offered choices"},
    // The thank-you page (form_pages.cpp; config.h, [form]).
    {"thanks.title", "Thank you"},
    {"thanks.text", "We have received your request and will answer by email."},
    {"thanks.ticket_number", "Your ticket number is {ticket}."},
    {"thanks.another", "Send another request"},
    // Message pages (form_pages.cpp, public_routes.cpp).
    {"page.back_to_form", "Back to the form"},
    {"page.not_sent", "Not sent"},
    {"page.not_accepted", "Not accepted"},
    {"page.wait", "Please wait"},
    {"page.retry", "Please try again"},
    {"submit.source_refused",
     "This form can only be sent from its own page, so nothing was sent. Please send your request "
     "from the form."},
    {"submit.rate_limited",
     "We received several requests from your address in a short time. Please try again in a few "
     "minutes."},
    {"submit.rate_limited_json",
     "too many requests from this address; try again in {seconds} seconds"},
    {"submit.unavailable",
     "We could not take your request just now. Please try again in a minute."},
    // The reply promise (outbox/render.cpp); the last three for a due time
    // that falls today, tomorrow or later.
    {"promise.by", "We will reply by {when}."},
    {"promise.today", "We will reply today by {time}."},
    {"promise.tomorrow", "We will reply tomorrow by {time}."},
    {"promise.later", "We will reply by {date}, {time}."},
    {"mail.your_message", "Your message"},
    // The survey page (survey_page.cpp; config.h, [csat]; outbox/survey.cpp).
    {"survey.title", "How did we do?"},
    {"survey.about", "About ticket {ticket}, {subject}, handled by {team}."},
    {"survey.about_team", "our support team"},
    {"survey.previous", "You answered {score}. A new answer replaces it."},
    {"survey.question", "How would you rate the help you received?"},
    {"survey.low", "Very dissatisfied"},
    {"survey.high", "Very satisfied"},
    {"survey.comment_label", "Anything you would like to add?"},
    {"survey.send", "Send"},
    {"survey.field.score", "score"},
    {"survey.field.comment", "comment"},
    {"survey.error.score", "choose a score from {min} to {max}"},
    {"survey.error.comment_utf8", "is not valid UTF-8 text"},
    {"survey.error.comment_long", "is {chars} characters; at most {max} fit"},
    {"survey.thanks_title", "Thank you"},
    {"survey.thanks_text", "Thank you for telling us. Your answer helps us do better."},
    {"survey.your_answer", "Your answer: {score} on a scale from {min} to {max}."},
    {"survey.change_until", "To change it, open the link in the mail again before {when}."},
    {"survey.expired_title", "This survey has closed"},
    {"survey.expired",
     "The link was valid until {when}. Thank you all the same. If you need more help, reply to the "
     "mail about your ticket."},
    {"survey.closed_title", "Already answered"},
    {"survey.closed",
     "Your answer ({score}) is recorded, and the time to change it is over. Thank you."},
    {"survey.closed_no_score",
     "Your answer is recorded, and the time to change it is over. Thank you."},
    {"survey.invalid_title", "This link does not work"},
    {"survey.invalid",
     "It may be incomplete, or it is not one of ours. Please open the link from the mail again, or "
     "copy the whole address into your browser."},
    {"survey.unavailable_open", "We could not open the survey just now."},
    {"survey.unavailable_record", "We could not record your answer just now."},
    {"survey.use_form", "Please answer with the form on the survey page."},
    {"survey.rate_limited",
     "We received several answers from your address in a short time. Please try again in a few "
     "minutes."},
};

using TableGetter = const CustomerTextTable& (*)();
// In CustomerLanguages() order.
constexpr TableGetter kTables[] = {EnglishCustomerTexts, PolishCustomerTexts,
                                   RussianCustomerTexts, BulgarianCustomerTexts,
                                   ItalianCustomerTexts, GermanCustomerTexts};

struct Catalog {
  // language -> key -> text
  std::map<std::string, std::map<std::string, std::string, std::less<>>, std::less<>> pages;
  // language -> kind -> template; English is not here (BuiltinTemplate).
  std::map<std::string, std::map<std::string, MailTemplate, std::less<>>, std::less<>> mails;
};

const Catalog& TheCatalog() {
  static const Catalog catalog = [] {
    Catalog c;
    for (TableGetter get : kTables) {
      const CustomerTextTable& t = get();
      auto& pages = c.pages[std::string(t.language)];
      for (const CustomerPageText& p : t.pages) pages.emplace(p.key, p.text);
      if (t.mails.empty()) continue;
      auto& mails = c.mails[std::string(t.language)];
      for (const CustomerMailText& m : t.mails) {
        MailTemplate tpl;
        tpl.subject = m.subject;
        tpl.text = m.text;
        mails.emplace(m.kind, std::move(tpl));
      }
    }
    return c;
  }();
  return catalog;
}

bool IsPlaceholderChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

}  // namespace

const CustomerTextTable& EnglishCustomerTexts() {
  static constexpr CustomerTextTable table{"en", kEnglishPages, {}};
  return table;
}

const std::vector<std::string>& CustomerLanguages() {
  static const std::vector<std::string> languages = {"en", "pl", "ru", "bg", "it", "de"};
  return languages;
}

bool IsCustomerLanguage(std::string_view language) {
  const std::vector<std::string>& all = CustomerLanguages();
  return std::find(all.begin(), all.end(), language) != all.end();
}

const std::vector<std::string>& CustomerTemplateKinds() {
  static const std::vector<std::string> kinds = {"auto_ack", "solved", "rejected",
                                                 "oversize_notice", "survey"};
  return kinds;
}

const MailTemplate* BuiltinCustomerTemplate(std::string_view kind, std::string_view language) {
  const std::vector<std::string>& kinds = CustomerTemplateKinds();
  if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) return nullptr;
  if (language == "en") return &BuiltinTemplate(kind);
  const Catalog& c = TheCatalog();
  auto lang = c.mails.find(language);
  if (lang == c.mails.end()) return nullptr;
  auto it = lang->second.find(kind);
  return it == lang->second.end() ? nullptr : &it->second;
}

std::string PageText(std::string_view key, std::string_view language) {
  const Catalog& c = TheCatalog();
  for (std::string_view lang : {language, std::string_view("en")}) {
    auto pages = c.pages.find(lang);
    if (pages == c.pages.end()) continue;
    auto it = pages->second.find(key);
    if (it != pages->second.end()) return it->second;
  }
  return std::string(key);
}

std::string FillText(std::string_view text, const std::map<std::string, std::string>& values) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '{') {
      size_t end = i + 1;
      while (end < text.size() && IsPlaceholderChar(text[end])) ++end;
      if (end < text.size() && text[end] == '}' && end > i + 1) {
        auto it = values.find(std::string(text.substr(i + 1, end - i - 1)));
        if (it != values.end()) {
          out += it->second;
          i = end + 1;
          continue;
        }
      }
    }
    out += text[i++];
  }
  return out;
}

std::vector<std::string> PageTextKeys() {
  std::vector<std::string> keys;
  for (const CustomerPageText& p : kEnglishPages) keys.emplace_back(p.key);
  return keys;
}

}  // namespace frontdesk
