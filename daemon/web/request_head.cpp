#include "daemon/web/request_head.h"

#include <strings.h>

#include <charconv>

#include "daemon/base/text.h"

namespace frontdesk {
namespace {

bool NameIs(std::string_view name, std::string_view want) {
  return name.size() == want.size() && strncasecmp(name.data(), want.data(), want.size()) == 0;
}

bool ContainsToken(std::string_view value, std::string_view token) {
  for (size_t i = 0; i + token.size() <= value.size(); ++i) {
    if (strncasecmp(value.data() + i, token.data(), token.size()) == 0) return true;
  }
  return false;
}

void ReadHeader(std::string_view line, RequestHead* head) {
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return;
  std::string_view name = line.substr(0, colon);
  std::string_view value = Trim(line.substr(colon + 1));
  if (NameIs(name, "Content-Length")) {
    if (head->content_length || value.empty()) return;
    uint64_t n = 0;
    auto [end, err] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (err == std::errc() && end == value.data() + value.size()) head->content_length = n;
  } else if (NameIs(name, "Transfer-Encoding")) {
    if (ContainsToken(value, "chunked")) head->chunked = true;
  } else if (NameIs(name, "Expect")) {
    if (ContainsToken(value, "100-continue")) head->expects_continue = true;
  }
}

}  // namespace

RequestHead ScanRequestHead(std::string_view bytes, size_t max_bytes) {
  RequestHead head;
  size_t end = bytes.find("\r\n\r\n");
  if (end == std::string_view::npos || end + 4 > max_bytes) {
    // Without its end in sight, a head is too large once the cap is full;
    // a terminator past the cap is too late all the same.
    bool over = end != std::string_view::npos || bytes.size() >= max_bytes;
    head.state = over ? RequestHead::State::kTooLarge : RequestHead::State::kIncomplete;
    return head;
  }
  head.state = RequestHead::State::kComplete;
  head.size = end + 4;
  // Skip the request line; each later line up to the blank one is a header.
  size_t pos = bytes.find("\r\n") + 2;
  while (pos < end + 2) {
    size_t eol = bytes.find("\r\n", pos);
    ReadHeader(bytes.substr(pos, eol - pos), &head);
    pos = eol + 2;
  }
  return head;
}

size_t LeadingLineBreaks(std::string_view bytes) {
  size_t n = bytes.find_first_not_of("\r\n");
  return n == std::string_view::npos ? bytes.size() : n;
}

}  // namespace frontdesk
