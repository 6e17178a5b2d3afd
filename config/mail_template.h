// mail_template.h: the words of every mail Frontdesk writes by itself. A
// template is a subject line, a text body and an optional HTML body, with
// {{variable}} places and two kinds of section: {{#name}}...{{/name}} keeps
// its inside only when the variable is not empty, {{^name}}...{{/name}}
// only when it is. A section tag alone on its line takes its line break
// with it, so that sections do not leave blank lines behind.
//
// Each kind of template (auto_ack, agent_reply, escalation, ...) has its own
// set of variables; the loader refuses a template that names any other, so
// a misspelt variable is a check-config error rather than a hole in a
// customer's mail. Values are escaped for where they land: as they are in
// text, HTML-escaped in HTML, one line in the subject.
// Thread-safe (pure functions and constant tables).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace frontdesk {

struct MailTemplate {
  std::string subject;
  std::string text;
  std::string html;  // "" = a text-only mail
  // Where each part came from, for check-config and explanations:
  // "built-in", "frontdesk.toml:40:8", "templates/auto_ack.txt:1:1".
  std::string subject_origin = "built-in", text_origin = "built-in", html_origin = "built-in";
};

using TemplateVars = std::map<std::string, std::string>;

// The kinds of template, in the order the docs list them.
const std::vector<std::string>& TemplateKinds();
bool IsTemplateKind(std::string_view kind);
// The variables a template of `kind` may use; empty for an unknown kind.
const std::vector<std::string>& TemplateVariables(std::string_view kind);
// The variables it must use, because the mail is pointless without them
// (an acknowledgement without the ticket number, a relayed reply without
// the reply).
std::vector<std::string> RequiredVariables(std::string_view kind);
// The variables of a canned reply ([canned.NAME], for the console): the
// ticket's, and `agent`, the address of the agent inserting it.
const std::vector<std::string>& CannedVariables();
// The built-in words of `kind`; an unknown kind gets the escalation's.
const MailTemplate& BuiltinTemplate(std::string_view kind);

struct TemplateProblem {
  size_t offset = 0;  // in the template's source
  std::string message;
};

// Checks the syntax, and that every variable is one of `known`.
std::optional<TemplateProblem> CheckTemplate(std::string_view source, const std::vector<std::string>& known);
// The variables a (valid) template uses, in places or sections.
std::set<std::string> UsedVariables(std::string_view source);

enum class TemplateEscape {
  kText,    // values as they are
  kHtml,    // values HTML-escaped, line breaks as <br>
  kHeader,  // values on one line
};

// Renders a template that CheckTemplate accepted; a variable missing from
// `vars` renders as empty.
std::string RenderTemplate(std::string_view source, const TemplateVars& vars, TemplateEscape escape);

}  // namespace frontdesk
