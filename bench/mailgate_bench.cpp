// mailgate_bench: the quick mailgate beside this machine's process-spawn
// ceiling, in one run. An MTA starts one `frontdesk mailgate` per message
// with the message on stdin (Postfix's pipe(8): fork and exec, no shell), so
// the most any one-process-per-message command can reach is how fast the
// machine starts and reaps a process that does nothing. This program spawns
// each child with posix_spawn, its stdin opened on a message file, and waits
// for it, 1 and 4 at a time:
//   1. /bin/true: the ceiling;
//   2. mailgate with a serve lock but no daemon socket (this program holds
//      the lock): the full command loads the library and spools itself, as
//      it does when every socket handler is busy; nothing files;
//   3. the quick mailgate with `frontdesk serve` running and filing: the
//      message goes over the daemon's socket;
//   4. /bin/true again, to show how much the machine moved during the run.
// Beside the spawn ceiling, the disk's: a loop of durable one-row SQLite
// commits in one process. Every acknowledged mail waits for a sync, so one
// mailgate at a time cannot go faster than that either.
// Each row: messages/s, its share of the ceiling, and p50/p95/max latency
// from spawn to reaped exit. The quick mailgate's rows are set beside the
// mean of /bin/true measured just before and just after them. At the end every message must be one ticket.
//
//   mailgate_bench --frontdesk BIN --config FILE --data-dir DIR [--messages N]
//
// The config must be migrated, and its database empty of tickets.
// bench/mailgate.sh prepares one from the package's example config.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string frontdesk, config, data_dir;
  int messages = 1000;
};

struct Run {
  double seconds = 0;
  std::vector<double> latency_ms;
  int failures = 0;
  std::map<int, int> exit_codes;  // non-zero ones
  double per_sec() const { return latency_ms.size() / seconds; }
  double Percentile(double p) const {
    std::vector<double> v = latency_ms;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
  }
};

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "mailgate_bench: %s\n", what.c_str());
  std::exit(2);
}

// One message of about 8 KB, as bench/mailgate.sh always used: a 5 KB text
// part and a 2 KB base64 attachment; the Message-ID makes each one new.
std::string Message(const std::string& tag, int i) {
  static const char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string text;
  while (text.size() < 5000) text += "Hello, my order has not arrived yet and I would like to know where it is. ";
  text.resize(5000);
  std::string att;
  uint32_t x = 2463534242u + static_cast<uint32_t>(i);
  for (int n = 0; n < 2732; ++n) {
    x ^= x << 13, x ^= x >> 17, x ^= x << 5;
    att += kB64[x & 63];
    if (n % 76 == 75) att += "\r\n";
  }
  att += "==\r\n";
  std::string id = std::to_string(i);
  return "From: Customer " + id + " <c" + std::to_string(i % 500) + "@example.org>\r\nTo: support@example.com\r\n" +
         "Subject: Order " + id + " has not arrived\r\nMessage-ID: <bench-" + tag + "-" + id + "@example.org>\r\n" +
         "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n" +
         "Content-Type: text/plain; charset=utf-8\r\n\r\n" + text + "\r\n--b\r\n" +
         "Content-Type: application/octet-stream; name=\"receipt.bin\"\r\n" +
         "Content-Disposition: attachment; filename=\"receipt.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
         att + "--b--\r\n";
}

std::vector<std::string> WriteMessages(const std::string& dir, const std::string& tag, int n) {
  mkdir(dir.c_str(), 0755);
  std::vector<std::string> files;
  for (int i = 0; i < n; ++i) {
    files.push_back(dir + "/" + tag + "-" + std::to_string(i) + ".eml");
    std::ofstream(files.back(), std::ios::binary) << Message(tag, i);
  }
  return files;
}

pid_t Spawn(const std::vector<std::string>& argv, const std::string& in, const std::string& out) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, in.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) Die("posix_spawn " + argv[0] + ": " + std::strerror(rc));
  return pid;
}

// Runs `argv` once per file, `workers` at a time; the child's output goes to
// /dev/null (its errors are counted by exit code).
Run SpawnAll(const std::vector<std::string>& argv, const std::vector<std::string>& files, int workers) {
  Run r;
  std::map<pid_t, Clock::time_point> running;
  size_t next = 0;
  Clock::time_point t0 = Clock::now();
  while (next < files.size() || !running.empty()) {
    while (running.size() < static_cast<size_t>(workers) && next < files.size()) {
      Clock::time_point at = Clock::now();
      running[Spawn(argv, files[next++], "/dev/null")] = at;
    }
    int status = 0;
    pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) Die(std::string("waitpid: ") + std::strerror(errno));
    auto it = running.find(pid);
    if (it == running.end()) continue;  // the daemon, if it died: checked later
    r.latency_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - it->second).count());
    running.erase(it);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (code != 0) {
      ++r.failures;
      ++r.exit_codes[code];
    }
  }
  r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return r;
}

void Print(const std::string& what, int workers, const Run& r, double ceiling) {
  std::printf("%-36s workers=%d n=%zu per_sec=%.0f", what.c_str(), workers, r.latency_ms.size(), r.per_sec());
  if (ceiling > 0) std::printf(" ceiling_share=%.1f%%", 100 * r.per_sec() / ceiling);
  std::printf(" p50_ms=%.2f p95_ms=%.2f max_ms=%.1f failures=%d", r.Percentile(0.5), r.Percentile(0.95),
              r.Percentile(1.0), r.failures);
  for (auto [code, n] : r.exit_codes) std::printf(" exit%d=%d", code, n);
  std::printf("\n");
  std::fflush(stdout);
}

int64_t Count(const std::string& db_path, const char* sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) Die("open " + db_path);
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* st = nullptr;
  int64_t n = -1;
  if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
    n = sqlite3_column_int64(st, 0);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  if (n < 0) Die(std::string("query failed: ") + sql);
  return n;
}

// Seconds until the spool is empty, or dies after a minute.
double WaitFiled(const std::string& db_path) {
  Clock::time_point t0 = Clock::now();
  while (Count(db_path, "SELECT count(*) FROM inbound_spool") > 0) {
    if (Clock::now() - t0 > std::chrono::seconds(60)) Die("the daemon did not file the spool within 60 s");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// The disk's yardstick: one process committing one 8 KB row per
// transaction into a WAL database with synchronous=FULL, as fast as it can,
// on the same file system. A mailgate must wait for at least one such sync
// before it may exit 0, so one at a time it cannot beat this rate.
double DurableCommitsPerSec(const std::string& dir, const std::string& row, int n) {
  const std::string path = dir + "/yardstick.db";
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) Die("open " + path);
  sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE t(raw BLOB)", nullptr, nullptr,
               nullptr);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO t(raw) VALUES (?1)", -1, &st, nullptr);
  Clock::time_point t0 = Clock::now();
  for (int i = 0; i < n; ++i) {
    sqlite3_bind_blob(st, 1, row.data(), static_cast<int>(row.size()), SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE) Die("yardstick insert failed");
    sqlite3_reset(st);
  }
  double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  sqlite3_finalize(st);
  sqlite3_close(db);
  for (const char* suffix : {"", "-wal", "-shm"}) unlink((path + suffix).c_str());
  return n / secs;
}

bool LockHeld(const std::string& lock_path) {
  int fd = open(lock_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool held = flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  close(fd);
  return held;
}

Options ReadOptions(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--frontdesk") o.frontdesk = value;
    else if (flag == "--config") o.config = value;
    else if (flag == "--data-dir") o.data_dir = value;
    else if (flag == "--messages") o.messages = std::atoi(value.c_str());
    else Die("unknown flag " + flag);
  }
  if (o.frontdesk.empty() || o.config.empty() || o.data_dir.empty() || o.messages < 1) {
    Die("usage: mailgate_bench --frontdesk BIN --config FILE --data-dir DIR [--messages N]");
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = ReadOptions(argc, argv);
  const std::string db = o.data_dir + "/frontdesk.db", lock = o.data_dir + "/serve.lock";
  const std::string msgs = o.data_dir + "/../bench-messages";
  mkdir(msgs.c_str(), 0755);
  std::map<std::string, std::vector<std::string>> files;
  for (const char* tag : {"stopped1", "stopped4", "warm", "filing1", "filing4"}) files[tag] = WriteMessages(msgs, tag, o.messages);
  struct stat st {};
  stat(files["stopped1"][0].c_str(), &st);
  std::printf("messages=%d size_bytes=%lld config=%s\n", o.messages, static_cast<long long>(st.st_size),
              o.config.c_str());
  const std::vector<std::string> truth = {"/bin/true"};
  const std::vector<std::string> gate = {o.frontdesk, "mailgate", "--config", o.config};

  // 1. The ceiling.
  double ceiling[5] = {};
  for (int p : {1, 4}) {
    Run r = SpawnAll(truth, files["stopped1"], p);
    ceiling[p] = r.per_sec();
    Print("spawn /bin/true (ceiling)", p, r, 0);
  }

  std::printf("%-36s n=%d per_sec=%.0f\n", "durable SQLite commit, in-process", 200,
              DurableCommitsPerSec(msgs, Message("yardstick", 0), 200));

  // 2. The serve lock is ours and no socket listens: mailgate takes the
  // full path, which spools for the daemon that holds the lock.
  int held = open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
  if (held < 0 || flock(held, LOCK_EX | LOCK_NB) != 0) Die("cannot take " + lock + ": is a daemon running?");
  for (int p : {1, 4}) {
    Run r = SpawnAll(gate, files[p == 1 ? "stopped1" : "stopped4"], p);
    Print("mailgate, no socket (spools itself)", p, r, ceiling[p]);
  }
  std::printf("spooled=%lld\n", static_cast<long long>(Count(db, "SELECT count(*) FROM inbound_spool")));
  close(held);

  // 3. The daemon running and filing.
  const std::string log = o.data_dir + "/../serve.log";
  pid_t daemon = Spawn({o.frontdesk, "serve", "--config", o.config}, "/dev/null", log);
  std::FILE* pid_file = std::fopen((o.data_dir + "/../serve.pid").c_str(), "w");
  if (pid_file) std::fprintf(pid_file, "%d\n", daemon), std::fclose(pid_file);
  for (int i = 0; i < 500 && !LockHeld(lock); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (!LockHeld(lock)) Die("frontdesk serve did not start; see " + log);
  std::printf("daemon pid=%d filed the %d spooled while stopped in %.2f s\n", daemon, 2 * o.messages,
              WaitFiled(db));
  // A daemon that has run a while writes into a WAL file at its working
  // size; one just started (the benchmark's, or after a restart, whose
  // checkpoint truncates the WAL) grows it with each commit, and each
  // growth makes the commit's sync write file system metadata too. The
  // rows below measure the daemon at work; this warm-up, shown, is the
  // growing phase.
  {
    Run warm = SpawnAll(gate, files["warm"], 4);
    Print("quick mailgate, warm-up (WAL grows)", 4, warm, 0);
    WaitFiled(db);
  }
  // The ceiling moves by a third within a minute on a shared machine, so
  // each row is set beside /bin/true measured just before and just after
  // it, with the daemon idle, and its share is of their mean.
  for (int p : {1, 4}) {
    Run before = SpawnAll(truth, files["stopped1"], p);
    Run r = SpawnAll(gate, files[p == 1 ? "filing1" : "filing4"], p);
    double filed = WaitFiled(db);
    Run after = SpawnAll(truth, files["stopped1"], p);
    Print("  spawn /bin/true, just before", p, before, 0);
    Print("  spawn /bin/true, just after", p, after, 0);
    Print("quick mailgate, daemon filing", p, r, (before.per_sec() + after.per_sec()) / 2);
    std::printf("  all filed %.2f s after the last exit\n", filed);
  }
  kill(daemon, SIGTERM);
  int status = 0;
  waitpid(daemon, &status, 0);
  std::printf("daemon stopped, exit=%d\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));

  // 4. The ceilings again: how much the machine moved meanwhile.
  for (int p : {1, 4}) Print("spawn /bin/true (ceiling, again)", p, SpawnAll(truth, files["stopped1"], p), 0);
  std::printf("%-36s n=%d per_sec=%.0f\n", "durable SQLite commit, again", 200,
              DurableCommitsPerSec(msgs, Message("yardstick", 0), 200));

  int64_t tickets = Count(db, "SELECT count(*) FROM tickets");
  int64_t raw = Count(db, "SELECT count(*) FROM raw_messages");
  std::printf("tickets=%lld raw_messages=%lld expected=%d\n", static_cast<long long>(tickets),
              static_cast<long long>(raw), 5 * o.messages);
  return tickets == 5 * o.messages ? 0 : 1;
}
