#include "daemon/intake/quick_mailgate.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "config/values.h"
#include "daemon/base/unique_fd.h"
#include "daemon/intake/message_input.h"
#include "daemon/store/spool_append.h"

namespace frontdesk {
namespace {

constexpr int kOk = 0, kDataErr = 65, kTempFail = 75;

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
  return a;
}

bool DaemonRunning(const std::string& data_dir) {
  UniqueFd fd(open((data_dir + "/serve.lock").c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return false;
  // Closing fd drops our shared lock, if we got it.
  return flock(fd.get(), LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
}

}  // namespace

std::optional<int> QuickMailgate(int argc, char** argv) {
  std::optional<Args> args = ReadArgs(argc, argv);
  if (!args) return std::nullopt;
  Result<std::string> path = ResolveConfigPath(args->config, std::getenv("FRONTDESK_CONFIG"));
  if (!path.ok()) return std::nullopt;
  toml::table root;
  try {
    root = toml::parse_file(*path);
  } catch (const std::exception&) {
    return std::nullopt;  // the full loader reports it, with its place
  }
  ServerConfig server;
  server.data_dir = root["server"]["data_dir"].value_or(server.data_dir);
  server.database = root["server"]["database"].value_or(server.database);
  int64_t busy_ms = 5000;
  if (std::optional<std::string> t = root["server"]["busy_timeout"].value<std::string>()) {
    Result<std::chrono::milliseconds> d = ParseDuration(*t);
    if (!d.ok()) return std::nullopt;
    busy_ms = d->count();
  }
  MailConfig mail;
  int64_t hard = mail.hard_max_message_bytes;
  toml::node_view<toml::node> cap = root["mail"]["hard_max_message_bytes"];
  if (std::optional<std::string> t = cap.value<std::string>()) {
    Result<int64_t> b = ParseByteSize(*t);
    if (!b.ok()) return std::nullopt;
    hard = *b;
  } else if (std::optional<int64_t> n = cap.value<int64_t>()) {
    hard = *n;
  }
  if (!args->queue.empty()) {
    bool known = false;
    if (toml::array* queues = root["queue"].as_array()) {
      for (toml::node& q : *queues) {
        if (q.is_table() && q.as_table()->get("name") &&
            q.as_table()->get("name")->value_or(std::string()) == args->queue) {
          known = true;
        }
      }
    }
    if (!known) return std::nullopt;
  }
  if (!DaemonRunning(server.data_dir)) return std::nullopt;

  MessageInput message = ReadMessage(stdin, hard);
  if (!message.error.empty()) {
    std::fprintf(stderr, "frontdesk: mailgate: %s\n", message.error.c_str());
    return message.failed ? kTempFail : kDataErr;
  }
  SpoolAppend where;
  where.db_path = server.DatabasePath();
  where.busy_timeout_ms = busy_ms;
  if (!args->queue.empty()) where.queue = args->queue;
  where.as_comment = args->action == "comment";
  where.received_at = static_cast<int64_t>(std::time(nullptr));
  SpoolAppendResult r = AppendToSpool(where, message.raw);
  if (r.kind != SpoolAppendResult::Kind::kSpooled) {
    std::fprintf(stderr, "frontdesk: mailgate: %s; the message is kept for a retry\n", r.error.c_str());
    return kTempFail;
  }
  std::printf("spooled as entry %lld; the daemon files it\n", static_cast<long long>(r.id));
  return kOk;
}

}  // namespace frontdesk
