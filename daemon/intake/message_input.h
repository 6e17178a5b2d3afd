// message_input.h: reads one message from an MTA on stdin for both mailgate
// paths, the quick one and the full one, so that they refuse the same
// messages with the same words. Thread-safe (no state).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace frontdesk {

struct MessageInput {
  std::string raw;     // the bytes, when not over the cap
  int64_t total = 0;   // every byte read, past the cap too
  bool failed = false; // a read error
  std::string error;   // for stderr, when failed or over the cap
  bool over_cap() const { return !failed && !error.empty(); }
};

// Reads to the end. Past `cap` it keeps reading only to count, so the MTA
// sees the whole message consumed and the error can say how big it was.
MessageInput ReadMessage(std::FILE* in, int64_t cap);

}  // namespace frontdesk
