// ops_routes.h: what the operator watches and triggers: /healthz, /metrics,
// rejections, the outbox, bouncing addresses, an escalation sweep, a
// config reload.
// Thread-safe.
#pragma once

#include <httplib.h>

namespace frontdesk {

struct TokenInfo;
struct ServeContext;

void Healthz(ServeContext& ctx, const httplib::Request& req, httplib::Response& res, const TokenInfo& token);
void ServeMetrics(ServeContext& ctx, const httplib::Request& req, httplib::Response& res, const TokenInfo& token);
void ListRejections(ServeContext& ctx, const httplib::Request& req, httplib::Response& res, const TokenInfo& token);
void ListOutbox(ServeContext& ctx, const httplib::Request& req, httplib::Response& res, const TokenInfo& token);
void ListBouncing(ServeContext& ctx, const httplib::Request& req, httplib::Response& res, const TokenInfo& token);
void ClearBouncing(ServeContext& ctx, const httplib::Request& req, httplib::Response& res, const TokenInfo& token);
void RunSweep(ServeContext& ctx, const httplib::Request& req, httplib::Response& res, const TokenInfo& token);
void ReloadConfig(ServeContext& ctx, const httplib::Request& req, httplib::Response& res, const TokenInfo& token);

}  // namespace frontdesk
