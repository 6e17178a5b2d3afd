// backup_command.h: `frontdesk backup` (a verified copy of the database,
// taken while everything runs, keeping the last [backup] keep) and
// `frontdesk restore` (a copy put back, with serve stopped). See
// docs/OPERATIONS.md for the drill.
#pragma once

#include <CLI/CLI.hpp>

#include "admin/cli_context.h"

namespace frontdesk {

void AddBackupCommands(CLI::App& app, CliContext& ctx, int& exit_code);

}  // namespace frontdesk
