// ticket_routes.h: the ticket routes of the admin API: list, get, create, patch,
// reply or note, attachments. Changes go through TicketService with the
// token as the actor. Each handler leases its own connection; thread-safe.
#pragma once

#include <httplib.h>

namespace frontdesk {

struct TokenInfo;
struct ServeContext;

void ListTickets(ServeContext& ctx, const httplib::Request& req, httplib::Response& res, const TokenInfo& token);
void GetTicket(ServeContext& ctx, const httplib::Request& req, httplib::Response& res, const TokenInfo& token);
void GetAttachment(ServeContext& ctx, const httplib::Request& req, httplib::Response& res, const TokenInfo& token);
void CreateTicket(ServeContext& ctx, const httplib::Request& req, httplib::Response& res, const TokenInfo& token);
void PatchTicket(ServeContext& ctx, const httplib::Request& req, httplib::Response& res, const TokenInfo& token);
void AddMessage(ServeContext& ctx, const httplib::Request& req, httplib::Response& res, const TokenInfo& token);

}  // namespace frontdesk
