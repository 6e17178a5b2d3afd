// form_pages.h: the HTML of the public listener: the ticket form (with the
// submitted values and the errors beside their fields), the thank-you page
// and short message pages. Every text is escaped; the pages need no
// JavaScript. Pure functions; thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "daemon/intake/submission.h"

namespace frontdesk {

// The values to show in the form again after an error.
struct FormValues {
  std::map<std::string, std::string> values;
  std::string token;  // the hidden idempotency token
};

// The name of the honeypot field: hidden from people, filled in by bots.
inline constexpr const char* kHoneypotField = "website";

// The words a customer reads where the operator may set their own (the
// [form] and [csat] texts): `configured` when the operator changed it from
// `english_default`, the config's default, else the built-in page text
// `key` in `language`.
std::string OperatorOrBuiltin(const std::string& configured, const std::string& english_default,
                              std::string_view key, std::string_view language);

// The pages below speak `language` (a code of CustomerLanguages(); another
// reads as English), and say so in <html lang>.
std::string RenderFormPage(const FormConfig& form, const FormValues& values, const std::vector<FieldError>& errors,
                           std::string_view language);
// The page after a post that was taken, with its ticket number.
// `promise` is the sentence that says when the customer may expect an
// answer (ReplyPromise), "" where no SLA promises one.
std::string RenderThanksPage(const FormConfig& form, int64_t ticket_number, const std::string& promise,
                             std::string_view language);
// A whole page around `body`, which must be escaped HTML already.
std::string RenderPage(const std::string& title, const std::string& body, std::string_view language);
std::string RenderMessagePage(const std::string& title, const std::string& text, std::string_view language);

}  // namespace frontdesk
