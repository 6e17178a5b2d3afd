#include "daemon/intake/quick_mailgate.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "config/data_dir_scan.h"
#include "config/values.h"
#include "daemon/base/unique_fd.h"
#include "daemon/intake/mailgate_wire.h"
#include "daemon/intake/message_input.h"

namespace frontdesk {
namespace {

constexpr int kOk = 0, kDataErr = 65, kTempFail = 75;

// How long the daemon may take to greet, and to commit once it has the
// message (it waits for the write lock up to [server] busy_timeout).
constexpr int kGreetingSeconds = 10;
constexpr int kAnswerSeconds = 120;

struct Args {
  std::string config, queue, action = "correspond";
};

// Only the plain forms an MTA is configured with; anything else (help, a
// typo) goes to the full command line, which explains it.
std::optional<Args> ReadArgs(int argc, char** argv) {
  Args a;
  bool mailgate = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&](std::string_view flag, std::string* out) {
      if (arg == flag && i + 1 < argc) {
        *out = argv[++i];
        return true;
      }
      if (arg.size() > flag.size() + 1 && arg.substr(0, flag.size()) == flag && arg[flag.size()] == '=') {
        *out = std::string(arg.substr(flag.size() + 1));
        return true;
      }
      return false;
    };
    if (arg == "mailgate" && !mailgate) {
      mailgate = true;
    } else if (value("--config", &a.config) || value("-c", &a.config)) {
    } else if (mailgate && (value("--queue", &a.queue) || value("--action", &a.action))) {
    } else {
      return std::nullopt;
    }
  }
  if (!mailgate || (a.action != "correspond" && a.action != "comment")) return std::nullopt;
  if (!a.queue.empty() && !WireSafeQueue(a.queue)) return std::nullopt;
  return a;
}

std::optional<std::string> ReadFile(const std::string& path) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return std::nullopt;
  std::string text;
  char buf[16384];
  for (;;) {
    ssize_t n = read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::nullopt;
    if (n == 0) return text;
    text.append(buf, static_cast<size_t>(n));
  }
}

// The daemon's socket, connected; nothing when no daemon listens there.
UniqueFd Connect(const std::string& path) {
  if (path.size() > kMaxSocketPath) return UniqueFd();
  UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return fd;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return UniqueFd();
  return fd;
}

void SetReadTimeout(int fd, int seconds) {
  timeval t{seconds, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &t, sizeof t);
}

// One line without its "\n"; nothing on a timeout, an error, or the end.
// The daemon sends nothing past the line it is answered for, so a read may
// take whole chunks.
std::optional<std::string> ReadLine(int fd) {
  std::string line;
  char buf[kMaxWireLine];
  while (line.size() < kMaxWireLine) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;
    line.append(buf, static_cast<size_t>(n));
    size_t end = line.find('\n');
    if (end != std::string::npos) return line.substr(0, end);
  }
  return std::nullopt;
}

// Puts the message back on stdin for the full command, which reads it from
// there. False when that fails; the MTA must then retry.
bool PutBackOnStdin(const std::string& raw) {
  UniqueFd fd(memfd_create("frontdesk-mailgate", MFD_CLOEXEC));
  if (!fd) return false;
  std::string_view rest = raw;
  while (!rest.empty()) {
    ssize_t n = write(fd.get(), rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    rest.remove_prefix(static_cast<size_t>(n));
  }
  if (lseek(fd.get(), 0, SEEK_SET) != 0 || dup2(fd.get(), STDIN_FILENO) != STDIN_FILENO) return false;
  clearerr(stdin);  // it saw the end of the MTA's pipe
  return true;
}

}  // namespace

std::optional<int> QuickMailgate(int argc, char** argv) {
  std::optional<Args> args = ReadArgs(argc, argv);
  if (!args) return std::nullopt;
  Result<std::string> path = ResolveConfigPath(args->config, std::getenv("FRONTDESK_CONFIG"));
  if (!path.ok()) return std::nullopt;
  std::optional<std::string> text = ReadFile(*path);
  if (!text) return std::nullopt;  // the full loader says why
  DataDirScanResult scan = ScanDataDir(*text);
  if (scan.kind == DataDirScan::kUnsure) return std::nullopt;
  std::string data_dir = scan.kind == DataDirScan::kFound ? scan.value : ServerConfig().data_dir;
  UniqueFd conn = Connect(MailgateSocketPath(data_dir));
  if (!conn) return std::nullopt;  // no daemon: the full command files it
  SetReadTimeout(conn.get(), kGreetingSeconds);
  std::optional<std::string> greeting = ReadLine(conn.get());
  std::optional<int64_t> cap = greeting ? ParseGreeting(*greeting) : std::nullopt;
  if (!cap) return std::nullopt;  // busy, or a daemon of another version

  MessageInput message = ReadMessage(stdin, *cap);
  if (!message.error.empty()) {
    std::fprintf(stderr, "frontdesk: mailgate: %s\n", message.error.c_str());
    return message.failed ? kTempFail : kDataErr;
  }
  SpoolRequest request;
  request.as_comment = args->action == "comment";
  request.queue = args->queue;
  request.size = static_cast<int64_t>(message.raw.size());
  auto full_path = [&]() -> std::optional<int> {
    if (PutBackOnStdin(message.raw)) return std::nullopt;
    std::fprintf(stderr, "frontdesk: mailgate: cannot hand the message to the full command: %s; "
                 "the message is kept for a retry\n", std::strerror(errno));
    return kTempFail;
  };
  // A daemon that closed early has stored nothing: it stores only once it
  // has every byte.
  if (!SendAll(conn.get(), RequestLine(request)) || !SendAll(conn.get(), message.raw)) return full_path();
  SetReadTimeout(conn.get(), kAnswerSeconds);
  std::optional<std::string> answer = ReadLine(conn.get());
  if (!answer) {
    std::fprintf(stderr, "frontdesk: mailgate: the daemon did not answer (it may have stopped); "
                 "the message is kept for a retry\n");
    return kTempFail;
  }
  std::string_view a = *answer;
  if (a.substr(0, 3) == "OK ") {
    std::printf("spooled as entry %s; the daemon files it\n", std::string(a.substr(3)).c_str());
    return kOk;
  }
  if (a.substr(0, 8) == "REFUSED ") return full_path();
  std::string why(a.substr(0, 9) == "TEMPFAIL " ? a.substr(9) : a);
  std::fprintf(stderr, "frontdesk: mailgate: %s; the message is kept for a retry\n", why.c_str());
  return kTempFail;
}

}  // namespace frontdesk
