// policy_commands.h: the commands that run and explain routing and SLAs:
// `frontdesk escalate [--dry-run]`, `frontdesk route --explain FILE` and
// `frontdesk sla explain TICKET`.
#pragma once

#include <CLI/CLI.hpp>

#include "admin/cli_context.h"

namespace frontdesk {

void AddPolicyCommands(CLI::App& app, CliContext& ctx, int& exit_code);

}  // namespace frontdesk
