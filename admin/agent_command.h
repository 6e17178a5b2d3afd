// agent_command.h: `frontdesk agent password EMAIL`, which sets the
// password an agent logs in to the console with, and `frontdesk agent
// logout EMAIL`, which ends every console session of an agent. The
// password is read as one line from stdin when stdin is not a terminal (a
// script, a pipe), and asked for twice without echo when it is. Only its
// Argon2id hash is stored; setting it ends the agent's other sessions.
#pragma once

#include <CLI/CLI.hpp>

#include "admin/cli_context.h"

namespace frontdesk {

void AddAgentCommands(CLI::App& app, CliContext& ctx, int& exit_code);

}  // namespace frontdesk
