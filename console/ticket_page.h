// ticket_page.h: one ticket in the console: the thread (each message's
// text, never customer HTML; headers on demand; attachments as downloads;
// internal notes set apart), the SLA clocks, the history in words with what
// is new since this agent last looked, and the forms: reply or note, take,
// and status, priority, queue, owner and tags. Every form carries the
// ticket's version; a change that finds the ticket moved on shows what
// changed and lets the agent send anyway, so two agents never answer the
// same thing by accident. Every change goes through TicketService with the
// agent as the actor. Thread-safe.
#pragma once

#include <httplib.h>

#include "console/auth.h"
#include "console/env.h"

namespace frontdesk {

void ShowTicket(ConsoleEnv& env, const SignedIn& who, const httplib::Request& req, httplib::Response& res);
void PostMessage(ConsoleEnv& env, const SignedIn& who, const httplib::Request& req, httplib::Response& res);
void PostUpdate(ConsoleEnv& env, const SignedIn& who, const httplib::Request& req, httplib::Response& res);
// The short poll of an open ticket page: marks this agent as viewing or
// replying, and answers who else is there, as JSON {"others": TEXT}.
void PostPresence(ConsoleEnv& env, const SignedIn& who, const httplib::Request& req, httplib::Response& res);
void DownloadAttachment(ConsoleEnv& env, const SignedIn& who, const httplib::Request& req, httplib::Response& res);

}  // namespace frontdesk
