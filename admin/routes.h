// routes.h: the admin listener's route table. Every route needs a bearer
// token with enough scope (read < write < admin); a missing or bad token is
// 401, too little scope 403. The table keeps every route and its scope on
// one screen; the handlers live in files by subject (ticket_routes.h,
// report_routes.h, ops_routes.h). Handlers run on the listener's pool
// threads and lease their own database connection.
#pragma once

#include <vector>

#include "daemon/store/token_store.h"
#include "daemon/web/http_server.h"

namespace frontdesk {

struct ServeContext;

using AdminHandler = void (*)(ServeContext& ctx, const httplib::Request& req, httplib::Response& res,
                              const TokenInfo& token);

struct AdminRoute {
  const char* method;       // GET, POST, PATCH, DELETE
  const char* pattern;      // a regular expression over the path
  const char* metric_path;  // the path /metrics reports it under
  Scope scope;              // the least scope a token needs
  AdminHandler handler;
};

const std::vector<AdminRoute>& AdminRoutes();
void RegisterAdminRoutes(HttpServer& server, ServeContext& ctx);

}  // namespace frontdesk
