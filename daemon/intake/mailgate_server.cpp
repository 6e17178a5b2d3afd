#include "daemon/intake/mailgate_server.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

#include "daemon/intake/mailgate_wire.h"
#include "daemon/store/spool_store.h"

namespace frontdesk {
namespace {

using Steady = std::chrono::steady_clock;

// Waits until `fd` is readable, the deadline passes or `stop` is set.
bool WaitReadable(int fd, Steady::time_point deadline, const std::atomic<bool>& stop) {
  for (;;) {
    if (stop.load()) return false;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    int n = poll(&p, 1, static_cast<int>(std::min<int64_t>(left, 200)));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return false;
  }
}

}  // namespace

MailgateServer::MailgateServer(Options options, WriteQueue& writer, ConfigSource config, const Clock& clock,
                               Metrics* metrics, std::function<void()> spooled)
    : options_(std::move(options)),
      writer_(writer),
      config_(std::move(config)),
      clock_(clock),
      metrics_(metrics),
      spooled_(std::move(spooled)) {}

MailgateServer::~MailgateServer() { Stop(); }

Status MailgateServer::Listen() {
  const std::string& path = options_.socket_path;
  if (path.size() > kMaxSocketPath) {
    return Status::Invalid(path + " is longer than a Unix socket path may be (" + std::to_string(kMaxSocketPath) +
                           " bytes); mailgate files each message itself instead (slower). A shorter " +
                           "[server] data_dir makes the quick path available");
  }
  struct stat st;
  if (lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return Status::Invalid(path + " exists and is not a socket; move it away so the quick mailgate can listen there");
    }
    unlink(path.c_str());  // left by a daemon that died; we hold the serve lock
  }
  UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return Status::Io(std::string("socket: ") + std::strerror(errno));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    return Status::Io("cannot listen on " + path + ": " + std::strerror(errno));
  }
  // The data directory (0750) already keeps others out; the group may hand
  // mail over, as it may write the database.
  if (chmod(path.c_str(), 0660) != 0 || listen(fd.get(), 128) != 0) {
    Status s = Status::Io("cannot listen on " + path + ": " + std::strerror(errno));
    unlink(path.c_str());
    return s;
  }
  listen_fd_ = std::move(fd);
  listening_ = true;
  return Status::Ok();
}

void MailgateServer::Start() {
  if (!listening_ || !handlers_.empty()) return;
  for (size_t i = 0; i < std::max<size_t>(1, options_.handlers); ++i) {
    handlers_.emplace_back([this] { HandlerLoop(); });
  }
}

void MailgateServer::Stop() {
  if (!listening_) return;
  listening_ = false;
  stopping_ = true;
  // Wakes every thread blocked in accept() (it fails with EINVAL), and
  // ends the waits of handlers reading a slow client (WaitReadable).
  shutdown(listen_fd_.get(), SHUT_RDWR);
  for (std::thread& t : handlers_) t.join();
  handlers_.clear();
  unlink(options_.socket_path.c_str());
  listen_fd_.Reset();
}

void MailgateServer::HandlerLoop() {
  while (!stopping_) {
    int conn = accept4(listen_fd_.get(), nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) {
      if (errno == EMFILE || errno == ENFILE) {
        spdlog::warn("mailgate socket: {}; mailgate files the message itself meanwhile", std::strerror(errno));
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      } else if (errno != EINTR && errno != ECONNABORTED && !stopping_) {
        spdlog::warn("mailgate socket: accept: {}", std::strerror(errno));
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      continue;
    }
    std::shared_ptr<const Config> config = config_();
    std::string greeting = GreetingLine(config->mail.hard_max_message_bytes);
    if (send(conn, greeting.data(), greeting.size(), MSG_NOSIGNAL | MSG_DONTWAIT) !=
        static_cast<ssize_t>(greeting.size())) {
      close(conn);
      continue;
    }
    Serve(UniqueFd(conn), config);
  }
}

void MailgateServer::Serve(UniqueFd conn, const std::shared_ptr<const Config>& config) {
  timeval send_timeout{5, 0};
  setsockopt(conn.get(), SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof send_timeout);
  std::string answer = Handle(conn.get(), *config, Steady::now() + options_.timeout);
  (void)SendAll(conn.get(), answer);
}

std::string MailgateServer::Handle(int conn, const Config& config, Steady::time_point deadline) {
  const int64_t cap = config.mail.hard_max_message_bytes;
  auto count = [this](const char* result) {
    if (metrics_) metrics_->Count("frontdesk_mailgate_handoffs_total", "result", result);
  };
  std::string buf;
  size_t line_end = std::string::npos;
  char chunk[65536];
  auto read_more = [&](size_t want) -> bool {
    if (!WaitReadable(conn, deadline, stopping_)) return false;
    ssize_t n = recv(conn, chunk, std::min(sizeof chunk, want), 0);
    if (n <= 0) return false;
    buf.append(chunk, static_cast<size_t>(n));
    return true;
  };
  while ((line_end = buf.find('\n')) == std::string::npos) {
    if (buf.size() >= kMaxWireLine) {
      count("refused");
      return AnswerLine("REFUSED", "the request line is longer than " + std::to_string(kMaxWireLine) + " bytes");
    }
    if (!read_more(kMaxWireLine - buf.size())) {
      count("timeout");
      return AnswerLine("TEMPFAIL", "the request did not arrive in time");
    }
  }
  std::string why;
  std::optional<SpoolRequest> request = ParseRequestLine(std::string_view(buf).substr(0, line_end), &why);
  if (!request) {
    count("refused");
    return AnswerLine("REFUSED", why);
  }
  if (request->size > cap) {
    count("refused");
    return AnswerLine("REFUSED", "the message is over the hard cap of " + std::to_string(cap) + " bytes");
  }
  if (!request->queue.empty() && !config.FindQueue(request->queue)) {
    count("refused");
    return AnswerLine("REFUSED", "unknown queue " + request->queue);
  }
  buf.erase(0, line_end + 1);
  const size_t size = static_cast<size_t>(request->size);
  while (buf.size() < size) {
    if (!read_more(size - buf.size())) {
      count("timeout");
      return AnswerLine("TEMPFAIL", "the message did not arrive in time");
    }
  }
  if (buf.size() > size) {
    count("refused");
    return AnswerLine("REFUSED", "more bytes than the request announced");
  }
  SpoolEntry entry;
  entry.raw = std::move(buf);
  entry.source = "mailgate";
  if (!request->queue.empty()) entry.queue = request->queue;
  entry.as_comment = request->as_comment;
  entry.received_at = clock_.Now();
  int64_t id = 0;
  Status s = writer_.Run([&](Store& store) -> Status {
    Result<int64_t> added = SpoolStore(store).Add(entry, "");
    if (!added.ok()) return added.status();
    id = *added;
    return Status::Ok();
  });
  if (!s.ok()) {
    count("tempfail");
    spdlog::warn("mailgate socket: {}; the mailgate answers 75 and the MTA retries", s.message());
    return AnswerLine("TEMPFAIL", s.message());
  }
  count("spooled");
  spooled_();
  return AnswerLine("OK", std::to_string(id));
}

}  // namespace frontdesk
