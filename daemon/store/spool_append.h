// spool_append.h: adds one raw message to the inbound spool. It is the
// write path of the quick mailgate, which runs once per message as an MTA
// starts it, so it links nothing but SQLite: loading Frontdesk's other
// libraries would cost more than the whole commit. Thread-safe (no state).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace frontdesk {

struct SpoolAppend {
  std::string db_path;
  int64_t busy_timeout_ms = 5000;
  // The spool table exists from this schema version on; an older database
  // is left to the full mailgate, which says what to do.
  int min_schema = 5;
  std::string source = "mailgate";
  std::optional<std::string> queue;
  bool as_comment = false;
  int64_t received_at = 0;  // Unix seconds
};

struct SpoolAppendResult {
  enum class Kind { kSpooled, kTemporaryFailure, kNotReady } kind = Kind::kTemporaryFailure;
  int64_t id = 0;
  std::string error;
};

// Opens the database (never creating it), inserts, commits, and returns
// kSpooled only once the row is on disk (the WAL synced after the commit,
// outside the write lock; see the .cpp). kNotReady: the file or the table
// is not there yet.
SpoolAppendResult AppendToSpool(const SpoolAppend& where, const std::string& raw);

}  // namespace frontdesk
