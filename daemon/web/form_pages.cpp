#include "daemon/web/form_pages.h"

#include "config/customer_texts.h"
#include "daemon/base/text.h"

namespace frontdesk {
namespace {

constexpr const char* kStyle = R"css(
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a}
h1{font-size:1.6rem}label{display:block;font-weight:600;margin-top:1rem}
input,textarea,select{width:100%;box-sizing:border-box;padding:.5rem;font:inherit;border:1px solid #767676;border-radius:4px}
textarea{min-height:10rem}input[type=file]{border:none;padding:.25rem 0}
[aria-invalid=true]{border:2px solid #b00020}.error{color:#b00020;margin:.25rem 0 0}
.summary{border:2px solid #b00020;padding:.5rem 1rem;margin:1rem 0}
button{margin-top:1.5rem;padding:.6rem 1.4rem;font:inherit;font-weight:600;background:#1f4fa3;color:#fff;border:none;border-radius:4px;cursor:pointer}
button:focus,input:focus,textarea:focus,select:focus{outline:3px solid #ffbf47;outline-offset:1px}
.hint{color:#555;font-weight:400;font-size:.9rem}.hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
fieldset{border:none;padding:0;margin:1rem 0 0}legend{font-weight:600}
.scale{display:flex;flex-wrap:wrap;gap:.4rem;margin-top:.5rem}.scale label{margin:0;font-weight:400;text-align:center}
.scale input{width:auto;display:block;margin:0 auto}.ends{display:flex;justify-content:space-between;color:#555;font-size:.9rem}
)css";

// The built-in words of `key`, escaped for HTML.
std::string Words(std::string_view key, std::string_view language) { return HtmlEscape(PageText(key, language)); }

}  // namespace

std::string OperatorOrBuiltin(const std::string& configured, const std::string& english_default,
                              std::string_view key, std::string_view language) {
  return configured == english_default ? PageText(key, language) : configured;
}

std::string RenderPage(const std::string& title, const std::string& body, std::string_view language) {
  std::string lang = IsCustomerLanguage(language) ? std::string(language) : "en";
  return "<!DOCTYPE html>\n<html lang=\"" + HtmlEscape(lang) + "\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
         "<title>" + HtmlEscape(title) + "</title><style>" + kStyle + "</style></head>"
         "<body><main>" + body + "</main></body></html>\n";
}

namespace {

const FieldError* ErrorFor(const std::vector<FieldError>& errors, const std::string& field) {
  for (const FieldError& e : errors)
    if (e.field == field) return &e;
  return nullptr;
}

std::string Value(const FormValues& v, const std::string& key) {
  auto it = v.values.find(key);
  return it == v.values.end() ? "" : it->second;
}

// The name of `field` in the error summary: the built-in fields' in the
// customer's language, the operator's own fields' as configured.
std::string FieldName(const std::string& field, std::string_view language) {
  for (const char* own : {"name", "email", "subject", "message", "attachment"}) {
    if (field == own) return PageText("form.field." + field, language);
  }
  return field;
}

// One labelled control, with its error (if any) tied to it for screen readers.
std::string Control(const std::string& name, const std::string& label, const std::string& kind,
                    bool required, const std::string& value, const std::vector<std::string>& options,
                    const std::vector<FieldError>& errors, std::string_view language,
                    const std::string& extra_attrs = "") {
  const FieldError* err = ErrorFor(errors, name);
  std::string id = "f-" + name;
  std::string out = "<label for=\"" + id + "\">" + HtmlEscape(label);
  if (!required) out += " <span class=\"hint\">" + Words("form.optional", language) + "</span>";
  out += "</label>";
  std::string attrs = " id=\"" + id + "\" name=\"" + HtmlEscape(name) + "\"" + extra_attrs;
  if (required) attrs += " required";
  if (err) attrs += " aria-invalid=\"true\" aria-describedby=\"" + id + "-error\"";
  if (kind == "textarea") {
    out += "<textarea" + attrs + ">" + HtmlEscape(value) + "</textarea>";
  } else if (kind == "select") {
    out += "<select" + attrs + "><option value=\"\">" + Words("form.choose", language) + "</option>";
    for (const std::string& o : options) {
      out += "<option value=\"" + HtmlEscape(o) + "\"" + (o == value ? " selected" : "") + ">" +
             HtmlEscape(o) + "</option>";
    }
    out += "</select>";
  } else {
    out += "<input type=\"" + kind + "\"" + attrs + " value=\"" + HtmlEscape(value) + "\">";
  }
  if (err) {
    out += "<p class=\"error\" id=\"" + id + "-error\">" + HtmlEscape(FieldErrorText(*err, language)) + "</p>";
  }
  return out;
}

}  // namespace

std::string RenderFormPage(const FormConfig& form, const FormValues& v, const std::vector<FieldError>& errors,
                           std::string_view language) {
  const FormConfig defaults;
  std::string title = OperatorOrBuiltin(form.title, defaults.title, "form.title", language);
  std::string intro = OperatorOrBuiltin(form.intro, defaults.intro, "form.intro", language);
  std::string submit = OperatorOrBuiltin(form.submit_label, defaults.submit_label, "form.submit", language);
  std::string body = "<h1>" + HtmlEscape(title) + "</h1><p>" + HtmlEscape(intro) + "</p>";
  if (!errors.empty()) {
    body += "<div class=\"summary\" role=\"alert\"><p><strong>" + Words("form.errors_heading", language) +
            "</strong></p><ul>";
    for (const FieldError& e : errors) {
      body += "<li><a href=\"#f-" + HtmlEscape(e.field) + "\">" + HtmlEscape(FieldName(e.field, language)) +
              "</a>: " + HtmlEscape(FieldErrorText(e, language)) + "</li>";
    }
    body += "</ul></div>";
  }
  body += "<form method=\"post\" action=\"/tickets\" enctype=\"multipart/form-data\" accept-charset=\"UTF-8\">";
  body += "<input type=\"hidden\" name=\"form_token\" value=\"" + HtmlEscape(v.token) + "\">";
  body += Control("name", PageText("form.name", language), "text", form.require_name, Value(v, "name"), {}, errors,
                  language, " autocomplete=\"name\" maxlength=\"" + std::to_string(form.max_name_chars) + "\"");
  body += Control("email", PageText("form.email", language), "email", true, Value(v, "email"), {}, errors,
                  language, " autocomplete=\"email\" maxlength=\"254\"");
  body += Control("subject", PageText("form.subject", language), "text", true, Value(v, "subject"), {}, errors,
                  language, " maxlength=\"" + std::to_string(form.max_subject_chars) + "\"");
  for (const FormField& f : form.fields) {
    body += Control(f.name, f.label, f.kind, f.required, Value(v, f.name), f.options, errors, language,
                    f.kind == "select" ? "" : " maxlength=\"" + std::to_string(f.max_chars) + "\"");
  }
  body += Control("message", PageText("form.message", language), "textarea", true, Value(v, "message"), {}, errors,
                  language, " maxlength=\"" + std::to_string(form.max_message_chars) + "\"");
  if (form.max_attachments > 0) {
    body += Control("attachment", PageText("form.attachments", language), "file", false, "", {}, errors, language,
                    form.max_attachments > 1 ? " multiple" : "");
    body += "<p class=\"hint\">" +
            HtmlEscape(FillText(PageText("form.attachments_hint", language),
                                {{"count", std::to_string(form.max_attachments)},
                                 {"kib", std::to_string(form.max_attachment_bytes / 1024)}})) +
            "</p>";
  }
  // People never see this field; bots that fill every input do.
  body += "<div class=\"hp\" aria-hidden=\"true\"><label for=\"f-hp\">" + Words("form.honeypot", language) +
          "</label><input id=\"f-hp\" type=\"text\" name=\"" + std::string(kHoneypotField) +
          "\" tabindex=\"-1\" autocomplete=\"off\"></div>";
  body += "<button type=\"submit\">" + HtmlEscape(submit) + "</button></form>";
  return RenderPage(title, body, language);
}

std::string RenderThanksPage(const FormConfig& form, int64_t ticket_number, const std::string& promise,
                             std::string_view language) {
  const FormConfig defaults;
  std::string title = OperatorOrBuiltin(form.thanks_title, defaults.thanks_title, "thanks.title", language);
  std::string text = OperatorOrBuiltin(form.thanks_text, defaults.thanks_text, "thanks.text", language);
  std::string body = "<h1>" + HtmlEscape(title) + "</h1>";
  if (ticket_number > 0) {
    body += "<p>" +
            FillText(Words("thanks.ticket_number", language),
                     {{"ticket", "<strong>" + std::to_string(ticket_number) + "</strong>"}}) +
            "</p>";
  }
  if (!promise.empty()) body += "<p class=\"promise\">" + HtmlEscape(promise) + "</p>";
  body += "<p>" + HtmlEscape(text) + "</p><p><a href=\"/\">" + Words("thanks.another", language) + "</a></p>";
  return RenderPage(title, body, language);
}

std::string RenderMessagePage(const std::string& title, const std::string& text, std::string_view language) {
  return RenderPage(title,
                    "<h1>" + HtmlEscape(title) + "</h1><p>" + HtmlEscape(text) + "</p><p><a href=\"/\">" +
                        Words("page.back_to_form", language) + "</a></p>",
                    language);
}

}  // namespace frontdesk
