#include "config/customer_texts.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <set>

#include "config/customer_texts_tables.h"
#include "daemon/base/text.h"

namespace frontdesk {
namespace {

// Today's English, copied from where each text is written (see the key's
// comment in customer_texts.cpp). A difference here is a change to what
// English customers read.
const std::vector<std::pair<std::string, std::string>>& TodaysEnglish() {
  static const std::vector<std::pair<std::string, std::string>> v = {
      // config/config.h, FormConfig
      {"form.title", "Contact support"},
      {"form.intro", "Tell us what you need. We will answer by email."},
      {"form.submit", "Send request"},
      // daemon/web/form_pages.cpp
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
      {"form.field.name", "name"},
      {"form.field.email", "email"},
      {"form.field.subject", "subject"},
      {"form.field.message", "message"},
      {"form.field.attachment", "attachment"},
      // daemon/intake/submission.cpp
      {"error.not_utf8", "is not valid UTF-8"},
      {"error.name_missing", "enter your name"},
      {"error.email_missing", "enter your email address"},
      {"error.email_invalid", "is not a valid email address, such as name@example.com"},  // new
      {"error.subject_missing", "enter a subject"},
      {"error.message_missing", "enter a message"},
      {"error.not_one_line", "must be one line without control characters"},
      {"error.too_long", "is longer than {max} characters"},
      {"error.control_chars", "contains control characters"},
      {"error.too_many_attachments", "at most {count} attachments are allowed"},
      {"error.attachment_too_large", "\"{file}\" is larger than {bytes} bytes"},
      {"error.required", "is required"},
      {"error.not_a_choice", "is not one of the offered choices"},
      // config/config.h and daemon/web/form_pages.cpp
      {"thanks.title", "Thank you"},
      {"thanks.text", "We have received your request and will answer by email."},
      {"thanks.ticket_number", "Your ticket number is {ticket}."},
      {"thanks.another", "Send another request"},
      // daemon/web/form_pages.cpp, daemon/web/public_routes.cpp
      {"page.back_to_form", "Back to the form"},
      {"page.not_sent", "Not sent"},
      {"page.not_accepted", "Not accepted"},
      {"page.wait", "Please wait"},
      {"page.retry", "Please try again"},
      {"submit.source_refused",
       "This form can only be sent from its own page, so nothing was sent. Please send your "
       "request from the form."},
      {"submit.rate_limited",
       "We received several requests from your address in a short time. Please try again in a few "
       "minutes."},
      {"submit.rate_limited_json",
       "too many requests from this address; try again in {seconds} seconds"},
      {"submit.unavailable",
       "We could not take your request just now. Please try again in a minute."},
      // daemon/outbox/render.cpp; the last three are new
      {"promise.by", "We will reply by {when}."},
      {"promise.today", "We will reply today by {time}."},
      {"promise.tomorrow", "We will reply tomorrow by {time}."},
      {"promise.later", "We will reply by {date}, {time}."},
      {"mail.your_message", "Your message"},
      // daemon/web/survey_page.cpp, config/config.h CsatConfig, daemon/outbox/survey.cpp
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
       "The link was valid until {when}. Thank you all the same. If you need more help, reply to "
       "the mail about "
       "your ticket."},
      {"survey.closed_title", "Already answered"},
      {"survey.closed",
       "Your answer ({score}) is recorded, and the time to change it is over. Thank you."},
      {"survey.closed_no_score",
       "Your answer is recorded, and the time to change it is over. Thank you."},
      {"survey.invalid_title", "This link does not work"},
      {"survey.invalid",
       "It may be incomplete, or it is not one of ours. Please open the link from the mail again, "
       "or copy the "
       "whole address into your browser."},
      {"survey.unavailable_open", "We could not open the survey just now."},
      {"survey.unavailable_record", "We could not record your answer just now."},
      {"survey.use_form", "Please answer with the form on the survey page."},
      {"survey.rate_limited",
       "We received several answers from your address in a short time. Please try again in a few "
       "minutes."},
  };
  return v;
}

const std::vector<const CustomerTextTable*>& Tables() {
  static const std::vector<const CustomerTextTable*> v = {
      &EnglishCustomerTexts(),   &PolishCustomerTexts(),  &RussianCustomerTexts(),
      &BulgarianCustomerTexts(), &ItalianCustomerTexts(), &GermanCustomerTexts()};
  return v;
}

bool IsNameChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

// The {name} places of a page text; "" in the set marks a brace that is not one.
std::multiset<std::string> Placeholders(std::string_view s) {
  std::multiset<std::string> out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '}') out.insert("");
    if (s[i] != '{') continue;
    size_t end = i + 1;
    while (end < s.size() && IsNameChar(s[end])) ++end;
    if (end == s.size() || s[end] != '}' || end == i + 1) {
      out.insert("");
      continue;
    }
    out.insert(std::string(s.substr(i + 1, end - i - 1)));
    i = end;
  }
  return out;
}

// What a template uses, subject and text together.
std::set<std::string> Used(const MailTemplate& t) {
  std::set<std::string> used = UsedVariables(t.subject);
  for (const std::string& v : UsedVariables(t.text)) used.insert(v);
  return used;
}

// A control character other than the line feed a mail's text may hold.
bool HasControl(std::string_view s, bool newline_ok) {
  return std::any_of(s.begin(), s.end(), [&](char c) {
    auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && !(newline_ok && c == '\n')) || u == 0x7f;
  });
}

TemplateVars AllVariables(std::string_view kind) {
  TemplateVars vars;
  for (const std::string& v : TemplateVariables(kind)) vars[v] = "<" + v + ">";
  return vars;
}

}  // namespace

TEST_CASE("customer texts: the languages and kinds", "[texts]") {
  CHECK(CustomerLanguages() == std::vector<std::string>{"en", "pl", "ru", "bg", "it", "de"});
  CHECK(CustomerTemplateKinds() ==
        std::vector<std::string>{"auto_ack", "solved", "rejected", "oversize_notice", "survey"});
  REQUIRE(Tables().size() == CustomerLanguages().size());
  for (size_t i = 0; i < Tables().size(); ++i)
    CHECK(Tables()[i]->language == CustomerLanguages()[i]);
  CHECK(IsCustomerLanguage("de"));
  CHECK_FALSE(IsCustomerLanguage("fr"));
  CHECK_FALSE(IsCustomerLanguage(""));
  for (const std::string& kind : CustomerTemplateKinds()) CHECK(IsTemplateKind(kind));
}

TEST_CASE("customer texts: English is today's words", "[texts]") {
  std::vector<std::string> keys;
  for (const auto& [key, text] : TodaysEnglish()) {
    INFO(key);
    CHECK(PageText(key, "en") == text);
    keys.push_back(key);
  }
  CHECK(PageTextKeys() == keys);

  for (const std::string& kind : CustomerTemplateKinds()) {
    INFO(kind);
    CHECK(BuiltinCustomerTemplate(kind, "en") == &BuiltinTemplate(kind));
  }
  // config/mail_template.cpp, with kTeam spelled out.
  CHECK(BuiltinCustomerTemplate("auto_ack", "en")->text ==
        "Hello{{#requester_name}} {{requester_name}}{{/requester_name}},\n"
        "\n"
        "thank you for your message. "
        "{{#queue_name}}{{queue_name}}{{/queue_name}}{{^queue_name}}our support team{{/queue_name}}"
        " has received it as ticket {{ticket}}.\n"
        "{{#promise}}\n"
        "{{promise}}\n"
        "{{/promise}}\n"
        "\n"
        "To add to it, reply to this mail and keep the ticket number in the subject.\n");
  CHECK(BuiltinCustomerTemplate("rejected", "en")->subject == "Not accepted: {{subject}}");
  CHECK(BuiltinCustomerTemplate("survey", "en")->subject == "How did we do? {{subject}}");
}

TEST_CASE("customer texts: English fills into today's pages", "[texts]") {
  // form_pages.cpp: "<p>Your ticket number is <strong>1001</strong>.</p>"
  CHECK(FillText(HtmlEscape(PageText("thanks.ticket_number", "en")),
                 {{"ticket", "<strong>1001</strong>"}}) ==
        "Your ticket number is <strong>1001</strong>.");
  // survey_page.cpp's About(): the subject in <q>, escaped.
  CHECK(FillText(HtmlEscape(PageText("survey.about", "en")),
                 {{"ticket", "1001"},
                  {"subject", "<q>" + HtmlEscape("Tea & cake") + "</q>"},
                  {"team", "Billing"}}) ==
        "About ticket 1001, <q>Tea &amp; cake</q>, handled by Billing.");
  // render.cpp's promise sentence.
  CHECK(FillText(PageText("promise.by", "en"), {{"when", "Monday 30 November 2026, 14:00 CET"}}) ==
        "We will reply by Monday 30 November 2026, 14:00 CET.");
  // submission.cpp's attachment check.
  CHECK(FillText(PageText("error.attachment_too_large", "en"),
                 {{"file", "a.pdf"}, {"bytes", "10485760"}}) ==
        "\"a.pdf\" is larger than 10485760 bytes");
}

TEST_CASE("customer texts: every language has every page text, once", "[texts]") {
  const std::vector<std::string> keys = PageTextKeys();
  const std::set<std::string> english(keys.begin(), keys.end());
  REQUIRE(english.size() == keys.size());
  for (const CustomerTextTable* t : Tables()) {
    INFO(t->language);
    std::set<std::string> seen;
    for (const CustomerPageText& p : t->pages) {
      INFO(p.key);
      CHECK(seen.insert(std::string(p.key)).second);
      CHECK(english.count(std::string(p.key)) == 1);
    }
    CHECK(seen == english);
  }
}

TEST_CASE("customer texts: page texts keep English's places and are clean text", "[texts]") {
  for (const CustomerTextTable* t : Tables()) {
    for (const CustomerPageText& p : t->pages) {
      INFO(t->language << " " << p.key << ": " << p.text);
      CHECK(Placeholders(p.text) == Placeholders(PageText(p.key, "en")));
      CHECK(Placeholders(p.text).count("") == 0);
      CHECK_FALSE(p.text.empty());
      CHECK(IsValidUtf8(p.text));
      CHECK_FALSE(HasControl(p.text, false));
      CHECK(Trim(p.text) == p.text);
      CHECK(p.text.find("  ") == std::string_view::npos);
      CHECK(PageText(p.key, t->language) == p.text);
    }
  }
}

TEST_CASE("customer texts: every language has every customer template", "[texts]") {
  for (const std::string& language : CustomerLanguages()) {
    for (const std::string& kind : CustomerTemplateKinds()) {
      INFO(language << " " << kind);
      const MailTemplate* t = BuiltinCustomerTemplate(kind, language);
      REQUIRE(t != nullptr);
      const std::vector<std::string>& known = TemplateVariables(kind);
      std::optional<TemplateProblem> p = CheckTemplate(t->subject, known);
      CHECK_FALSE(p);
      if (p) FAIL_CHECK("subject at " << p->offset << ": " << p->message);
      p = CheckTemplate(t->text, known);
      CHECK_FALSE(p);
      if (p) FAIL_CHECK("text at " << p->offset << ": " << p->message);
      for (const std::string& v : RequiredVariables(kind))
        CHECK(UsedVariables(t->text).count(v) == 1);
      // Every variable English uses, and no other. Polish shops greet with
      // "Dzień dobry," alone: a name would need Pan or Pani, and its case.
      std::set<std::string> want = Used(BuiltinTemplate(kind));
      if (language == "pl") want.erase("requester_name");
      CHECK(Used(*t) == want);
      CHECK(t->html.empty());
      for (std::string_view s : {std::string_view(t->subject), std::string_view(t->text)}) {
        CHECK(IsValidUtf8(s));
        CHECK(s.find('\r') == std::string_view::npos);
      }
      CHECK_FALSE(HasControl(t->subject, false));
      CHECK_FALSE(HasControl(t->text, true));
      if (language != "en") CHECK(t->text != BuiltinTemplate(kind).text);
    }
  }
}

TEST_CASE("customer texts: templates render without holes or stray lines", "[texts]") {
  for (const std::string& language : CustomerLanguages()) {
    for (const std::string& kind : CustomerTemplateKinds()) {
      const MailTemplate& t = *BuiltinCustomerTemplate(kind, language);
      TemplateVars full = AllVariables(kind);
      TemplateVars bare = full;  // what may be empty: no name, no queue name, no promise
      bare["requester_name"] = bare["queue_name"] = bare["promise"] = "";
      for (const TemplateVars& vars : {full, bare}) {
        std::string text = RenderTemplate(t.text, vars, TemplateEscape::kText);
        std::string subject = RenderTemplate(t.subject, vars, TemplateEscape::kHeader);
        INFO(language << " " << kind << ":\n" << text);
        CHECK(text.find("{{") == std::string::npos);
        CHECK(text.find('{') == std::string::npos);
        CHECK(text.find('}') == std::string::npos);
        CHECK(text.find("\n\n\n") == std::string::npos);
        CHECK(text.find("  ") == std::string::npos);
        CHECK(text.find(" ,") == std::string::npos);
        CHECK(text.find(" .") == std::string::npos);
        CHECK(text.back() == '\n');
        CHECK(subject.find('\n') == std::string::npos);
        CHECK_FALSE(subject.empty());
      }
      // The promise shows only with a due time, as in English.
      if (kind == "auto_ack") {
        CHECK(RenderTemplate(t.text, full, TemplateEscape::kText).find("<promise>") !=
              std::string::npos);
      }
    }
  }
}

TEST_CASE("customer texts: unknown kinds and languages", "[texts]") {
  CHECK(BuiltinCustomerTemplate("agent_reply", "de") == nullptr);
  CHECK(BuiltinCustomerTemplate("escalation", "en") == nullptr);
  CHECK(BuiltinCustomerTemplate("no_such_kind", "pl") == nullptr);
  CHECK(BuiltinCustomerTemplate("auto_ack", "fr") == nullptr);
  CHECK(BuiltinCustomerTemplate("auto_ack", "") == nullptr);
  CHECK(BuiltinCustomerTemplate("auto_ack", "EN") == nullptr);
  CHECK(BuiltinCustomerTemplate("auto_ack", "pl") != BuiltinCustomerTemplate("auto_ack", "de"));

  CHECK(PageText("form.submit", "fr") == "Send request");
  CHECK(PageText("form.submit", "") == "Send request");
  CHECK(PageText("form.submit", "de") == "Anfrage senden");
  CHECK(PageText("no.such.key", "de") == "no.such.key");
  CHECK(PageText("no.such.key", "en") == "no.such.key");
}

TEST_CASE("customer texts: FillText", "[texts]") {
  CHECK(FillText("", {}) == "");
  CHECK(FillText("no places", {{"a", "x"}}) == "no places");
  CHECK(FillText("{a} and {b}", {{"a", "1"}, {"b", "2"}}) == "1 and 2");
  CHECK(FillText("{a}{a}", {{"a", "xy"}}) == "xyxy");
  // What it does not know stays, so that a missing value shows.
  CHECK(FillText("{a} {missing}", {{"a", "1"}}) == "1 {missing}");
  // Not placeholders: empty, other characters, unclosed.
  CHECK(FillText("{} {A} {a b} {a", {{"a", "1"}}) == "{} {A} {a b} {a");
  // One pass: a value is not filled again, and is not escaped.
  CHECK(FillText("{a}", {{"a", "{b} <i>"}, {"b", "no"}}) == "{b} <i>");
  CHECK(FillText("{{a}}", {{"a", "1"}}) == "{1}");
  CHECK(FillText("Preis: {x} €", {{"x", "5"}}) == "Preis: 5 €");
}

}  // namespace frontdesk
