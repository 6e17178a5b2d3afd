// http_input.h: reading what clients send, shared by both listeners: the
// JSON ticket body, the client's address behind trusted proxies, and content
// negotiation. Thread-safe.
#pragma once

#include <httplib.h>

#include <string>
#include <vector>

#include "daemon/base/status.h"
#include "daemon/intake/submission.h"

namespace frontdesk {

// Reads {"name","email","subject","message","fields":{},"attachments":[
// {"filename","content_type","content_base64"}]} into `out`. With
// `admin_fields`, also "queue", "priority" and "tags", and "requester"
// as {"email","name"}. Unknown keys and wrong types are errors naming the field.
Status ParseTicketJson(const std::string& body, bool admin_fields, IntakeRequest* out);
// The client's address: the peer, or, when the peer is a trusted proxy, the
// last address in X-Forwarded-For that is not one.
std::string ClientAddress(const httplib::Request& req, const std::vector<std::string>& trusted);
// True when the client sent JSON or asked for it over HTML.
bool WantsJson(const httplib::Request& req);
// Parses a decimal id in [1, 2^53); nothing else.
std::optional<int64_t> ParseId(const std::string& text);

}  // namespace frontdesk
