// admin_pages.h: the console's pages for the agents listed in [console]
// admins: agents and their passwords and sessions, API tokens, the
// quarantine with reprocess, rejections, the outbox's failed mail, bouncing
// addresses, a routing explanation, and the running config (read-only,
// without secrets) with its generation and the last reload error. Every
// change is a POST with the session's CSRF token; everything else is 403
// for an agent who is not an admin. Thread-safe.
#pragma once

#include <httplib.h>

#include "console/auth.h"
#include "console/env.h"

namespace frontdesk {

void ShowAdmin(ConsoleEnv& env, const SignedIn& who, const httplib::Request& req, httplib::Response& res);
void AdminAction(ConsoleEnv& env, const SignedIn& who, const httplib::Request& req, httplib::Response& res);

}  // namespace frontdesk
