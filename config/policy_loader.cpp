#include "config/policy_loader.h"

#include <date/tz.h>
#include <re2/re2.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "config/values.h"
#include "daemon/model/ticket.h"

namespace frontdesk {
namespace {

const char* kWeekdays[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
const char* kTargets[3] = {"first_response", "next_response", "resolution"};

bool ValidId(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

std::string Where(const ConfigErrors& errors, const toml::source_position& pos) {
  return errors.file() + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column);
}

// "22:00-06:00" as two minutes of the day, in any order; false when it is
// not two "HH:MM" times (up to "24:00") joined by '-'.
bool ReadWindowEnds(std::string_view text, TimeWindow* w) {
  auto hhmm = [](std::string_view t, int* minutes) {
    if (t.size() != 5 || t[2] != ':') return false;
    for (int i : {0, 1, 3, 4})
      if (t[i] < '0' || t[i] > '9') return false;
    int h = (t[0] - '0') * 10 + (t[1] - '0');
    int m = (t[3] - '0') * 10 + (t[4] - '0');
    if (h > 24 || m > 59 || (h == 24 && m != 0)) return false;
    *minutes = h * 60 + m;
    return true;
  };
  size_t dash = text.find('-');
  if (dash == std::string_view::npos) return false;
  return hhmm(text.substr(0, dash), &w->start_minute) && hhmm(text.substr(dash + 1), &w->end_minute);
}

// A minute of the day (0 to 1440) as "HH:MM".
std::string Hhmm(int minutes) {
  std::string out = "00:00";
  out[0] = static_cast<char>('0' + minutes / 600);
  out[1] = static_cast<char>('0' + minutes / 60 % 10);
  out[3] = static_cast<char>('0' + minutes % 60 / 10);
  out[4] = static_cast<char>('0' + minutes % 10);
  return out;
}

// The error for a working window that crosses midnight, with the two
// windows that mean the same, under their days' keys.
std::string CrossingAdvice(const std::string& raw, const TimeWindow& w, int day) {
  std::string night = "\"" + Hhmm(w.start_minute) + "-24:00\"";
  if (w.end_minute == 0) {
    return "the window \"" + raw + "\" crosses midnight; a window that ends at midnight ends at \"24:00\": write " +
           kWeekdays[day] + " = [" + night + "]";
  }
  return "the window \"" + raw + "\" crosses midnight; a window ends on the day it starts, so write it as two: " +
         kWeekdays[day] + " = [" + night + "] and " + kWeekdays[(day + 1) % 7] + " = [\"00:00-" + Hhmm(w.end_minute) +
         "\"]";
}

// The same for a holiday's closed window: two holidays, one a day.
std::string HolidayCrossingAdvice(const std::string& raw, const TimeWindow& w, const date::year_month_day& ymd) {
  auto day = [](const date::year_month_day& d) { return date::format("%Y-%m-%d", date::sys_days(d)); };
  std::string first = "\"" + day(ymd) + " " + Hhmm(w.start_minute) + "-24:00\"";
  if (w.end_minute == 0) {
    return "the holiday \"" + raw + "\" crosses midnight; a window that ends at midnight ends at \"24:00\": write " +
           first;
  }
  date::year_month_day next{date::sys_days(ymd) + date::days(1)};
  return "the holiday \"" + raw + "\" crosses midnight; write it as two holidays, " + first + " and \"" +
         day(next) + " 00:00-" + Hhmm(w.end_minute) + "\"";
}

}  // namespace

Result<SlaDuration> ParseSlaDuration(std::string_view text) {
  SlaDuration d;
  d.text = std::string(text);
  if (text == kSameBusinessDay) {
    d.same_business_day = true;
    return d;
  }
  std::string_view rest = text;
  // Leading "<n>d": working days.
  size_t i = 0;
  while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') ++i;
  if (i > 0 && i < rest.size() && rest[i] == 'd') {
    if (i > 4) return Status::Invalid("too many days in \"" + std::string(text) + "\"");
    d.days = std::stoi(std::string(rest.substr(0, i)));
    rest = rest.substr(i + 1);
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  }
  if (!rest.empty()) {
    Result<std::chrono::milliseconds> ms = ParseDuration(rest);
    if (!ms.ok() || ms->count() % 1000 != 0 || std::string(rest).find_first_of("wd") != std::string::npos) {
      return Status::Invalid("expected a target such as \"4h\", \"90m\", \"2d\" (working days), \"1d 4h\" or "
                             "\"same_business_day\", got \"" + std::string(text) + "\"");
    }
    d.seconds = ms->count() / 1000;
  }
  if (d.days == 0 && d.seconds == 0) {
    return Status::Invalid("a target must be longer than zero, got \"" + std::string(text) + "\"");
  }
  return d;
}

Result<int> ParseCutoff(std::string_view text) {
  TimeWindow w;
  if (!ReadWindowEnds(std::string(text) + "-24:00", &w) || w.start_minute >= 1440) {
    return Status::Invalid("expected a time of day such as \"15:00\", got \"" + std::string(text) + "\"");
  }
  return w.start_minute;
}

void ApplyCutoff(SlaPolicyConfig& p) {
  for (std::optional<SlaDuration>* d : {&p.first_response, &p.next_response, &p.resolution}) {
    if (*d && (*d)->same_business_day) (*d)->cutoff_minute = p.cutoff_minute;
  }
}

Status ParseLevelAt(const std::string& at, EscalationLevel* l) {
  l->at_text = at;
  if (!at.empty() && at.back() == '%') {
    std::string n = at.substr(0, at.size() - 1);
    bool digits = !n.empty() && n.size() <= 4 && std::all_of(n.begin(), n.end(), ::isdigit);
    int v = digits ? std::stoi(n) : 0;
    if (!digits || v < 1 || v > 1000) return Status::Invalid("expected a share such as \"75%\" (1% to 1000%), got \"" + at + "\"");
    l->at_percent = v;
    return Status::Ok();
  }
  if (!at.empty() && (at[0] == '+' || at[0] == '-')) {
    Result<std::chrono::milliseconds> d = ParseDuration(at.substr(1));
    if (!d.ok() || d->count() % 1000 != 0) {
      return Status::Invalid("expected an offset from the due time such as \"-30m\" or \"+2h\", got \"" + at + "\"");
    }
    l->at_offset_seconds = (at[0] == '-' ? -1 : 1) * d->count() / 1000;
    return Status::Ok();
  }
  return Status::Invalid("expected \"75%\" of the target, or an offset from the due time such as \"-30m\" or \"+2h\"");
}

Result<TimeWindow> ParseTimeWindow(std::string_view text) {
  const Status bad = Status::Invalid("expected a window such as \"09:00-17:00\", got \"" + std::string(text) + "\"");
  TimeWindow w;
  if (!ReadWindowEnds(text, &w)) return bad;
  if (w.start_minute == 1440) return Status::Invalid("the window \"" + std::string(text) + "\" must end after it starts");
  if (w.start_minute > w.end_minute) {
    return Status::Invalid("the window \"" + std::string(text) +
                           "\" crosses midnight; a window ends on the day it starts, so write it as two windows, \"" +
                           Hhmm(w.start_minute) + "-24:00\" on one day and \"00:00-" + Hhmm(w.end_minute) +
                           "\" on the next");
  }
  if (w.start_minute == w.end_minute) {
    return Status::Invalid("the window \"" + std::string(text) + "\" must end after it starts");
  }
  return w;
}

void ReadCalendars(TableReader& root, Config& config, ConfigErrors& errors) {
  CalendarConfig always;
  always.name = "24x7";
  always.always_open = true;
  config.calendars.push_back(always);
  const toml::table* cals = root.Table("calendar");
  if (!cals) return;
  for (auto&& [key, node] : *cals) {
    std::string name(key.str());
    std::string path = "calendar." + name;
    const toml::table* t = node.as_table();
    if (!t) {
      errors.Add(node.source().begin, path, "expected a table");
      continue;
    }
    TableReader r(*t, path, errors);
    if (!ValidId(name) || name == "24x7") {
      errors.Add(key.source().begin, path,
                 name == "24x7" ? "\"24x7\" is built in and cannot be redefined"
                                : "a calendar name must be 1 to 64 of a-z, 0-9, '-' and '_'");
    }
    CalendarConfig c;
    c.name = name;
    r.String("timezone", &c.timezone, true, 64);
    if (t->get("timezone") && t->get("timezone")->is_string()) {
      try {
        (void)date::locate_zone(c.timezone);
      } catch (const std::exception&) {
        r.Error("timezone", "unknown time zone \"" + c.timezone + "\"; use an IANA name such as \"Europe/Warsaw\"");
      }
    }
    int open_windows = 0;
    for (int d = 0; d < 7; ++d) {
      std::vector<std::string> raw;
      r.StringList(kWeekdays[d], &raw);
      const toml::array* arr = t->get_as<toml::array>(kWeekdays[d]);
      for (size_t i = 0; i < raw.size(); ++i) {
        std::string item = std::string(kWeekdays[d]) + "[" + std::to_string(i) + "]";
        toml::source_position pos = arr && i < arr->size() ? arr->get(i)->source().begin : r.PositionOf(kWeekdays[d]);
        Result<TimeWindow> w = ParseTimeWindow(raw[i]);
        TimeWindow ends;
        if (!w.ok() && ReadWindowEnds(raw[i], &ends) && ends.start_minute > ends.end_minute && ends.start_minute < 1440) {
          r.ErrorAt(pos, item, CrossingAdvice(raw[i], ends, d));
          continue;
        }
        if (!w.ok()) {
          r.ErrorAt(pos, item, w.status().message());
          continue;
        }
        if (!c.week[d].empty() && c.week[d].back().end_minute > w->start_minute) {
          r.ErrorAt(pos, item, "windows must be in order and must not overlap");
          continue;
        }
        c.week[d].push_back(*w);
        ++open_windows;
      }
    }
    std::vector<std::string> holidays;
    r.StringList("holidays", &holidays);
    const toml::array* harr = t->get_as<toml::array>("holidays");
    for (size_t i = 0; i < holidays.size(); ++i) {
      const std::string& h = holidays[i];
      std::string item = "holidays[" + std::to_string(i) + "]";
      toml::source_position pos = harr && i < harr->size() ? harr->get(i)->source().begin : r.PositionOf("holidays");
      Closure cl;
      bool shape = h.size() >= 10 && h[4] == '-' && h[7] == '-';
      for (int k : {0, 1, 2, 3, 5, 6, 8, 9}) shape = shape && k < static_cast<int>(h.size()) && h[k] >= '0' && h[k] <= '9';
      date::year_month_day ymd{};
      if (shape) {
        ymd = date::year(std::stoi(h.substr(0, 4))) / std::stoi(h.substr(5, 2)) / std::stoi(h.substr(8, 2));
      }
      if (!shape || !ymd.ok()) {
        r.ErrorAt(pos, item, "expected \"YYYY-MM-DD\" or \"YYYY-MM-DD HH:MM-HH:MM\", got \"" + h + "\"");
        continue;
      }
      cl.year = static_cast<int>(ymd.year());
      cl.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
      cl.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
      if (h.size() > 10) {
        Result<TimeWindow> w = h[10] == ' ' ? ParseTimeWindow(h.substr(11)) : Result<TimeWindow>(Status::Invalid(""));
        TimeWindow ends;
        if (!w.ok() && h[10] == ' ' && ReadWindowEnds(h.substr(11), &ends) && ends.start_minute > ends.end_minute &&
            ends.start_minute < 1440) {
          r.ErrorAt(pos, item, HolidayCrossingAdvice(h, ends, ymd));
          continue;
        }
        if (!w.ok()) {
          r.ErrorAt(pos, item, "expected \"YYYY-MM-DD\" or \"YYYY-MM-DD HH:MM-HH:MM\", got \"" + h + "\"");
          continue;
        }
        cl.window = *w;
      }
      c.holidays.push_back(cl);
    }
    r.Finish();
    bool any_day_key = false;
    for (const char* d : kWeekdays) any_day_key = any_day_key || t->get(d);
    if (open_windows == 0 && !any_day_key) {
      errors.Add(t->source().begin, path, "a calendar needs at least one working window (mon = [\"09:00-17:00\"])");
    }
    config.calendars.push_back(std::move(c));
  }
}

// A target written as a table, { within = "4h", standard = 90, period =
// "7d" }: returns `within` ("" when missing or wrong, with the error
// recorded) and adds the standard, when given, to `standards`.
std::string ReadTargetTable(TableReader& policy, const char* target, ConfigErrors& errors,
                            std::vector<ServiceStandard>* standards) {
  const toml::table* t = policy.Table(target);
  if (!t) return "";
  TableReader r(*t, policy.KeyPath(target), errors);
  std::string within;
  r.String("within", &within, true, 64);
  ServiceStandard standard;
  standard.target = target;
  const bool has_standard = r.Percent("standard", &standard.percent);
  std::string period;
  r.String("period", &period, false, 32);
  if (!period.empty()) {
    Result<std::chrono::milliseconds> d = ParseDuration(period);
    constexpr int64_t kHourMs = 3600000;
    if (!d.ok() || d->count() % kHourMs != 0 || d->count() < kHourMs || d->count() > 366 * 24 * kHourMs) {
      r.Error("period", "expected whole hours or days from \"1h\" to \"366d\", such as \"7d\" or \"30d\" "
                        "(calendar time, not business time), got \"" + period + "\"");
    } else {
      standard.period = std::chrono::duration_cast<std::chrono::seconds>(*d);
      standard.period_text = period;
    }
    if (!t->get("standard")) r.Error("period", "a period judges a standard; add standard = 90 (percent) beside it");
  }
  r.Finish();
  if (has_standard) standards->push_back(standard);
  return within;
}

void ReadSlas(TableReader& root, Config& config, ConfigErrors& errors) {
  std::vector<const toml::table*> tables = root.ArrayOfTables("sla");
  std::set<std::string> names;
  for (size_t i = 0; i < tables.size(); ++i) {
    std::string path = "sla[" + std::to_string(i) + "]";
    TableReader r(*tables[i], path, errors);
    SlaPolicyConfig p;
    r.String("name", &p.name, true, 64);
    r.Int("version", &p.version, 1, 1000000);
    r.String("calendar", &p.calendar, false, 64);
    if (const toml::table* a = r.Table("applies_to")) {
      TableReader ar(*a, path + ".applies_to", errors);
      ar.StringList("queue", &p.queues);
      ar.StringList("priority", &p.priorities);
      ar.StringList("category", &p.categories);
      ar.StringList("tags", &p.tags);
      ar.StringList("channel", &p.channels);
      ar.Finish();
      for (const std::string& q : p.queues)
        if (!config.FindQueue(q)) ar.Error("queue", "unknown queue \"" + q + "\"");
      for (const std::string& pr : p.priorities)
        if (!IsPriority(pr)) ar.Error("priority", "unknown priority \"" + pr + "\"; use low, normal, high or urgent");
      for (const std::string& ch : p.channels)
        if (ch != "web" && ch != "email" && ch != "api") ar.Error("channel", "unknown channel \"" + ch + "\"; use web, email or api");
    }
    for (const char* target : kTargets) {
      std::string text;
      const toml::node* n = tables[i]->get(target);
      if (n && n->is_table()) {
        text = ReadTargetTable(r, target, errors, &p.standards);
      } else {
        r.String(target, &text, false, 64);
      }
      if (text.empty()) continue;
      Result<SlaDuration> d = ParseSlaDuration(text);
      if (!d.ok()) {
        r.Error(target, d.status().message());
        continue;
      }
      (std::string_view(target) == "first_response" ? p.first_response
       : std::string_view(target) == "next_response" ? p.next_response
                                                      : p.resolution) = *d;
    }
    std::string cutoff;
    r.String("cutoff", &cutoff, false, 16);
    if (!cutoff.empty()) {
      Result<int> minute = ParseCutoff(cutoff);
      bool same_day = false;
      for (const auto* d : {&p.first_response, &p.next_response, &p.resolution})
        same_day = same_day || (*d && (*d)->same_business_day);
      if (!minute.ok()) {
        r.Error("cutoff", minute.status().message());
      } else if (!same_day) {
        r.Error("cutoff", "a cutoff applies only to \"same_business_day\" targets, and this policy has none");
      } else {
        p.cutoff_minute = *minute;
        ApplyCutoff(p);
      }
    }
    r.StringList("pause_on", &p.pause_on);
    for (const std::string& s : p.pause_on) {
      std::optional<TicketStatus> status = ParseTicketStatus(s);
      if (!status || *status == TicketStatus::kNew || *status == TicketStatus::kSolved ||
          *status == TicketStatus::kClosed) {
        r.Error("pause_on", "cannot pause on \"" + s + "\"; use open, pending or on_hold");
      }
    }
    std::vector<const toml::table*> levels = r.ArrayOfTables("escalation");
    r.Finish();
    if (!p.name.empty()) {
      if (!ValidId(p.name)) r.Error("name", "\"" + p.name + "\" is not a valid policy name; use 1 to 64 of a-z, 0-9, '-' and '_'");
      if (!names.insert(p.name).second) r.Error("name", "duplicate policy name \"" + p.name + "\"");
    }
    if (!config.FindCalendar(p.calendar)) r.Error("calendar", "unknown calendar \"" + p.calendar + "\"");
    bool any_target_key = false;
    for (const char* target : kTargets) any_target_key = any_target_key || tables[i]->get(target);
    if (!any_target_key) {
      errors.Add(tables[i]->source().begin, path, "a policy needs at least one of first_response, next_response, resolution");
    }
    for (size_t k = 0; k < levels.size(); ++k) {
      std::string lpath = path + ".escalation[" + std::to_string(k) + "]";
      TableReader lr(*levels[k], lpath, errors);
      EscalationLevel l;
      lr.OneOf("target", &l.target, {"first_response", "next_response", "resolution"});
      if (!levels[k]->get("target")) lr.Error("target", "missing required key");
      lr.String("at", &l.at_text, true, 32);
      lr.StringList("notify", &l.notify);
      lr.Bool("raise_priority", &l.raise_priority);
      lr.String("set_priority", &l.set_priority, false, 16);
      lr.String("move_to_queue", &l.move_to_queue, false, 64);
      lr.String("add_tag", &l.add_tag, false, 64);
      lr.String("template", &l.template_name, false, 64);
      l.template_line = static_cast<int>(lr.PositionOf("template").line);
      l.template_column = static_cast<int>(lr.PositionOf("template").column);
      lr.Finish();
      if (!l.at_text.empty()) {
        Status at = ParseLevelAt(l.at_text, &l);
        if (!at.ok()) lr.Error("at", at.message());
      }
      std::optional<SlaDuration> target =
          l.target == "first_response" ? p.first_response : l.target == "next_response" ? p.next_response : p.resolution;
      if (!l.target.empty() && !target) lr.Error("target", "this policy has no " + l.target + " target");
      for (const std::string& who : l.notify) {
        if (who == "agents" || who == "assignee") continue;
        Result<std::string> a = ParseMailAddress(who);
        if (!a.ok()) lr.Error("notify", a.status().message() + " (or use \"agents\" or \"assignee\")");
      }
      if (!l.set_priority.empty() && !IsPriority(l.set_priority)) {
        lr.Error("set_priority", "unknown priority \"" + l.set_priority + "\"");
      }
      if (!l.move_to_queue.empty() && !config.FindQueue(l.move_to_queue)) {
        lr.Error("move_to_queue", "unknown queue \"" + l.move_to_queue + "\"");
      }
      if (!l.add_tag.empty() && !ValidateTag(l.add_tag).ok()) lr.Error("add_tag", ValidateTag(l.add_tag).message());
      if (l.notify.empty() && !l.raise_priority && l.set_priority.empty() && l.move_to_queue.empty() && l.add_tag.empty()) {
        errors.Add(levels[k]->source().begin, lpath, "a level needs an action: notify, raise_priority, set_priority, move_to_queue or add_tag");
      }
      p.escalations.push_back(std::move(l));
    }
    config.slas.push_back(std::move(p));
  }
}

void ReadRoutes(TableReader& root, Config& config, ConfigErrors& errors) {
  std::vector<const toml::table*> tables = root.ArrayOfTables("route");
  std::set<std::string> ids;
  static const char* kListConditions[] = {"channel", "to", "mailbox", "from", "from_domain", "priority"};
  for (size_t i = 0; i < tables.size(); ++i) {
    std::string path = "route[" + std::to_string(i) + "]";
    TableReader r(*tables[i], path, errors);
    RouteRule rule;
    std::string match = "all";
    r.String("id", &rule.id, true, 64);
    r.OneOf("match", &match, {"all", "any"});
    rule.match_any = match == "any";
    r.Bool("stop", &rule.stop);
    for (const char* block : {"when", "unless"}) {
      const toml::table* t = r.Table(block);
      if (!t) continue;
      bool negate = std::string_view(block) == "unless";
      std::string bpath = path + "." + block;
      TableReader br(*t, bpath, errors);
      auto add = [&](RouteCondition c, const char* key) {
        c.negate = negate;
        c.name = key;
        c.where = Where(errors, br.PositionOf(key));
        c.line = static_cast<int>(br.PositionOf(key).line);
        c.column = static_cast<int>(br.PositionOf(key).column);
        rule.conditions.push_back(std::move(c));
      };
      for (const char* key : kListConditions) {
        std::vector<std::string> values;
        if (!t->get(key)) {
          br.StringList(key, &values);
          continue;
        }
        br.StringList(key, &values);
        if (values.empty()) {
          br.Error(key, "must list at least one value");
          continue;
        }
        for (std::string& v : values) {
          std::string_view k(key);
          if (k == "to" || k == "from") {
            Result<std::string> a = ParseMailAddress(v);
            if (!a.ok()) br.Error(key, a.status().message());
            else v = *a;
          } else if (k == "from_domain") {
            std::transform(v.begin(), v.end(), v.begin(), ::tolower);
          } else if (k == "channel" && v != "web" && v != "email" && v != "api") {
            br.Error(key, "unknown channel \"" + v + "\"; use web, email or api");
          } else if (k == "priority" && !IsPriority(v)) {
            br.Error(key, "unknown priority \"" + v + "\"");
          }
        }
        RouteCondition c;
        c.values = values;
        add(c, key);
      }
      for (const char* key : {"subject", "body"}) {
        std::string pattern;
        br.String(key, &pattern, false, 2000);
        if (!t->get(key) || !t->get(key)->is_string()) continue;
        std::string err = RegexError(pattern);
        if (!err.empty()) {
          br.Error(key, "invalid regular expression: " + err);
          continue;
        }
        RouteCondition c;
        c.pattern = pattern;
        add(c, key);
      }
      for (const char* key : {"header", "field", "field_regex"}) {
        const toml::table* sub = br.Table(key);
        if (!sub) continue;
        for (auto&& [name, value] : *sub) {
          std::string item = std::string(key) + "." + std::string(name.str());
          const auto* sv = value.as_string();
          if (!sv) {
            errors.Add(value.source().begin, bpath + "." + item, "expected a string");
            continue;
          }
          RouteCondition c;
          c.header = std::string(name.str());
          c.pattern = sv->get();
          c.negate = negate;
          c.name = key;
          c.where = Where(errors, value.source().begin);
          c.line = static_cast<int>(value.source().begin.line);
          c.column = static_cast<int>(value.source().begin.column);
          if (std::string_view(key) != "field") {
            std::string err = RegexError(c.pattern);
            if (!err.empty()) {
              errors.Add(value.source().begin, bpath + "." + item, "invalid regular expression: " + err);
              continue;
            }
          }
          rule.conditions.push_back(std::move(c));
        }
      }
      std::string cal;
      br.String("in_business_hours", &cal, false, 64);
      if (!cal.empty()) {
        if (!config.FindCalendar(cal)) {
          br.Error("in_business_hours", "unknown calendar \"" + cal + "\"");
        } else {
          RouteCondition c;
          c.calendar = cal;
          add(c, "in_business_hours");
        }
      }
      br.Finish();
    }
    std::stable_sort(rule.conditions.begin(), rule.conditions.end(), [](const RouteCondition& a, const RouteCondition& b) {
      return a.line != b.line ? a.line < b.line : a.column < b.column;
    });
    if (const toml::table* t = r.Table("then")) {
      TableReader ar(*t, path + ".then", errors);
      RouteActions& a = rule.actions;
      ar.String("queue", &a.queue, false, 64);
      ar.String("priority", &a.priority, false, 16);
      ar.String("category", &a.category, false, 64);
      ar.Address("assignee", &a.assignee);
      ar.String("sla", &a.sla, false, 64);
      ar.StringList("tags", &a.tags);
      ar.Bool("suppress_auto_reply", &a.suppress_auto_reply);
      ar.String("reject", &a.reject, false, 500);
      ar.Finish();
      if (!a.queue.empty() && !config.FindQueue(a.queue)) ar.Error("queue", "unknown queue \"" + a.queue + "\"");
      if (!a.priority.empty() && !IsPriority(a.priority)) ar.Error("priority", "unknown priority \"" + a.priority + "\"");
      if (!a.sla.empty() && !config.FindSla(a.sla)) ar.Error("sla", "unknown SLA policy \"" + a.sla + "\"");
      for (const std::string& tag : a.tags) {
        if (tag.find('{') != std::string::npos) continue;  // checked once filled in
        if (!ValidateTag(tag).ok()) ar.Error("tags", ValidateTag(tag).message());
      }
    }
    r.Finish();
    if (!rule.id.empty()) {
      if (!ValidId(rule.id)) r.Error("id", "\"" + rule.id + "\" is not a valid rule id; use 1 to 64 of a-z, 0-9, '-' and '_'");
      if (!ids.insert(rule.id).second) r.Error("id", "duplicate rule id \"" + rule.id + "\"");
    }
    config.routes.push_back(std::move(rule));
  }
}

void ReadEscalation(TableReader& root, Config& config, ConfigErrors& errors) {
  const toml::table* t = root.Table("escalation");
  if (!t) return;
  TableReader r(*t, "escalation", errors);
  r.Bool("tick", &config.escalation.tick);
  r.Duration("interval", &config.escalation.interval, std::chrono::seconds(5), std::chrono::seconds(3600));
  r.Int("batch", &config.escalation.batch, 1, 100000);
  r.Finish();
}

}  // namespace frontdesk
