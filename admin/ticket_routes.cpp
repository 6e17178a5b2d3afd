#include "admin/ticket_routes.h"

#include <nlohmann/json.hpp>

#include "admin/api_util.h"
#include "config/values.h"
#include "daemon/base/text.h"
#include "daemon/outbox/render.h"
#include "daemon/outbox/survey.h"
#include "daemon/store/csat_store.h"
#include "daemon/store/ticket_list.h"
#include "daemon/store/ticket_store.h"
#include "daemon/store/token_store.h"
#include "daemon/tickets/ticket_service.h"
#include "daemon/web/http_input.h"
#include "daemon/web/http_server.h"
#include "daemon/web/serve_context.h"

namespace frontdesk {
namespace {

using nlohmann::json;

const char* SortName(TicketQuery::Sort s) {
  switch (s) {
    case TicketQuery::Sort::kIdDesc: return "-id";
    case TicketQuery::Sort::kIdAsc: return "id";
    case TicketQuery::Sort::kCreatedDesc: return "-created_at";
    case TicketQuery::Sort::kCreatedAsc: return "created_at";
    case TicketQuery::Sort::kUpdatedDesc: return "-updated_at";
    case TicketQuery::Sort::kUpdatedAsc: return "updated_at";
    case TicketQuery::Sort::kDueAsc: return "due";
  }
  return "-id";
}
int64_t SortKey(const Ticket& t, TicketQuery::Sort s) {
  switch (s) {
    case TicketQuery::Sort::kCreatedDesc:
    case TicketQuery::Sort::kCreatedAsc: return ToUnix(t.created_at);
    case TicketQuery::Sort::kUpdatedDesc:
    case TicketQuery::Sort::kUpdatedAsc: return ToUnix(t.updated_at);
    case TicketQuery::Sort::kDueAsc: return t.sla_due_at ? ToUnix(*t.sla_due_at) : INT64_MAX;
    default: return t.id;
  }
}
Status ParseListQuery(const httplib::Request& req, TicketQuery* q) {
  static const std::vector<std::string> kKnown = {
      "status", "queue", "priority", "assignee", "requester", "q", "created_after",
      "created_before", "quarantined", "breached", "automatic", "sort", "limit", "cursor"};
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
  for (auto [k, flag] : {std::pair{"quarantined", &q->quarantined}, std::pair{"breached", &q->breached},
                         std::pair{"automatic", &q->automatic}}) {
    if (auto v = get(k)) {
      if (*v != "true" && *v != "false") return Status::Invalid("must be true or false", k);
      *flag = *v == "true";
    }
  }
  if (auto v = get("sort")) {
    bool found = false;
    for (auto s : {TicketQuery::Sort::kIdDesc, TicketQuery::Sort::kIdAsc, TicketQuery::Sort::kCreatedDesc,
                   TicketQuery::Sort::kCreatedAsc, TicketQuery::Sort::kUpdatedDesc,
                   TicketQuery::Sort::kUpdatedAsc, TicketQuery::Sort::kDueAsc}) {
      if (*v == SortName(s)) {
        q->sort = s;
        found = true;
      }
    }
    if (!found) {
      return Status::Invalid("must be one of id, -id, created_at, -created_at, updated_at, -updated_at, due", "sort");
    }
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
// Every field is optional, so an empty body is {}: a PATCH that changes
// nothing and answers the ticket.
Status ParsePatch(const httplib::Request& req, const Config& config, TicketPatch* p) {
  Result<json> parsed = ReadOptionalObject(req, {"status", "priority", "queue", "assignee", "tags"});
  if (!parsed.ok()) return parsed.status();
  const json& j = *parsed;
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
    }
  }
  return Status::Ok();
}
}  // namespace

void ListTickets(ServeContext& ctx, const httplib::Request& req, httplib::Response& res, const TokenInfo&) {
  TicketQuery q;
  Status s = ParseListQuery(req, &q);
  if (!s.ok()) return WriteError(res, s);
  Result<StorePool::Lease> store = ctx.stores.Acquire();
  if (!store.ok()) return WriteError(res, store.status());
  Result<TicketPage> page = TicketList(**store).List(q);
  if (!page.ok()) return WriteError(res, page.status());
  json list = json::array();
  for (const Ticket& t : page->tickets) list.push_back(TicketJson(t));
  json next = nullptr;
  if (page->more && !page->tickets.empty()) {
    const Ticket& last = page->tickets.back();
    next = Base64UrlEncode(std::string("t1|") + SortName(q.sort) + "|" +
                           std::to_string(SortKey(last, q.sort)) + "|" + std::to_string(last.id));
  }
  SendJsonValidated(req, res, {{"tickets", list}, {"next_cursor", next}});
}
void GetTicket(ServeContext& ctx, const httplib::Request& req, httplib::Response& res, const TokenInfo&) {
  std::optional<int64_t> id = ParseId(req.matches[1]);
  if (!id) return WriteError(res, 404, "not_found", "no such ticket");
  Result<StorePool::Lease> store = ctx.stores.Acquire();
  if (!store.ok()) return WriteError(res, store.status());
  TicketStore tickets(**store);
  // One read transaction, so the parts agree with each other and the ETag.
  Result<std::unique_ptr<Txn>> txn = Txn::Begin((*store)->db(), Txn::Mode::kDeferred);
  if (!txn.ok()) return WriteError(res, txn.status());
  Result<Ticket> t = tickets.Get(*id);
  if (!t.ok()) return WriteError(res, t.status());
  // The version moves with every change to the ticket, so a client that
  // holds it needs none of the rest.
  if (NotModified(req, res, ETag(t->version))) return;
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
  body["csat"] = SurveyJson(*survey, ctx.clock.Now());
  SendJson(res, body);
}
void GetAttachment(ServeContext& ctx, const httplib::Request& req, httplib::Response& res, const TokenInfo&) {
  std::optional<int64_t> id = ParseId(req.matches[1]);
  std::optional<int64_t> aid = ParseId(req.matches[2]);
  if (!id || !aid) return WriteError(res, 404, "not_found", "no such attachment");
  Result<StorePool::Lease> store = ctx.stores.Acquire();
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
void PatchTicket(ServeContext& ctx, const httplib::Request& req, httplib::Response& res, const TokenInfo& token) {
  std::optional<int64_t> id = ParseId(req.matches[1]);
  if (!id) return WriteError(res, 404, "not_found", "no such ticket");
  Result<std::optional<int64_t>> expected = ParseIfMatch(req);
  if (!expected.ok()) return WriteError(res, expected.status());
  TicketPatch patch;
  Status s = ParsePatch(req, *ctx.config(), &patch);
  if (!s.ok()) return WriteError(res, s);
  Ticket updated;
  Timestamp now = ctx.clock.Now();
  ConfigInfo info = ctx.config_info();
  std::shared_ptr<const Config> config = info.config;
  std::shared_ptr<const SlaEngine> sla = info.sla;
  s = ctx.writer.Run([&](Store& store) -> Status {
    Result<Ticket> after = TicketService(store, *config, *sla).Patch(*id, patch, *expected, Actor::ApiToken(token.name), now);
    if (!after.ok()) return after.status();
    updated = *after;
    return Status::Ok();
  });
  if (!s.ok()) return WriteError(res, s);
  res.set_header("ETag", ETag(updated.version));
  SendJson(res, TicketJson(updated));
}
void CreateTicket(ServeContext& ctx, const httplib::Request& req, httplib::Response& res, const TokenInfo& token) {
  ConfigInfo info = ctx.config_info();
  std::shared_ptr<const Config> config = info.config;
  IntakeRequest r;
  r.channel = Channel::kApi;
  r.actor = Actor::ApiToken(token.name);
  r.key_scope = "api:" + token.public_id;
  Status s = ParseTicketJson(req.body, true, &r);
  if (!s.ok()) return WriteError(res, s);
  r.idempotency_key = req.get_header_value("Idempotency-Key");
  std::vector<FieldError> errors = ctx.intake.Validate(r, *config);
  if (!errors.empty()) {
    json details = json::array();
    for (const FieldError& e : errors) details.push_back({{"field", e.field}, {"message", e.message}});
    const FieldError& f = errors.front();
    SendJson(res, {{"error", {{"code", f.too_large ? "too_large" : "invalid"}, {"message", f.field + ": " + f.message},
                              {"field", f.field}, {"details", details}}}},
             f.too_large ? 413 : 400);
    return;
  }
  Result<CreatedTicket> created = ctx.intake.Submit(r, *config, *info.router, *info.sla);
  if (!created.ok()) return WriteError(res, created.status());
  Result<StorePool::Lease> store = ctx.stores.Acquire();
  if (!store.ok()) return WriteError(res, store.status());
  TicketStore tickets(**store);
  Result<Ticket> t = tickets.Get(created->ticket_id);
  if (!t.ok()) return WriteError(res, t.status());
  // What the customer is told about when to expect an answer, for a client
  // that shows it itself (docs/API.md).
  Result<std::optional<ReplyPromise>> promise = FirstReplyPromise(*config, **store, t->id, ctx.clock.Now());
  if (!promise.ok()) return WriteError(res, promise.status());
  json body = TicketJson(*t);
  body["first_response_due"] = *promise ? json(FormatRfc3339((*promise)->due)) : json(nullptr);
  body["first_response_promise"] = *promise ? json((*promise)->sentence) : json(nullptr);
  res.set_header("Location", "/api/v1/tickets/" + std::to_string(t->id));
  res.set_header("ETag", ETag(t->version));
  if (created->replayed) res.set_header("Idempotent-Replayed", "true");
  SendJson(res, body, created->replayed ? 200 : 201);
}
void AddMessage(ServeContext& ctx, const httplib::Request& req, httplib::Response& res, const TokenInfo& token) {
  std::optional<int64_t> id = ParseId(req.matches[1]);
  if (!id) return WriteError(res, 404, "not_found", "no such ticket");
  Result<json> parsed = ParseJsonBody(req.body);
  if (!parsed.ok()) return WriteError(res, parsed.status());
  const json& j = *parsed;
  if (!j.is_object()) return WriteError(res, Status::Invalid("the body must be a JSON object"));
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
  m.now = ctx.clock.Now();
  int64_t message_id = 0;
  ConfigInfo info = ctx.config_info();
  std::shared_ptr<const Config> config = info.config;
  std::shared_ptr<const SlaEngine> sla = info.sla;
  Status s = ctx.writer.Run([&](Store& store) -> Status {
    Result<int64_t> r = TicketService(store, *config, *sla).AddMessage(*id, m);
    if (!r.ok()) return r.status();
    message_id = *r;
    return Status::Ok();
  });
  if (!s.ok()) return WriteError(res, s);
  SendJson(res, {{"id", message_id}, {"ticket_id", *id}, {"kind", Name(m.kind)}}, 201);
}

}  // namespace frontdesk
