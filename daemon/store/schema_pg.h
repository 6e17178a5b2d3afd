// schema_pg.h: the schema on PostgreSQL. PostgreSQL support began at schema
// version 14, so a new PostgreSQL database gets that version in one step
// (the baseline); each later version adds a step for each engine
// (schema_pg_steps.h).
#pragma once

namespace frontdesk {

int PgBaselineVersion();
const char* PgBaseline();

}  // namespace frontdesk
