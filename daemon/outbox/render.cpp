#include "daemon/outbox/render.h"

#include <date/tz.h>

#include <cstdio>

#include <nlohmann/json.hpp>

#include "config/customer_texts.h"
#include "daemon/base/locale_format.h"
#include "daemon/store/sla_store.h"
#include "daemon/store/ticket_store.h"

namespace frontdesk {

using nlohmann::json;

std::string HumanTime(Timestamp t, const std::string& timezone) {
  try {
    auto zoned = date::make_zoned(date::locate_zone(timezone), std::chrono::floor<std::chrono::minutes>(t));
    return date::format("%A %d %B %Y, %H:%M %Z", zoned);
  } catch (const std::exception&) {
    return date::format("%A %d %B %Y, %H:%M UTC", std::chrono::floor<std::chrono::minutes>(t));
  }
}

std::string HumanSize(int64_t bytes) {
  char buf[32];
  if (bytes >= 1000 * 1000) {
    std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / 1e6);
  } else if (bytes >= 1000) {
    std::snprintf(buf, sizeof buf, "%lld KB", static_cast<long long>(bytes / 1000));
  } else {
    std::snprintf(buf, sizeof buf, "%lld bytes", static_cast<long long>(bytes));
  }
  return buf;
}

std::string CustomerZone(const Config& config, const std::string& queue, const std::optional<std::string>& sla_policy) {
  const QueueConfig* q = config.FindQueue(queue);
  if (q && !q->timezone.empty()) return q->timezone;
  const SlaPolicyConfig* policy = sla_policy ? config.FindSla(*sla_policy) : nullptr;
  const CalendarConfig* calendar = policy ? config.FindCalendar(policy->calendar) : nullptr;
  return calendar ? calendar->timezone : "UTC";
}

Result<std::optional<ReplyPromise>> FirstReplyPromise(const Config& config, Store& reader, int64_t ticket_id,
                                                      Timestamp now) {
  Result<Ticket> t = TicketStore(reader).Get(ticket_id);
  if (!t.ok()) return t.status();
  if (!t->sla_policy) return std::optional<ReplyPromise>();
  Result<std::vector<TargetClock>> clocks = SlaStore(reader).Clocks(ticket_id);
  if (!clocks.ok()) return clocks.status();
  for (const TargetClock& c : *clocks) {
    if (c.target != "first_response" || !c.due_at || c.met_at || c.paused_since) continue;
    return std::optional<ReplyPromise>(MakeReplyPromise(config, *c.due_at, t->queue, t->sla_policy, now));
  }
  return std::optional<ReplyPromise>();
}

ReplyPromise MakeReplyPromise(const Config& config, Timestamp due, const std::string& queue,
                              const std::optional<std::string>& sla_policy, Timestamp now) {
  ReplyPromise p;
  p.due = due;
  std::string zone = CustomerZone(config, queue, sla_policy);
  const std::string& language = config.LanguageOf(queue);
  p.when = FormatDateTime(due, zone, language);
  p.sentence = FillText(PageText("promise.by", language), {{"when", p.when}});
  const SlaPolicyConfig* policy = sla_policy ? config.FindSla(*sla_policy) : nullptr;
  if (!policy || !policy->first_response || !policy->first_response->same_business_day) return p;
  // A close at midnight is the end of the day before it: "today by 24:00".
  Timestamp minute = std::chrono::floor<std::chrono::minutes>(due);
  bool midnight = LocalDayDifference(minute - std::chrono::seconds(1), minute, zone) == 1;
  int days = LocalDayDifference(now, midnight ? minute - std::chrono::seconds(1) : minute, zone);
  std::string time = midnight ? "24:00" : FormatTime(minute, zone, language);
  if (days == 0) p.sentence = FillText(PageText("promise.today", language), {{"time", time}});
  if (days == 1) p.sentence = FillText(PageText("promise.tomorrow", language), {{"time", time}});
  return p;
}

std::string TemplateNameFor(const OutboxRow& row) {
  if (!row.vars) return "";
  if (row.kind == "reply") return "agent_reply";
  if (row.kind == "escalation") {
    json v = json::parse(*row.vars, nullptr, false);
    if (v.is_object() && v.contains("template") && v["template"].is_string()) return v["template"].get<std::string>();
    return "escalation";
  }
  return IsTemplateKind(row.kind) ? row.kind : "";
}

Result<TemplateVars> MailVariables(const Config& config, Store& reader, const OutboxRow& row, Timestamp now) {
  TemplateVars vars;
  vars["subject"] = row.subject;
  vars["body"] = row.body;
  vars["form_url"] = config.server.base_url + "/";
  std::string queue;
  if (row.ticket_id) {
    TicketStore tickets(reader);
    Result<Ticket> t = tickets.Get(row.ticket_id);
    if (!t.ok()) return t.status();
    queue = t->queue;
    vars["ticket"] = std::to_string(t->id);
    vars["subject"] = t->subject;
    vars["status"] = std::string(Name(t->status));
    vars["priority"] = t->priority;
    vars["category"] = t->category.value_or("");
    vars["requester_name"] = t->requester_name;
    vars["requester_email"] = t->requester_email;
    if (t->sla_policy) {
      Result<std::vector<TargetClock>> clocks = SlaStore(reader).Clocks(row.ticket_id);
      if (!clocks.ok()) return clocks.status();
      std::string zone = CustomerZone(config, t->queue, t->sla_policy);
      std::optional<Timestamp> next;
      for (const TargetClock& c : *clocks) {
        if (!c.due_at || c.met_at) continue;
        if (c.target != "resolution" && (!next || *c.due_at < *next)) next = c.due_at;
      }
      Result<std::optional<ReplyPromise>> promise = FirstReplyPromise(config, reader, row.ticket_id, now);
      if (!promise.ok()) return promise.status();
      if (*promise) {
        vars["due"] = (*promise)->when;
        vars["promise"] = (*promise)->sentence;
      }
      if (next) vars["next_due"] = HumanTime(*next, zone);
    }
  }
  if (row.vars) {
    json own = json::parse(*row.vars, nullptr, false);
    if (own.is_object()) {
      for (const auto& [k, v] : own.items()) {
        if (v.is_string()) vars[k] = v.get<std::string>();
        else if (v.is_number_integer()) vars[k] = std::to_string(v.get<int64_t>());
      }
    }
  }
  if (queue.empty()) queue = vars["queue"];
  vars["queue"] = queue;
  if (const QueueConfig* q = config.FindQueue(queue)) {
    vars["queue_name"] = q->display_name;
    if (!q->addresses.empty()) vars["support_address"] = q->addresses.front();
  }
  vars["requester"] = vars["requester_name"].empty() ? vars["requester_email"] : vars["requester_name"];
  return vars;
}

Result<RenderedMail> RenderOutboxRow(const Config& config, Store& reader, const OutboxRow& row, Timestamp now) {
  RenderedMail out;
  std::string name = TemplateNameFor(row);
  if (name.empty()) {
    out.subject = row.subject;
    out.text = row.body;
    return out;
  }
  Result<TemplateVars> vars = MailVariables(config, reader, row, now);
  if (!vars.ok()) return vars.status();
  const MailTemplate& tpl = config.Template((*vars)["queue"], name);
  out.subject = RenderTemplate(tpl.subject, *vars, TemplateEscape::kHeader);
  out.text = RenderTemplate(tpl.text, *vars, TemplateEscape::kText);
  if (!tpl.html.empty()) out.html = RenderTemplate(tpl.html, *vars, TemplateEscape::kHtml);
  return out;
}

}  // namespace frontdesk
