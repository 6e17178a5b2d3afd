// api_util.h: what every admin route shares: JSON answers, the ticket as
// JSON, ETags, If-Match and If-None-Match, optional JSON bodies, and the
// paging parameters of lists.
// Thread-safe (no state).
#pragma once

#include <httplib.h>

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/status.h"
#include "daemon/model/ticket.h"

namespace frontdesk {

// The longest reply or note the API takes, in characters.
constexpr size_t kMaxReplyChars = 100000;

void SendJson(httplib::Response& res, const nlohmann::json& body, int status = 200);
nlohmann::json Time(const std::optional<Timestamp>& t);
nlohmann::json Opt(const std::optional<std::string>& v);
nlohmann::json TicketJson(const Ticket& t);
std::string ETag(int64_t version);
// Accepts "N", W/"N" and *; anything else is a client error.
Result<std::optional<int64_t>> ParseIfMatch(const httplib::Request& req);

// A strong ETag for exactly these bytes: the first 128 bits of their
// SHA-256 in hex, quoted. Any byte that changes changes it.
std::string BodyETag(std::string_view body);
// Whether an If-None-Match field value matches `etag` (RFC 9110 13.1.2, for
// GET): "*" matches, since the resource exists; otherwise a comma-separated
// list of entity-tags, compared weakly, so W/"x" matches "x". An element
// that is not an entity-tag matches nothing: a client with a garbled header
// gets the whole answer rather than an error.
bool IfNoneMatchMatches(std::string_view field, std::string_view etag);
// The conditional GET every cacheable route shares: sets the ETag header
// and, when the request's If-None-Match fields match it, answers 304 Not
// Modified with no body and returns true; the caller then sends nothing.
bool NotModified(const httplib::Request& req, httplib::Response& res, const std::string& etag);
// SendJson for a GET whose answer has no version of its own (a list): the
// ETag is BodyETag of the exact bytes sent, and a client that holds them
// gets 304 instead.
void SendJsonValidated(const httplib::Request& req, httplib::Response& res, const nlohmann::json& body);

// The body of a POST or PATCH whose fields are all optional: empty (no
// body, Content-Length: 0, any or no Content-Type) is {}; anything else must
// be a JSON object with no field outside `allowed`.
Result<nlohmann::json> ReadOptionalObject(const httplib::Request& req, const std::vector<std::string>& allowed);

// The paging parameters of a list: `limit` (1 to 100) and `before` (an
// id). Other parameters go to their reader in `extra`; any other name is an
// error that names it.
struct Page {
  int limit = 50;
  std::optional<int64_t> before;
};
using ParamReader = std::function<Status(const std::string&)>;
Status ReadPage(const httplib::Request& req, const std::string& id_text,
                const std::map<std::string, ParamReader>& extra, Page* page);

}  // namespace frontdesk
