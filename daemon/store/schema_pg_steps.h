// schema_pg_steps.h: the PostgreSQL steps after the baseline
// (schema_pg.h), one for each schema version, beside SQLite's in schema.cpp.
#pragma once

#include <vector>

namespace frontdesk {

// The steps to versions PgBaselineVersion() + 1, + 2, ...
const std::vector<const char*>& PgStepsAfterBaseline();

}  // namespace frontdesk
