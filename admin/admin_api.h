// admin_api.h: the routes of the admin listener. Every route needs a bearer
// token with enough scope (read < write < admin); a missing or bad token is
// 401, too little scope 403. Handlers run on the listener's pool threads and
// lease their own database connection.
#pragma once

#include "daemon/web/http_server.h"

namespace frontdesk {

class Daemon;
void RegisterAdminRoutes(HttpServer& server, Daemon& daemon);

}  // namespace frontdesk
