#include "admin/admin_api.h"


#include <spdlog/spdlog.h>

#include <functional>
#include <map>

#include <nlohmann/json.hpp>

#include "admin/kpi.h"
#include "config/values.h"
#include "daemon/base/text.h"
#include "daemon/outbox/auto_reply.h"
#include "daemon/serve/daemon.h"
#include "daemon/store/csat_store.h"
#include "daemon/store/mailbox_store.h"
#include "daemon/store/metrics_store.h"
#include "daemon/store/outbox_store.h"
#include "daemon/store/schema.h"
#include "daemon/store/sla_store.h"
#include "daemon/store/spool_store.h"
#include "daemon/store/ticket_store.h"
#include "daemon/store/token_store.h"
#include "daemon/tickets/ticket_service.h"
#include "daemon/web/http_input.h"

namespace frontdesk {
namespace {

using nlohmann::json;
using Handler = std::function<void(const httplib::Request&, httplib::Response&, const TokenInfo&)>;

constexpr size_t kMaxReplyChars = 100000;

// Wraps a handler so it runs only for a valid token of at least `scope`.
HttpServer::Handler Authorized(Daemon& daemon, Scope scope, Handler handler) {
  return [&daemon, scope, handler = std::move(handler)](const httplib::Request& req,
                                                        httplib::Response& res) {
    std::string auth = req.get_header_value("Authorization");
    constexpr std::string_view kBearer = "Bearer ";
    if (auth.size() <= kBearer.size() || auth.compare(0, kBearer.size(), kBearer) != 0) {
      res.set_header("WWW-Authenticate", "Bearer");
      WriteError(res, 401, "unauthorized", "an Authorization: Bearer token is required",
                 "Authorization");
      return;
    }
    Result<StorePool::Lease> store = daemon.stores().Acquire();
    if (!store.ok()) {
      WriteError(res, store.status());
      return;
    }
    TokenStore tokens(**store);
    Result<TokenInfo> token = tokens.Authenticate(auth.substr(kBearer.size()), daemon.clock().Now());
    if (!token.ok()) {
      if (token.status().code() == Status::Code::kUnauthorized) {
        res.set_header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
      }
      WriteError(res, token.status());
      return;
    }
    if (static_cast<int>(token->scope) < static_cast<int>(scope)) {
      WriteError(res, 403, "forbidden",
                 std::string("this needs a token with scope '") + ScopeName(scope) +
                     "'; this token has '" + ScopeName(token->scope) + "'");
      return;
    }
    handler(req, res, *token);
  };
}

void SendJson(httplib::Response& res, const json& body, int status = 200) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

json Time(const std::optional<Timestamp>& t) { return t ? json(FormatRfc3339(*t)) : json(nullptr); }
json Opt(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }

json TicketJson(const Ticket& t) {
  json fields = json::parse(t.fields_json, nullptr, false);
  return {{"id", t.id},
          {"number", t.id},
          {"subject", t.subject},
          {"status", Name(t.status)},
          {"priority", t.priority},
          {"queue", t.queue},
          {"category", Opt(t.category)},
          {"assignee", Opt(t.assignee)},
          {"requester", {{"email", t.requester_email}, {"name", t.requester_name}}},
          {"channel", Name(t.channel)},
          {"tags", t.tags},
          {"fields", fields.is_object() ? fields : json::object()},
          {"quarantined", t.quarantined},
          {"quarantine_reason", Opt(t.quarantine_reason)},
          {"route_rule", Opt(t.route_rule)},
          {"sla_policy", Opt(t.sla_policy)},
          {"next_due_at", Time(t.next_due_at)},
          {"linked_ticket_id", t.linked_ticket_id ? json(*t.linked_ticket_id) : json(nullptr)},
          {"reopened_count", t.reopened_count},
          {"version", t.version},
          {"created_at", FormatRfc3339(t.created_at)},
          {"updated_at", FormatRfc3339(t.updated_at)},
          {"first_response_at", Time(t.first_response_at)},
          {"solved_at", Time(t.solved_at)},
          {"closed_at", Time(t.closed_at)}};
}

std::string ETag(int64_t version) { return "\"" + std::to_string(version) + "\""; }

// Accepts "N", W/"N" and *; anything else is a client error.
Result<std::optional<int64_t>> ParseIfMatch(const httplib::Request& req) {
  if (!req.has_header("If-Match")) return std::optional<int64_t>();
  std::string v(Trim(req.get_header_value("If-Match")));
  if (v == "*") return std::optional<int64_t>();
  if (v.rfind("W/", 0) == 0) v = v.substr(2);
  if (v.size() >= 3 && v.front() == '"' && v.back() == '"') {
    std::optional<int64_t> n = ParseId(v.substr(1, v.size() - 2));
    if (n) return std::optional<int64_t>(*n);
  }
  return Status::Invalid("If-Match must be an ETag from this API, such as \"3\"", "If-Match");
}

// --- list ------------------------------------------------------------------

const char* SortName(TicketQuery::Sort s) {
  switch (s) {
    case TicketQuery::Sort::kIdDesc: return "-id";
    case TicketQuery::Sort::kIdAsc: return "id";
    case TicketQuery::Sort::kCreatedDesc: return "-created_at";
    case TicketQuery::Sort::kCreatedAsc: return "created_at";
    case TicketQuery::Sort::kUpdatedDesc: return "-updated_at";
    case TicketQuery::Sort::kUpdatedAsc: return "updated_at";
  }
  return "-id";
}

int64_t SortKey(const Ticket& t, TicketQuery::Sort s) {
  switch (s) {
    case TicketQuery::Sort::kCreatedDesc:
    case TicketQuery::Sort::kCreatedAsc: return ToUnix(t.created_at);
    case TicketQuery::Sort::kUpdatedDesc:
    case TicketQuery::Sort::kUpdatedAsc: return ToUnix(t.updated_at);
    default: return t.id;
  }
}

Status ParseListQuery(const httplib::Request& req, TicketQuery* q) {
  static const std::vector<std::string> kKnown = {
      "status", "queue", "priority", "assignee", "requester", "q", "created_after",
      "created_before", "quarantined", "breached", "sort", "limit", "cursor"};
  for (const auto& [k, v] : req.params) {
    if (std::find(kKnown.begin(), kKnown.end(), k) == kKnown.end()) {
      return Status::Invalid("unknown parameter", k);
    }
    if (req.get_param_value_count(k) > 1) return Status::Invalid("given more than once", k);
    if (!IsValidUtf8(v) || v.size() > 500) return Status::Invalid("must be valid UTF-8 of at most 500 bytes", k);
  }
  auto get = [&](const char* k) -> std::optional<std::string> {
    if (!req.has_param(k)) return std::nullopt;
    return req.get_param_value(k);
  };
  if (auto v = get("status")) {
    size_t start = 0;
    while (start <= v->size()) {
      size_t comma = v->find(',', start);
      std::string s = v->substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      std::optional<TicketStatus> status = ParseTicketStatus(s);
      if (!status) return Status::Invalid("unknown status \"" + s + "\"", "status");
      q->statuses.push_back(*status);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  q->queue = get("queue");
  if (auto v = get("priority")) {
    if (!IsPriority(*v)) return Status::Invalid("must be one of low, normal, high, urgent", "priority");
    q->priority = v;
  }
  if (auto v = get("assignee")) {
    Result<std::string> a = ParseMailAddress(*v);
    if (!a.ok()) return Status::Invalid(a.status().message(), "assignee");
    q->assignee = *a;
  }
  if (auto v = get("requester")) {
    Result<std::string> a = ParseMailAddress(*v);
    if (!a.ok()) return Status::Invalid(a.status().message(), "requester");
    q->requester = *a;
  }
  if (auto v = get("q")) {
    if (!Trim(*v).empty()) q->text = *v;
  }
  for (const char* k : {"created_after", "created_before"}) {
    if (auto v = get(k)) {
      std::optional<Timestamp> t = ParseRfc3339(*v);
      if (!t) return Status::Invalid("must be an RFC 3339 time such as 2026-01-31T09:00:00Z", k);
      (std::string_view(k) == "created_after" ? q->created_after : q->created_before) = t;
    }
  }
  for (const char* k : {"quarantined", "breached"}) {
    if (auto v = get(k)) {
      if (*v != "true" && *v != "false") return Status::Invalid("must be true or false", k);
      (std::string_view(k) == "quarantined" ? q->quarantined : q->breached) = *v == "true";
    }
  }
  if (auto v = get("sort")) {
    bool found = false;
    for (auto s : {TicketQuery::Sort::kIdDesc, TicketQuery::Sort::kIdAsc, TicketQuery::Sort::kCreatedDesc,
                   TicketQuery::Sort::kCreatedAsc, TicketQuery::Sort::kUpdatedDesc,
                   TicketQuery::Sort::kUpdatedAsc}) {
      if (*v == SortName(s)) {
        q->sort = s;
        found = true;
      }
    }
    if (!found) return Status::Invalid("must be one of id, -id, created_at, -created_at, updated_at, -updated_at", "sort");
  }
  if (auto v = get("limit")) {
    std::optional<int64_t> n = ParseId(*v);
    if (!n || *n > 100) return Status::Invalid("must be a whole number from 1 to 100", "limit");
    q->limit = static_cast<int>(*n);
  }
  if (auto v = get("cursor")) {
    // The cursor is opaque to clients: "t1|<sort>|<key>|<id>", base64url.
    std::string raw;
    if (!Base64UrlDecode(*v, &raw)) return Status::Invalid("is not a cursor from this API", "cursor");
    std::vector<std::string> parts;
    size_t start = 0;
    for (size_t bar; (bar = raw.find('|', start)) != std::string::npos; start = bar + 1)
      parts.push_back(raw.substr(start, bar - start));
    parts.push_back(raw.substr(start));
    if (parts.size() != 4 || parts[0] != "t1") return Status::Invalid("is not a cursor from this API", "cursor");
    if (parts[1] != SortName(q->sort)) return Status::Invalid("was made for another sort order", "cursor");
    std::optional<int64_t> id = ParseId(parts[3]);
    bool neg = !parts[2].empty() && parts[2][0] == '-';
    std::optional<int64_t> key = ParseId(neg ? parts[2].substr(1) : parts[2]);
    if (!id || (!key && parts[2] != "0")) return Status::Invalid("is not a cursor from this API", "cursor");
    q->after_id = id;
    q->after_key = key ? (neg ? -*key : *key) : 0;
  }
  return Status::Ok();
}

// --- handlers --------------------------------------------------------------

void ListTickets(Daemon& daemon, const httplib::Request& req, httplib::Response& res) {
  TicketQuery q;
  Status s = ParseListQuery(req, &q);
  if (!s.ok()) return WriteError(res, s);
  Result<StorePool::Lease> store = daemon.stores().Acquire();
  if (!store.ok()) return WriteError(res, store.status());
  TicketStore tickets(**store);
  Result<TicketPage> page = tickets.List(q);
  if (!page.ok()) return WriteError(res, page.status());
  json list = json::array();
  for (const Ticket& t : page->tickets) list.push_back(TicketJson(t));
  json next = nullptr;
  if (page->more && !page->tickets.empty()) {
    const Ticket& last = page->tickets.back();
    next = Base64UrlEncode(std::string("t1|") + SortName(q.sort) + "|" +
                           std::to_string(SortKey(last, q.sort)) + "|" + std::to_string(last.id));
  }
  SendJson(res, {{"tickets", list}, {"next_cursor", next}});
}

// The ticket's survey: where it stands, and the answer once there is one.
json SurveyJson(const std::optional<Survey>& s, Timestamp now) {
  if (!s) return nullptr;
  std::string state = s->answered_at ? "answered"
                      : now >= s->expires_at ? "expired"
                      : s->sent_at           ? "sent"
                                             : "scheduled";
  return {{"state", state},
          {"scheduled_at", FormatRfc3339(s->scheduled_at)},
          {"sent_at", Time(s->sent_at)},
          {"expires_at", FormatRfc3339(s->expires_at)},
          {"scale", {s->scale_min, s->scale_max}},
          {"score", s->score ? json(*s->score) : json(nullptr)},
          {"comment", s->comment.empty() ? json(nullptr) : json(s->comment)},
          {"answered_at", Time(s->answered_at)},
          {"answers", s->answers}};
}

void GetTicket(Daemon& daemon, const httplib::Request& req, httplib::Response& res) {
  std::optional<int64_t> id = ParseId(req.matches[1]);
  if (!id) return WriteError(res, 404, "not_found", "no such ticket");
  Result<StorePool::Lease> store = daemon.stores().Acquire();
  if (!store.ok()) return WriteError(res, store.status());
  TicketStore tickets(**store);
  // One read transaction, so the parts agree with each other and the ETag.
  Result<std::unique_ptr<Txn>> txn = Txn::Begin((*store)->db(), Txn::Mode::kDeferred);
  if (!txn.ok()) return WriteError(res, txn.status());
  Result<Ticket> t = tickets.Get(*id);
  if (!t.ok()) return WriteError(res, t.status());
  Result<std::vector<MessageRecord>> messages = tickets.Messages(*id);
  Result<std::vector<AttachmentRecord>> attachments = tickets.Attachments(*id);
  Result<std::vector<EventRecord>> events = tickets.Events(*id);
  Result<std::vector<SlaTargetRecord>> sla = tickets.SlaTargets(*id);
  Result<std::optional<Survey>> survey = CsatStore(**store).Get(*id);
  for (const Status* s : {&messages.status(), &attachments.status(), &events.status(), &sla.status(),
                          &survey.status()}) {
    if (!s->ok()) return WriteError(res, *s);
  }
  json body = TicketJson(*t);
  json msgs = json::array();
  for (const MessageRecord& m : *messages) {
    json atts = json::array();
    for (const AttachmentRecord& a : *attachments) {
      if (a.message_id != m.id) continue;
      atts.push_back({{"id", a.id}, {"filename", a.filename}, {"content_type", a.content_type},
                      {"size", a.size}, {"sha256", a.sha256},
                      {"url", "/api/v1/tickets/" + std::to_string(*id) + "/attachments/" + std::to_string(a.id)}});
    }
    msgs.push_back({{"id", m.id}, {"kind", Name(m.kind)}, {"channel", Name(m.channel)},
                    {"author", {{"email", Opt(m.author_email)}, {"name", Opt(m.author_name)}}},
                    {"subject", m.subject}, {"body", m.body_text}, {"message_id", Opt(m.message_id)},
                    {"auto_submitted", m.auto_submitted}, {"created_at", FormatRfc3339(m.created_at)},
                    {"attachments", atts}});
  }
  json evs = json::array();
  for (const EventRecord& e : *events) {
    json detail = json::parse(e.detail_json, nullptr, false);
    evs.push_back({{"id", e.id}, {"at", FormatRfc3339(e.at)}, {"kind", e.kind}, {"actor", e.actor},
                   {"rule_id", Opt(e.rule_id)}, {"detail", detail.is_discarded() ? json::object() : detail}});
  }
  json targets = json::array();
  for (const SlaTargetRecord& r : *sla) {
    targets.push_back({{"target", r.target}, {"cycle", r.cycle}, {"started_at", FormatRfc3339(r.started_at)},
                       {"due_at", Time(r.due_at)}, {"paused_since", Time(r.paused_since)},
                       {"paused_seconds", r.paused_seconds}, {"met_at", Time(r.met_at)},
                       {"breached_at", Time(r.breached_at)},
                       {"business_seconds", r.business_seconds ? json(*r.business_seconds) : json(nullptr)}});
  }
  body["messages"] = msgs;
  body["events"] = evs;
  body["sla"] = targets;
  body["csat"] = SurveyJson(*survey, daemon.clock().Now());
  res.set_header("ETag", ETag(t->version));
  SendJson(res, body);
}

void GetAttachment(Daemon& daemon, const httplib::Request& req, httplib::Response& res) {
  std::optional<int64_t> id = ParseId(req.matches[1]);
  std::optional<int64_t> aid = ParseId(req.matches[2]);
  if (!id || !aid) return WriteError(res, 404, "not_found", "no such attachment");
  Result<StorePool::Lease> store = daemon.stores().Acquire();
  if (!store.ok()) return WriteError(res, store.status());
  TicketStore tickets(**store);
  Result<AttachmentContent> a = tickets.Attachment(*id, *aid);
  if (!a.ok()) return WriteError(res, a.status());
  // Always a download, never rendered: an attachment is customer content.
  res.set_header("Content-Disposition", ContentDisposition(a->meta.filename));
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Content-Security-Policy", "sandbox; default-src 'none'");
  res.set_content(a->data, a->meta.content_type);
}

Status ParsePatch(const std::string& body, const Config& config, TicketPatch* p) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded()) return Status::Invalid("malformed JSON");
  if (!j.is_object()) return Status::Invalid("the body must be a JSON object");
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    const json& v = it.value();
    if (k == "status" || k == "priority" || k == "queue") {
      if (!v.is_string()) return Status::Invalid("must be a string", k);
      std::string s = v.get<std::string>();
      if (k == "status") {
        p->status = ParseTicketStatus(s);
        if (!p->status) return Status::Invalid("must be one of " + StatusList(), k);
      } else if (k == "priority") {
        if (!IsPriority(s)) return Status::Invalid("must be one of low, normal, high, urgent", k);
        p->priority = s;
      } else {
        if (!config.FindQueue(s)) return Status::Invalid("unknown queue \"" + s + "\"", k);
        p->queue = s;
      }
    } else if (k == "assignee") {
      if (v.is_null()) {
        p->assignee = std::optional<std::string>();
      } else if (v.is_string()) {
        Result<std::string> a = ParseMailAddress(v.get<std::string>());
        if (!a.ok()) return Status::Invalid(a.status().message(), k);
        p->assignee = std::optional<std::string>(*a);
      } else {
        return Status::Invalid("must be an address or null", k);
      }
    } else if (k == "tags") {
      if (!v.is_array()) return Status::Invalid("must be an array of strings", k);
      std::vector<std::string> tags;
      for (const json& t : v) {
        if (!t.is_string()) return Status::Invalid("must be an array of strings", k);
        Status s = ValidateTag(t.get<std::string>());
        if (!s.ok()) return s;
        tags.push_back(t.get<std::string>());
      }
      if (tags.size() > 50) return Status::Invalid("at most 50 tags", k);
      p->tags = tags;
    } else {
      return Status::Invalid("unknown field; a ticket's status, priority, queue, assignee and tags can change", k);
    }
  }
  return Status::Ok();
}

void PatchTicket(Daemon& daemon, const httplib::Request& req, httplib::Response& res, const TokenInfo& token) {
  std::optional<int64_t> id = ParseId(req.matches[1]);
  if (!id) return WriteError(res, 404, "not_found", "no such ticket");
  Result<std::optional<int64_t>> expected = ParseIfMatch(req);
  if (!expected.ok()) return WriteError(res, expected.status());
  TicketPatch patch;
  Status s = ParsePatch(req.body, *daemon.config(), &patch);
  if (!s.ok()) return WriteError(res, s);
  Ticket updated;
  Timestamp now = daemon.clock().Now();
  ConfigInfo info = daemon.config_info();
  std::shared_ptr<const Config> config = info.config;
  std::shared_ptr<const SlaEngine> sla = info.sla;
  s = daemon.writer().Run([&](Store& store) -> Status {
    Result<Ticket> after = TicketService(store, *config, *sla).Patch(*id, patch, *expected, Actor::ApiToken(token.name), now);
    if (!after.ok()) return after.status();
    updated = *after;
    return Status::Ok();
  });
  if (!s.ok()) return WriteError(res, s);
  res.set_header("ETag", ETag(updated.version));
  SendJson(res, TicketJson(updated));
}

void CreateTicket(Daemon& daemon, const httplib::Request& req, httplib::Response& res, const TokenInfo& token) {
  ConfigInfo info = daemon.config_info();
  std::shared_ptr<const Config> config = info.config;
  IntakeRequest r;
  r.channel = Channel::kApi;
  r.actor = Actor::ApiToken(token.name);
  r.key_scope = "api:" + token.public_id;
  Status s = ParseTicketJson(req.body, true, &r);
  if (!s.ok()) return WriteError(res, s);
  r.idempotency_key = req.get_header_value("Idempotency-Key");
  std::vector<FieldError> errors = daemon.intake().Validate(r, *config);
  if (!errors.empty()) {
    json details = json::array();
    for (const FieldError& e : errors) details.push_back({{"field", e.field}, {"message", e.message}});
    const FieldError& f = errors.front();
    SendJson(res, {{"error", {{"code", f.too_large ? "too_large" : "invalid"}, {"message", f.field + ": " + f.message},
                              {"field", f.field}, {"details", details}}}},
             f.too_large ? 413 : 400);
    return;
  }
  Result<CreatedTicket> created = daemon.intake().Submit(r, *config, *info.router, *info.sla);
  if (!created.ok()) return WriteError(res, created.status());
  Result<StorePool::Lease> store = daemon.stores().Acquire();
  if (!store.ok()) return WriteError(res, store.status());
  TicketStore tickets(**store);
  Result<Ticket> t = tickets.Get(created->ticket_id);
  if (!t.ok()) return WriteError(res, t.status());
  res.set_header("Location", "/api/v1/tickets/" + std::to_string(t->id));
  res.set_header("ETag", ETag(t->version));
  if (created->replayed) res.set_header("Idempotent-Replayed", "true");
  SendJson(res, TicketJson(*t), created->replayed ? 200 : 201);
}

void AddMessage(Daemon& daemon, const httplib::Request& req, httplib::Response& res, const TokenInfo& token) {
  std::optional<int64_t> id = ParseId(req.matches[1]);
  if (!id) return WriteError(res, 404, "not_found", "no such ticket");
  json j = json::parse(req.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return WriteError(res, Status::Invalid("the body must be a JSON object"));
  NewMessage m;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.key() != "kind" && it.key() != "body" && it.key() != "author") {
      return WriteError(res, Status::Invalid("unknown field", it.key()));
    }
  }
  if (!j.contains("kind") || !j["kind"].is_string() ||
      (j["kind"] != "reply" && j["kind"] != "note")) {
    return WriteError(res, Status::Invalid("must be \"reply\" or \"note\"", "kind"));
  }
  m.kind = j["kind"] == "reply" ? MessageKind::kReply : MessageKind::kNote;
  m.channel = Channel::kApi;
  if (!j.contains("body") || !j["body"].is_string()) return WriteError(res, Status::Invalid("must be a string", "body"));
  m.body = j["body"].get<std::string>();
  if (!IsValidUtf8(m.body)) return WriteError(res, Status::Invalid("is not valid UTF-8", "body"));
  if (Trim(m.body).empty()) return WriteError(res, Status::Invalid("must not be empty", "body"));
  if (HasControlChars(m.body)) return WriteError(res, Status::Invalid("contains control characters", "body"));
  if (Utf8Length(m.body) > kMaxReplyChars) return WriteError(res, Status::TooLarge("is longer than 100000 characters", "body"));
  if (j.contains("author")) {
    const json& a = j["author"];
    if (!a.is_object()) return WriteError(res, Status::Invalid("must be an object with email and name", "author"));
    if (a.contains("email")) {
      if (!a["email"].is_string()) return WriteError(res, Status::Invalid("must be a string", "author.email"));
      Result<std::string> e = ParseMailAddress(a["email"].get<std::string>());
      if (!e.ok()) return WriteError(res, Status::Invalid(e.status().message(), "author.email"));
      m.author_email = *e;
    }
    if (a.contains("name")) {
      if (!a["name"].is_string()) return WriteError(res, Status::Invalid("must be a string", "author.name"));
      std::string name = a["name"].get<std::string>();
      if (!IsValidUtf8(name) || HasControlChars(name) || name.find_first_of("\r\n") != std::string::npos ||
          name.size() > 200) {
        return WriteError(res, Status::Invalid("must be one line of at most 200 bytes", "author.name"));
      }
      m.author_name = name;
    }
  }
  m.actor = Actor::ApiToken(token.name);
  m.now = daemon.clock().Now();
  int64_t message_id = 0;
  ConfigInfo info = daemon.config_info();
  std::shared_ptr<const Config> config = info.config;
  std::shared_ptr<const SlaEngine> sla = info.sla;
  Status s = daemon.writer().Run([&](Store& store) -> Status {
    Result<int64_t> r = TicketService(store, *config, *sla).AddMessage(*id, m);
    if (!r.ok()) return r.status();
    message_id = *r;
    return Status::Ok();
  });
  if (!s.ok()) return WriteError(res, s);
  SendJson(res, {{"id", message_id}, {"ticket_id", *id}, {"kind", Name(m.kind)}}, 201);
}

// The paging parameters of a list: `limit` (1 to 100) and `before` (an
// id). Other parameters go to their reader in `extra`; any other name is an
// error that names it.
struct Page {
  int limit = 50;
  std::optional<int64_t> before;
};
using ParamReader = std::function<Status(const std::string&)>;
Status ReadPage(const httplib::Request& req, const std::string& id_text,
                const std::map<std::string, ParamReader>& extra, Page* page) {
  for (const auto& [k, v] : req.params) {
    if (k == "limit") {
      std::optional<int64_t> n = ParseId(v);
      if (!n || *n > 100) return Status::Invalid("must be a whole number from 1 to 100", "limit");
      page->limit = static_cast<int>(*n);
    } else if (k == "before") {
      page->before = ParseId(v);
      if (!page->before) return Status::Invalid("must be " + id_text, "before");
    } else if (auto reader = extra.find(k); reader != extra.end()) {
      Status s = reader->second(v);
      if (!s.ok()) return s;
    } else {
      return Status::Invalid("unknown parameter", k);
    }
  }
  return Status::Ok();
}

// The watch list, one entry per customer with every open reason.
void ListWatched(Daemon& daemon, const httplib::Request& req, httplib::Response& res) {
  for (const auto& [k, v] : req.params) {
    if (k != "watch") return WriteError(res, Status::Invalid("unknown parameter; use watch=true", k));
    if (v != "true") return WriteError(res, Status::Invalid("only watch=true is supported: the customers on the watch list", k));
  }
  if (!req.has_param("watch")) {
    return WriteError(res, Status::Invalid("say watch=true: the customers on the watch list", "watch"));
  }
  Result<StorePool::Lease> store = daemon.stores().Acquire();
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

void Unwatch(Daemon& daemon, const httplib::Request& req, httplib::Response& res, const TokenInfo& token) {
  Result<std::string> address = ParseMailAddress(req.matches[1].str());
  if (!address.ok()) return WriteError(res, Status::Invalid(address.status().message(), "email"));
  Timestamp now = daemon.clock().Now();
  int64_t cleared = 0;
  Status s = daemon.writer().Run([&](Store& store) -> Status {
    Result<int64_t> n = CsatStore(store).ClearWatch(*address, now, "api:" + token.name);
    if (!n.ok()) return n.status();
    cleared = *n;
    return Status::Ok();
  });
  if (!s.ok()) return WriteError(res, s);
  if (cleared == 0) return WriteError(res, 404, "not_found", *address + " is not on the watch list");
  SendJson(res, {{"email", *address}, {"watch", false}, {"cleared", cleared}});
}

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
  auto gauge = [&](const std::string& name, const char* help, const Result<int64_t>& value) {
    if (!value.ok()) return;
    out += "# HELP " + name + " " + help + "\n# TYPE " + name + " gauge\n" + name + " " + std::to_string(*value) + "\n";
  };
  gauge("frontdesk_customers_watched", "Customers on the watch list.", m.Watched());
  gauge("frontdesk_kpi_cache_hours", "Hours the KPI report's cache holds; serve fills each hour once it is over.",
        m.KpiCacheHours());
  return out;
}

void ServeMetrics(Daemon& daemon, httplib::Response& res) {
  std::string gauges;
  gauges += "# HELP frontdesk_tickets Tickets in the database, by status.\n# TYPE frontdesk_tickets gauge\n";
  Result<StorePool::Lease> store = daemon.stores().Acquire();
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
      Timestamp now = daemon.clock().Now();
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
            std::to_string(daemon.writer().batches()) + "\n";
  gauges += "# TYPE frontdesk_write_jobs_total counter\nfrontdesk_write_jobs_total " +
            std::to_string(daemon.writer().jobs()) + "\n";
  res.set_content(daemon.metrics().Render(gauges), "text/plain; version=0.0.4; charset=utf-8");
}

}  // namespace

void RegisterAdminRoutes(HttpServer& server, Daemon& daemon) {
  server.Get("/healthz", "/healthz",
             Authorized(daemon, Scope::kRead, [&daemon](const httplib::Request&, httplib::Response& res,
                                                        const TokenInfo&) {
    ConfigInfo ci = daemon.config_info();
    json body;
    body["status"] = "ok";
    body["version"] = FRONTDESK_VERSION;
    body["started_at"] = FormatRfc3339(daemon.started_at());
    body["config"] = {
        {"path", ci.config->path},
        {"generation", ci.generation},
        {"loaded_at", FormatRfc3339(ci.loaded_at)},
        {"last_reload_error", ci.last_reload_error.empty() ? json(nullptr) : json(ci.last_reload_error)},
    };
    Result<StorePool::Lease> store = daemon.stores().Acquire();
    Result<int> version = store.ok() ? (*store)->SchemaVersion() : Result<int>(store.status());
    body["database"] = {{"path", ci.config->server.DatabasePath()},
                        {"schema_version", version.ok() ? json(*version) : json(nullptr)}};
    if (!version.ok()) {
      body["status"] = "unavailable";
      body["database"]["error"] = version.status().message();
    }
    // Each configured mailbox: when it last worked, what failed since, and
    // how far behind the intake may be (the time since a poll last left
    // nothing waiting on the server).
    json boxes = json::array();
    if (version.ok()) {
      Timestamp now = daemon.clock().Now();
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
  }));

  server.Get("/metrics", "/metrics",
             Authorized(daemon, Scope::kRead, [&daemon](const httplib::Request&, httplib::Response& res,
                                                        const TokenInfo&) { ServeMetrics(daemon, res); }));

  server.Get("/api/v1/tickets", "/api/v1/tickets",
             Authorized(daemon, Scope::kRead, [&daemon](const httplib::Request& req, httplib::Response& res,
                                                        const TokenInfo&) { ListTickets(daemon, req, res); }));
  server.Post("/api/v1/tickets", "/api/v1/tickets",
              Authorized(daemon, Scope::kWrite, [&daemon](const httplib::Request& req, httplib::Response& res,
                                                          const TokenInfo& t) { CreateTicket(daemon, req, res, t); }));
  server.Get(R"(/api/v1/tickets/([^/]+))", "/api/v1/tickets/{id}",
             Authorized(daemon, Scope::kRead, [&daemon](const httplib::Request& req, httplib::Response& res,
                                                        const TokenInfo&) { GetTicket(daemon, req, res); }));
  server.Patch(R"(/api/v1/tickets/([^/]+))", "/api/v1/tickets/{id}",
               Authorized(daemon, Scope::kWrite, [&daemon](const httplib::Request& req, httplib::Response& res,
                                                           const TokenInfo& t) { PatchTicket(daemon, req, res, t); }));
  server.Post(R"(/api/v1/tickets/([^/]+)/messages)", "/api/v1/tickets/{id}/messages",
              Authorized(daemon, Scope::kWrite, [&daemon](const httplib::Request& req, httplib::Response& res,
                                                          const TokenInfo& t) { AddMessage(daemon, req, res, t); }));
  server.Get(R"(/api/v1/tickets/([^/]+)/attachments/([^/]+))", "/api/v1/tickets/{id}/attachments/{aid}",
             Authorized(daemon, Scope::kRead, [&daemon](const httplib::Request& req, httplib::Response& res,
                                                        const TokenInfo&) { GetAttachment(daemon, req, res); }));

  server.Get("/api/v1/rejections", "/api/v1/rejections",
             Authorized(daemon, Scope::kRead, [&daemon](const httplib::Request& req, httplib::Response& res,
                                                        const TokenInfo&) {
    Page page;
    Status bad = ReadPage(req, "a rejection id", {}, &page);
    if (!bad.ok()) return WriteError(res, bad);
    int limit = page.limit;
    std::optional<int64_t> before = page.before;
    Result<StorePool::Lease> store = daemon.stores().Acquire();
    if (!store.ok()) return WriteError(res, store.status());
    Result<std::vector<SlaStore::Rejection>> rows = SlaStore(**store).Rejections(limit, before);
    if (!rows.ok()) return WriteError(res, rows.status());
    json list = json::array();
    for (const SlaStore::Rejection& r : *rows) {
      list.push_back({{"id", r.id}, {"at", FormatRfc3339(r.at)}, {"channel", r.channel}, {"rule_id", r.rule},
                      {"reason", r.reason}, {"sender", r.sender}, {"subject", r.subject}});
    }
    SendJson(res, {{"rejections", list}});
  }));

  server.Get("/api/v1/outbox", "/api/v1/outbox",
             Authorized(daemon, Scope::kRead, [&daemon](const httplib::Request& req, httplib::Response& res,
                                                        const TokenInfo&) {
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
    Result<StorePool::Lease> store = daemon.stores().Acquire();
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
  }));

  server.Get("/api/v1/customers", "/api/v1/customers",
             Authorized(daemon, Scope::kRead, [&daemon](const httplib::Request& req, httplib::Response& res,
                                                        const TokenInfo&) { ListWatched(daemon, req, res); }));
  server.Delete(R"(/api/v1/customers/([^/]+)/watch)", "/api/v1/customers/{email}/watch",
                Authorized(daemon, Scope::kWrite, [&daemon](const httplib::Request& req, httplib::Response& res,
                                                            const TokenInfo& t) { Unwatch(daemon, req, res, t); }));

  server.Get("/api/v1/reports/kpi", "/api/v1/reports/kpi",
             Authorized(daemon, Scope::kRead, [&daemon](const httplib::Request& req, httplib::Response& res,
                                                        const TokenInfo&) {
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
    std::shared_ptr<const Config> config = daemon.config();
    Timestamp now = daemon.clock().Now();
    Result<KpiQuery> q = MakeKpiQuery(p, *config, now);
    if (!q.ok()) return WriteError(res, q.status());
    Result<StorePool::Lease> store = daemon.stores().Acquire();
    if (!store.ok()) return WriteError(res, store.status());
    Result<KpiReport> r = RunKpiReport(**store, *q, now);
    if (!r.ok()) return WriteError(res, r.status());
    SendJson(res, KpiJson(*r));
  }));

  server.Post("/api/v1/escalations/run", "/api/v1/escalations/run",
              Authorized(daemon, Scope::kWrite, [&daemon](const httplib::Request& req, httplib::Response& res,
                                                          const TokenInfo&) {
    bool dry_run = req.has_param("dry_run") && req.get_param_value("dry_run") == "true";
    Result<SweepReport> r = daemon.Escalate(dry_run);
    if (!r.ok()) return WriteError(res, r.status());
    SendJson(res, {{"dry_run", dry_run}, {"tickets", r->tickets}, {"breaches", r->breaches},
                   {"levels_fired", r->levels_fired}, {"lines", r->lines}});
  }));

  server.Post("/api/v1/config/reload", "/api/v1/config/reload",
              Authorized(daemon, Scope::kAdmin, [&daemon](const httplib::Request&, httplib::Response& res,
                                                          const TokenInfo&) {
    Status s = daemon.Reload();
    ConfigInfo ci = daemon.config_info();
    if (!s.ok()) {
      // The old config keeps serving; say so next to the errors.
      SendJson(res, {{"error", {{"code", "invalid_config"}, {"message", s.message()}, {"field", nullptr}}},
                     {"generation", ci.generation}},
               422);
      return;
    }
    SendJson(res, {{"status", "reloaded"}, {"generation", ci.generation}});
  }));
}

}  // namespace frontdesk
