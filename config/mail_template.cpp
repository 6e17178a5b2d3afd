#include "config/mail_template.h"

#include <algorithm>

#include "daemon/base/text.h"

namespace frontdesk {
namespace {

struct Token {
  enum Type { kText, kVar, kIf, kIfNot, kEnd } type;
  std::string_view text;  // the text, or the variable's name
  size_t offset;
};

bool IsNameChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

// Splits a template into tokens; on a syntax error, fills *problem.
std::vector<Token> Tokenize(std::string_view s, TemplateProblem* problem) {
  std::vector<Token> out;
  std::vector<Token> open;
  size_t i = 0;
  while (i < s.size()) {
    size_t at = s.find("{{", i);
    if (at == std::string_view::npos) {
      out.push_back({Token::kText, s.substr(i), i});
      break;
    }
    if (at > i) out.push_back({Token::kText, s.substr(i, at - i), i});
    size_t end = s.find("}}", at + 2);
    size_t newline = s.find('\n', at + 2);
    if (end == std::string_view::npos || newline < end) {
      *problem = {at, "\"{{\" is not closed by \"}}\" on the same line"};
      return {};
    }
    std::string_view inside = Trim(s.substr(at + 2, end - at - 2));
    Token t{Token::kVar, inside, at};
    if (!inside.empty() && (inside[0] == '#' || inside[0] == '^' || inside[0] == '/')) {
      t.type = inside[0] == '#' ? Token::kIf : inside[0] == '^' ? Token::kIfNot : Token::kEnd;
      t.text = Trim(inside.substr(1));
    }
    if (t.text.empty() || !std::all_of(t.text.begin(), t.text.end(), IsNameChar)) {
      *problem = {at, "\"{{" + std::string(inside) + "}}\" is not a variable; names are of a-z, 0-9 and '_'"};
      return {};
    }
    if (t.type == Token::kIf || t.type == Token::kIfNot) open.push_back(t);
    if (t.type == Token::kEnd) {
      if (open.empty() || open.back().text != t.text) {
        *problem = {at, open.empty() ? "\"{{/" + std::string(t.text) + "}}\" closes no section"
                                     : "\"{{/" + std::string(t.text) + "}}\" closes the section \"" +
                                           std::string(open.back().text) + "\", which is still open"};
        return {};
      }
      open.pop_back();
    }
    out.push_back(t);
    i = end + 2;
    // A section tag alone on its line takes the line break with it.
    bool line_start = at == 0 || s[at - 1] == '\n';
    if (t.type != Token::kVar && line_start) {
      if (s.substr(i, 2) == "\r\n") i += 2;
      else if (s.substr(i, 1) == "\n") i += 1;
    }
  }
  if (!open.empty()) {
    *problem = {open.back().offset, "the section \"" + std::string(open.back().text) + "\" is never closed"};
    return {};
  }
  return out;
}

std::string Escape(const std::string& value, TemplateEscape escape) {
  switch (escape) {
    case TemplateEscape::kText: return value;
    case TemplateEscape::kHeader: {
      std::string out;
      for (char c : value) out += (c == '\r' || c == '\n' || c == '\t') ? ' ' : c;
      return out;
    }
    case TemplateEscape::kHtml: {
      std::string out;
      std::string escaped = HtmlEscape(value);
      for (char c : escaped) {
        if (c == '\r') continue;
        if (c == '\n') out += "<br>";
        out += c;
      }
      return out;
    }
  }
  return value;
}

std::vector<std::string> With(std::vector<std::string> base, std::initializer_list<const char*> more) {
  base.insert(base.end(), more.begin(), more.end());
  return base;
}

const std::vector<std::string>& Common() {
  static const std::vector<std::string> v = {
      "ticket", "subject", "status", "priority", "queue", "queue_name", "category", "requester",
      "requester_name", "requester_email", "due", "promise", "support_address", "form_url"};
  return v;
}

const std::map<std::string, std::vector<std::string>, std::less<>>& Variables() {
  static const std::map<std::string, std::vector<std::string>, std::less<>> v = {
      {"auto_ack", With(Common(), {"body"})},
      {"new_ticket_alert", With(Common(), {"body", "from", "next_due"})},
      {"customer_reply_alert", With(Common(), {"body", "from", "next_due"})},
      {"note_alert", With(Common(), {"body", "from", "next_due"})},
      {"agent_reply", With(Common(), {"body", "agent_name"})},
      {"escalation", With(Common(), {"target", "level", "policy", "next_due"})},
      {"solved", Common()},
      {"rejected", {"subject", "requester", "requester_name", "requester_email", "queue", "queue_name",
                    "support_address", "form_url", "reason"}},
      {"oversize_notice", With(Common(), {"size", "limit"})},
      {"survey", With(Common(), {"survey_url", "scale_min", "scale_max", "expires"})},
      {"low_score_alert", With(Common(), {"score", "scale_min", "scale_max", "comment", "assignee"})},
      {"standard_alert", {"queue", "queue_name", "support_address", "policy", "target", "standard", "compliance",
                          "below_by", "met", "targets", "missed", "period", "tickets"}},
  };
  return v;
}

}  // namespace

const std::vector<std::string>& CannedVariables() {
  static const std::vector<std::string> v = With(Common(), {"agent"});
  return v;
}

namespace {

const char* kAlertFooter =
    "\n"
    "-- \n"
    "Reply to this mail to answer the customer. Lines such as /status solved, /assign me or /note at the top of "
    "your reply are commands.\n";

const char* kTeam = "{{#queue_name}}{{queue_name}}{{/queue_name}}{{^queue_name}}our support team{{/queue_name}}";

std::map<std::string, MailTemplate, std::less<>> MakeBuiltins() {
  std::map<std::string, MailTemplate, std::less<>> b;
  b["auto_ack"].subject = "{{subject}}";
  b["auto_ack"].text = std::string(
                           "Hello{{#requester_name}} {{requester_name}}{{/requester_name}},\n"
                           "\n"
                           "thank you for your message. ") + kTeam +
                       " has received it as ticket {{ticket}}.\n"
                       "{{#promise}}\n"
                       "{{promise}}\n"
                       "{{/promise}}\n"
                       "\n"
                       "To add to it, reply to this mail and keep the ticket number in the subject.\n";
  b["new_ticket_alert"].subject = "{{subject}}";
  b["new_ticket_alert"].text = std::string(
                                   "New ticket {{ticket}} in queue {{queue}}, from {{from}}, priority {{priority}}.\n"
                                   "{{#next_due}}\n"
                                   "A reply is due by {{next_due}}.\n"
                                   "{{/next_due}}\n"
                                   "\n"
                                   "{{body}}\n") + kAlertFooter;
  b["customer_reply_alert"].subject = "{{subject}}";
  b["customer_reply_alert"].text =
      std::string(
          "The customer replied to ticket {{ticket}} in queue {{queue}}, from {{from}}, priority {{priority}}.\n"
          "{{#next_due}}\n"
          "A reply is due by {{next_due}}.\n"
          "{{/next_due}}\n"
          "\n"
          "{{body}}\n") + kAlertFooter;
  b["note_alert"].subject = "{{subject}}";
  b["note_alert"].text =
      "{{from}} added an internal note to ticket {{ticket}} in queue {{queue}}. The customer does not see it.\n"
      "\n"
      "{{body}}\n"
      "\n"
      "-- \n"
      "Reply to this mail to answer the customer, or start your reply with /note to add a note.\n";
  b["agent_reply"].subject = "{{subject}}";
  b["agent_reply"].text = "{{body}}\n";
  b["escalation"].subject = "SLA {{target}} {{level}}: {{subject}}";
  b["escalation"].text =
      "Ticket {{ticket}} ({{subject}}) reached {{level}} of its {{target}} target under policy {{policy}}.\n"
      "{{#next_due}}\n"
      "It is due by {{next_due}}.\n"
      "{{/next_due}}\n"
      "Queue {{queue}}, priority {{priority}}, status {{status}}, from {{requester_email}}.\n";
  b["solved"].subject = "{{subject}}";
  b["solved"].text =
      "Hello{{#requester_name}} {{requester_name}}{{/requester_name}},\n"
      "\n"
      "we have marked ticket {{ticket}} as solved. If something is still not right, reply to this mail and the "
      "ticket opens again.\n";
  b["rejected"].subject = "Not accepted: {{subject}}";
  b["rejected"].text =
      "Hello{{#requester_name}} {{requester_name}}{{/requester_name}},\n"
      "\n"
      "your message \"{{subject}}\" to {{support_address}} was not accepted: {{reason}}.\n"
      "It has not become a ticket.\n";
  b["oversize_notice"].subject = "{{subject}}";
  b["oversize_notice"].text = std::string(
                                  "Hello{{#requester_name}} {{requester_name}}{{/requester_name}},\n"
                                  "\n"
                                  "your message is {{size}}, more than we read automatically ({{limit}}). ") +
                              kTeam +
                              " has kept it as ticket {{ticket}}, and a person will look at it. If you can, send "
                              "large files as a link instead.\n";
  b["survey"].subject = "How did we do? {{subject}}";
  b["survey"].text = std::string(
                         "Hello{{#requester_name}} {{requester_name}}{{/requester_name}},\n"
                         "\n"
                         "ticket {{ticket}} was solved recently. Would you tell us how ") +
                     kTeam +
                     " did? It is one question, from {{scale_min}} to {{scale_max}}, and a comment if you "
                     "like:\n"
                     "\n"
                     "{{survey_url}}\n"
                     "\n"
                     "The link works until {{expires}}.\n";
  b["low_score_alert"].subject = "Low satisfaction score {{score}}: {{subject}}";
  b["low_score_alert"].text =
      "{{requester}} rated ticket {{ticket}} in queue {{queue}} {{score}} on a scale from {{scale_min}} to "
      "{{scale_max}}.\n"
      "{{#assignee}}\n"
      "It was assigned to {{assignee}}.\n"
      "{{/assignee}}\n"
      "{{#comment}}\n"
      "Their comment:\n"
      "\n"
      "{{comment}}\n"
      "{{/comment}}\n"
      "\n"
      "The customer is on the watch list: GET /api/v1/customers?watch=true\n";
  b["standard_alert"].subject = "Below standard in {{queue}}: {{target}} at {{compliance}}, standard {{standard}}";
  b["standard_alert"].text =
      "In queue {{queue}}, {{met}} of the {{targets}} {{target}} targets of SLA policy {{policy}} decided in the "
      "last {{period}} were met in time: {{compliance}}. The standard is {{standard}}, so the queue is "
      "{{below_by}} points below it.\n"
      "\n"
      "These {{missed}} tickets missed the target in that time:\n"
      "\n"
      "{{tickets}}"
      "\n"
      "This mail comes once each time the rate falls below the standard: the next one only after it has "
      "recovered and fallen again. GET /api/v1/reports/standards shows where every standard stands now, and "
      "frontdesk report --queue {{queue}} the figures for any period.\n";
  return b;
}

}  // namespace

const std::vector<std::string>& TemplateKinds() {
  static const std::vector<std::string> kinds = {"auto_ack",    "new_ticket_alert", "customer_reply_alert",
                                                 "note_alert",  "agent_reply",      "escalation",
                                                 "solved",      "rejected",         "oversize_notice",
                                                 "survey",      "low_score_alert",  "standard_alert"};
  return kinds;
}

bool IsTemplateKind(std::string_view kind) { return Variables().count(kind) > 0; }

const std::vector<std::string>& TemplateVariables(std::string_view kind) {
  static const std::vector<std::string> none;
  auto it = Variables().find(kind);
  return it == Variables().end() ? none : it->second;
}

std::vector<std::string> RequiredVariables(std::string_view kind) {
  if (kind == "auto_ack") return {"ticket"};
  if (kind == "agent_reply") return {"body"};
  if (kind == "survey") return {"survey_url"};
  return {};
}

const MailTemplate& BuiltinTemplate(std::string_view kind) {
  static const std::map<std::string, MailTemplate, std::less<>> builtins = MakeBuiltins();
  auto it = builtins.find(kind);
  return it == builtins.end() ? builtins.at("escalation") : it->second;
}

std::optional<TemplateProblem> CheckTemplate(std::string_view source, const std::vector<std::string>& known) {
  TemplateProblem problem;
  std::vector<Token> tokens = Tokenize(source, &problem);
  if (!problem.message.empty()) return problem;
  for (const Token& t : tokens) {
    if (t.type == Token::kText) continue;
    if (std::find(known.begin(), known.end(), t.text) == known.end()) {
      std::string list;
      for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
      return TemplateProblem{t.offset, "unknown variable \"" + std::string(t.text) + "\"; this template knows " + list};
    }
  }
  return std::nullopt;
}

std::set<std::string> UsedVariables(std::string_view source) {
  TemplateProblem problem;
  std::set<std::string> out;
  for (const Token& t : Tokenize(source, &problem)) {
    if (t.type != Token::kText) out.emplace(t.text);
  }
  return out;
}

std::string RenderTemplate(std::string_view source, const TemplateVars& vars, TemplateEscape escape) {
  TemplateProblem problem;
  std::vector<Token> tokens = Tokenize(source, &problem);
  std::string out;
  // How many of the open sections hide their inside.
  std::vector<bool> shown;
  int hidden = 0;
  auto value = [&](std::string_view name) -> const std::string* {
    auto it = vars.find(std::string(name));
    return it == vars.end() ? nullptr : &it->second;
  };
  for (const Token& t : tokens) {
    switch (t.type) {
      case Token::kText:
        if (!hidden) out += t.text;
        break;
      case Token::kVar:
        if (!hidden) {
          if (const std::string* v = value(t.text)) out += Escape(*v, escape);
        }
        break;
      case Token::kIf:
      case Token::kIfNot: {
        const std::string* v = value(t.text);
        bool present = v && !v->empty();
        bool show = t.type == Token::kIf ? present : !present;
        shown.push_back(show);
        if (!show) ++hidden;
        break;
      }
      case Token::kEnd:
        if (!shown.empty()) {
          if (!shown.back()) --hidden;
          shown.pop_back();
        }
        break;
    }
  }
  return out;
}

}  // namespace frontdesk
