// api_util.h: what every admin route shares: JSON answers, the ticket as
// JSON, ETags and If-Match, and the paging parameters of lists.
// Thread-safe (no state).
#pragma once

#include <httplib.h>

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

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
