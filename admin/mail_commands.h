// mail_commands.h: `frontdesk parse-mail FILE [--json]`, which shows how
// Frontdesk reads a message: for troubleshooting intake and for tests.
#pragma once

#include <CLI/CLI.hpp>

#include "admin/cli_context.h"

namespace frontdesk {

void AddMailCommands(CLI::App& app, CliContext& ctx, int& exit_code);

}  // namespace frontdesk
