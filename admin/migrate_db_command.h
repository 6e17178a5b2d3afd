// migrate_db_command.h: `frontdesk migrate-db FROM TO`, which moves a
// stopped SQLite installation into a new, empty PostgreSQL database and
// checks that every row arrived (docs/SCALING.md).
#pragma once

#include <CLI/CLI.hpp>

#include "admin/cli_context.h"

namespace frontdesk {

void AddMigrateDbCommand(CLI::App& app, CliContext& ctx, int& exit_code);

}  // namespace frontdesk
