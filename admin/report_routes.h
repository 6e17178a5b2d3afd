// report_routes.h: the KPI report, the service standards and the
// satisfaction watch list of the admin API. Thread-safe.
#pragma once

#include <httplib.h>

namespace frontdesk {

struct TokenInfo;
struct ServeContext;

void ShowKpiReport(ServeContext& ctx, const httplib::Request& req, httplib::Response& res, const TokenInfo& token);
void ShowStandards(ServeContext& ctx, const httplib::Request& req, httplib::Response& res, const TokenInfo& token);
void ListWatched(ServeContext& ctx, const httplib::Request& req, httplib::Response& res, const TokenInfo& token);
void Unwatch(ServeContext& ctx, const httplib::Request& req, httplib::Response& res, const TokenInfo& token);

}  // namespace frontdesk
