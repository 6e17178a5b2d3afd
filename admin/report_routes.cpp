#include "admin/report_routes.h"

#include <cmath>

#include <nlohmann/json.hpp>

#include "admin/api_util.h"
#include "daemon/reports/kpi.h"
#include "config/values.h"
#include "daemon/store/csat_store.h"
#include "daemon/store/token_store.h"
#include "daemon/tickets/standards.h"
#include "daemon/web/http_input.h"
#include "daemon/web/http_server.h"
#include "daemon/web/serve_context.h"

namespace frontdesk {

using nlohmann::json;

// The watch list, one entry per customer with every open reason.
void ListWatched(ServeContext& ctx, const httplib::Request& req, httplib::Response& res, const TokenInfo&) {
  for (const auto& [k, v] : req.params) {
    if (k != "watch") return WriteError(res, Status::Invalid("unknown parameter; use watch=true", k));
    if (v != "true") return WriteError(res, Status::Invalid("only watch=true is supported: the customers on the watch list", k));
  }
  if (!req.has_param("watch")) {
    return WriteError(res, Status::Invalid("say watch=true: the customers on the watch list", "watch"));
  }
  Result<StorePool::Lease> store = ctx.stores.Acquire();
  if (!store.ok()) return WriteError(res, store.status());
  Result<std::vector<WatchEntry>> entries = CsatStore(**store).Watched(10000);
  if (!entries.ok()) return WriteError(res, entries.status());
  json customers = json::array();
  std::map<std::string, size_t> at;
  for (const WatchEntry& e : *entries) {
    auto [it, fresh] = at.emplace(e.address, customers.size());
    if (fresh) customers.push_back({{"email", e.address}, {"watch", true}, {"reasons", json::array()}, {"tickets", json::array()}});
    json& c = customers[it->second];
    c["reasons"].push_back({{"ticket_id", e.ticket_id}, {"subject", e.subject}, {"reason", e.reason},
                            {"score", e.score ? json(*e.score) : json(nullptr)},
                            {"comment", e.comment.empty() ? json(nullptr) : json(e.comment)},
                            {"added_at", FormatRfc3339(e.added_at)}});
    c["tickets"].push_back(e.ticket_id);
  }
  SendJson(res, {{"customers", customers}});
}
void Unwatch(ServeContext& ctx, const httplib::Request& req, httplib::Response& res, const TokenInfo& token) {
  Result<std::string> address = ParseMailAddress(req.matches[1].str());
  if (!address.ok()) return WriteError(res, Status::Invalid(address.status().message(), "email"));
  Timestamp now = ctx.clock.Now();
  int64_t cleared = 0;
  Status s = ctx.writer.Run([&](Store& store) -> Status {
    Result<int64_t> n = CsatStore(store).ClearWatch(*address, now, "api:" + token.name);
    if (!n.ok()) return n.status();
    cleared = *n;
    return Status::Ok();
  });
  if (!s.ok()) return WriteError(res, s);
  if (cleared == 0) return WriteError(res, 404, "not_found", *address + " is not on the watch list");
  SendJson(res, {{"email", *address}, {"watch", false}, {"cleared", cleared}});
}
// Every standard in every queue over its rolling period up to now: what
// the escalation sweep compares, and whether the queue's lead was told.
void ShowStandards(ServeContext& ctx, const httplib::Request& req, httplib::Response& res, const TokenInfo&) {
  std::optional<std::string> queue;
  for (const auto& [k, v] : req.params) {
    if (k != "queue") return WriteError(res, Status::Invalid("unknown parameter; use queue", k));
    queue = v;
  }
  std::shared_ptr<const Config> config = ctx.config();
  if (queue && !config->FindQueue(*queue)) return WriteError(res, Status::Invalid("unknown queue \"" + *queue + "\"", "queue"));
  Timestamp now = ctx.clock.Now();
  Result<StorePool::Lease> store = ctx.stores.Acquire();
  if (!store.ok()) return WriteError(res, store.status());
  Result<std::vector<StandardReading>> readings = ReadStandards(**store, *config, now);
  if (!readings.ok()) return WriteError(res, readings.status());
  Result<std::vector<StandardState>> states = StandardStore(**store).All();
  if (!states.ok()) return WriteError(res, states.status());
  std::map<StandardKey, const StandardState*> state;
  for (const StandardState& s : *states) state[s.key] = &s;
  auto one_decimal = [](std::optional<double> v) { return v ? json(std::round(*v * 10) / 10) : json(nullptr); };
  json out = json::array();
  for (const StandardReading& r : *readings) {
    if (queue && r.key.queue != *queue) continue;
    StandardVerdict v = r.verdict();
    json missed = json::array();
    for (const auto& [id, at] : r.missed) missed.push_back({{"ticket_id", id}, {"at", FormatRfc3339(at)}});
    auto it = state.find(r.key);
    const StandardState* s = it == state.end() ? nullptr : it->second;
    out.push_back({{"queue", r.key.queue},
                   {"policy", r.key.policy},
                   {"target", r.key.target},
                   {"standard", r.standard.percent},
                   {"period", r.standard.period_text},
                   {"from", FormatRfc3339(r.from)},
                   {"to", FormatRfc3339(r.to)},
                   {"met", r.met},
                   {"targets", r.decided},
                   {"percent", one_decimal(v.percent)},
                   {"verdict", v.word},
                   {"by", one_decimal(v.by)},
                   {"missed", missed},
                   {"alert",
                    {{"below_since", s && s->below_since ? json(FormatRfc3339(*s->below_since)) : json(nullptr)},
                     {"falls", s ? s->falls : 0}}}});
  }
  SendJson(res, {{"as_of", FormatRfc3339(now)}, {"standards", out}});
}

void ShowKpiReport(ServeContext& ctx, const httplib::Request& req, httplib::Response& res, const TokenInfo&) {
    KpiParams p;
    const std::map<std::string, std::string*> known = {{"from", &p.from},     {"to", &p.to},
                                                       {"timezone", &p.timezone}, {"queue", &p.queue},
                                                       {"agent", &p.agent}, {"group_by", &p.group_by}};
    for (const auto& [k, v] : req.params) {
      auto it = known.find(k);
      if (it == known.end()) {
        return WriteError(res, Status::Invalid("unknown parameter; use from, to, timezone, queue, agent, group_by", k));
      }
      *it->second = v;
    }
    std::shared_ptr<const Config> config = ctx.config();
    Timestamp now = ctx.clock.Now();
    Result<KpiQuery> q = MakeKpiQuery(p, *config, now);
    if (!q.ok()) return WriteError(res, q.status());
    Result<StorePool::Lease> store = ctx.stores.Acquire();
    if (!store.ok()) return WriteError(res, store.status());
    Result<KpiReport> r = RunKpiReport(**store, *q, now);
    if (!r.ok()) return WriteError(res, r.status());
    SendJson(res, KpiJson(*r));
}

}  // namespace frontdesk
