#include "admin/admin_api.h"

#include <nlohmann/json.hpp>

#include "daemon/daemon.h"
#include "daemon/http_server.h"
#include "daemon/store/schema.h"
#include "daemon/store/token_store.h"

namespace frontdesk {
namespace {

using Handler = std::function<void(const httplib::Request&, httplib::Response&, const TokenInfo&)>;

// Wraps a handler so it runs only for a valid token of at least `scope`.
httplib::Server::Handler Authorized(Daemon& daemon, Scope scope, Handler handler) {
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

void SendJson(httplib::Response& res, const nlohmann::json& body, int status = 200) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/json");
}

}  // namespace

void RegisterAdminRoutes(httplib::Server& server, Daemon& daemon) {
  server.Get("/healthz", Authorized(daemon, Scope::kRead, [&daemon](const httplib::Request&,
                                                                   httplib::Response& res,
                                                                   const TokenInfo&) {
    ConfigInfo ci = daemon.config_info();
    nlohmann::json body;
    body["status"] = "ok";
    body["version"] = FRONTDESK_VERSION;
    body["started_at"] = FormatRfc3339(daemon.started_at());
    body["config"] = {
        {"path", ci.config->path},
        {"generation", ci.generation},
        {"loaded_at", FormatRfc3339(ci.loaded_at)},
        {"last_reload_error", ci.last_reload_error.empty() ? nlohmann::json(nullptr)
                                                           : nlohmann::json(ci.last_reload_error)},
    };
    Result<StorePool::Lease> store = daemon.stores().Acquire();
    Result<int> version = store.ok() ? (*store)->SchemaVersion() : Result<int>(store.status());
    body["database"] = {{"path", ci.config->server.DatabasePath()},
                        {"schema_version", version.ok() ? nlohmann::json(*version) : nullptr}};
    if (!version.ok()) {
      body["status"] = "unavailable";
      body["database"]["error"] = version.status().message();
    }
    SendJson(res, body, version.ok() ? 200 : 503);
  }));

  server.Post("/api/v1/config/reload",
              Authorized(daemon, Scope::kAdmin, [&daemon](const httplib::Request&,
                                                          httplib::Response& res, const TokenInfo&) {
                Status s = daemon.Reload();
                ConfigInfo ci = daemon.config_info();
                if (!s.ok()) {
                  // The old config keeps serving; say so next to the errors.
                  nlohmann::json body = {
                      {"error",
                       {{"code", "invalid_config"},
                        {"message", s.message()},
                        {"field", nullptr}}},
                      {"generation", ci.generation}};
                  SendJson(res, body, 422);
                  return;
                }
                SendJson(res, {{"status", "reloaded"}, {"generation", ci.generation}});
              }));
}

}  // namespace frontdesk
