#include "console/ticket_page.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "config/values.h"
#include "console/views.h"
#include "daemon/base/text.h"
#include "daemon/outbox/render.h"
#include "daemon/store/agent_store.h"
#include "daemon/store/ticket_store.h"
#include "daemon/tickets/ticket_service.h"
#include "daemon/web/http_input.h"

namespace frontdesk {
namespace {

using nlohmann::json;

constexpr size_t kMaxBodyChars = 100000;

// What the page shows, read in one transaction so the parts agree.
struct TicketView {
  Ticket t;
  std::vector<MessageRecord> messages;
  std::vector<AttachmentRecord> attachments;
  std::vector<EventRecord> events;
  std::vector<SlaTargetRecord> clocks;
  std::optional<TicketRead> last_read;
  int64_t last_event = 0, last_message = 0;
};

Result<TicketView> Load(Store& reader, int64_t id, const std::string& agent) {
  Result<std::unique_ptr<Txn>> txn = Txn::Begin(reader.db(), Txn::Mode::kDeferred);
  if (!txn.ok()) return txn.status();
  TicketStore tickets(reader);
  TicketView v;
  Result<Ticket> t = tickets.Get(id);
  if (!t.ok()) return t.status();
  v.t = *t;
  Result<std::vector<MessageRecord>> m = tickets.Messages(id);
  Result<std::vector<AttachmentRecord>> a = tickets.Attachments(id);
  Result<std::vector<EventRecord>> e = tickets.Events(id);
  Result<std::vector<SlaTargetRecord>> c = tickets.SlaTargets(id);
  Result<std::optional<TicketRead>> r = AgentStore(reader).LastRead(agent, id);
  for (const Status* s : {&m.status(), &a.status(), &e.status(), &c.status(), &r.status()}) {
    if (!s->ok()) return *s;
  }
  v.messages = *m;
  v.attachments = *a;
  v.events = *e;
  v.clocks = *c;
  v.last_read = *r;
  for (const EventRecord& ev : v.events) v.last_event = std::max(v.last_event, ev.id);
  for (const MessageRecord& msg : v.messages) v.last_message = std::max(v.last_message, msg.id);
  return v;
}

std::string Zone(const Config& config, const Ticket& t) {
  const QueueConfig* q = config.FindQueue(t.queue);
  if (q && !q->timezone.empty()) return q->timezone;
  return config.calendars.empty() ? "UTC" : config.calendars.front().timezone;
}

std::string DetailText(const json& d, const char* key) {
  if (!d.is_object() || !d.contains(key)) return "";
  const json& v = d[key];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "nobody";
  return v.dump();
}

// An event as a sentence: who did what.
std::string EventWords(const EventRecord& e) {
  json d = json::parse(e.detail_json, nullptr, false);
  std::string what;
  if (e.kind == "created") what = "created the ticket";
  else if (e.kind == "status_changed") what = "changed the status from " + DetailText(d, "from") + " to " + DetailText(d, "to");
  else if (e.kind == "priority_changed") what = "changed the priority from " + DetailText(d, "from") + " to " + DetailText(d, "to");
  else if (e.kind == "queue_changed") what = "moved it from " + DetailText(d, "from") + " to " + DetailText(d, "to");
  else if (e.kind == "assigned" || e.kind == "assignee_changed") what = "gave it to " + DetailText(d, "to");
  else if (e.kind == "tags_changed") what = "set the tags to " + DetailText(d, "to");
  else if (e.kind == "reply_added") what = "replied to the customer";
  else if (e.kind == "note_added") what = "added an internal note";
  else if (e.kind == "sla_breached") what = "SLA " + DetailText(d, "target") + " breached";
  else if (e.kind == "sla_met") what = "SLA " + DetailText(d, "target") + " met";
  else if (e.kind == "escalated") what = "escalated (" + DetailText(d, "target") + ")";
  else {
    what = e.kind;
    for (char& c : what) c = c == '_' ? ' ' : c;
  }
  return what;
}

std::string MessageClass(MessageKind k) {
  switch (k) {
    case MessageKind::kCustomer: return "customer";
    case MessageKind::kReply: return "reply";
    case MessageKind::kNote: return "note";
    case MessageKind::kAuto: return "auto";
    case MessageKind::kSystem: return "auto";
  }
  return "auto";
}

std::string Select(const char* name, const char* id, const std::vector<std::string>& values, const std::string& now) {
  std::string out = "<select name=\"" + std::string(name) + "\" id=\"" + id + "\">";
  for (const std::string& v : values) {
    out += "<option value=\"" + H(v) + "\"" + (v == now ? " selected" : "") + ">" + H(v) + "</option>";
  }
  return out + "</select>";
}

std::string Hidden(const char* name, const std::string& value) {
  return "<input type=\"hidden\" name=\"" + std::string(name) + "\" value=\"" + H(value) + "\">";
}

std::string Thread(const TicketView& v, const std::string& zone) {
  std::string out = "<section id=\"thread\"><h2>Thread</h2>";
  const int64_t seen = v.last_read ? v.last_read->last_message : INT64_MAX;
  for (const MessageRecord& m : v.messages) {
    std::string cls = "message " + MessageClass(m.kind) + (m.id > seen ? " new" : "");
    std::string author = m.author_name && !m.author_name->empty() ? *m.author_name + " <" + m.author_email.value_or("") + ">"
                                                                  : m.author_email.value_or(m.kind == MessageKind::kCustomer ? "customer" : "-");
    out += "<article class=\"" + cls + "\" id=\"m" + std::to_string(m.id) + "\"><header><span class=\"kind\">" +
           (m.kind == MessageKind::kNote ? "Internal note" : std::string(Name(m.kind))) + "</span> <span class=\"author\">" +
           H(author) + "</span> <time class=\"time\">" + H(ShortTime(m.created_at, zone)) + "</time></header>" +
           "<div class=\"body\">" + H(m.body_text) + "</div>";
    std::string files;
    for (const AttachmentRecord& a : v.attachments) {
      if (a.message_id != m.id) continue;
      files += "<li><a download href=\"/tickets/" + std::to_string(v.t.id) + "/attachments/" + std::to_string(a.id) +
               "\">" + H(a.filename) + "</a> (" + std::to_string(a.size) + " bytes)</li>";
    }
    if (!files.empty()) out += "<ul class=\"attachments\">" + files + "</ul>";
    out += "<details class=\"headers\"><summary>Details</summary><dl><dt>Subject</dt><dd>" + H(m.subject) +
           "</dd><dt>Channel</dt><dd>" + std::string(Name(m.channel)) + "</dd><dt>Message-ID</dt><dd>" +
           H(m.message_id.value_or("-")) + "</dd><dt>Automatic</dt><dd>" + (m.auto_submitted ? "yes" : "no") +
           "</dd></dl></details></article>";
  }
  return out + "</section>";
}

std::string Clocks(const TicketView& v, const SlaEngine& sla, Timestamp now, const std::string& zone) {
  std::string out = "<section id=\"sla\"><h2>SLA</h2><ul>";
  if (v.clocks.empty()) out += "<li>No SLA clocks.</li>";
  for (const SlaTargetRecord& c : v.clocks) {
    std::string state;
    if (c.met_at) state = "met " + ShortTime(*c.met_at, zone) + (c.breached_at ? " (late)" : "");
    else if (c.paused_since) state = "paused since " + ShortTime(*c.paused_since, zone);
    else if (c.due_at) state = "due " + ShortTime(*c.due_at, zone) + ", " +
                               Countdown(sla.BusinessSecondsBetween(v.t.sla_policy, now, *c.due_at));
    out += "<li class=\"clock" + std::string(c.breached_at && !c.met_at ? " late" : "") + "\">" + H(c.target) +
           (c.cycle ? " #" + std::to_string(c.cycle) : "") + ": " + H(state) + "</li>";
  }
  return out + "</ul></section>";
}

std::string History(const TicketView& v, const std::string& zone) {
  const int64_t seen = v.last_read ? v.last_read->last_event : INT64_MAX;
  std::string out = "<section id=\"history\"><h2>History</h2><ol>";
  for (const EventRecord& e : v.events) {
    out += "<li class=\"event" + std::string(e.id > seen ? " new" : "") + "\"><time>" + H(ShortTime(e.at, zone)) +
           "</time> <span class=\"actor\">" + H(e.actor) + "</span> " + H(EventWords(e)) + "</li>";
  }
  return out + "</ol></section>";
}

// The menu of canned replies: a plain GET back to the ticket with
// ?canned=NAME, which puts the reply, filled in, into the answer box.
std::string CannedMenu(const TicketView& v, const Config& config) {
  if (config.canned.empty()) return "";
  std::string out = "<form id=\"canned-form\" method=\"get\" action=\"/tickets/" + std::to_string(v.t.id) +
                    "#answer\"><label>Canned reply <select name=\"canned\" id=\"canned\">";
  for (const auto& [name, c] : config.canned) out += "<option value=\"" + H(name) + "\">" + H(c.title) + "</option>";
  return out + "</select></label><button id=\"canned-button\" class=\"secondary\">Insert</button></form>";
}

// A canned reply with this ticket's variables, or "" when there is none.
Result<std::string> CannedText(Store& reader, const Config& config, const Ticket& t, const std::string& name,
                               const std::string& agent, Timestamp now) {
  auto it = config.canned.find(name);
  if (it == config.canned.end()) return std::string();
  OutboxRow row;
  row.ticket_id = t.id;
  row.kind = "canned";
  row.subject = t.subject;
  Result<TemplateVars> vars = MailVariables(config, reader, row, now);
  if (!vars.ok()) return vars.status();
  (*vars)["agent"] = agent;
  return RenderTemplate(it->second.text, *vars, TemplateEscape::kText);
}

std::string Forms(const TicketView& v, const Config& config, const SignedIn& who, const std::string& draft) {
  const std::string id = std::to_string(v.t.id);
  const std::string state = CsrfField(who) + Hidden("version", std::to_string(v.t.version)) +
                            Hidden("seen_event", std::to_string(v.last_event)) +
                            Hidden("seen_message", std::to_string(v.last_message));
  std::vector<std::string> statuses, queues;
  for (TicketStatus s : kAllStatuses) statuses.emplace_back(Name(s));
  for (const QueueConfig& q : config.queues) queues.push_back(q.name);
  std::string tags;
  for (const std::string& t : v.t.tags) tags += (tags.empty() ? "" : ", ") + t;
  std::string out = "<section id=\"actions\">";
  if (v.t.assignee != who.agent) {
    out += "<form id=\"take-form\" method=\"post\" action=\"/tickets/" + id + "/update\">" + state +
           Hidden("take", "1") + "<button id=\"take-button\">Take it</button></form>";
  }
  out += "<form id=\"update-form\" method=\"post\" action=\"/tickets/" + id + "/update\">" + state +
         "<label>Status " + Select("status", "set-status", statuses, std::string(Name(v.t.status))) + "</label>" +
         "<label>Priority " + Select("priority", "set-priority", {"low", "normal", "high", "urgent"}, v.t.priority) +
         "</label><label>Queue " + Select("queue", "set-queue", queues, v.t.queue) + "</label>" +
         "<label>Owner <input name=\"assignee\" id=\"set-assignee\" value=\"" + H(v.t.assignee.value_or("")) +
         "\" placeholder=\"nobody\" size=\"24\"></label><label>Tags <input name=\"tags\" id=\"set-tags\" value=\"" +
         H(tags) + "\" size=\"24\"></label><button id=\"update-button\">Save</button></form></section>";
  out += "<section id=\"answer\">" + CannedMenu(v, config) + "<form id=\"reply-form\" method=\"post\" action=\"/tickets/" + id + "/messages\">" +
         state + "<label for=\"reply-body\">Reply to " + H(v.t.requester_email) + ", or an internal note</label>" +
         "<textarea name=\"body\" id=\"reply-body\" rows=\"8\" required>" + H(draft) + "</textarea>" +
         "<div class=\"buttons\"><button id=\"send-reply\" name=\"kind\" value=\"reply\">Send reply</button>" +
         "<button id=\"send-note\" name=\"kind\" value=\"note\" class=\"secondary\">Add internal note</button>" +
         "<span class=\"hint\">Ctrl+Enter sends the reply</span></div></form></section>";
  return out;
}

std::optional<int64_t> TicketId(const httplib::Request& req) { return ParseDigits(req.matches[1].str(), 15); }

std::string Param(const httplib::Request& req, const char* k) {
  return req.has_param(k) ? req.get_param_value(k) : std::string();
}

// What happened since the form was loaded: later events and messages.
std::string ChangesSince(const TicketView& v, int64_t seen_event, int64_t seen_message, const std::string& zone) {
  std::string out = "<ul id=\"changes\">";
  for (const MessageRecord& m : v.messages) {
    if (m.id <= seen_message) continue;
    out += "<li class=\"change\">" + H(ShortTime(m.created_at, zone)) + " " +
           H(m.author_email.value_or("customer")) + ": " + (m.kind == MessageKind::kNote ? "internal note" : std::string(Name(m.kind))) +
           "<blockquote>" + H(m.body_text.substr(0, 2000)) + "</blockquote></li>";
  }
  for (const EventRecord& e : v.events) {
    if (e.id <= seen_event || e.kind == "reply_added" || e.kind == "note_added") continue;
    out += "<li class=\"change\">" + H(ShortTime(e.at, zone)) + " " + H(e.actor) + " " + H(EventWords(e)) + "</li>";
  }
  return out + "</ul>";
}

}  // namespace

void ShowTicket(ConsoleEnv& env, const SignedIn& who, const httplib::Request& req, httplib::Response& res) {
  ServeContext& ctx = env.ctx;
  std::optional<PageStart> start = StartPage(ctx, env.nav, who, "Ticket", res);
  if (!start) return;
  ConfigInfo& info = start->info;
  const Config& config = *info.config;
  const Timestamp now = start->now;
  std::optional<StorePool::Lease>& store = start->store;
  PageFrame* frame = &start->frame;
  std::optional<int64_t> id = TicketId(req);
  Result<TicketView> v = id ? Load(**store, *id, who.agent) : Result<TicketView>(Status::NotFound("no such ticket"));
  if (!v.ok()) {
    frame->title = "No such ticket";
    return SendProblem(res, v.status().code() == Status::Code::kNotFound ? 404 : 503, *frame, v.status().message());
  }
  frame->title = "#" + std::to_string(v->t.id) + " " + v->t.subject;
  const std::string zone = Zone(config, v->t);
  env.presence.Set(v->t.id, who.agent, Presence::State::kViewing, now);
  const std::string others = PresenceText(env.presence.Others(v->t.id, who.agent, now));
  std::string body = "<h1 id=\"subject\"><span class=\"number\">#" + std::to_string(v->t.id) + "</span> " +
                     H(v->t.subject) + "</h1><dl id=\"meta\"><dt>Status</dt><dd id=\"status\">" +
                     std::string(Name(v->t.status)) + "</dd><dt>Priority</dt><dd id=\"priority\">" + H(v->t.priority) +
                     "</dd><dt>Owner</dt><dd id=\"owner\">" + H(v->t.assignee.value_or("nobody")) +
                     "</dd><dt>Queue</dt><dd id=\"queue\">" + H(v->t.queue) + "</dd><dt>Requester</dt><dd id=\"requester\">" +
                     H(v->t.requester_name.empty() ? v->t.requester_email : v->t.requester_name + " <" + v->t.requester_email + ">") +
                     "</dd><dt>Created</dt><dd>" + H(ShortTime(v->t.created_at, zone)) + "</dd></dl>" +
                     "<p id=\"presence\" class=\"presence\" data-ticket=\"" + std::to_string(v->t.id) + "\">" +
                     H(others) + "</p>";
  std::string draft;
  if (req.has_param("canned")) {
    Result<std::string> text = CannedText(**store, config, v->t, req.get_param_value("canned"), who.agent, now);
    if (!text.ok()) return SendProblem(res, 503, *frame, text.status().message());
    draft = *text;
  }
  body += "<div class=\"columns\"><div class=\"main\">" + Thread(*v, zone) + Forms(*v, config, who, draft) +
          "</div><aside>" + Clocks(*v, *info.sla, now, zone) + History(*v, zone) + "</aside></div>";
  SendPage(res, 200, RenderPage(*frame, body));
  // Seen: what is shown now is not new the next time. A second look at
  // nothing new writes nothing.
  if (v->last_read && v->last_read->last_event >= v->last_event && v->last_read->last_message >= v->last_message) {
    return;
  }
  TicketRead read{v->last_event, v->last_message, now};
  // The page is shown either way; a read mark that cannot be written only
  // loses "new since you looked" next time, but it must not fail unseen.
  Status marked = ctx.writer.Run([&](Store& st) { return AgentStore(st).MarkRead(who.agent, v->t.id, read); });
  if (!marked.ok()) spdlog::warn("console: read mark of ticket {} for {}: {}", v->t.id, who.agent, marked.ToString());
}

void PostMessage(ConsoleEnv& env, const SignedIn& who, const httplib::Request& req, httplib::Response& res) {
  ServeContext& ctx = env.ctx;
  std::optional<int64_t> id = TicketId(req);
  std::optional<PageStart> start = StartPage(ctx, env.nav, who, "Reply", res);
  if (!start) return;
  ConfigInfo& info = start->info;
  const Config& config = *info.config;
  const Timestamp now = start->now;
  std::optional<StorePool::Lease>& store = start->store;
  PageFrame* frame = &start->frame;
  const std::string kind = Param(req, "kind"), body = Param(req, "body");
  std::string problem;
  if (kind != "reply" && kind != "note") problem = "choose Send reply or Add internal note";
  else if (!IsValidUtf8(body) || HasControlChars(body)) problem = "the text has characters that cannot be sent";
  else if (Trim(body).empty()) problem = "the text is empty";
  else if (Utf8Length(body) > kMaxBodyChars) problem = "the text is longer than 100,000 characters";
  if (!id) return SendProblem(res, 404, *frame, "no such ticket");
  if (!problem.empty()) return SendProblem(res, 400, *frame, "Nothing was sent: " + problem + ".");
  std::optional<int64_t> version = ParseDigits(Param(req, "version"), 15);
  const bool force = Param(req, "force") == "1";
  NewMessage m;
  m.kind = kind == "reply" ? MessageKind::kReply : MessageKind::kNote;
  m.channel = Channel::kWeb;
  m.actor = Actor::AgentInConsole(who.agent);
  m.author_email = who.agent;
  m.body = body;
  m.now = now;
  Status s = ctx.writer.Run([&](Store& st) -> Status {
    Result<Ticket> t = TicketStore(st).Get(*id);
    if (!t.ok()) return t.status();
    // Checked inside the write, so nothing can slip in between.
    if (!force && version != t->version) return Status::PreconditionFailed("the ticket changed");
    return TicketService(st, config, *info.sla).AddMessage(*id, m).status();
  });
  if (s.ok()) return Redirect(res, "/tickets/" + std::to_string(*id) + "#thread");
  if (s.code() != Status::Code::kPreconditionFailed) {
    return SendProblem(res, s.code() == Status::Code::kNotFound ? 404 : 400, *frame, "Nothing was sent: " + s.message());
  }
  Result<TicketView> v = Load(**store, *id, who.agent);
  if (!v.ok()) return SendProblem(res, 503, *frame, v.status().message());
  const std::string zone = Zone(config, v->t);
  frame->title = "The ticket changed";
  std::string page =
      "<h1>Ticket #" + std::to_string(*id) + " changed while you were writing</h1><section id=\"collision\">"
      "<p>Nothing was sent yet. This happened since you opened it:</p>" +
      ChangesSince(*v, ParseDigits(Param(req, "seen_event"), 15).value_or(0),
                   ParseDigits(Param(req, "seen_message"), 15).value_or(0), zone) +
      "<form id=\"collision-form\" method=\"post\" action=\"/tickets/" + std::to_string(*id) + "/messages\">" +
      CsrfField(who) + Hidden("force", "1") + Hidden("version", std::to_string(v->t.version)) +
      Hidden("seen_event", std::to_string(v->last_event)) + Hidden("seen_message", std::to_string(v->last_message)) +
      "<label for=\"reply-body\">Your " + (kind == "reply" ? "reply" : "note") + "</label><textarea name=\"body\" "
      "id=\"reply-body\" rows=\"8\">" + H(body) + "</textarea><div class=\"buttons\"><button id=\"send-anyway\" "
      "name=\"kind\" value=\"" + kind + "\">Send anyway</button> <a href=\"/tickets/" + std::to_string(*id) +
      "\">Back to the ticket, without sending</a></div></form></section>";
  SendPage(res, 409, RenderPage(*frame, page));
}

void PostUpdate(ConsoleEnv& env, const SignedIn& who, const httplib::Request& req, httplib::Response& res) {
  ServeContext& ctx = env.ctx;
  std::optional<int64_t> id = TicketId(req);
  std::optional<PageStart> start = StartPage(ctx, env.nav, who, "Change", res);
  if (!start) return;
  ConfigInfo& info = start->info;
  const Config& config = *info.config;
  const Timestamp now = start->now;
  std::optional<StorePool::Lease>& store = start->store;
  PageFrame* frame = &start->frame;
  if (!id) return SendProblem(res, 404, *frame, "no such ticket");
  Result<Ticket> now_t = TicketStore(**store).Get(*id);
  if (!now_t.ok()) return SendProblem(res, 404, *frame, now_t.status().message());
  TicketPatch patch;
  std::string problem;
  if (Param(req, "take") == "1") {
    patch.assignee = std::optional<std::string>(who.agent);
  } else {
    if (!Param(req, "status").empty() && Param(req, "status") != Name(now_t->status)) {
      patch.status = ParseTicketStatus(Param(req, "status"));
      if (!patch.status) problem = "unknown status";
    }
    if (!Param(req, "priority").empty() && Param(req, "priority") != now_t->priority) {
      if (!IsPriority(Param(req, "priority"))) problem = "unknown priority";
      patch.priority = Param(req, "priority");
    }
    if (!Param(req, "queue").empty() && Param(req, "queue") != now_t->queue) {
      if (!config.FindQueue(Param(req, "queue"))) problem = "unknown queue";
      patch.queue = Param(req, "queue");
    }
    std::string owner(Trim(Param(req, "assignee")));
    if (req.has_param("assignee") && owner != now_t->assignee.value_or("")) {
      if (owner.empty()) {
        patch.assignee = std::optional<std::string>();
      } else {
        Result<std::string> a = ParseMailAddress(owner);
        if (!a.ok()) problem = "owner: " + a.status().message();
        else patch.assignee = std::optional<std::string>(*a);
      }
    }
    if (req.has_param("tags")) {
      std::vector<std::string> tags;
      std::string all = Param(req, "tags");
      size_t start = 0;
      while (start <= all.size()) {
        size_t comma = all.find(',', start);
        std::string tag(Trim(all.substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
        if (!tag.empty()) {
          Status t = ValidateTag(tag);
          if (!t.ok()) problem = "tag \"" + tag + "\": " + t.message();
          tags.push_back(tag);
        }
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
      if (NormalizeTags(tags) != NormalizeTags(now_t->tags)) patch.tags = tags;
    }
  }
  if (!problem.empty()) return SendProblem(res, 400, *frame, "Nothing was changed: " + problem + ".");
  if (patch.empty()) return Redirect(res, "/tickets/" + std::to_string(*id));
  std::optional<int64_t> version = ParseDigits(Param(req, "version"), 15);
  if (Param(req, "force") == "1") version.reset();
  Status s = ctx.writer.Run([&](Store& st) -> Status {
    return TicketService(st, config, *info.sla).Patch(*id, patch, version, Actor::AgentInConsole(who.agent), now).status();
  });
  if (s.ok()) return Redirect(res, "/tickets/" + std::to_string(*id));
  if (s.code() != Status::Code::kPreconditionFailed) return SendProblem(res, 400, *frame, "Nothing was changed: " + s.message());
  Result<TicketView> v = Load(**store, *id, who.agent);
  if (!v.ok()) return SendProblem(res, 503, *frame, v.status().message());
  std::string again;
  for (const char* k : {"status", "priority", "queue", "assignee", "tags", "take"}) {
    if (req.has_param(k)) again += Hidden(k, Param(req, k));
  }
  frame->title = "The ticket changed";
  std::string page = "<h1>Ticket #" + std::to_string(*id) + " changed since you opened it</h1><section id=\"collision\">"
                     "<p>Nothing was changed yet. This happened since:</p>" +
                     ChangesSince(*v, ParseDigits(Param(req, "seen_event"), 15).value_or(0),
                                  ParseDigits(Param(req, "seen_message"), 15).value_or(0), Zone(config, v->t)) +
                     "<form id=\"collision-form\" method=\"post\" action=\"/tickets/" + std::to_string(*id) +
                     "/update\">" + CsrfField(who) + Hidden("force", "1") + again +
                     "<button id=\"send-anyway\">Apply my change anyway</button> <a href=\"/tickets/" +
                     std::to_string(*id) + "\">Back to the ticket</a></form></section>";
  SendPage(res, 409, RenderPage(*frame, page));
}

void PostPresence(ConsoleEnv& env, const SignedIn& who, const httplib::Request& req, httplib::Response& res) {
  std::optional<int64_t> id = TicketId(req);
  const std::string state = Param(req, "state");
  if (!id || (state != "viewing" && state != "replying")) {
    res.status = 400;
    res.set_content("{\"error\":\"state must be viewing or replying\"}", "application/json");
    return;
  }
  const Timestamp now = env.ctx.clock.Now();
  env.presence.Set(*id, who.agent, state == "replying" ? Presence::State::kReplying : Presence::State::kViewing, now);
  res.set_header("Cache-Control", "no-store");
  res.set_content(json{{"others", PresenceText(env.presence.Others(*id, who.agent, now))}}.dump(), "application/json");
}

void DownloadAttachment(ConsoleEnv& env, const SignedIn&, const httplib::Request& req, httplib::Response& res) {
  ServeContext& ctx = env.ctx;
  std::optional<int64_t> id = ParseDigits(req.matches[1].str(), 15);
  std::optional<int64_t> aid = ParseDigits(req.matches[2].str(), 15);
  Result<StorePool::Lease> store = ctx.stores.Acquire();
  if (!id || !aid || !store.ok()) {
    res.status = 404;
    return;
  }
  Result<AttachmentContent> a = TicketStore(**store).Attachment(*id, *aid);
  if (!a.ok()) {
    res.status = 404;
    return;
  }
  // Always a download, never rendered in the console's origin.
  res.set_header("Content-Disposition", ContentDisposition(a->meta.filename));
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Content-Security-Policy", "sandbox; default-src 'none'");
  res.set_content(a->data, a->meta.content_type);
}

}  // namespace frontdesk
