// request_head.h: checks an HTTP/1.1 request's head (request line and
// headers) in the bytes read so far, and reads the few headers that frame
// its body. cpp-httplib parses the head again once a thread takes the
// request; this scan decides what the listener does before that: wait for
// more, refuse, or read the body. It is strict where RFC 9112 asks a server
// to refuse (a second, different Content-Length; Content-Length beside
// Transfer-Encoding; a space before a colon; a folded line; a control byte
// in a value), because a request framed one way here and another way by a
// proxy in front is how one client smuggles a request into another's
// connection. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace frontdesk {

struct RequestHead {
  enum class State {
    kIncomplete,  // no blank line yet, and still under the cap
    kComplete,    // `size` bytes, the blank line included
    kTooLarge,    // the cap was reached without a blank line
    kRefused,     // complete, but not a request to serve: see `status`
  };
  State state = State::kIncomplete;
  size_t size = 0;
  // kRefused: the answer (400, 501 or 505) and what was wrong, naming the
  // header, for the client and the log.
  int status = 0;
  std::string problem;
  std::optional<uint64_t> content_length;  // UINT64_MAX when too long to hold
  bool chunked = false;                    // Transfer-Encoding: chunked
  bool expects_continue = false;           // Expect: 100-continue on HTTP/1.1
  bool has_credentials = false;            // an Authorization or a Cookie header
};

// Scans `bytes`, which start at a request's first byte. A head longer than
// `max_bytes`, its blank line included, is kTooLarge. Lines end with CRLF.
RequestHead ScanRequestHead(std::string_view bytes, size_t max_bytes);

// How many CR and LF bytes precede a request. RFC 9112 asks a server to
// ignore them; cpp-httplib would read them as a broken request line.
size_t LeadingLineBreaks(std::string_view bytes);

// Removes the Expect header lines from the head of `head_size` bytes at the
// front of `bytes`, and returns the head's new size. The listener answers
// 100 Continue itself; left in, cpp-httplib would send a second one.
size_t DropExpectHeaders(std::string& bytes, size_t head_size);

}  // namespace frontdesk
