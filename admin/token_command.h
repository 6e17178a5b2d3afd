// token_command.h: `frontdesk token create|list|revoke`, which manage the
// bearer tokens of the admin API. The secret is printed once, on stdout
// alone, so that a script can capture it; only its hash is stored.
#pragma once

#include <CLI/CLI.hpp>

#include "admin/cli_context.h"

namespace frontdesk {

void AddTokenCommands(CLI::App& app, CliContext& ctx, int& exit_code);

}  // namespace frontdesk
