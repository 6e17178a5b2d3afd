#include "daemon/intake/message_input.h"

namespace frontdesk {

MessageInput ReadMessage(std::FILE* in, int64_t cap) {
  MessageInput m;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, in)) > 0) {
    m.total += static_cast<int64_t>(n);
    if (m.total <= cap) m.raw.append(buf, n);
  }
  if (std::ferror(in)) {
    m.failed = true;
    m.error = "reading the message failed";
  } else if (m.total > cap) {
    m.raw.clear();
    m.error = "the message is " + std::to_string(m.total) + " bytes, over the limit of " + std::to_string(cap) +
              " bytes; it is refused";
  }
  return m;
}

}  // namespace frontdesk
