// chunked_body.h: finds where a chunked request body (RFC 9112, 7.1) ends
// in the bytes read so far, so that the listener reads a whole request
// before a worker thread takes it, and knows exactly where the next
// request on the connection begins. It checks the framing as it goes: a
// chunk size that is not hexadecimal, a chunk not followed by CRLF or a
// control byte in an extension is refused, never guessed at.
//
// The scan is incremental: Scan() is called again with the same bytes and
// more after them, and resumes where it stopped, so a body read in many
// pieces is looked at once. Not thread-safe; one per request.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace frontdesk {

class ChunkedBodyScanner {
 public:
  enum class State {
    kIncomplete,  // the last chunk and the trailers have not all arrived
    kComplete,    // the body is size() bytes, its framing included
    kTooLarge,    // the body, framing included, would pass max_bytes
    kBad,         // the framing is broken; see problem()
  };

  explicit ChunkedBodyScanner(uint64_t max_bytes) : max_bytes_(max_bytes) {}

  // `bytes` start at the body's first byte and extend what an earlier call
  // saw.
  State Scan(std::string_view bytes);
  size_t size() const { return pos_; }
  const std::string& problem() const { return problem_; }

 private:
  enum class Part { kSizeLine, kData, kTrailer, kDone };

  State SizeLine(std::string_view line);
  State TrailerLine(std::string_view line);
  State Bad(std::string problem);

  uint64_t max_bytes_;
  Part part_ = Part::kSizeLine;
  size_t pos_ = 0;      // of the first byte not yet scanned
  uint64_t left_ = 0;   // kData: the chunk's bytes still to come
  std::string problem_;
};

}  // namespace frontdesk
