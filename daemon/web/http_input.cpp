#include "daemon/web/http_input.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "daemon/base/text.h"

namespace frontdesk {
namespace {

using nlohmann::json;

// Moves the string out of `j`: a message or an attachment may be megabytes,
// and the parsed body is not read again.
Status ExpectString(json& j, const char* key, std::string* out, const std::string& field) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return Status::Ok();
  if (!it->is_string()) return Status::Invalid("must be a string", field);
  *out = std::move(it->get_ref<std::string&>());
  return Status::Ok();
}

// Standard base64 (with padding) as sent in JSON attachments.
bool DecodeBase64(std::string_view in, std::string* out) {
  std::string text;
  for (char c : in) {
    if (c == '\r' || c == '\n') continue;
    if (c == '=') break;
    if (c == '+') text += '-';
    else if (c == '/') text += '_';
    else if (c == '-' || c == '_') return false;
    else text += c;
  }
  if (text.size() % 4 == 1) return false;
  return Base64UrlDecode(text, out);
}

}  // namespace

Result<json> ParseJsonBody(std::string_view body) {
  // One pass over the text before the parser sees it: nesting and the
  // number of values, counted outside strings.
  int depth = 0;
  int64_t values = 1;
  bool in_string = false, escaped = false;
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) {
        return Status::Invalid("JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels at byte " +
                               std::to_string(i));
      }
    } else if (c == ']' || c == '}') {
      --depth;
    } else if (c == ',' && ++values > kMaxJsonValues) {
      return Status::Invalid("JSON with more than " + std::to_string(kMaxJsonValues) + " values");
    }
  }
  // A key given twice in one object is refused: which one counts differs
  // between parsers, and a proxy or a log that reads the other one would
  // see another request than the one served.
  struct DuplicateKey {
    std::string key;
  };
  std::vector<std::unordered_set<std::string>> keys;
  json::parser_callback_t check_keys = [&keys](int, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start) {
      keys.emplace_back();
    } else if (event == json::parse_event_t::object_end) {
      keys.pop_back();
    } else if (event == json::parse_event_t::key && !keys.back().insert(parsed.get<std::string>()).second) {
      throw DuplicateKey{parsed.get<std::string>()};
    }
    return true;
  };
  try {
    return json::parse(body, check_keys);
  } catch (const DuplicateKey& d) {
    return Status::Invalid("the key \"" + d.key.substr(0, 100) + "\" appears twice in one object", d.key.substr(0, 100));
  } catch (const json::parse_error& e) {
    return Status::Invalid("malformed JSON at byte " + std::to_string(e.byte));
  } catch (const json::exception& e) {
    // A number out of range, say 1e999999.
    return Status::Invalid(std::string("a value JSON cannot hold: ") + e.what());
  }
}

Status ParseTicketJson(const std::string& body, bool admin_fields, IntakeRequest* out) {
  Result<json> parsed = ParseJsonBody(body);
  if (!parsed.ok()) return parsed.status();
  json& j = *parsed;
  if (!j.is_object()) return Status::Invalid("the body must be a JSON object");
  static const std::vector<std::string> kPublic = {"name", "email", "subject", "message",
                                                   "fields", "attachments", "form_token",
                                                   "website"};
  static const std::vector<std::string> kAdmin = {"requester", "subject", "message", "fields",
                                                  "attachments", "queue", "priority", "tags", "acknowledge"};
  const auto& allowed = admin_fields ? kAdmin : kPublic;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end()) {
      return Status::Invalid("unknown field", it.key());
    }
  }
  Status s;
  if (admin_fields) {
    auto req = j.find("requester");
    if (req == j.end() || !req->is_object()) return Status::Invalid("must be an object with email and name", "requester");
    for (auto it = req->begin(); it != req->end(); ++it) {
      if (it.key() != "email" && it.key() != "name") return Status::Invalid("unknown field", "requester." + it.key());
    }
    if (!(s = ExpectString(*req, "email", &out->email, "requester.email")).ok()) return s;
    if (!(s = ExpectString(*req, "name", &out->name, "requester.name")).ok()) return s;
    std::string v;
    if (j.contains("queue")) {
      if (!(s = ExpectString(j, "queue", &v, "queue")).ok()) return s;
      out->queue = v;
    }
    if (j.contains("priority")) {
      if (!(s = ExpectString(j, "priority", &v, "priority")).ok()) return s;
      out->priority = v;
    }
    if (j.contains("acknowledge")) {
      // An API client that tells its customer itself asks us not to mail.
      if (!j["acknowledge"].is_boolean()) return Status::Invalid("must be true or false", "acknowledge");
      out->acknowledge = j["acknowledge"].get<bool>();
    }
    if (j.contains("tags")) {
      const json& tags = j["tags"];
      if (!tags.is_array()) return Status::Invalid("must be an array of strings", "tags");
      for (const json& t : tags) {
        if (!t.is_string()) return Status::Invalid("must be an array of strings", "tags");
        out->tags.push_back(t.get<std::string>());
      }
    }
  } else {
    if (!(s = ExpectString(j, "name", &out->name, "name")).ok()) return s;
    if (!(s = ExpectString(j, "email", &out->email, "email")).ok()) return s;
    if (!(s = ExpectString(j, "form_token", &out->idempotency_key, "form_token")).ok()) return s;
    std::string honeypot;
    if (!(s = ExpectString(j, "website", &honeypot, "website")).ok()) return s;
    if (!honeypot.empty()) out->fields.emplace_back("website", honeypot);
  }
  if (!(s = ExpectString(j, "subject", &out->subject, "subject")).ok()) return s;
  if (!(s = ExpectString(j, "message", &out->message, "message")).ok()) return s;
  if (j.contains("fields")) {
    const json& f = j["fields"];
    if (!f.is_object()) return Status::Invalid("must be an object of strings", "fields");
    for (auto it = f.begin(); it != f.end(); ++it) {
      if (!it->is_string()) return Status::Invalid("must be a string", "fields." + it.key());
      out->fields.emplace_back(it.key(), it->get<std::string>());
    }
  }
  if (j.contains("attachments")) {
    json& list = j["attachments"];
    if (!list.is_array()) return Status::Invalid("must be an array", "attachments");
    for (size_t i = 0; i < list.size(); ++i) {
      json& a = list[i];
      std::string field = "attachments[" + std::to_string(i) + "]";
      if (!a.is_object()) return Status::Invalid("must be an object", field);
      RawAttachment att;
      std::string b64;
      if (!(s = ExpectString(a, "filename", &att.filename, field + ".filename")).ok()) return s;
      if (!(s = ExpectString(a, "content_type", &att.content_type, field + ".content_type")).ok()) return s;
      if (!(s = ExpectString(a, "content_base64", &b64, field + ".content_base64")).ok()) return s;
      if (!DecodeBase64(b64, &att.data)) return Status::Invalid("is not valid base64", field + ".content_base64");
      out->attachments.push_back(std::move(att));
    }
  }
  return Status::Ok();
}

std::string ClientAddress(const httplib::Request& req, const std::vector<std::string>& trusted) {
  auto is_trusted = [&](const std::string& ip) {
    return std::find(trusted.begin(), trusted.end(), ip) != trusted.end();
  };
  std::string addr = req.remote_addr;
  if (!is_trusted(addr) || !req.has_header("X-Forwarded-For")) return addr;
  std::string xff = req.get_header_value("X-Forwarded-For");
  // Walk from the right: each trusted hop vouches for the one before it.
  size_t end = xff.size();
  while (end > 0) {
    size_t comma = xff.rfind(',', end - 1);
    size_t start = comma == std::string::npos ? 0 : comma + 1;
    std::string hop(Trim(std::string_view(xff).substr(start, end - start)));
    if (!hop.empty() && !is_trusted(hop)) return hop.substr(0, 64);
    if (comma == std::string::npos) break;
    end = comma;
  }
  return addr;
}

bool MediaTypeIs(std::string_view content_type, std::string_view type) {
  std::string_view named = Trim(content_type.substr(0, content_type.find(';')));
  return AsciiLower(named) == type;
}

bool WantsJson(const httplib::Request& req) {
  if (MediaTypeIs(req.get_header_value("Content-Type"), "application/json")) return true;
  std::string accept = AsciiLower(req.get_header_value("Accept"));
  size_t json_pos = accept.find("application/json");
  size_t html_pos = accept.find("text/html");
  return json_pos != std::string::npos && (html_pos == std::string::npos || json_pos < html_pos);
}

SourceVerdict JudgeFormSource(const std::optional<std::string>& sec_fetch_site,
                              const std::optional<std::string>& origin, const FormConfig& form) {
  const std::string site = AsciiLower(sec_fetch_site.value_or(""));
  auto refuse = [](std::string header, std::string why) {
    return SourceVerdict{false, std::move(header),
                         "this form takes posts only from its own pages; " + why};
  };
  if (!origin) {
    if (site == "cross-site") {
      return refuse(
          "Sec-Fetch-Site",
          "the browser says this one came from another site (Sec-Fetch-Site: cross-site)");
    }
    if (site == "same-site") {
      return refuse("Sec-Fetch-Site",
                    "the browser says this one came from another host of the site "
                    "(Sec-Fetch-Site: same-site) and names no Origin");
    }
    return {};
  }
  // Browsers send an origin in lower case already; a client that does not
  // is not let in or out by its spelling.
  const std::string seen = AsciiLower(*origin);
  if (seen == "null") {
    return refuse("Origin",
                  "this one came from a page without an origin (Origin: null), such as a "
                  "sandboxed frame or a local file");
  }
  const bool listed = std::find(form.allowed_origins.begin(), form.allowed_origins.end(), seen) !=
                      form.allowed_origins.end();
  const bool own = !form.public_origin.empty() && seen == form.public_origin;
  // An Origin is echoed in the error; a hostile one is cut short.
  const std::string shown = seen.size() > 100 ? seen.substr(0, 100) + "..." : seen;
  if (!listed && !own) return refuse("Origin", "this one came from " + shown);
  if (site == "cross-site" && !listed) {
    return refuse("Sec-Fetch-Site",
                  "the browser says this one came from another site (Sec-Fetch-Site: "
                  "cross-site), although it names " +
                      shown);
  }
  return {};
}

std::optional<int64_t> ParseId(const std::string& text) {
  std::optional<int64_t> v = ParseDigits(text, 15);
  if (!v || *v < 1) return std::nullopt;
  return v;
}

}  // namespace frontdesk
