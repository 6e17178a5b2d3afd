// http_input.h: reading what clients send, shared by both listeners: the
// JSON ticket body, the client's address behind trusted proxies, and content
// negotiation. Thread-safe.
#pragma once

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/status.h"
#include "daemon/intake/submission.h"

namespace frontdesk {

// Reads {"name","email","subject","message","fields":{},"attachments":[
// {"filename","content_type","content_base64"}]} into `out`. With
// `admin_fields`, also "queue", "priority" and "tags", and "requester"
// as {"email","name"}. Unknown keys and wrong types are errors naming the field.
Status ParseTicketJson(const std::string& body, bool admin_fields, IntakeRequest* out);

// The most a request body may nest, and the most values it may hold. A
// ticket needs three levels and a few hundred values; the limits keep a
// hostile body (ten megabytes of "[", or of "0,") from costing the parser
// many times its size in memory.
constexpr int kMaxJsonDepth = 32;
constexpr int64_t kMaxJsonValues = 100000;
// Parses a request body as JSON within those limits. Every failure is a
// kInvalid that says what is wrong and where: malformed text (with its
// byte), too deep, too many values, or a number JSON cannot hold (1e999999).
Result<nlohmann::json> ParseJsonBody(std::string_view body);
// The client's address: the peer, or, when the peer is a trusted proxy, the
// last address in X-Forwarded-For that is not one.
std::string ClientAddress(const httplib::Request& req, const std::vector<std::string>& trusted);
// True when the client sent JSON or asked for it over HTML.
bool WantsJson(const httplib::Request& req);
// Parses a decimal id in [1, 2^53); nothing else.
std::optional<int64_t> ParseId(const std::string& text);

}  // namespace frontdesk
