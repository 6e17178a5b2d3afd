// cli.h: the `frontdesk` command line. Each command is a function that
// returns the process exit code (cli_context.h); the library's entry point
// only calls RunCommandLine, which registers them all.
#pragma once

namespace frontdesk {

int RunCommandLine(int argc, char** argv);

}  // namespace frontdesk
