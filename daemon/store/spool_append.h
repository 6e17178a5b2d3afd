// spool_append.h: adds one raw message to the inbound spool from a process
// of its own: the mailgate that finds a daemon holding the serve lock but
// not taking the message over its socket (every handler busy, a data
// directory path too long for a socket). One short commit, so that it
// neither files the message beside the daemon nor holds the write lock
// long. Thread-safe (no state).
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
