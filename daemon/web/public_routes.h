// public_routes.h: the routes of the public listener: the ticket form, form and
// JSON intake, the CSAT pages and /healthz. Nothing here needs a token, so
// nothing here reveals more than a customer may see.
#pragma once

#include "daemon/web/http_server.h"

namespace frontdesk {

struct ServeContext;
void RegisterPublicRoutes(HttpServer& server, ServeContext& ctx);

}  // namespace frontdesk
