#include "daemon/intake/mailgate_wire.h"

#include <sys/socket.h>

#include <cerrno>
#include <charconv>

namespace frontdesk {
namespace {

constexpr std::string_view kGreeting = "FRONTDESK-MAILGATE 1 max=";

std::optional<int64_t> Number(std::string_view text) {
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < 0 || text.empty()) return std::nullopt;
  return n;
}

std::string_view NextWord(std::string_view* rest) {
  size_t space = rest->find(' ');
  std::string_view word = rest->substr(0, space);
  *rest = space == std::string_view::npos ? std::string_view() : rest->substr(space + 1);
  return word;
}

}  // namespace

std::string MailgateSocketPath(const std::string& data_dir) {
  std::string dir = data_dir;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir + "/mailgate.sock";
}

std::string GreetingLine(int64_t max_bytes) { return std::string(kGreeting) + std::to_string(max_bytes) + "\n"; }

std::optional<int64_t> ParseGreeting(std::string_view line) {
  if (line.substr(0, kGreeting.size()) != kGreeting) return std::nullopt;
  return Number(line.substr(kGreeting.size()));
}

bool WireSafeQueue(std::string_view queue) {
  if (queue.empty() || queue == "-" || queue.size() > 200) return false;
  for (char c : queue) {
    if (c <= ' ' || c >= 0x7f) return false;
  }
  return true;
}

std::string RequestLine(const SpoolRequest& request) {
  return std::string("SPOOL ") + (request.as_comment ? "comment " : "correspond ") +
         (request.queue.empty() ? "-" : request.queue) + " " + std::to_string(request.size) + "\n";
}

std::optional<SpoolRequest> ParseRequestLine(std::string_view line, std::string* why) {
  std::string_view rest = line;
  SpoolRequest r;
  std::string_view verb = NextWord(&rest), action = NextWord(&rest), queue = NextWord(&rest);
  std::string_view size = NextWord(&rest);
  if (verb != "SPOOL" || !rest.empty()) {
    *why = "expected SPOOL <action> <queue> <size>";
    return std::nullopt;
  }
  if (action != "correspond" && action != "comment") {
    *why = "the action must be correspond or comment";
    return std::nullopt;
  }
  r.as_comment = action == "comment";
  if (queue != "-") {
    if (!WireSafeQueue(queue)) {
      *why = "the queue must be printable ASCII without spaces, or -";
      return std::nullopt;
    }
    r.queue = std::string(queue);
  }
  std::optional<int64_t> n = Number(size);
  if (!n) {
    *why = "the size must be a number of bytes";
    return std::nullopt;
  }
  r.size = *n;
  return r;
}

bool SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

std::string AnswerLine(std::string_view word, std::string_view text) {
  std::string line(word);
  if (!text.empty()) line += " ";
  for (char c : text.substr(0, kMaxWireLine - word.size() - 2)) {
    line += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? ' ' : c;
  }
  return line + "\n";
}

}  // namespace frontdesk
