#include "daemon/mail/isolated_parser.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <new>

#include "daemon/mail/parsed_mail_codec.h"

extern char** environ;

namespace frontdesk {
namespace {

using Clock = std::chrono::steady_clock;

// The descriptor the worker talks on; 0-2 stay the usual streams so that
// anything a library prints cannot corrupt an answer.
constexpr int kWorkerFd = 3;
// Answer kinds.
constexpr char kParsed = 'P', kFailed = 'F';
// A worker exits with this when an allocation fails, so that the daemon
// can name the memory limit.
constexpr int kExitOutOfMemory = 3;

void PutU64(std::string* out, uint64_t v) {
  char b[8];
  std::memcpy(b, &v, 8);
  out->append(b, 8);
}

uint64_t GetU64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

// Waits until `fd` is ready for `events` (or has an error, which the next
// call reports); false once the deadline has passed.
bool WaitReady(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, events, 0};
    int n = poll(&p, 1, static_cast<int>(std::min<int64_t>(left, 60'000)));
    if (n > 0 || (n < 0 && errno != EINTR)) return true;
  }
}

// Sends all of `data`; false on a dead peer or the deadline.
bool SendAll(int fd, std::string_view data, Clock::time_point deadline, bool* timed_out) {
  while (!data.empty()) {
    ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!WaitReady(fd, POLLOUT, deadline)) {
        *timed_out = true;
        return false;
      }
      continue;
    }
    return false;
  }
  return true;
}

// Reads exactly `n` bytes; false on EOF, an error or the deadline.
bool ReadExact(int fd, char* out, size_t n, Clock::time_point deadline, bool* timed_out) {
  while (n > 0) {
    ssize_t got = recv(fd, out, n, MSG_DONTWAIT);
    if (got > 0) {
      out += got;
      n -= static_cast<size_t>(got);
      continue;
    }
    if (got == 0) return false;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!WaitReady(fd, POLLIN, deadline)) {
        *timed_out = true;
        return false;
      }
      continue;
    }
    return false;
  }
  return true;
}

// The worker reads with blocking calls: the daemon sets its deadlines.
bool ReadBlocking(int fd, char* out, size_t n) {
  while (n > 0) {
    ssize_t got = read(fd, out, n);
    if (got > 0) {
      out += got;
      n -= static_cast<size_t>(got);
    } else if (got == 0 || errno != EINTR) {
      return false;
    }
  }
  return true;
}

bool WriteBlocking(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = write(fd, data.data(), data.size());
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
    } else if (n < 0 && errno != EINTR) {
      return false;
    }
  }
  return true;
}

std::string Seconds(std::chrono::seconds s) { return std::to_string(s.count()) + " s"; }

std::string Mebibytes(int64_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

}  // namespace

IsolatedParserOptions ParserOptionsOf(const MailConfig& mail) {
  IsolatedParserOptions o;
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  o.command = {n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string("/proc/self/exe"), "parse-worker"};
  o.cpu_limit = mail.parse_cpu_limit;
  o.wall_limit = mail.parse_cpu_limit * 3;
  o.memory_limit = mail.parse_memory_limit;
  o.max_workers = mail.parse_workers;
  return o;
}

IsolatedParser::IsolatedParser(IsolatedParserOptions options) : options_(std::move(options)) {
  if (options_.max_workers < 1) options_.max_workers = 1;
}

IsolatedParser::~IsolatedParser() {
  std::lock_guard<std::mutex> lock(mu_);
  for (Worker& w : idle_) {
    // Closing the socket is the worker's signal to exit.
    w.fd.Reset();
    int st;
    while (waitpid(w.pid, &st, 0) < 0 && errno == EINTR) {
    }
  }
}

int64_t IsolatedParser::started() const {
  std::lock_guard<std::mutex> lock(mu_);
  return started_;
}

Result<IsolatedParser::Worker> IsolatedParser::Spawn() {
  if (options_.command.empty()) return Status::Internal("no parse worker command");
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    return Status::Unavailable(std::string("cannot start a parse worker: socketpair: ") + std::strerror(errno));
  }
  UniqueFd mine(sv[0]), theirs(sv[1]);
  std::vector<std::string> args = options_.command;
  args.push_back("--memory-limit=" + std::to_string(options_.memory_limit));
  args.push_back("--cpu-limit=" + std::to_string(options_.cpu_limit.count()));
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, theirs.get(), kWorkerFd);
  // Nothing else of the daemon's (listeners, the database, the lock) may
  // reach a process that reads hostile input.
  posix_spawn_file_actions_addclosefrom_np(&actions, kWorkerFd + 1);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // The daemon blocks its shutdown signals and ignores SIGPIPE; a worker
  // starts from the defaults.
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGXCPU);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  int err = posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (err != 0) {
    return Status::Unavailable("cannot start a parse worker (" + options_.command[0] + "): " + std::strerror(err));
  }
  ++started_;
  return Worker{pid, std::move(mine)};
}

Result<IsolatedParser::Worker> IsolatedParser::Take() {
  std::unique_lock<std::mutex> lock(mu_);
  freed_.wait(lock, [&] { return !idle_.empty() || running_ < options_.max_workers; });
  if (!idle_.empty()) {
    Worker w = std::move(idle_.back());
    idle_.pop_back();
    return w;
  }
  ++running_;
  Result<Worker> w = Spawn();
  if (!w.ok()) {
    --running_;
    freed_.notify_one();
  }
  return w;
}

void IsolatedParser::Give(Worker w) {
  std::lock_guard<std::mutex> lock(mu_);
  idle_.push_back(std::move(w));
  freed_.notify_one();
}

std::string IsolatedParser::Bury(Worker& w, bool timed_out) {
  if (timed_out) kill(w.pid, SIGKILL);
  w.fd.Reset();
  int st = 0;
  pid_t r;
  while ((r = waitpid(w.pid, &st, 0)) < 0 && errno == EINTR) {
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    --running_;
    freed_.notify_one();
  }
  if (timed_out) return "parsing took longer than " + Seconds(options_.wall_limit) + "; the parser was stopped";
  if (r < 0) return "the parser stopped unexpectedly";
  if (WIFSIGNALED(st)) {
    int sig = WTERMSIG(st);
    if (sig == SIGXCPU) return "parsing used more than " + Seconds(options_.cpu_limit) + " of CPU time";
    if (sig == SIGKILL) {
      return "the parser was killed (signal 9), most likely by the kernel for memory; its limit is " +
             Mebibytes(options_.memory_limit);
    }
    return "the parser crashed (signal " + std::to_string(sig) + ", " + strsignal(sig) +
           "), most likely over its memory limit of " + Mebibytes(options_.memory_limit);
  }
  if (WIFEXITED(st) && WEXITSTATUS(st) == kExitOutOfMemory) {
    return "parsing needed more than the memory limit of " + Mebibytes(options_.memory_limit);
  }
  return "the parser exited with status " + std::to_string(WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

Result<ParsedMail> IsolatedParser::Parse(std::string_view raw, const MailParseOptions& options) {
  Result<Worker> taken = Take();
  if (!taken.ok()) return taken.status();
  Worker w = std::move(*taken);
  std::string head, opts = EncodeParseOptions(options);
  PutU64(&head, opts.size());
  head += opts;
  PutU64(&head, raw.size());
  Clock::time_point deadline = Clock::now() + options_.wall_limit;
  bool timed_out = false;
  char len[9];
  if (!SendAll(w.fd.get(), head, deadline, &timed_out) || !SendAll(w.fd.get(), raw, deadline, &timed_out) ||
      !ReadExact(w.fd.get(), len, sizeof len, deadline, &timed_out)) {
    return Status::Rejected(Bury(w, timed_out));
  }
  uint64_t n = GetU64(len);
  // An answer is never much larger than the message it describes (the
  // text and the attachments, decoded); anything else is a corrupt worker.
  if (n > raw.size() * 4 + (uint64_t{1} << 20)) return Status::Rejected(Bury(w, /*timed_out=*/true));
  std::string answer(n, '\0');
  if (!ReadExact(w.fd.get(), answer.data(), n, deadline, &timed_out)) return Status::Rejected(Bury(w, timed_out));
  Give(std::move(w));
  if (len[8] == kFailed) return Status::Rejected(answer);
  return DecodeParsedMail(answer);
}

int RunParseWorker(int fd, int64_t memory_limit, std::chrono::seconds cpu_limit,
                   const std::function<void(std::string_view raw)>& before_parse) {
  // A worker that dies leaves no core file with a customer's mail in it.
  rlimit core{0, 0};
  setrlimit(RLIMIT_CORE, &core);
#if !defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer reserves terabytes of address space up front; its
  // builds run without the memory limit.
  if (memory_limit > 0) {
    rlimit as{static_cast<rlim_t>(memory_limit), static_cast<rlim_t>(memory_limit)};
    // A sandbox that forbids setrlimit still leaves the daemon's wall
    // deadline and the service's MemoryMax; parsing goes on, with a word.
    if (setrlimit(RLIMIT_AS, &as) != 0) {
      std::fprintf(stderr, "frontdesk parse-worker: cannot set the memory limit: %s\n", std::strerror(errno));
    }
  }
#else
  (void)memory_limit;
#endif
  for (;;) {
    char len[8];
    if (!ReadBlocking(fd, len, 8)) return 0;  // the daemon closed: done
    std::string opts(GetU64(len), '\0');
    if (!ReadBlocking(fd, opts.data(), opts.size()) || !ReadBlocking(fd, len, 8)) return 1;
    std::string answer;
    char kind = kParsed;
    try {
      std::string raw(GetU64(len), '\0');
      if (!ReadBlocking(fd, raw.data(), raw.size())) return 1;
      Result<MailParseOptions> o = DecodeParseOptions(opts);
      if (!o.ok()) {
        kind = kFailed;
        answer = o.status().message();
      } else {
        // This message's CPU budget starts from what the worker has used
        // so far; past it the kernel sends SIGXCPU, which ends the worker.
        rusage used{};
        getrusage(RUSAGE_SELF, &used);
        rlim_t spent = static_cast<rlim_t>(used.ru_utime.tv_sec + used.ru_stime.tv_sec + 1);
        rlimit cpu{RLIM_INFINITY, RLIM_INFINITY};
        getrlimit(RLIMIT_CPU, &cpu);
        cpu.rlim_cur = spent + static_cast<rlim_t>(cpu_limit.count());
        if (cpu.rlim_max != RLIM_INFINITY && cpu.rlim_cur > cpu.rlim_max) cpu.rlim_cur = cpu.rlim_max;
        if (cpu_limit.count() > 0) setrlimit(RLIMIT_CPU, &cpu);
        if (before_parse) before_parse(raw);
        answer = EncodeParsedMail(ParseMail(raw, *o));
      }
    } catch (const std::bad_alloc&) {
      return kExitOutOfMemory;
    }
    std::string frame;
    PutU64(&frame, answer.size());
    frame.push_back(kind);
    frame += answer;
    if (!WriteBlocking(fd, frame)) return 1;
  }
}

}  // namespace frontdesk
