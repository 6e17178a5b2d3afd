// customer_texts.h: the built-in words customers read, in every language
// Frontdesk ships: the customer-facing mail templates (auto_ack, solved,
// rejected, oversize_notice, survey) and the fixed texts of the web form,
// its thank-you page and the survey page. English is what Frontdesk said
// before it spoke other languages, byte for byte; every other language has
// every text, with the same variables. Operators' own words (form.title in
// frontdesk.toml, a template file) still win over these; callers decide.
// Thread-safe (constant tables, built once).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "config/mail_template.h"

namespace frontdesk {

// The language codes Frontdesk has words for, English first:
// {"en", "pl", "ru", "bg", "it", "de"}.
const std::vector<std::string>& CustomerLanguages();
bool IsCustomerLanguage(std::string_view language);

// The template kinds a customer receives, in TemplateKinds() order:
// {"auto_ack", "solved", "rejected", "oversize_notice", "survey"}.
const std::vector<std::string>& CustomerTemplateKinds();

// The built-in template of `kind` in `language`, with the variables and
// sections of BuiltinTemplate(kind) (it passes CheckTemplate with
// TemplateVariables(kind) and uses RequiredVariables(kind)). For "en" it is
// BuiltinTemplate(kind) itself. Null when `kind` is not a customer's kind or
// `language` is unknown: the caller then uses BuiltinTemplate(kind).
const MailTemplate* BuiltinCustomerTemplate(std::string_view kind, std::string_view language);

// The page text `key` in `language`, with {name} places for FillText.
// English when the language is unknown. An unknown key is a programming
// error; it comes back as the key itself, so that it shows on the page and
// a test catches it.
//
// The texts are plain text: escape them for HTML. To put markup around a
// value (the ticket number in <strong>, the subject in <q>), escape the
// text first and fill it with escaped markup:
//   FillText(HtmlEscape(PageText("thanks.ticket_number", lang)),
//            {{"ticket", "<strong>1001</strong>"}})
std::string PageText(std::string_view key, std::string_view language);

// Replaces each {name} (a-z, 0-9 and '_') whose name is in `values`;
// other braces stay as they are. One pass: a value that itself holds
// "{name}" is not filled again. Escapes nothing.
std::string FillText(std::string_view text, const std::map<std::string, std::string>& values);

// Every page text key, in the order of the English table.
std::vector<std::string> PageTextKeys();

}  // namespace frontdesk
