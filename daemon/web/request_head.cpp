#include "daemon/web/request_head.h"

#include <strings.h>

#include <array>
#include <cctype>
#include <limits>

#include "daemon/base/text.h"

namespace frontdesk {
namespace {

bool IsTokenChar(unsigned char c) {
  static constexpr std::string_view kMarks = "!#$%&'*+-.^_`|~";
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c != 0 && kMarks.find(static_cast<char>(c)) != std::string_view::npos);
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

bool NameIs(std::string_view name, std::string_view want) {
  return name.size() == want.size() && strncasecmp(name.data(), want.data(), want.size()) == 0;
}

// The methods cpp-httplib dispatches. Another is refused before the body,
// which the library would otherwise leave unread on the connection.
bool IsServedMethod(std::string_view m) {
  static constexpr std::array<std::string_view, 7> kMethods = {"GET",    "HEAD",    "POST", "PUT",
                                                               "DELETE", "OPTIONS", "PATCH"};
  for (std::string_view k : kMethods) {
    if (m == k) return true;
  }
  return false;
}

// Every element of a comma-separated list, trimmed; empty ones skipped.
template <typename Fn>
bool EachListElement(std::string_view list, Fn&& fn) {
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view element = Trim(list.substr(0, comma));
    if (!element.empty() && !fn(element)) return false;
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
  return true;
}

class HeadReader {
 public:
  explicit HeadReader(RequestHead* head) : head_(head) {}

  bool RequestLine(std::string_view line) {
    size_t sp1 = line.find(' ');
    size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
      return Refuse(400, "the request line is not METHOD TARGET HTTP/1.1");
    }
    std::string_view method = line.substr(0, sp1);
    std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    std::string_view version = line.substr(sp2 + 1);
    if (!IsToken(method)) return Refuse(400, "the request method is not a token");
    for (unsigned char c : target) {
      if (c <= 0x20 || c >= 0x7f) {
        return Refuse(400, "the request target holds a control, space or non-ASCII byte");
      }
    }
    if (target.empty()) return Refuse(400, "the request target is empty");
    if (version == "HTTP/1.1") {
      http11_ = true;
    } else if (version != "HTTP/1.0") {
      bool looks_like_http = version.size() == 8 && version.substr(0, 5) == "HTTP/" &&
                             version[6] == '.' && std::isdigit(static_cast<unsigned char>(version[5])) &&
                             std::isdigit(static_cast<unsigned char>(version[7]));
      if (looks_like_http) return Refuse(505, "only HTTP/1.1 and HTTP/1.0 are served");
      return Refuse(400, "the request line does not end with HTTP/1.1");
    }
    if (!IsServedMethod(method)) {
      return Refuse(501, "the method " + std::string(method) + " is not implemented");
    }
    return true;
  }

  bool Header(std::string_view line) {
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      return Refuse(400, "a header line is folded onto the one before it");
    }
    size_t colon = line.find(':');
    std::string_view name = line.substr(0, colon);
    if (colon == std::string_view::npos || !IsToken(name)) {
      return Refuse(400, "a header line is not NAME: VALUE (no space may precede the colon)");
    }
    std::string_view value = Trim(line.substr(colon + 1));
    if (HasControlOrLineBreak(value)) {
      return Refuse(400, "the header " + std::string(name) + " holds a control byte");
    }
    if (NameIs(name, "Content-Length")) return ContentLength(value);
    if (NameIs(name, "Transfer-Encoding")) return TransferEncoding(value);
    if (NameIs(name, "Host")) ++hosts_;
    if (NameIs(name, "Authorization") || NameIs(name, "Cookie")) head_->has_credentials = true;
    if (NameIs(name, "Expect") && NameIs(value, "100-continue")) head_->expects_continue = http11_;
    return true;
  }

  // What the headers say together.
  bool Finish() {
    if (http11_ && hosts_ != 1) {
      return Refuse(400, hosts_ == 0 ? "an HTTP/1.1 request needs a Host header"
                                     : "the request has more than one Host header");
    }
    if (!codings_seen_) return true;
    if (head_->content_length) {
      return Refuse(400, "the request has both Content-Length and Transfer-Encoding");
    }
    if (!http11_) return Refuse(400, "Transfer-Encoding needs HTTP/1.1");
    if (!last_is_chunked_) return Refuse(400, "Transfer-Encoding does not end with chunked");
    if (other_coding_ || chunked_count_ > 1) {
      return Refuse(501, "Transfer-Encoding other than a single chunked is not implemented");
    }
    head_->chunked = true;
    return true;
  }

 private:
  bool ContentLength(std::string_view value) {
    bool ok = EachListElement(value, [&](std::string_view n) {
      uint64_t v = 0;
      for (char c : n) {
        if (c < '0' || c > '9') return false;
        uint64_t digit = static_cast<uint64_t>(c - '0');
        v = v > (std::numeric_limits<uint64_t>::max() - digit) / 10
                ? std::numeric_limits<uint64_t>::max()
                : v * 10 + digit;
      }
      if (head_->content_length && *head_->content_length != v) return false;
      head_->content_length = v;
      return true;
    });
    if (!ok || !head_->content_length) {
      return Refuse(400, "Content-Length is not one decimal number (or two that differ)");
    }
    return true;
  }

  bool TransferEncoding(std::string_view value) {
    codings_seen_ = true;
    EachListElement(value, [&](std::string_view coding) {
      last_is_chunked_ = NameIs(coding, "chunked");
      if (last_is_chunked_) {
        ++chunked_count_;
      } else {
        other_coding_ = true;
      }
      return true;
    });
    return true;
  }

  bool Refuse(int status, std::string problem) {
    head_->state = RequestHead::State::kRefused;
    head_->status = status;
    head_->problem = std::move(problem);
    return false;
  }

  RequestHead* head_;
  bool http11_ = false;
  int hosts_ = 0;
  bool codings_seen_ = false;
  bool last_is_chunked_ = false;
  bool other_coding_ = false;
  int chunked_count_ = 0;
};

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
  HeadReader reader(&head);
  size_t eol = bytes.find("\r\n");
  bool ok = reader.RequestLine(bytes.substr(0, eol));
  // Each later line up to the blank one is a header.
  for (size_t pos = eol + 2; ok && pos < end + 2; pos = eol + 2) {
    eol = bytes.find("\r\n", pos);
    ok = reader.Header(bytes.substr(pos, eol - pos));
  }
  if (ok) reader.Finish();
  return head;
}

size_t LeadingLineBreaks(std::string_view bytes) {
  size_t n = bytes.find_first_not_of("\r\n");
  return n == std::string_view::npos ? bytes.size() : n;
}

size_t DropExpectHeaders(std::string& bytes, size_t head_size) {
  size_t pos = bytes.find("\r\n") + 2;
  while (pos + 2 < head_size) {
    size_t eol = bytes.find("\r\n", pos);
    std::string_view line(bytes.data() + pos, eol - pos);
    if (NameIs(line.substr(0, line.find(':')), "Expect")) {
      bytes.erase(pos, eol + 2 - pos);
      head_size -= eol + 2 - pos;
    } else {
      pos = eol + 2;
    }
  }
  return head_size;
}

}  // namespace frontdesk
