#include "console/admin_pages.h"

#include <set>

#include <nlohmann/json.hpp>

#include "config/values.h"
#include "console/views.h"
#include "daemon/base/text.h"
#include "daemon/intake/mail_intake.h"
#include "daemon/store/agent_store.h"
#include "daemon/store/outbox_store.h"
#include "daemon/store/recipient_store.h"
#include "daemon/store/sla_store.h"
#include "daemon/store/ticket_store.h"
#include "daemon/store/token_store.h"

namespace frontdesk {
namespace {

using nlohmann::json;

std::string Param(const httplib::Request& req, const char* k) {
  return req.has_param(k) ? req.get_param_value(k) : std::string();
}

std::string Zone(const Config& config) { return config.calendars.empty() ? "UTC" : config.calendars.front().timezone; }

std::string Menu() {
  std::string out = "<nav id=\"admin-menu\">";
  for (auto [path, label] : {std::pair{"agents", "Agents"}, {"tokens", "API tokens"}, {"quarantine", "Quarantine"},
                             {"rejections", "Rejections"}, {"outbox", "Failed mail"}, {"bounces", "Bouncing"},
                             {"route", "Routing"}, {"config", "Config"}}) {
    out += std::string("<a href=\"/admin/") + path + "\">" + label + "</a> ";
  }
  return out + "</nav>";
}

std::string Button(const SignedIn& who, const std::string& action, const std::string& label,
                   const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out = "<form class=\"inline\" method=\"post\" action=\"/admin/" + action + "\">" + CsrfField(who);
  for (const auto& [k, v] : fields) out += "<input type=\"hidden\" name=\"" + H(k) + "\" value=\"" + H(v) + "\">";
  return out + "<button class=\"secondary\">" + H(label) + "</button></form>";
}

std::vector<std::string> AllAgents(const Config& config) {
  std::set<std::string> all;
  for (const QueueConfig& q : config.queues) all.insert(q.agents.begin(), q.agents.end());
  return {all.begin(), all.end()};
}

Result<std::string> AgentsPage(Store& reader, const Config& config, const SignedIn& who) {
  AgentStore agents(reader);
  Result<std::vector<std::string>> with = agents.AgentsWithPasswords();
  if (!with.ok()) return with.status();
  std::string out = "<table id=\"agents\"><thead><tr><th>Agent</th><th>Password</th><th>Sessions</th><th></th>"
                    "</tr></thead><tbody>";
  for (const std::string& a : AllAgents(config)) {
    Result<std::vector<ConsoleSession>> sessions = agents.Sessions(a);
    if (!sessions.ok()) return sessions.status();
    bool has = std::find(with->begin(), with->end(), a) != with->end();
    std::string where;
    for (const ConsoleSession& s : *sessions) where += H(s.address) + " since " + H(ShortTime(s.created_at, Zone(config))) + "<br>";
    out += "<tr data-agent=\"" + H(a) + "\"><td>" + H(a) + (config.IsConsoleAdmin(a) ? " (admin)" : "") + "</td><td>" +
           (has ? "set" : "none") + "</td><td>" + std::to_string(sessions->size()) + "<br>" + where + "</td><td>" +
           "<form class=\"inline\" method=\"post\" action=\"/admin/password\">" + CsrfField(who) +
           "<input type=\"hidden\" name=\"agent\" value=\"" + H(a) + "\"><input type=\"password\" name=\"password\" "
           "autocomplete=\"new-password\" placeholder=\"new password\" minlength=\"10\" required> <button "
           "class=\"secondary\">Set</button></form> " +
           Button(who, "logout", "End sessions", {{"agent", a}}) + "</td></tr>";
  }
  return out + "</tbody></table>";
}

Result<std::string> TokensPage(Store& reader, const Config& config, const SignedIn& who) {
  Result<std::vector<TokenInfo>> tokens = TokenStore(reader).List();
  if (!tokens.ok()) return tokens.status();
  std::string out = "<form id=\"token-form\" method=\"post\" action=\"/admin/token\">" + CsrfField(who) +
                    "<label>Name <input name=\"name\" required maxlength=\"64\"></label><label>Scope <select "
                    "name=\"scope\"><option>read</option><option>write</option><option>admin</option></select>"
                    "</label><button>Make a token</button></form><table id=\"tokens\"><thead><tr><th>Id</th><th>Name"
                    "</th><th>Scope</th><th>Made</th><th>Last used</th><th></th></tr></thead><tbody>";
  for (const TokenInfo& t : *tokens) {
    out += "<tr><td>" + H(t.public_id) + "</td><td>" + H(t.name) + "</td><td>" + ScopeName(t.scope) + "</td><td>" +
           H(ShortTime(t.created_at, Zone(config))) + "</td><td>" +
           (t.last_used_at ? H(ShortTime(*t.last_used_at, Zone(config))) : "-") + "</td><td>" +
           (t.revoked_at ? "revoked " + H(ShortTime(*t.revoked_at, Zone(config)))
                         : Button(who, "revoke", "Revoke", {{"token", t.public_id}})) + "</td></tr>";
  }
  return out + "</tbody></table>";
}

Result<std::string> QuarantinePage(Store& reader, const Config& config, const SignedIn& who) {
  TicketQuery q;
  q.quarantined = true;
  q.limit = 100;
  Result<TicketPage> page = TicketList(reader).List(q);
  if (!page.ok()) return page.status();
  if (page->tickets.empty()) return std::string("<p class=\"empty\">Nothing is quarantined.</p>");
  std::string out = "<table id=\"quarantine\"><thead><tr><th>#</th><th>Subject</th><th>Why</th><th>Since</th><th>"
                    "</th></tr></thead><tbody>";
  for (const Ticket& t : page->tickets) {
    out += "<tr data-id=\"" + std::to_string(t.id) + "\"><td><a href=\"/tickets/" + std::to_string(t.id) + "\">" +
           std::to_string(t.id) + "</a></td><td>" + H(t.subject) + "</td><td>" + H(t.quarantine_reason.value_or("")) +
           "</td><td>" + H(ShortTime(t.created_at, Zone(config))) + "</td><td>" +
           Button(who, "reprocess", "Reprocess", {{"ticket", std::to_string(t.id)}}) + "</td></tr>";
  }
  return out + "</tbody></table>";
}

Result<std::string> RejectionsPage(Store& reader, const Config& config) {
  Result<std::vector<SlaStore::Rejection>> list = SlaStore(reader).Rejections(100, std::nullopt);
  if (!list.ok()) return list.status();
  if (list->empty()) return std::string("<p class=\"empty\">No request was rejected.</p>");
  std::string out = "<table id=\"rejections\"><thead><tr><th>When</th><th>Channel</th><th>Rule</th><th>Sender</th>"
                    "<th>Subject</th><th>Reason</th></tr></thead><tbody>";
  for (const auto& r : *list) {
    out += "<tr><td>" + H(ShortTime(r.at, Zone(config))) + "</td><td>" + H(r.channel) + "</td><td>" + H(r.rule) +
           "</td><td>" + H(r.sender) + "</td><td>" + H(r.subject) + "</td><td>" + H(r.reason) + "</td></tr>";
  }
  return out + "</tbody></table>";
}

Result<std::string> OutboxPage(Store& reader, const Config& config) {
  Result<std::vector<OutboxRow>> rows = OutboxStore(reader).List(std::string("failed"), 100, std::nullopt);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::string("<p class=\"empty\">No mail failed for good.</p>");
  std::string out = "<table id=\"outbox\"><thead><tr><th>When</th><th>Kind</th><th>To</th><th>Ticket</th><th>Tries"
                    "</th><th>Last error</th></tr></thead><tbody>";
  for (const OutboxRow& r : *rows) {
    out += "<tr><td>" + H(ShortTime(r.created_at, Zone(config))) + "</td><td>" + H(r.kind) + "</td><td>" +
           H(r.recipient) + "</td><td>" +
           (r.ticket_id ? "<a href=\"/tickets/" + std::to_string(r.ticket_id) + "\">" + std::to_string(r.ticket_id) + "</a>"
                        : std::string("-")) +
           "</td><td>" + std::to_string(r.attempts) + "</td><td>" + H(r.last_error) + "</td></tr>";
  }
  return out + "</tbody></table>";
}

Result<std::string> BouncesPage(Store& reader, const Config& config, const SignedIn& who) {
  Result<std::vector<RecipientInfo>> list = RecipientStore(reader).ListBouncing(200, "");
  if (!list.ok()) return list.status();
  if (list->empty()) return std::string("<p class=\"empty\">No address is marked as bouncing.</p>");
  std::string out = "<table id=\"bounces\"><thead><tr><th>Address</th><th>Since</th><th>Why</th><th></th></tr>"
                    "</thead><tbody>";
  for (const RecipientInfo& r : *list) {
    out += "<tr><td>" + H(r.address) + "</td><td>" + (r.bounced_at ? H(ShortTime(*r.bounced_at, Zone(config))) : "-") +
           "</td><td>" + H(r.bounce_reason) + "</td><td>" + Button(who, "unbounce", "It works again", {{"address", r.address}}) +
           "</td></tr>";
  }
  return out + "</tbody></table>";
}

std::string RoutePage(const httplib::Request& req, const ConfigInfo& info, Timestamp now) {
  std::string out = "<form id=\"route-form\" method=\"get\" action=\"/admin/route\"><label>Channel <select "
                    "name=\"channel\">";
  for (const char* c : {"email", "web", "api"}) {
    out += std::string("<option") + (Param(req, "channel") == c ? " selected" : "") + ">" + c + "</option>";
  }
  out += "</select></label><label>From <input name=\"from\" value=\"" + H(Param(req, "from")) + "\"></label><label>To "
         "<input name=\"to\" value=\"" + H(Param(req, "to")) + "\"></label><label>Subject <input name=\"subject\" "
         "value=\"" + H(Param(req, "subject")) + "\"></label><label>Body <textarea name=\"body\" rows=\"4\">" +
         H(Param(req, "body")) + "</textarea></label><button>Explain</button></form>";
  if (!req.has_param("subject") && !req.has_param("from")) return out;
  RouteInput in;
  in.channel = Param(req, "channel").empty() ? "email" : Param(req, "channel");
  in.from = AsciiLower(std::string(Trim(Param(req, "from"))));
  for (const std::string& to : {Param(req, "to")}) {
    if (!Trim(to).empty()) in.to.push_back(AsciiLower(std::string(Trim(to))));
  }
  in.subject = Param(req, "subject");
  in.body = Param(req, "body");
  in.now = now;
  RouteDecision d = info.router->Route(in);
  return out + "<pre id=\"route-explanation\">" + H(ExplainRoute(in, d)) + "</pre>";
}

std::string ConfigPage(const ConfigInfo& info) {
  const Config& c = *info.config;
  std::string out = "<dl id=\"config-state\"><dt>Generation</dt><dd>" + std::to_string(info.generation) +
                    "</dd><dt>Loaded</dt><dd>" + H(FormatRfc3339(info.loaded_at)) + "</dd><dt>Last reload</dt><dd>" +
                    (info.last_reload_error.empty() ? std::string("succeeded") : "<span class=\"error\">" +
                                                                                     H(info.last_reload_error) + "</span>") +
                    "</dd></dl><h2>Queues</h2><table><thead><tr><th>Queue</th><th>Addresses</th><th>Agents</th>"
                    "<th>Lead</th><th>Language</th></tr></thead><tbody>";
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const std::string& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
  };
  for (const QueueConfig& q : c.queues) {
    out += "<tr><td>" + H(q.name) + (q.is_default ? " (default)" : "") + "</td><td>" + H(join(q.addresses)) +
           "</td><td>" + H(join(q.agents)) + "</td><td>" + H(q.lead) + "</td><td>" + H(c.LanguageOf(q.name)) + "</td></tr>";
  }
  out += "</tbody></table><h2>SLA policies</h2><ul>";
  for (const SlaPolicyConfig& p : c.slas) {
    std::string targets;
    for (const auto* d : {&p.first_response, &p.next_response, &p.resolution}) {
      if (*d) targets += (targets.empty() ? "" : ", ") + (*d)->text;
    }
    out += "<li>" + H(p.name) + " v" + std::to_string(p.version) + ", calendar " + H(p.calendar) + ": " + H(targets) +
           (p.standards.empty() ? "" : ", " + std::to_string(p.standards.size()) + " standards") + "</li>";
  }
  out += "</ul><h2>Mail</h2><ul><li>SMTP: " + H(c.smtp.url.empty() ? "none (nothing is sent)" : c.smtp.url) + "</li>";
  for (const MailboxConfig& m : c.mailboxes) out += "<li>IMAP " + H(m.name) + ": " + H(m.user + "@" + m.host) + "</li>";
  return out + "</ul><p class=\"hint\">Passwords and secrets are never shown.</p>";
}

}  // namespace

void ShowAdmin(ConsoleEnv& env, const SignedIn& who, const httplib::Request& req, httplib::Response& res) {
  ServeContext& ctx = env.ctx;
  std::optional<PageStart> start = StartPage(ctx, env.nav, who, "Admin", res, "admin");
  if (!start) return;
  ConfigInfo& info = start->info;
  const Config& config = *info.config;
  const Timestamp now = start->now;
  std::optional<StorePool::Lease>& store = start->store;
  PageFrame* frame = &start->frame;
  if (!who.admin) return SendProblem(res, 403, *frame, "Only the agents in [console] admins may open the admin pages.");
  const std::string page = req.matches.size() > 1 ? req.matches[1].str() : "agents";
  Result<std::string> body = Status::NotFound("no such admin page");
  if (page == "agents") body = AgentsPage(**store, config, who);
  else if (page == "tokens") body = TokensPage(**store, config, who);
  else if (page == "quarantine") body = QuarantinePage(**store, config, who);
  else if (page == "rejections") body = RejectionsPage(**store, config);
  else if (page == "outbox") body = OutboxPage(**store, config);
  else if (page == "bounces") body = BouncesPage(**store, config, who);
  else if (page == "route") body = RoutePage(req, info, now);
  else if (page == "config") body = ConfigPage(info);
  if (!body.ok()) return SendProblem(res, body.status().code() == Status::Code::kNotFound ? 404 : 503, *frame,
                                     body.status().message());
  frame->title = "Admin: " + page;
  std::string notice = req.has_param("done") ? "<p class=\"notice\" role=\"status\">" + H(Param(req, "done")) + "</p>" : "";
  SendPage(res, 200, RenderPage(*frame, "<h1>Admin</h1>" + Menu() + notice + *body));
}

void AdminAction(ConsoleEnv& env, const SignedIn& who, const httplib::Request& req, httplib::Response& res) {
  ServeContext& ctx = env.ctx;
  ConfigInfo info = ctx.config_info();
  const Config& config = *info.config;
  const Timestamp now = ctx.clock.Now();
  PageFrame frame{"Admin", &who, {}, "admin"};
  if (!who.admin) return SendProblem(res, 403, frame, "Only the agents in [console] admins may do this.");
  const std::string action = req.matches[1].str();
  std::string back = "agents", done;
  Status s = Status::Ok();
  if (action == "password") {
    const std::string agent = Param(req, "agent"), password = Param(req, "password");
    Result<std::string> hash = NewPasswordHash(config, agent, password);
    s = hash.ok() ? ctx.writer.Run([&](Store& st) { return ReplacePassword(st, agent, *hash, now).status(); })
                  : hash.status();
    done = "The password of " + agent + " is set, and its sessions ended.";
  } else if (action == "logout") {
    s = ctx.writer.Run([&](Store& st) { return AgentStore(st).EndSessions(Param(req, "agent")).status(); });
    done = "Every session of " + Param(req, "agent") + " ended.";
  } else if (action == "token") {
    back = "tokens";
    std::optional<Scope> scope = ParseScope(Param(req, "scope"));
    Result<NewToken> t = Status::Invalid("the scope must be read, write or admin");
    if (scope) {
      s = ctx.writer.Run([&](Store& st) -> Status {
        t = TokenStore(st).Create(Param(req, "name"), *scope, now);
        return t.status();
      });
    } else {
      s = t.status();
    }
    if (s.ok()) {
      // The secret is shown once, here, and never again.
      Result<StorePool::Lease> store = ctx.stores.Acquire();
      Result<PageFrame> f = store.ok() ? MakeFrame(**store, info, env.nav, who, now, "New token", "admin")
                                       : Result<PageFrame>(store.status());
      return SendPage(res, 200, RenderPage(f.ok() ? *f : frame,
                                           "<h1>New API token</h1>" + Menu() + "<p>Token " + H(t->info.name) +
                                               " (" + ScopeName(t->info.scope) + "). Keep it now; it is not shown "
                                               "again:</p><pre id=\"new-token\">" + H(t->secret) + "</pre>"));
    }
  } else if (action == "revoke") {
    back = "tokens";
    s = ctx.writer.Run([&](Store& st) { return TokenStore(st).Revoke(Param(req, "token"), now); });
    done = "Token " + Param(req, "token") + " revoked.";
  } else if (action == "reprocess") {
    back = "quarantine";
    std::optional<int64_t> id = ParseDigits(Param(req, "ticket"), 15);
    s = ctx.writer.Run([&](Store& st) -> Status {
      Result<std::string> r = Reprocess(st, id.value_or(0), config, *info.router, *info.sla, now);
      if (r.ok()) done = "Ticket " + std::to_string(id.value_or(0)) + ": " + *r;
      return r.status();
    });
  } else if (action == "unbounce") {
    back = "bounces";
    const std::string address = Param(req, "address");
    s = ctx.writer.Run([&](Store& st) -> Status {
      Status c = RecipientStore(st).ClearBouncing(address);
      if (!c.ok()) return c;
      return TicketStore(st).AddEvent(std::nullopt, now, "bounce_cleared", "console:" + who.agent, std::nullopt,
                                      json{{"address", address}}.dump());
    });
    done = address + " is no longer marked as bouncing.";
  } else {
    return SendProblem(res, 404, frame, "No such admin action.");
  }
  if (!s.ok()) return SendProblem(res, 400, frame, "Nothing was changed: " + s.message());
  Redirect(res, "/admin/" + back + "?done=" + UrlPart(done));
}

}  // namespace frontdesk
