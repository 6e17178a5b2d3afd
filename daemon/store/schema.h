// schema.h: the database schema and its migrations, keyed on
// PRAGMA user_version. Each migration runs in its own BEGIN IMMEDIATE
// transaction and re-reads the version inside it, so two processes that
// start at once apply each step exactly once.
#pragma once

#include "daemon/store/db.h"

namespace frontdesk {

// The schema version this build writes and understands.
int LatestSchemaVersion();

Result<int> ReadSchemaVersion(Db& db);

// Applies every missing migration. A database newer than this build is
// refused rather than touched. Returns the number of steps applied.
Result<int> Migrate(Db& db);

}  // namespace frontdesk
