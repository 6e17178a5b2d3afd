// env.h: what a console page handler reaches: the daemon's ServeContext
// and the console's own state in memory (presence, the navigation's counts). Thread-safe members.
#pragma once

#include "console/presence.h"
#include "console/views.h"
#include "daemon/web/serve_context.h"

namespace frontdesk {

struct ConsoleEnv {
  ServeContext& ctx;
  Presence& presence;
  NavCache& nav;
};

}  // namespace frontdesk
