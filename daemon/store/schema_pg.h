// schema_pg.h: the schema on PostgreSQL. PostgreSQL support began at schema
// version 14, so a new PostgreSQL database gets that version in one step
// (the baseline); each later version adds a step for each engine.
#pragma once

#include <vector>

namespace frontdesk {

int PgBaselineVersion();
const char* PgBaseline();
// The steps to versions PgBaselineVersion() + 1, + 2, ...
const std::vector<const char*>& PgStepsAfterBaseline();

}  // namespace frontdesk
