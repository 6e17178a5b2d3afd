#include "daemon/tickets/router.h"

#include <algorithm>

#include "daemon/base/text.h"

#include "daemon/model/ticket.h"

namespace frontdesk {
namespace {

std::string List(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + v[i];
  return out + "]";
}

bool Contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

std::string Shorten(const std::string& s) {
  std::string one = s.substr(0, 60);
  std::replace(one.begin(), one.end(), '\n', ' ');
  return s.size() > 60 ? one + "..." : one;
}

}  // namespace

Result<std::shared_ptr<const Router>> Router::Build(const Config& config) {
  auto router = std::shared_ptr<Router>(new Router());
  router->rules_ = config.routes;
  for (const CalendarConfig& c : config.calendars) {
    Result<Calendar> cal = Calendar::Build(c);
    if (!cal.ok()) return cal.status();
    router->calendars_.push_back(std::make_unique<Calendar>(std::move(*cal)));
  }
  for (const RouteRule& rule : router->rules_) {
    Rule r;
    r.rule = &rule;
    for (const RouteCondition& c : rule.conditions) {
      Compiled cc;
      cc.condition = &c;
      if (!c.pattern.empty() && c.name != "field") {
        RE2::Options o;
        o.set_log_errors(false);
        cc.re = std::make_unique<RE2>(c.pattern, o);
        if (!cc.re->ok()) return Status::Invalid("route " + rule.id + ": " + cc.re->error());
      }
      if (!c.calendar.empty()) {
        for (const auto& cal : router->calendars_)
          if (cal->name() == c.calendar) cc.calendar = cal.get();
      }
      r.conditions.push_back(std::move(cc));
    }
    router->compiled_.push_back(std::move(r));
  }
  return std::shared_ptr<const Router>(router);
}

bool Router::Evaluate(const Compiled& cc, const RouteInput& in, std::map<std::string, std::string>& captures,
                      std::string* text) const {
  const RouteCondition& c = *cc.condition;
  auto regex = [&](const std::string& subject) {
    int groups = cc.re->NumberOfCapturingGroups();
    std::vector<re2::StringPiece> sub(groups + 1);
    if (!cc.re->Match(subject, 0, subject.size(), RE2::UNANCHORED, sub.data(), groups + 1)) return false;
    for (const auto& [name, index] : cc.re->NamedCapturingGroups()) {
      if (sub[index].data()) captures[name] = std::string(sub[index].data(), sub[index].size());
    }
    return true;
  };
  if (c.name == "channel") {
    *text = "channel in " + List(c.values) + " (it is " + in.channel + ")";
    return Contains(c.values, in.channel);
  }
  if (c.name == "to") {
    *text = "to in " + List(c.values) + " (it is " + List(in.to) + ")";
    return std::any_of(in.to.begin(), in.to.end(), [&](const std::string& a) { return Contains(c.values, a); });
  }
  if (c.name == "mailbox") {
    *text = "mailbox in " + List(c.values) + " (it is " + (in.mailbox.empty() ? "none" : in.mailbox) + ")";
    return Contains(c.values, in.mailbox);
  }
  if (c.name == "from") {
    *text = "from in " + List(c.values) + " (it is " + in.from + ")";
    return Contains(c.values, in.from);
  }
  if (c.name == "from_domain") {
    std::string domain = in.from.substr(in.from.rfind('@') + 1);
    *text = "from_domain in " + List(c.values) + " (it is " + domain + ")";
    return std::any_of(c.values.begin(), c.values.end(), [&](const std::string& d) {
      return domain == d || (domain.size() > d.size() && domain.compare(domain.size() - d.size(), d.size(), d) == 0 &&
                             domain[domain.size() - d.size() - 1] == '.');
    });
  }
  if (c.name == "priority") {
    *text = "sender priority in " + List(c.values) + " (it is " + (in.sender_priority.empty() ? "none" : in.sender_priority) + ")";
    return Contains(c.values, in.sender_priority);
  }
  if (c.name == "subject") {
    *text = "subject =~ /" + c.pattern + "/ (\"" + Shorten(in.subject) + "\")";
    return regex(in.subject);
  }
  if (c.name == "body") {
    *text = "body =~ /" + c.pattern + "/";
    return regex(in.body);
  }
  if (c.name == "header") {
    *text = "header " + c.header + " =~ /" + c.pattern + "/";
    std::string want = AsciiLower(c.header);
    for (const auto& [name, value] : in.headers) {
      if (AsciiLower(name) == want && regex(value)) {
        *text += " (\"" + Shorten(value) + "\")";
        return true;
      }
    }
    return false;
  }
  if (c.name == "field" || c.name == "field_regex") {
    std::string value;
    bool present = false;
    for (const auto& [name, v] : in.fields) {
      if (name == c.header) {
        value = v;
        present = true;
      }
    }
    *text = "field " + c.header + (c.name == "field" ? " == \"" + c.pattern + "\"" : " =~ /" + c.pattern + "/") +
            " (it is " + (present ? "\"" + Shorten(value) + "\"" : std::string("absent")) + ")";
    if (!present) return false;
    return c.name == "field" ? value == c.pattern : regex(value);
  }
  if (c.name == "in_business_hours") {
    bool open = cc.calendar && cc.calendar->IsOpen(in.now);
    *text = "in business hours of " + c.calendar + " (" + (open ? "open" : "closed") + " at " +
            (cc.calendar ? cc.calendar->FormatLocal(in.now) : FormatRfc3339(in.now)) + ")";
    return open;
  }
  *text = c.name + " (unknown condition)";
  return false;
}

RouteDecision Router::Route(const RouteInput& in) const {
  RouteDecision d;
  for (const Rule& r : compiled_) {
    const RouteRule& rule = *r.rule;
    RuleTrace t;
    t.id = rule.id;
    t.match_any = rule.match_any;
    std::map<std::string, std::string> captures;
    bool all = true, any = false;
    for (const Compiled& cc : r.conditions) {
      std::string text;
      bool result = Evaluate(cc, in, captures, &text);
      if (cc.condition->negate) {
        result = !result;
        text = "not " + text;
      }
      t.conditions.push_back({text, result});
      all = all && result;
      any = any || result;
    }
    t.matched = r.conditions.empty() || (rule.match_any ? any : all);
    if (t.matched) {
      d.matched.push_back(rule.id);
      const RouteActions& a = rule.actions;
      if (!a.reject.empty()) {
        d.rejected = true;
        d.reject_reason = a.reject;
        d.reject_rule = rule.id;
        t.actions.push_back("reject: " + a.reject);
        t.stopped = true;
        d.trace.push_back(std::move(t));
        break;
      }
      if (!a.queue.empty()) {
        d.queue = a.queue;
        d.queue_rule = rule.id;
        t.actions.push_back("queue=" + a.queue);
      }
      if (!a.priority.empty()) {
        d.priority = a.priority;
        t.actions.push_back("priority=" + a.priority);
      }
      if (!a.category.empty()) {
        d.category = a.category;
        t.actions.push_back("category=" + a.category);
      }
      if (!a.assignee.empty()) {
        d.assignee = a.assignee;
        t.actions.push_back("assignee=" + a.assignee);
      }
      if (!a.sla.empty()) {
        d.sla = a.sla;
        t.actions.push_back("sla=" + a.sla);
      }
      for (const std::string& tmpl : a.tags) {
        // "{name}" takes a named capture of this rule's regexes.
        std::string tag;
        bool missing = false;
        for (size_t i = 0; i < tmpl.size(); ++i) {
          size_t close = tmpl[i] == '{' ? tmpl.find('}', i) : std::string::npos;
          if (close == std::string::npos) {
            tag += tmpl[i];
            continue;
          }
          auto it = captures.find(tmpl.substr(i + 1, close - i - 1));
          if (it == captures.end()) missing = true;
          else tag += AsciiLower(it->second);
          i = close;
        }
        if (missing || !ValidateTag(tag).ok()) {
          t.actions.push_back("tag " + tmpl + " skipped (" + (missing ? "no such capture" : "not a valid tag: " + tag) + ")");
          continue;
        }
        if (!Contains(d.tags, tag)) d.tags.push_back(tag);
        t.actions.push_back("tags+=" + tag);
      }
      if (a.suppress_auto_reply) {
        d.suppress_auto_reply = true;
        t.actions.push_back("suppress_auto_reply");
      }
      if (rule.stop) t.stopped = true;
    }
    d.trace.push_back(std::move(t));
    if (d.trace.back().stopped) break;
  }
  return d;
}

std::string SenderPriority(const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string out;
  for (const auto& [name, raw] : headers) {
    std::string n = AsciiLower(name);
    std::string value = AsciiLower(std::string(raw.substr(raw.find_first_not_of(" \t") == std::string::npos ? 0 : raw.find_first_not_of(" \t"))));
    if (n == "x-priority" && !value.empty()) {
      out = value[0] == '1' || value[0] == '2' ? "high" : value[0] == '4' || value[0] == '5' ? "low" : "normal";
    } else if (n == "importance" || n == "x-msmail-priority") {
      out = value.rfind("high", 0) == 0 ? "high" : value.rfind("low", 0) == 0 ? "low" : "normal";
    }
  }
  return out;
}

std::string ExplainRoute(const RouteInput& in, const RouteDecision& d) {
  std::string out = "request: channel=" + in.channel + " from=" + (in.from.empty() ? "-" : in.from) +
                    " to=" + List(in.to) + " subject=\"" + Shorten(in.subject) + "\" at " + FormatRfc3339(in.now) + "\n";
  int n = 0;
  for (const RuleTrace& t : d.trace) {
    out += "rule " + std::to_string(++n) + " " + t.id + " (match " + (t.match_any ? "any" : "all") + "): " +
           (t.matched ? "matched" : "no match") + "\n";
    if (t.conditions.empty()) out += "  (no conditions: always matches)\n";
    for (const ConditionTrace& c : t.conditions) out += std::string("  [") + (c.result ? "x" : " ") + "] " + c.text + "\n";
    for (const std::string& a : t.actions) out += "  then " + a + "\n";
    if (t.stopped) out += "  stop: no further rules are evaluated\n";
  }
  if (d.trace.empty()) out += "no rules are configured\n";
  if (d.rejected) {
    out += "outcome: rejected by " + d.reject_rule + ": " + d.reject_reason + "\n";
    return out;
  }
  out += "outcome: queue=" + (d.queue.empty() ? std::string("(unchanged: the default)") : d.queue + " (rule " + d.queue_rule + ")");
  if (!d.priority.empty()) out += " priority=" + d.priority;
  if (!d.category.empty()) out += " category=" + d.category;
  if (!d.assignee.empty()) out += " assignee=" + d.assignee;
  if (!d.sla.empty()) out += " sla=" + d.sla;
  if (!d.tags.empty()) out += " tags=" + List(d.tags);
  if (d.suppress_auto_reply) out += " auto_reply=suppressed";
  return out + "\n";
}

}  // namespace frontdesk
