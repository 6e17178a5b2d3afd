// request_head.h: finds where an HTTP/1.1 request's head (request line and
// headers) ends in the bytes read so far, and the few headers that decide
// what happens to its body. It is not a parser: cpp-httplib parses the head
// once a thread takes the request. The listener uses it to keep a client's
// unfinished head off the worker threads and to cap its size. Pure
// functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace frontdesk {

struct RequestHead {
  enum class State {
    kIncomplete,  // no blank line yet, and still under the cap
    kComplete,    // `size` bytes, the blank line included
    kTooLarge,    // the cap was reached without a blank line
  };
  State state = State::kIncomplete;
  size_t size = 0;
  // The first Content-Length, when it is a plain decimal number.
  std::optional<uint64_t> content_length;
  bool chunked = false;           // Transfer-Encoding names chunked
  bool expects_continue = false;  // Expect: 100-continue; the client waits before its body
};

// Scans `bytes`, which start at a request's first byte. A head longer than
// `max_bytes`, its blank line included, is kTooLarge. Lines end with CRLF,
// as cpp-httplib requires.
RequestHead ScanRequestHead(std::string_view bytes, size_t max_bytes);

// How many CR and LF bytes precede a request. RFC 9112 asks a server to
// ignore them; cpp-httplib would read them as a broken request line.
size_t LeadingLineBreaks(std::string_view bytes);

}  // namespace frontdesk
