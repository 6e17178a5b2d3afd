#include "admin/routes.h"

#include <spdlog/spdlog.h>

#include "admin/ops_routes.h"
#include "admin/report_routes.h"
#include "admin/ticket_routes.h"
#include "console/routes.h"
#include "daemon/base/text.h"
#include "daemon/store/token_store.h"
#include "daemon/web/http_input.h"
#include "daemon/web/serve_context.h"

namespace frontdesk {
namespace {

// One line per refused request, the same shape every time, so fail2ban can
// match it (docs/OPERATIONS.md): the client's address, why, and the token's
// public id, never its secret.
void LogRefused(ServeContext& ctx, const httplib::Request& req, std::string_view why, const std::string& token_id) {
  std::string client = ClientAddress(req, ctx.config()->server.trusted_proxies);
  spdlog::warn("admin authentication failed from {}: {} (token {}, {} {})", client, why,
               token_id.empty() ? "-" : token_id, req.method, req.path);
}

// The token of an Authorization header of the Bearer scheme, or "". The
// scheme is compared without regard to case (RFC 9110, 11.1).
std::string BearerToken(std::string_view auth) {
  constexpr std::string_view kScheme = "bearer";
  if (auth.size() <= kScheme.size() || AsciiLower(auth.substr(0, kScheme.size())) != kScheme ||
      auth[kScheme.size()] != ' ') {
    return "";
  }
  return std::string(Trim(auth.substr(kScheme.size())));
}

// Wraps a handler so it runs only for a valid token of at least `scope`.
HttpServer::Handler Authorized(ServeContext& ctx, Scope scope, AdminHandler handler) {
  return [&ctx, scope, handler](const httplib::Request& req, httplib::Response& res) {
    std::string token_text = BearerToken(req.get_header_value("Authorization"));
    if (token_text.empty()) {
      LogRefused(ctx, req, "no bearer token", "");
      res.set_header("WWW-Authenticate", "Bearer");
      WriteError(res, 401, "unauthorized", "an Authorization: Bearer token is required",
                 "Authorization");
      return;
    }
    Result<StorePool::Lease> store = ctx.stores.Acquire();
    if (!store.ok()) {
      WriteError(res, store.status());
      return;
    }
    TokenStore tokens(**store);
    Result<TokenInfo> token = tokens.Authenticate(token_text, ctx.clock.Now());
    if (!token.ok()) {
      if (token.status().code() == Status::Code::kUnauthorized) {
        LogRefused(ctx, req, "invalid or revoked token", TokenPublicId(token_text));
        res.set_header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
      }
      WriteError(res, token.status());
      return;
    }
    if (static_cast<int>(token->scope) < static_cast<int>(scope)) {
      LogRefused(ctx, req, std::string("scope ") + ScopeName(token->scope) + " below " + ScopeName(scope),
                 token->public_id);
      WriteError(res, 403, "forbidden",
                 std::string("this needs a token with scope '") + ScopeName(scope) +
                     "'; this token has '" + ScopeName(token->scope) + "'");
      return;
    }
    handler(ctx, req, res, *token);
  };
}

}  // namespace

// Every route of the admin listener, one a line: method, pattern, the
// path /metrics reports it under, the scope a token needs, the handler.
const std::vector<AdminRoute>& AdminRoutes() {
  static const std::vector<AdminRoute> kRoutes = {
      {"GET", "/healthz", "/healthz", Scope::kRead, Healthz},
      {"GET", "/metrics", "/metrics", Scope::kRead, ServeMetrics},
      {"GET", "/api/v1/tickets", "/api/v1/tickets", Scope::kRead, ListTickets},
      {"POST", "/api/v1/tickets", "/api/v1/tickets", Scope::kWrite, CreateTicket},
      {"GET", R"(/api/v1/tickets/([^/]+))", "/api/v1/tickets/{id}", Scope::kRead, GetTicket},
      {"PATCH", R"(/api/v1/tickets/([^/]+))", "/api/v1/tickets/{id}", Scope::kWrite, PatchTicket},
      {"POST", R"(/api/v1/tickets/([^/]+)/messages)", "/api/v1/tickets/{id}/messages", Scope::kWrite, AddMessage},
      {"GET", R"(/api/v1/tickets/([^/]+)/attachments/([^/]+))", "/api/v1/tickets/{id}/attachments/{aid}",
       Scope::kRead, GetAttachment},
      {"GET", "/api/v1/rejections", "/api/v1/rejections", Scope::kRead, ListRejections},
      {"GET", "/api/v1/outbox", "/api/v1/outbox", Scope::kRead, ListOutbox},
      {"GET", "/api/v1/bounces", "/api/v1/bounces", Scope::kRead, ListBouncing},
      {"DELETE", R"(/api/v1/bounces/([^/]+))", "/api/v1/bounces/{address}", Scope::kWrite, ClearBouncing},
      {"GET", "/api/v1/customers", "/api/v1/customers", Scope::kRead, ListWatched},
      {"DELETE", R"(/api/v1/customers/([^/]+)/watch)", "/api/v1/customers/{email}/watch", Scope::kWrite, Unwatch},
      {"GET", "/api/v1/reports/kpi", "/api/v1/reports/kpi", Scope::kRead, ShowKpiReport},
      {"GET", "/api/v1/reports/standards", "/api/v1/reports/standards", Scope::kRead, ShowStandards},
      {"POST", "/api/v1/escalations/run", "/api/v1/escalations/run", Scope::kWrite, RunSweep},
      {"POST", "/api/v1/config/reload", "/api/v1/config/reload", Scope::kAdmin, ReloadConfig},
  };
  return kRoutes;
}

void RegisterAdminRoutes(HttpServer& server, ServeContext& ctx) {
  for (const AdminRoute& r : AdminRoutes()) {
    server.Add(r.method, r.pattern, r.metric_path, Authorized(ctx, r.scope, r.handler));
  }
  RegisterConsoleRoutes(server, ctx);
}

}  // namespace frontdesk
