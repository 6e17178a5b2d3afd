#include "admin/ops_routes.h"

#include <nlohmann/json.hpp>

#include "admin/api_util.h"
#include "config/values.h"
#include "daemon/store/mailbox_store.h"
#include "daemon/store/metrics_store.h"
#include "daemon/store/outbox_store.h"
#include "daemon/store/recipient_store.h"
#include "daemon/store/schema.h"
#include "daemon/store/sla_store.h"
#include "daemon/store/spool_store.h"
#include "daemon/store/ticket_store.h"
#include "daemon/store/token_store.h"
#include "daemon/web/http_input.h"
#include "daemon/web/http_server.h"
#include "daemon/web/serve_context.h"

namespace frontdesk {
namespace {

using nlohmann::json;

// One metric family from labelled counts.
std::string Family(const std::string& name, const char* type, const std::string& help,
                   const std::vector<std::string>& label_names, const Result<std::vector<CountedSeries>>& rows) {
  if (!rows.ok()) return "";
  std::string out = "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  for (const CountedSeries& s : *rows) {
    out += name;
    if (!label_names.empty()) {
      out += "{";
      for (size_t i = 0; i < label_names.size() && i < s.labels.size(); ++i) {
        out += (i ? "," : "") + label_names[i] + "=\"" + PromLabel(s.labels[i]) + "\"";
      }
      out += "}";
    }
    out += " " + std::to_string(s.value) + "\n";
  }
  return out;
}
// The series kept in the database: they include what cron runs did and
// survive restarts.
std::string StoredSeries(Store& store) {
  MetricsStore m(store);
  std::string out;
  out += Family("frontdesk_sla_breaches_total", "counter", "SLA targets breached, by target.", {"target"},
                m.BreachesByTarget());
  out += Family("frontdesk_escalations_total", "counter", "Escalation levels fired, by target and level.",
                {"target", "level"}, m.EscalationsByLevel());
  out += Family("frontdesk_auto_mail_suppressed_total", "counter",
                "Automatic mail held back (loop safety, bouncing recipients, reopened surveys), by kind.", {"kind"},
                m.SuppressedByKind());
  out += Family("frontdesk_csat_surveys", "gauge", "Satisfaction surveys by state.", {"state"}, m.SurveysByState());
  out += Family("frontdesk_csat_responses_total", "counter", "Satisfaction survey answers, by score.", {"score"},
                m.AnswersByScore());
  out += Family("frontdesk_standard_below", "gauge",
                "1 while a queue's rolling rate is below a service standard and its lead has been told, else 0.",
                {"queue", "policy", "target"}, m.StandardsBelow());
  out += Family("frontdesk_standard_falls_total", "counter",
                "Times a queue's rolling rate fell below a service standard (each told the lead once).",
                {"queue", "policy", "target"}, m.StandardFalls());
  auto gauge = [&](const std::string& name, const char* help, const Result<int64_t>& value) {
    if (!value.ok()) return;
    out += "# HELP " + name + " " + help + "\n# TYPE " + name + " gauge\n" + name + " " + std::to_string(*value) + "\n";
  };
  gauge("frontdesk_customers_watched", "Customers on the watch list.", m.Watched());
  gauge("frontdesk_kpi_cache_hours", "Hours the KPI report's cache holds; serve fills each hour once it is over.",
        m.KpiCacheHours());
  return out;
}
}  // namespace

using nlohmann::json;

void ServeMetrics(ServeContext& ctx, const httplib::Request&, httplib::Response& res, const TokenInfo&) {
  std::string gauges;
  gauges += "# HELP frontdesk_tickets Tickets in the database, by status.\n# TYPE frontdesk_tickets gauge\n";
  Result<StorePool::Lease> store = ctx.stores.Acquire();
  std::map<std::string, int64_t> by_status;
  for (TicketStatus s : kAllStatuses) by_status[std::string(Name(s))] = 0;
  if (store.ok()) {
    TicketStore tickets(**store);
    Result<std::vector<std::pair<std::string, int64_t>>> counts = tickets.CountByStatus();
    if (counts.ok()) {
      for (const auto& [status, n] : *counts) by_status[status] = n;
    }
  }
  for (const auto& [status, n] : by_status) {
    gauges += "frontdesk_tickets{status=\"" + status + "\"} " + std::to_string(n) + "\n";
  }
  if (store.ok()) {
    Result<std::vector<MailboxState>> boxes = MailboxStore(**store).All();
    if (boxes.ok() && !boxes->empty()) {
      Timestamp now = ctx.clock.Now();
      gauges += "# HELP frontdesk_imap_lag_seconds Time since the mailbox's last poll that left nothing waiting.\n"
                "# TYPE frontdesk_imap_lag_seconds gauge\n";
      for (const MailboxState& b : *boxes) {
        if (b.caught_up_at) {
          gauges += "frontdesk_imap_lag_seconds{mailbox=\"" + b.mailbox + "\"} " +
                    std::to_string((now - *b.caught_up_at).count()) + "\n";
        }
      }
      gauges += "# TYPE frontdesk_imap_imported_total counter\n";
      for (const MailboxState& b : *boxes) {
        gauges += "frontdesk_imap_imported_total{mailbox=\"" + b.mailbox + "\"} " + std::to_string(b.imported) + "\n";
      }
      gauges += "# TYPE frontdesk_imap_failures gauge\n";
      for (const MailboxState& b : *boxes) {
        gauges += "frontdesk_imap_failures{mailbox=\"" + b.mailbox + "\"} " + std::to_string(b.failures) + "\n";
      }
    }
  }
  if (store.ok()) {
    Result<OutboxStore::Depth> outbox = OutboxStore(**store).Measure();
    if (outbox.ok()) {
      gauges += "# HELP frontdesk_outbox_pending Mail waiting to be sent.\n# TYPE frontdesk_outbox_pending gauge\n"
                "frontdesk_outbox_pending " + std::to_string(outbox->pending) + "\n";
      gauges += "# HELP frontdesk_outbox_failed Mail that failed for good.\n# TYPE frontdesk_outbox_failed gauge\n"
                "frontdesk_outbox_failed " + std::to_string(outbox->failed) + "\n";
      gauges += "# HELP frontdesk_outbox_suppressed Automatic mail held back by the loop-safety rules.\n"
                "# TYPE frontdesk_outbox_suppressed gauge\nfrontdesk_outbox_suppressed " +
                std::to_string(outbox->suppressed) + "\n";
    }
  }
  if (store.ok()) gauges += StoredSeries(**store);
  gauges += "# TYPE frontdesk_write_batches_total counter\nfrontdesk_write_batches_total " +
            std::to_string(ctx.writer.batches()) + "\n";
  gauges += "# TYPE frontdesk_write_jobs_total counter\nfrontdesk_write_jobs_total " +
            std::to_string(ctx.writer.jobs()) + "\n";
  res.set_content(ctx.metrics.Render(gauges), "text/plain; version=0.0.4; charset=utf-8");
}
void Healthz(ServeContext& ctx, const httplib::Request&, httplib::Response& res, const TokenInfo&) {
    ConfigInfo ci = ctx.config_info();
    json body;
    body["status"] = "ok";
    body["version"] = FRONTDESK_VERSION;
    body["started_at"] = FormatRfc3339(ctx.started_at);
    body["config"] = {
        {"path", ci.config->path},
        {"generation", ci.generation},
        {"loaded_at", FormatRfc3339(ci.loaded_at)},
        {"last_reload_error", ci.last_reload_error.empty() ? json(nullptr) : json(ci.last_reload_error)},
    };
    Result<StorePool::Lease> store = ctx.stores.Acquire();
    Result<int> version = store.ok() ? (*store)->SchemaVersion() : Result<int>(store.status());
    body["database"] = {{"path", ci.config->server.DatabasePath()},
                        {"schema_version", version.ok() ? json(*version) : json(nullptr)}};
    if (!version.ok()) {
      body["status"] = "unavailable";
      body["database"]["error"] = version.status().message();
    }
    // Readable but not writable (a read-only file or file system, a full
    // disk): nothing new can be taken, so this is not "ok".
    std::string write_error = ctx.writer.write_error();
    body["database"]["write_error"] = write_error.empty() ? json(nullptr) : json(write_error);
    if (!write_error.empty() && version.ok()) body["status"] = "degraded";
    // Each configured mailbox: when it last worked, what failed since, and
    // how far behind the intake may be (the time since a poll last left
    // nothing waiting on the server).
    json boxes = json::array();
    if (version.ok()) {
      Timestamp now = ctx.clock.Now();
      for (const MailboxConfig& cfg : ci.config->mailboxes) {
        Result<MailboxState> b = MailboxStore(**store).State(cfg.name);
        if (!b.ok()) continue;
        auto time = [](const std::optional<Timestamp>& t) { return t ? json(FormatRfc3339(*t)) : json(nullptr); };
        bool failing = b->failures > 0;
        boxes.push_back({{"name", cfg.name},
                         {"enabled", cfg.enabled},
                         {"status", !cfg.enabled ? "disabled" : failing ? "failing" : b->last_success_at ? "ok" : "not_polled_yet"},
                         {"last_success_at", time(b->last_success_at)},
                         {"last_error", b->last_error.empty() ? json(nullptr) : json(b->last_error)},
                         {"last_error_at", time(b->last_error_at)},
                         {"failures", b->failures},
                         {"waiting", b->waiting},
                         {"imported", b->imported},
                         {"lag_seconds", b->caught_up_at ? json((now - *b->caught_up_at).count()) : json(nullptr)}});
        if (cfg.enabled && failing && body["status"] == "ok") body["status"] = "degraded";
      }
    }
    body["mailboxes"] = boxes;
    // Mail waiting to leave, and why the last try failed.
    if (version.ok()) {
      Result<OutboxStore::Depth> outbox = OutboxStore(**store).Measure();
      if (outbox.ok()) {
        body["outbox"] = {{"smtp_configured", ci.config->smtp.enabled()},
                          {"pending", outbox->pending},
                          {"failed", outbox->failed},
                          {"suppressed", outbox->suppressed},
                          {"oldest_pending_at", outbox->oldest_pending ? json(FormatRfc3339(*outbox->oldest_pending)) : json(nullptr)},
                          {"last_error", outbox->last_error.empty() ? json(nullptr) : json(outbox->last_error)}};
      }
    }
    // Mail the quick mailgate accepted and the daemon has not filed yet.
    if (version.ok()) {
      Result<SpoolStore::Depth> spool = SpoolStore(**store).Measure();
      if (spool.ok()) {
        body["spool"] = {{"entries", spool->entries},
                         {"oldest_at", spool->oldest ? json(FormatRfc3339(*spool->oldest)) : json(nullptr)}};
      }
    }
    SendJson(res, body, version.ok() ? 200 : 503);
}
void ListRejections(ServeContext& ctx, const httplib::Request& req, httplib::Response& res, const TokenInfo&) {
    Page page;
    Status bad = ReadPage(req, "a rejection id", {}, &page);
    if (!bad.ok()) return WriteError(res, bad);
    int limit = page.limit;
    std::optional<int64_t> before = page.before;
    Result<StorePool::Lease> store = ctx.stores.Acquire();
    if (!store.ok()) return WriteError(res, store.status());
    Result<std::vector<SlaStore::Rejection>> rows = SlaStore(**store).Rejections(limit, before);
    if (!rows.ok()) return WriteError(res, rows.status());
    json list = json::array();
    for (const SlaStore::Rejection& r : *rows) {
      list.push_back({{"id", r.id}, {"at", FormatRfc3339(r.at)}, {"channel", r.channel}, {"rule_id", r.rule},
                      {"reason", r.reason}, {"sender", r.sender}, {"subject", r.subject}});
    }
    SendJson(res, {{"rejections", list}});
}
void ListOutbox(ServeContext& ctx, const httplib::Request& req, httplib::Response& res, const TokenInfo&) {
    std::optional<std::string> status;
    Page page;
    Status bad = ReadPage(req, "an outbox id",
                          {{"status", [&status](const std::string& v) {
                              if (v != "pending" && v != "sent" && v != "failed" && v != "suppressed") {
                                return Status::Invalid("must be pending, sent, failed or suppressed", "status");
                              }
                              status = v;
                              return Status::Ok();
                            }}},
                          &page);
    if (!bad.ok()) return WriteError(res, bad);
    int limit = page.limit;
    std::optional<int64_t> before = page.before;
    Result<StorePool::Lease> store = ctx.stores.Acquire();
    if (!store.ok()) return WriteError(res, store.status());
    Result<std::vector<OutboxRow>> rows = OutboxStore(**store).List(status, limit, before);
    if (!rows.ok()) return WriteError(res, rows.status());
    json list = json::array();
    for (const OutboxRow& r : *rows) {
      list.push_back({{"id", r.id}, {"ticket_id", r.ticket_id}, {"kind", r.kind}, {"automatic", r.automatic},
                      {"recipient", r.recipient}, {"subject", r.subject}, {"status", r.status},
                      {"attempts", r.attempts}, {"next_attempt_at", FormatRfc3339(r.next_attempt_at)},
                      {"last_error", r.last_error.empty() ? json(nullptr) : json(r.last_error)},
                      {"created_at", FormatRfc3339(r.created_at)},
                      {"sent_at", r.sent_at ? json(FormatRfc3339(*r.sent_at)) : json(nullptr)}});
    }
    SendJson(res, {{"outbox", list}});
}
// `dry_run` comes as a parameter or a body field; either way a value that
// is not true or false is refused, never read as a real sweep.
void RunSweep(ServeContext& ctx, const httplib::Request& req, httplib::Response& res, const TokenInfo&) {
    std::optional<bool> dry_run;
    for (const auto& [k, v] : req.params) {
      if (k != "dry_run") return WriteError(res, Status::Invalid("unknown parameter; use dry_run", k));
      if (v != "true" && v != "false") return WriteError(res, Status::Invalid("must be true or false", k));
      dry_run = v == "true";
    }
    Result<json> body = ReadOptionalObject(req, {"dry_run"});
    if (!body.ok()) return WriteError(res, body.status());
    if (body->contains("dry_run")) {
      const json& v = (*body)["dry_run"];
      if (!v.is_boolean()) return WriteError(res, Status::Invalid("must be true or false", "dry_run"));
      if (dry_run && *dry_run != v.get<bool>()) {
        return WriteError(res, Status::Invalid("the parameter and the body disagree; give it once", "dry_run"));
      }
      dry_run = v.get<bool>();
    }
    Result<SweepReport> r = ctx.escalate(dry_run.value_or(false));
    if (!r.ok()) return WriteError(res, r.status());
    SendJson(res, {{"dry_run", dry_run.value_or(false)}, {"tickets", r->tickets}, {"breaches", r->breaches},
                   {"levels_fired", r->levels_fired},
                   {"standards_fell", r->standards_fell}, {"standards_recovered", r->standards_recovered},
                   {"lines", r->lines}});
}
void ReloadConfig(ServeContext& ctx, const httplib::Request& req, httplib::Response& res, const TokenInfo&) {
    if (!req.params.empty()) {
      return WriteError(res, Status::Invalid("unknown parameter; this endpoint takes none", req.params.begin()->first));
    }
    Result<json> body = ReadOptionalObject(req, {});
    if (!body.ok()) return WriteError(res, body.status());
    Status s = ctx.reload();
    ConfigInfo ci = ctx.config_info();
    if (!s.ok()) {
      // The old config keeps serving; say so next to the errors.
      SendJson(res, {{"error", {{"code", "invalid_config"}, {"message", s.message()}, {"field", nullptr}}},
                     {"generation", ci.generation}},
               422);
      return;
    }
    SendJson(res, {{"status", "reloaded"}, {"generation", ci.generation}});
}

void ListBouncing(ServeContext& ctx, const httplib::Request& req, httplib::Response& res, const TokenInfo&) {
  int limit = 50;
  std::string after;
  for (const auto& [k, v] : req.params) {
    if (k == "limit") {
      std::optional<int64_t> n = ParseId(v);
      if (!n || *n < 1 || *n > 100) return WriteError(res, Status::Invalid("must be 1 to 100", "limit"));
      limit = static_cast<int>(*n);
    } else if (k == "after") {
      after = v;
    } else {
      return WriteError(res, Status::Invalid("unknown parameter; use limit, after", k));
    }
  }
  Result<StorePool::Lease> store = ctx.stores.Acquire();
  if (!store.ok()) return WriteError(res, store.status());
  Result<std::vector<RecipientInfo>> rows = RecipientStore(**store).ListBouncing(limit, after);
  if (!rows.ok()) return WriteError(res, rows.status());
  json list = json::array();
  for (const RecipientInfo& r : *rows) {
    list.push_back({{"address", r.address}, {"bounced_at", Time(r.bounced_at)}, {"reason", r.bounce_reason}});
  }
  SendJson(res, {{"bouncing", list}});
}

// Lifts the mark by hand: the admin knows the address works again.
void ClearBouncing(ServeContext& ctx, const httplib::Request& req, httplib::Response& res, const TokenInfo& token) {
  Result<std::string> parsed = ParseMailAddress(req.matches[1].str());
  if (!parsed.ok()) return WriteError(res, Status::Invalid(parsed.status().message(), "address"));
  bool was = false;
  Status s = ctx.writer.Run([&](Store& store) -> Status {
    RecipientStore recipients(store);
    Result<RecipientInfo> info = recipients.Get(*parsed);
    if (!info.ok()) return info.status();
    was = info->bouncing;
    if (!was) return Status::Ok();
    Status c = recipients.ClearBouncing(*parsed);
    if (!c.ok()) return c;
    return TicketStore(store).AddEvent(std::nullopt, ctx.clock.Now(), "bounce_cleared", "api:" + token.name,
                                       std::nullopt, json{{"address", *parsed}}.dump());
  });
  if (!s.ok()) return WriteError(res, s);
  if (!was) return WriteError(res, 404, "not_found", "the address is not marked as bouncing", "address");
  SendJson(res, {{"address", *parsed}, {"bouncing", false}});
}

}  // namespace frontdesk
