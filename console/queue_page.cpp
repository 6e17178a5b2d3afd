#include "console/queue_page.h"

#include "config/values.h"
#include "console/views.h"
#include "daemon/base/text.h"
#include "daemon/store/agent_store.h"
#include "daemon/store/ticket_store.h"
#include "daemon/tickets/ticket_service.h"

namespace frontdesk {
namespace {

std::string Options(const std::vector<std::string>& values, const std::string& keep_label) {
  std::string out = "<option value=\"\">" + H(keep_label) + "</option>";
  for (const std::string& v : values) out += "<option value=\"" + H(v) + "\">" + H(v) + "</option>";
  return out;
}

std::vector<std::string> StatusNames() {
  std::vector<std::string> out;
  for (TicketStatus s : kAllStatuses) out.emplace_back(Name(s));
  return out;
}

std::vector<std::string> QueueNames(const Config& config) {
  std::vector<std::string> out;
  for (const QueueConfig& q : config.queues) out.push_back(q.name);
  return out;
}

std::string Row(const Ticket& t, const SlaEngine& sla, const Config& config, Timestamp now,
                const std::vector<Presence::Mark>& others) {
  const std::string id = std::to_string(t.id);
  std::string due = "-";
  if (t.sla_due_at) due = Countdown(sla.BusinessSecondsBetween(t.sla_policy, now, *t.sla_due_at));
  const std::string zone = config.calendars.empty() ? "UTC" : config.calendars.front().timezone;
  std::string requester = t.requester_name.empty() ? t.requester_email : t.requester_name;
  return "<tr class=\"ticket" + std::string(t.sla_due_at && *t.sla_due_at < now ? " late" : "") + "\" data-id=\"" +
         id + "\"><td><input type=\"checkbox\" name=\"ticket\" value=\"" + id + "\" aria-label=\"Select " + id +
         "\"><input type=\"hidden\" name=\"v." + id + "\" value=\"" + std::to_string(t.version) + "\"></td>" +
         "<td class=\"number\"><a class=\"open\" href=\"/tickets/" + id + "\">" + id + "</a></td>" +
         "<td class=\"subject\"><a href=\"/tickets/" + id + "\">" + H(t.subject) + "</a>" +
         (others.empty() ? std::string() : " <span class=\"presence\">" + H(PresenceText(others)) + "</span>") +
         "</td>" +
         "<td class=\"requester\" title=\"" + H(t.requester_email) + "\">" + H(requester) + "</td>" +
         "<td class=\"queue\">" + H(t.queue) + "</td><td class=\"priority p-" + H(t.priority) + "\">" +
         H(t.priority) + "</td><td class=\"owner\">" + H(t.assignee.value_or("-")) + "</td>" +
         "<td class=\"due\">" + H(due) + "</td><td class=\"activity\">" + H(ShortTime(t.updated_at, zone)) +
         "</td><td class=\"status s-" + std::string(Name(t.status)) + "\">" + std::string(Name(t.status)) +
         "</td></tr>";
}

std::string BulkControls(const Config& config) {
  return "<div id=\"bulk-controls\"><label>Status <select name=\"status\">" + Options(StatusNames(), "keep") +
         "</select></label><label>Priority <select name=\"priority\">" +
         Options({"low", "normal", "high", "urgent"}, "keep") + "</select></label><label>Queue <select "
         "name=\"queue\">" + Options(QueueNames(config), "keep") + "</select></label><label>Assignee <input "
         "name=\"assignee\" placeholder=\"keep; - for nobody\" size=\"22\"></label><button id=\"bulk-apply\">Apply "
         "to the ticked tickets</button></div>";
}

std::string SaveViewForm(const SignedIn& who, const std::string& params) {
  return "<form id=\"save-view-form\" method=\"post\" action=\"/views\">" + CsrfField(who) +
         "<input type=\"hidden\" name=\"params\" value=\"" + H(params.empty() ? "view=mine" : params) + "\">" +
         "<label>Save this view as <input name=\"name\" id=\"view-name\" maxlength=\"80\" required></label>" +
         "<label><input type=\"checkbox\" name=\"shared\" value=\"1\"> for every agent</label>" +
         "<button id=\"save-view\" class=\"secondary\">Save</button></form>";
}

std::string SavedViewList(const SignedIn& who, const std::vector<SavedView>& views) {
  std::string out = "<details id=\"saved-views\"><summary>Saved views</summary><ul>";
  for (const SavedView& v : views) {
    out += "<li><a href=\"/?" + H(v.params) + "\">" + H(v.name) + "</a> " +
           (v.owner ? "" : "(shared, by " + H(v.created_by) + ") ");
    if (v.owner || who.admin || v.created_by == who.agent) {
      out += "<form class=\"inline\" method=\"post\" action=\"/views/" + std::to_string(v.id) + "/delete\">" +
             CsrfField(who) + "<button class=\"secondary\">Delete</button></form>";
    }
    out += "</li>";
  }
  return out + "</ul></details>";
}

}  // namespace

void ShowQueue(ConsoleEnv& env, const SignedIn& who, const httplib::Request& req, httplib::Response& res) {
  ServeContext& ctx = env.ctx;
  ConfigInfo info = ctx.config_info();
  const Config& config = *info.config;
  const Timestamp now = ctx.clock.Now();
  Result<StorePool::Lease> store = ctx.stores.Acquire();
  if (!store.ok()) return SendProblem(res, 503, PageFrame{"Busy", nullptr, {}, ""}, store.status().message());
  // A ticket's number in the search box opens it.
  if (req.has_param("q")) {
    std::optional<int64_t> number = ParseDigits(Trim(req.get_param_value("q")), 15);
    if (number && TicketStore(**store).Get(*number).ok()) return Redirect(res, "/tickets/" + std::to_string(*number));
  }
  Result<ViewSpec> view = ViewOf(req, config, who.agent, now);
  std::string key = view.ok() ? view->key : "mine";
  Result<PageFrame> frame = MakeFrame(**store, info, env.nav, who, now, view.ok() ? view->label : "Tickets", key);
  if (!frame.ok()) return SendProblem(res, 503, PageFrame{"Busy", nullptr, {}, ""}, frame.status().message());
  if (!view.ok()) {
    return SendProblem(res, 400, *frame, view.status().field() + ": " + view.status().message());
  }
  Result<TicketPage> page = TicketList(**store).List(view->query);
  if (!page.ok()) return SendProblem(res, 503, *frame, page.status().message());
  std::string body = "<h1>" + H(view->label) + "</h1>";
  if (view->query.text) body += "<p class=\"search\">Tickets with &ldquo;" + H(*view->query.text) + "&rdquo;</p>";
  if (view->query.requester) body += "<p class=\"search\">Tickets from " + H(*view->query.requester) + "</p>";
  if (page->tickets.empty()) {
    body += "<p class=\"empty\">No tickets here.</p>";
  } else {
    body += "<form id=\"bulk-form\" method=\"post\" action=\"/bulk\">" + CsrfField(who) +
            "<input type=\"hidden\" name=\"back\" value=\"" + H("/?" + ViewParams(req)) + "\">" +
            "<table id=\"tickets\"><thead><tr><th></th><th>#</th><th>Subject</th><th>Requester</th><th>Queue</th>"
            "<th>Priority</th><th>Owner</th><th>Due</th><th>Last activity</th><th>Status</th></tr></thead><tbody>";
    std::vector<int64_t> ids;
    for (const Ticket& t : page->tickets) ids.push_back(t.id);
    std::map<int64_t, std::vector<Presence::Mark>> present = env.presence.Others(ids, who.agent, now);
    for (const Ticket& t : page->tickets) body += Row(t, *info.sla, config, now, present[t.id]);
    body += "</tbody></table>" + BulkControls(config) + "</form>";
  }
  if (page->more) {
    const Ticket& last = page->tickets.back();
    std::string after = std::to_string(last.sla_due_at ? ToUnix(*last.sla_due_at) : INT64_MAX) + "." +
                        std::to_string(last.id);
    std::string params = ViewParams(req);
    body += "<p class=\"paging\"><a id=\"next-page\" href=\"/?" + H(params + (params.empty() ? "" : "&")) +
            "after=" + H(after) + "\">Next page</a></p>";
  }
  body += SaveViewForm(who, ViewParams(req));
  Result<std::vector<SavedView>> saved = AgentStore(**store).SavedViews(who.agent);
  if (saved.ok() && !saved->empty()) body += SavedViewList(who, *saved);
  SendPage(res, 200, RenderPage(*frame, body));
}

void SaveView(ConsoleEnv& env, const SignedIn& who, const httplib::Request& req, httplib::Response& res) {
  ServeContext& ctx = env.ctx;
  const Timestamp now = ctx.clock.Now();
  std::shared_ptr<const Config> config = ctx.config();
  SavedView v;
  v.name = std::string(Trim(req.has_param("name") ? req.get_param_value("name") : ""));
  v.params = req.has_param("params") ? req.get_param_value("params") : "";
  v.created_by = who.agent;
  if (!(req.has_param("shared") && req.get_param_value("shared") == "1")) v.owner = who.agent;
  std::string problem;
  if (v.name.empty() || v.name.size() > 80 || !IsValidUtf8(v.name) || HasControlChars(v.name)) {
    problem = "a view needs a name of one line, at most 80 bytes";
  } else if (v.params.size() > 1000 || !SavedViewSpec(v, *config, who.agent, now).ok()) {
    problem = "the filters of this view cannot be read; open the view again and save it from there";
  }
  Status s = problem.empty() ? ctx.writer.Run([&](Store& st) { return AgentStore(st).AddSavedView(v, now).status(); })
                             : Status::Invalid(problem);
  if (!s.ok()) {
    Result<StorePool::Lease> store = ctx.stores.Acquire();
    Result<PageFrame> frame = store.ok() ? MakeFrame(**store, ctx.config_info(), env.nav, who, now, "Save the view")
                                         : Result<PageFrame>(store.status());
    return SendProblem(res, s.code() == Status::Code::kConflict ? 409 : 400,
                       frame.ok() ? *frame : PageFrame{"Save the view", nullptr, {}, ""},
                       "The view was not saved: " + s.message() + ".");
  }
  Redirect(res, "/?" + v.params);
}

void DeleteView(ConsoleEnv& env, const SignedIn& who, const httplib::Request& req, httplib::Response& res) {
  std::optional<int64_t> id = ParseDigits(req.matches[1].str(), 15);
  bool deleted = false;
  Status s = env.ctx.writer.Run([&](Store& st) -> Status {
    Result<bool> d = AgentStore(st).DeleteSavedView(id.value_or(0), who.agent, who.admin);
    if (!d.ok()) return d.status();
    deleted = *d;
    return Status::Ok();
  });
  if (!s.ok() || !deleted) {
    return SendProblem(res, s.ok() ? 404 : 503, PageFrame{"Delete the view", &who, {}, ""},
                       s.ok() ? "No such view of yours (a shared view can be deleted by who made it, or an admin)."
                              : s.message());
  }
  Redirect(res, "/");
}

void ApplyBulk(ConsoleEnv& env, const SignedIn& who, const httplib::Request& req, httplib::Response& res) {
  ServeContext& ctx = env.ctx;
  ConfigInfo info = ctx.config_info();
  const Config& config = *info.config;
  const Timestamp now = ctx.clock.Now();
  TicketPatch patch;
  std::string problem;
  auto field = [&](const char* k) { return req.has_param(k) ? req.get_param_value(k) : std::string(); };
  if (!field("status").empty()) {
    patch.status = ParseTicketStatus(field("status"));
    if (!patch.status) problem = "unknown status";
  }
  if (!field("priority").empty()) {
    if (!IsPriority(field("priority"))) problem = "unknown priority";
    patch.priority = field("priority");
  }
  if (!field("queue").empty()) {
    if (!config.FindQueue(field("queue"))) problem = "unknown queue";
    patch.queue = field("queue");
  }
  std::string assignee = std::string(Trim(field("assignee")));
  if (assignee == "-") {
    patch.assignee = std::optional<std::string>();
  } else if (!assignee.empty()) {
    Result<std::string> a = ParseMailAddress(assignee);
    if (!a.ok()) problem = "assignee: " + a.status().message();
    else patch.assignee = std::optional<std::string>(*a);
  }
  std::vector<int64_t> ids;
  for (size_t i = 0; i < req.get_param_value_count("ticket") && i < 500; ++i) {
    std::optional<int64_t> id = ParseDigits(req.get_param_value("ticket", i), 15);
    if (id) ids.push_back(*id);
  }
  if (ids.empty()) problem = "no ticket was ticked";
  if (patch.empty()) problem = "nothing to change was chosen";
  Result<StorePool::Lease> store = ctx.stores.Acquire();
  if (!store.ok()) return SendProblem(res, 503, PageFrame{"Busy", nullptr, {}, ""}, store.status().message());
  Result<PageFrame> frame = MakeFrame(**store, info, env.nav, who, now, "Bulk change");
  if (!frame.ok()) return SendProblem(res, 503, PageFrame{"Busy", nullptr, {}, ""}, frame.status().message());
  if (!problem.empty()) return SendProblem(res, 400, *frame, "Nothing was changed: " + problem + ".");
  std::string changed, skipped;
  for (int64_t id : ids) {
    std::optional<int64_t> version = ParseDigits(field(("v." + std::to_string(id)).c_str()), 15);
    Status s = ctx.writer.Run([&](Store& st) -> Status {
      return TicketService(st, config, *info.sla).Patch(id, patch, version, Actor::AgentInConsole(who.agent), now)
          .status();
    });
    const std::string link = "<a href=\"/tickets/" + std::to_string(id) + "\">" + std::to_string(id) + "</a>";
    if (s.ok()) {
      changed += "<li class=\"changed\" data-id=\"" + std::to_string(id) + "\">" + link + "</li>";
    } else {
      std::string why = s.code() == Status::Code::kPreconditionFailed ? "it changed after the list was shown"
                                                                       : s.message();
      skipped += "<li class=\"skipped\" data-id=\"" + std::to_string(id) + "\">" + link + ": " + H(why) + "</li>";
    }
  }
  std::string back = field("back").rfind("/?", 0) == 0 ? field("back") : "/";
  std::string body = "<h1>Bulk change</h1><div id=\"bulk-result\"><h2>Changed</h2><ul>" +
                     (changed.empty() ? "<li>none</li>" : changed) + "</ul><h2>Skipped</h2><ul>" +
                     (skipped.empty() ? "<li>none</li>" : skipped) + "</ul></div><p><a href=\"" + H(back) +
                     "\">Back to the list</a></p>";
  SendPage(res, 200, RenderPage(*frame, body));
}

}  // namespace frontdesk
