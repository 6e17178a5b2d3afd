// queue_page.h: the console's list of tickets (a view, sorted by what is
// due next, 50 to a page) and its bulk form: assign, status, queue or
// priority for the tickets ticked, each through the ticket write path with
// the version the page showed, so a ticket that changed meanwhile is
// skipped and named, not overwritten. Thread-safe.
#pragma once

#include <httplib.h>

#include "console/auth.h"
#include "console/env.h"

namespace frontdesk {

void ShowQueue(ConsoleEnv& env, const SignedIn& who, const httplib::Request& req, httplib::Response& res);
// Saving a view (POST /views: name, params, shared) and deleting one.
void SaveView(ConsoleEnv& env, const SignedIn& who, const httplib::Request& req, httplib::Response& res);
void DeleteView(ConsoleEnv& env, const SignedIn& who, const httplib::Request& req, httplib::Response& res);
void ApplyBulk(ConsoleEnv& env, const SignedIn& who, const httplib::Request& req, httplib::Response& res);

}  // namespace frontdesk
