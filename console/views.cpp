#include "console/views.h"

#include "config/values.h"
#include "daemon/base/text.h"
#include "daemon/store/agent_store.h"

namespace frontdesk {
namespace {

const std::vector<TicketStatus>& OpenStatuses() {
  static const std::vector<TicketStatus> kOpen = {TicketStatus::kNew, TicketStatus::kOpen, TicketStatus::kPending,
                                                  TicketStatus::kOnHold};
  return kOpen;
}

TicketQuery OpenByDue() {
  TicketQuery q;
  q.statuses = OpenStatuses();
  q.sort = TicketQuery::Sort::kDueAsc;
  return q;
}

}  // namespace

std::vector<ViewSpec> ConsoleViews(const Config& config, const std::string& agent, Timestamp now) {
  std::vector<ViewSpec> v;
  TicketQuery q = OpenByDue();
  q.assignee = agent;
  v.push_back({"mine", "Mine", q});
  q = OpenByDue();
  q.unassigned = true;
  v.push_back({"unassigned", "Unassigned", q});
  q = OpenByDue();
  q.due_from = now;
  q.due_before = now + std::chrono::hours(2);
  v.push_back({"due", "Due within 2 h", q});
  q = OpenByDue();
  q.due_before = now;
  v.push_back({"breached", "Breached", q});
  v.push_back({"open", "All open", OpenByDue()});
  for (const QueueConfig& queue : config.queues) {
    q = OpenByDue();
    q.queue = queue.name;
    v.push_back({"queue:" + queue.name, queue.display_name.empty() ? queue.name : queue.display_name, q});
  }
  return v;
}

namespace {
constexpr std::chrono::seconds kNavFresh{5};
}  // namespace

std::optional<std::vector<NavItem>> NavCache::Get(const std::string& agent, uint64_t generation,
                                                  const std::string& mark, Timestamp now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_agent_.find(agent);
  if (it == by_agent_.end() || it->second.generation != generation || it->second.mark != mark ||
      now - it->second.at >= kNavFresh) {
    return std::nullopt;
  }
  return it->second.items;
}

void NavCache::Put(const std::string& agent, uint64_t generation, std::string mark, Timestamp now,
                   std::vector<NavItem> items) {
  std::lock_guard<std::mutex> lock(mu_);
  if (by_agent_.size() > 1000) by_agent_.clear();  // agents are few; a bound all the same
  by_agent_[agent] = Entry{generation, std::move(mark), now, std::move(items)};
}

Result<PageFrame> MakeFrame(Store& reader, const ConfigInfo& info, NavCache& nav, const SignedIn& who, Timestamp now,
                            std::string title, std::string current_view) {
  PageFrame f;
  f.title = std::move(title);
  f.who = &who;
  f.current_view = std::move(current_view);
  // Read before the counts: a change while they are counted makes the next
  // page count again.
  Result<std::string> mark = AgentStore(reader).NavMark();
  if (!mark.ok()) return mark.status();
  if (std::optional<std::vector<NavItem>> cached = nav.Get(who.agent, info.generation, *mark, now)) {
    f.nav = std::move(*cached);
    return f;
  }
  const Config& config = *info.config;
  TicketList list(reader);
  for (const ViewSpec& v : ConsoleViews(config, who.agent, now)) {
    Result<int64_t> n = list.Count(v.query);
    if (!n.ok()) return n.status();
    f.nav.push_back({v.key, v.label, *n, ""});
  }
  Result<std::vector<SavedView>> saved = AgentStore(reader).SavedViews(who.agent);
  if (!saved.ok()) return saved.status();
  for (const SavedView& s : *saved) {
    // A view saved before a queue was renamed may no longer read: it is
    // shown with no count rather than hiding the others.
    Result<ViewSpec> v = SavedViewSpec(s, config, who.agent, now);
    Result<int64_t> n = v.ok() ? list.Count(v->query) : Result<int64_t>(int64_t{-1});
    if (!n.ok()) return n.status();
    f.nav.push_back({"saved:" + std::to_string(s.id), s.name + (s.owner ? "" : " (shared)"), *n, "/?" + s.params});
  }
  nav.Put(who.agent, info.generation, *mark, now, f.nav);
  return f;
}

std::optional<PageStart> StartPage(ServeContext& ctx, NavCache& nav, const SignedIn& who, std::string title,
                                   httplib::Response& res, std::string current_view) {
  PageStart p;
  p.info = ctx.config_info();
  p.now = ctx.clock.Now();
  Result<StorePool::Lease> store = ctx.stores.Acquire();
  if (!store.ok()) {
    SendProblem(res, 503, PageFrame{"Busy", nullptr, {}, ""}, store.status().message());
    return std::nullopt;
  }
  p.store.emplace(std::move(*store));
  Result<PageFrame> frame = MakeFrame(**p.store, p.info, nav, who, p.now, std::move(title), std::move(current_view));
  if (!frame.ok()) {
    SendProblem(res, 503, PageFrame{"Busy", nullptr, {}, ""}, frame.status().message());
    return std::nullopt;
  }
  p.frame = std::move(*frame);
  return p;
}

Result<ViewSpec> ViewOf(const httplib::Request& req, const Config& config, const std::string& agent, Timestamp now) {
  for (const auto& [k, v] : req.params) {
    if (k != "view" && k != "status" && k != "priority" && k != "queue" && k != "q" && k != "after") {
      return Status::Invalid("unknown parameter; a view takes view, status, priority, queue, q and after", k);
    }
    if (!IsValidUtf8(v) || v.size() > 200) return Status::Invalid("must be UTF-8 of at most 200 bytes", k);
  }
  std::string key = req.has_param("view") ? req.get_param_value("view") : "mine";
  std::optional<ViewSpec> found;
  for (ViewSpec& v : ConsoleViews(config, agent, now)) {
    if (v.key == key) found = std::move(v);
  }
  if (!found) return Status::Invalid("unknown view \"" + key + "\"", "view");
  TicketQuery& q = found->query;
  if (req.has_param("status") && !req.get_param_value("status").empty()) {
    std::optional<TicketStatus> s = ParseTicketStatus(req.get_param_value("status"));
    if (!s) return Status::Invalid("unknown status", "status");
    q.statuses = {*s};
  }
  if (req.has_param("priority") && !req.get_param_value("priority").empty()) {
    if (!IsPriority(req.get_param_value("priority"))) return Status::Invalid("unknown priority", "priority");
    q.priority = req.get_param_value("priority");
  }
  if (req.has_param("queue") && !req.get_param_value("queue").empty()) {
    if (!config.FindQueue(req.get_param_value("queue"))) return Status::Invalid("unknown queue", "queue");
    q.queue = req.get_param_value("queue");
  }
  const std::string text(req.has_param("q") ? Trim(req.get_param_value("q")) : "");
  if (text.find('@') != std::string::npos && text.find(' ') == std::string::npos) {
    // An address: the tickets of that requester.
    Result<std::string> a = ParseMailAddress(text);
    if (!a.ok()) return Status::Invalid(a.status().message(), "q");
    q.requester = *a;
    if (!req.has_param("status") || req.get_param_value("status").empty()) q.statuses.clear();
  } else if (!text.empty()) {
    q.text = text;
    // A search looks at every ticket, solved ones too.
    if (!req.has_param("status") || req.get_param_value("status").empty()) q.statuses.clear();
  }
  if (req.has_param("after")) {
    // "KEY.ID": the due time (or the largest integer) and the number of the
    // last row of the page before.
    const std::string a = req.get_param_value("after");
    size_t dot = a.find('.');
    std::optional<int64_t> id = dot == std::string::npos ? std::nullopt : ParseDigits(a.substr(dot + 1), 19);
    std::optional<int64_t> k = dot == std::string::npos ? std::nullopt : ParseDigits(a.substr(0, dot), 19);
    if (!id || !k) return Status::Invalid("is not a position in this list", "after");
    q.after_key = *k;
    q.after_id = *id;
  }
  q.limit = 50;
  return *found;
}

Result<ViewSpec> SavedViewSpec(const SavedView& saved, const Config& config, const std::string& agent,
                               Timestamp now) {
  httplib::Request req;
  httplib::detail::parse_query_text(saved.params, req.params);
  req.params.erase("after");
  Result<ViewSpec> v = ViewOf(req, config, agent, now);
  if (v.ok()) v->label = saved.name;
  return v;
}

std::string ViewParams(const httplib::Request& req) {
  std::string out;
  for (const char* k : {"view", "status", "priority", "queue", "q"}) {
    if (!req.has_param(k) || req.get_param_value(k).empty()) continue;
    out += std::string(out.empty() ? "" : "&") + k + "=" + UrlPart(req.get_param_value(k));
  }
  return out;
}

}  // namespace frontdesk
