// dashboard_page.h: the owner's numbers as charts (/dashboard): tickets
// received per day by channel, the backlog by age, SLA compliance and each
// service standard, first response and resolution in business time (median
// and p90), satisfaction and its distribution, and the watch list. It runs
// the KPI report (daemon/reports/kpi.h, the same code and cache as
// `frontdesk report`) for the chosen period and queue, and shows each
// chart's numbers as a table beside it. Thread-safe.
#pragma once

#include <httplib.h>

#include <vector>

#include "console/auth.h"
#include "console/charts.h"
#include "daemon/reports/kpi.h"
#include "console/env.h"

namespace frontdesk {

// The charts of a report, in page order; their numbers are the report's.
std::vector<ChartData> DashboardCharts(const KpiReport& report);

void ShowDashboard(ConsoleEnv& env, const SignedIn& who, const httplib::Request& req, httplib::Response& res);

}  // namespace frontdesk
