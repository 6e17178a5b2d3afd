#include "daemon/web/form_pages.h"

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

}  // namespace

std::string RenderPage(const std::string& title, const std::string& body) {
  return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
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

// One labelled control, with its error (if any) tied to it for screen readers.
std::string Control(const std::string& name, const std::string& label, const std::string& kind,
                    bool required, const std::string& value, const std::vector<std::string>& options,
                    const std::vector<FieldError>& errors, const std::string& extra_attrs = "") {
  const FieldError* err = ErrorFor(errors, name);
  std::string id = "f-" + name;
  std::string out = "<label for=\"" + id + "\">" + HtmlEscape(label);
  if (!required) out += " <span class=\"hint\">(optional)</span>";
  out += "</label>";
  std::string attrs = " id=\"" + id + "\" name=\"" + HtmlEscape(name) + "\"" + extra_attrs;
  if (required) attrs += " required";
  if (err) attrs += " aria-invalid=\"true\" aria-describedby=\"" + id + "-error\"";
  if (kind == "textarea") {
    out += "<textarea" + attrs + ">" + HtmlEscape(value) + "</textarea>";
  } else if (kind == "select") {
    out += "<select" + attrs + "><option value=\"\">Choose…</option>";
    for (const std::string& o : options) {
      out += "<option value=\"" + HtmlEscape(o) + "\"" + (o == value ? " selected" : "") + ">" +
             HtmlEscape(o) + "</option>";
    }
    out += "</select>";
  } else {
    out += "<input type=\"" + kind + "\"" + attrs + " value=\"" + HtmlEscape(value) + "\">";
  }
  if (err) out += "<p class=\"error\" id=\"" + id + "-error\">" + HtmlEscape(err->message) + "</p>";
  return out;
}

}  // namespace

std::string RenderFormPage(const FormConfig& form, const FormValues& v,
                           const std::vector<FieldError>& errors) {
  std::string body = "<h1>" + HtmlEscape(form.title) + "</h1><p>" + HtmlEscape(form.intro) + "</p>";
  if (!errors.empty()) {
    body += "<div class=\"summary\" role=\"alert\"><p><strong>Please correct the following:</strong></p><ul>";
    for (const FieldError& e : errors) {
      body += "<li><a href=\"#f-" + HtmlEscape(e.field) + "\">" + HtmlEscape(e.field) + "</a>: " +
              HtmlEscape(e.message) + "</li>";
    }
    body += "</ul></div>";
  }
  body += "<form method=\"post\" action=\"/tickets\" enctype=\"multipart/form-data\" accept-charset=\"UTF-8\">";
  body += "<input type=\"hidden\" name=\"form_token\" value=\"" + HtmlEscape(v.token) + "\">";
  body += Control("name", "Your name", "text", form.require_name, Value(v, "name"), {}, errors,
                  " autocomplete=\"name\" maxlength=\"" + std::to_string(form.max_name_chars) + "\"");
  body += Control("email", "Your email address", "email", true, Value(v, "email"), {}, errors,
                  " autocomplete=\"email\" maxlength=\"254\"");
  body += Control("subject", "Subject", "text", true, Value(v, "subject"), {}, errors,
                  " maxlength=\"" + std::to_string(form.max_subject_chars) + "\"");
  for (const FormField& f : form.fields) {
    body += Control(f.name, f.label, f.kind, f.required, Value(v, f.name), f.options, errors,
                    f.kind == "select" ? "" : " maxlength=\"" + std::to_string(f.max_chars) + "\"");
  }
  body += Control("message", "Message", "textarea", true, Value(v, "message"), {}, errors,
                  " maxlength=\"" + std::to_string(form.max_message_chars) + "\"");
  if (form.max_attachments > 0) {
    body += Control("attachment", "Attachments", "file", false, "", {}, errors,
                    form.max_attachments > 1 ? " multiple" : "");
    body += "<p class=\"hint\">Up to " + std::to_string(form.max_attachments) + " files, each at most " +
            std::to_string(form.max_attachment_bytes / 1024) + " KiB.</p>";
  }
  // People never see this field; bots that fill every input do.
  body += std::string("<div class=\"hp\" aria-hidden=\"true\"><label for=\"f-hp\">Leave this empty</label>"
                      "<input id=\"f-hp\" type=\"text\" name=\"") + kHoneypotField +
          "\" tabindex=\"-1\" autocomplete=\"off\"></div>";
  body += "<button type=\"submit\">" + HtmlEscape(form.submit_label) + "</button></form>";
  return RenderPage(form.title, body);
}

std::string RenderThanksPage(const FormConfig& form, int64_t ticket_number, const std::string& promise) {
  std::string body = "<h1>" + HtmlEscape(form.thanks_title) + "</h1>";
  if (ticket_number > 0) {
    body += "<p>Your ticket number is <strong>" + std::to_string(ticket_number) + "</strong>.</p>";
  }
  if (!promise.empty()) body += "<p class=\"promise\">" + HtmlEscape(promise) + "</p>";
  body += "<p>" + HtmlEscape(form.thanks_text) + "</p><p><a href=\"/\">Send another request</a></p>";
  return RenderPage(form.thanks_title, body);
}

std::string RenderMessagePage(const std::string& title, const std::string& text) {
  return RenderPage(title, "<h1>" + HtmlEscape(title) + "</h1><p>" + HtmlEscape(text) +
                         "</p><p><a href=\"/\">Back to the form</a></p>");
}

}  // namespace frontdesk
