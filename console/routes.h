// routes.h: the agents' console on the admin listener: /login, /logout,
// the queue views at /, a ticket at /tickets/N with its forms, /bulk, and
// the stylesheet and script under /static/. Pages need a signed-in agent
// (else /login); every POST also needs the session's CSRF token and the
// console's own origin. [console] enabled = false answers 404 to all of it.
// docs/CONSOLE.md. Thread-safe.
#pragma once

#include "daemon/web/http_server.h"
#include "daemon/web/serve_context.h"

namespace frontdesk {

void RegisterConsoleRoutes(HttpServer& server, ServeContext& ctx);

}  // namespace frontdesk
