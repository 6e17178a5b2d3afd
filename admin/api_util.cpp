#include "admin/api_util.h"

#include <algorithm>

#include "daemon/base/random.h"
#include "daemon/base/text.h"
#include "daemon/web/http_input.h"
#include "daemon/web/http_server.h"

namespace frontdesk {

using nlohmann::json;

void SendJson(httplib::Response& res, const json& body, int status) {
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
          {"due_at", Time(t.sla_due_at)},
          {"linked_ticket_id", t.linked_ticket_id ? json(*t.linked_ticket_id) : json(nullptr)},
          {"automatic", t.automatic},
          {"merged_into", t.merged_into ? json(*t.merged_into) : json(nullptr)},
          {"reopened_count", t.reopened_count},
          {"version", t.version},
          {"created_at", FormatRfc3339(t.created_at)},
          {"updated_at", FormatRfc3339(t.updated_at)},
          {"first_response_at", Time(t.first_response_at)},
          {"solved_at", Time(t.solved_at)},
          {"closed_at", Time(t.closed_at)}};
}
std::string ETag(int64_t version) { return "\"" + std::to_string(version) + "\""; }
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

std::string BodyETag(std::string_view body) { return "\"" + Sha256Hex(body).substr(0, 32) + "\""; }

bool IfNoneMatchMatches(std::string_view field, std::string_view etag) {
  field = Trim(field);
  if (field == "*") return true;
  if (etag.rfind("W/", 0) == 0) etag.remove_prefix(2);
  auto space = [&](size_t i) { return i < field.size() && (field[i] == ' ' || field[i] == '\t'); };
  size_t i = 0;
  while (i < field.size()) {
    while (space(i) || (i < field.size() && field[i] == ',')) ++i;
    if (i == field.size()) break;
    // entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE; etagc has no DQUOTE, so
    // the tag ends at the next one.
    size_t tag = field.compare(i, 2, "W/") == 0 ? i + 2 : i;
    size_t close = tag < field.size() && field[tag] == '"' ? field.find('"', tag + 1) : std::string_view::npos;
    if (close != std::string_view::npos) {
      size_t end = close + 1;
      while (space(end)) ++end;
      if (end == field.size() || field[end] == ',') {
        if (field.substr(tag, close + 1 - tag) == etag) return true;
        i = end;
        continue;
      }
    }
    // Not an entity-tag: skip to the next element.
    size_t comma = field.find(',', i);
    i = comma == std::string_view::npos ? field.size() : comma + 1;
  }
  return false;
}

bool NotModified(const httplib::Request& req, httplib::Response& res, const std::string& etag) {
  res.set_header("ETag", etag);
  // Several If-None-Match lines mean one list (RFC 9110 5.3).
  std::string field;
  auto [first, last] = req.headers.equal_range("If-None-Match");
  if (first == last) return false;
  for (auto it = first; it != last; ++it) field += (field.empty() ? "" : ", ") + it->second;
  if (!IfNoneMatchMatches(field, etag)) return false;
  res.status = 304;
  res.body.clear();
  return true;
}

void SendJsonValidated(const httplib::Request& req, httplib::Response& res, const json& body) {
  std::string text = body.dump(-1, ' ', false, json::error_handler_t::replace);
  if (NotModified(req, res, BodyETag(text))) return;
  res.status = 200;
  res.set_content(text, "application/json");
}

Result<json> ReadOptionalObject(const httplib::Request& req, const std::vector<std::string>& allowed) {
  if (Trim(req.body).empty()) return json::object();
  Result<json> parsed = ParseJsonBody(req.body);
  if (!parsed.ok()) return parsed.status();
  if (!parsed->is_object()) return Status::Invalid("the body must be a JSON object, or empty");
  for (auto it = parsed->begin(); it != parsed->end(); ++it) {
    if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end()) {
      std::string known;
      for (const std::string& a : allowed) known += (known.empty() ? "" : ", ") + a;
      return Status::Invalid(known.empty() ? "unknown field; this endpoint takes no fields"
                                           : "unknown field; use " + known,
                             it.key());
    }
  }
  return parsed;
}


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


}  // namespace frontdesk
