// isolated_parser.h: parses mail in worker processes, so that one hostile
// message costs a bounded amount of time and memory and cannot take the
// daemon with it. Each worker is `frontdesk parse-worker`, started on
// demand and kept for the next message. A worker limits its own address
// space (RLIMIT_AS) and the CPU time of each message (RLIMIT_CPU, raised
// by one budget per message); the daemon also gives each message a wall
// deadline and kills the worker past it. A worker that dies, for whatever
// reason, is replaced; the message it was reading gets an error that says
// why, and the intake counts it against that message only.
//
// Thread-safe: up to max_workers messages are parsed at once; more callers
// wait for a free worker.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "daemon/base/status.h"
#include "daemon/base/unique_fd.h"
#include "daemon/mail/mime.h"

namespace frontdesk {

struct IsolatedParserOptions {
  // The worker's argv up to its options: {"/usr/bin/frontdesk", "parse-worker"}.
  std::vector<std::string> command;
  std::chrono::seconds cpu_limit{10};   // CPU time for one message
  std::chrono::seconds wall_limit{30};  // wall time for one message, on a loaded box too
  int64_t memory_limit = int64_t{1} << 30;  // a worker's address space
  int max_workers = 2;
};

class IsolatedParser {
 public:
  explicit IsolatedParser(IsolatedParserOptions options);
  ~IsolatedParser();
  IsolatedParser(const IsolatedParser&) = delete;
  IsolatedParser& operator=(const IsolatedParser&) = delete;

  // kRejected: this message ran over a limit or crashed the parser; the
  // message says which, for a person. kUnavailable: no worker could be
  // started (a broken installation, no processes left); try again later.
  Result<ParsedMail> Parse(std::string_view raw, const MailParseOptions& options);

  // Workers started since construction; for tests and metrics.
  int64_t started() const;

 private:
  struct Worker {
    pid_t pid = -1;
    UniqueFd fd;
  };
  Result<Worker> Spawn();
  Result<Worker> Take();
  void Give(Worker w);
  // Kills and reaps a worker that failed, and says why it failed.
  std::string Bury(Worker& w, bool timed_out);

  IsolatedParserOptions options_;
  mutable std::mutex mu_;
  std::condition_variable freed_;
  std::vector<Worker> idle_;
  int running_ = 0;  // idle and busy
  int64_t started_ = 0;
};

// The options of the [mail] config, with this program as the worker
// (/proc/self/exe parse-worker).
IsolatedParserOptions ParserOptionsOf(const MailConfig& mail);

// The worker's side, behind `frontdesk parse-worker`: answers requests on
// `fd` until the daemon closes it. Returns the process exit code.
// `before_parse` is fault injection for tests: it sees each message first,
// and may hang or crash as a parser would.
int RunParseWorker(int fd, int64_t memory_limit, std::chrono::seconds cpu_limit,
                   const std::function<void(std::string_view raw)>& before_parse = {});

}  // namespace frontdesk
