// schema_v1.h: the first step of the schema (schema.h), which lays down
// the tables of the whole design. Kept apart because it is most of the
// schema's text; like every shipped step, it is never edited.
#pragma once

namespace frontdesk {

const char* SchemaV1();

}  // namespace frontdesk
