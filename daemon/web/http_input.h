// http_input.h: reading what clients send, shared by both listeners: the
// JSON ticket body, the client's address behind trusted proxies, content
// negotiation, and the page a browser's post to the form comes from.
// Thread-safe.
#pragma once

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <optional>
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

// Whether a Content-Type value names `type` ("application/json"): media
// types are compared without regard to case, parameters after ';' aside.
bool MediaTypeIs(std::string_view content_type, std::string_view type);
// Whether the public form takes a post, judged by what the browser says
// about the page that sent it. A page on another site must not make its
// visitors' browsers post the form (cross-site request forgery: spam sent
// through them, from their addresses). Browsers name the sending page's
// origin in Origin, and current ones say how it relates to the form in
// Sec-Fetch-Site; a page can forge neither. So:
// - an Origin must be the form's own (form.public_origin, from
//   server.base_url) or one of form.allowed_origins; "null" (a sandboxed
//   page, a local file) never is;
// - Sec-Fetch-Site: cross-site is refused unless Origin is in
//   allowed_origins, where the operator asked for exactly that;
// - same-site needs an accepted Origin: another host of the same site
//   (perhaps a user's page on a shared domain) is not trusted by default;
// - same-origin, none, and no header at all pass. A request without
//   either header is not a browser's (curl, a server-side script), and
//   refusing it would stop nothing: such a client can send any header.
// `sec_fetch_site` and `origin` are the header values, nullopt when absent.
struct SourceVerdict {
  bool allowed = true;
  std::string header;  // when refused: the header that decided, Origin or Sec-Fetch-Site
  std::string reason;  // when refused: why, for the client and the log
};
SourceVerdict JudgeFormSource(const std::optional<std::string>& sec_fetch_site,
                              const std::optional<std::string>& origin, const FormConfig& form);

// Parses a decimal id in [1, 2^53); nothing else.
std::optional<int64_t> ParseId(const std::string& text);

}  // namespace frontdesk
