// report_command.h: `frontdesk report`, the KPIs of a period as a table,
// JSON or CSV (docs/METRICS.md). Read-only: safe beside serve and cron.
#pragma once

#include <CLI/CLI.hpp>

#include "admin/cli_context.h"

namespace frontdesk {

void AddReportCommand(CLI::App& app, CliContext& ctx, int& exit_code);

}  // namespace frontdesk
