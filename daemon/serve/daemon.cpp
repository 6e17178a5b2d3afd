#include "daemon/serve/daemon.h"

#include "daemon/base/secret_file.h"
#include "daemon/store/pg_listener.h"

#include <spdlog/spdlog.h>
#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "config/loader.h"
#include "daemon/base/file_owner.h"
#include "daemon/base/logging.h"
#include "daemon/base/memory.h"
#include "daemon/base/signals.h"
#include "daemon/base/unique_fd.h"
#include "daemon/intake/mail_poller.h"
#include "daemon/intake/mailgate_server.h"
#include "daemon/intake/mailgate_wire.h"
#include "daemon/intake/spool_worker.h"
#include "daemon/outbox/sender.h"
#include "daemon/outbox/sent_text.h"
#include "daemon/store/backup.h"
#include "daemon/store/report_store.h"
#include "daemon/store/store.h"
#include "daemon/tickets/escalator.h"
#include "daemon/web/http_server.h"
#include "daemon/web/public_routes.h"

namespace frontdesk {
namespace {

HttpServerOptions ListenerOptions(const ServerConfig& s, bool admin) {
  HttpServerOptions o;
  o.listen = admin ? s.admin_listen : s.public_listen;
  o.threads = admin ? s.admin_threads : s.public_threads;
  o.max_threads = admin ? s.admin_max_threads : s.public_max_threads;
  o.max_pending = admin ? s.admin_max_pending : s.public_max_pending;
  o.max_connections = admin ? s.admin_max_connections : s.public_max_connections;
  o.max_connections_per_address = s.max_connections_per_address;
  // A proxy on this machine, or a trusted one, carries many customers on
  // its connections; capping it per address would cap them all together.
  o.unlimited_addresses = {"127.0.0.1", "::1", "::ffff:127.0.0.1"};
  o.unlimited_addresses.insert(o.unlimited_addresses.end(), s.trusted_proxies.begin(),
                               s.trusted_proxies.end());
  o.max_header_bytes = s.max_header_bytes;
  o.buffered_body_bytes = s.buffered_body_bytes;
  o.max_body_bytes = s.max_body_bytes;
  o.body_memory_bytes = s.body_memory_bytes;
  o.large_body_needs_credentials = admin;
  o.header_timeout = s.header_timeout;
  o.request_timeout = s.request_timeout;
  o.read_timeout = s.read_timeout;
  o.write_timeout = s.write_timeout;
  o.keep_alive_timeout = s.keep_alive_timeout;
  o.keep_alive_max_requests = s.keep_alive_max_requests;
  return o;
}

// Settings that only take effect at start. A reload that changes them still
// applies everything else, and says what needs a restart.
void WarnRestartOnly(const Config& old_config, const Config& next) {
  const ServerConfig& a = old_config.server;
  const ServerConfig& b = next.server;
  auto warn = [](const char* key) {
    spdlog::warn("config reload: server.{} changed; it takes effect after a restart", key);
  };
  if (a.public_listen.ToString() != b.public_listen.ToString()) warn("public_listen");
  if (a.admin_listen.ToString() != b.admin_listen.ToString()) warn("admin_listen");
  if (a.DatabasePath() != b.DatabasePath()) warn("data_dir/database");
  if (a.public_threads != b.public_threads) warn("public_threads");
  if (a.admin_threads != b.admin_threads) warn("admin_threads");
  if (a.public_max_threads != b.public_max_threads) warn("public_max_threads");
  if (a.admin_max_threads != b.admin_max_threads) warn("admin_max_threads");
  if (a.max_body_bytes != b.max_body_bytes) warn("max_body_bytes");
  if (a.read_timeout != b.read_timeout || a.write_timeout != b.write_timeout ||
      a.keep_alive_timeout != b.keep_alive_timeout ||
      a.keep_alive_max_requests != b.keep_alive_max_requests || a.header_timeout != b.header_timeout ||
      a.request_timeout != b.request_timeout) {
    warn("timeouts");
  }
  if (a.buffered_body_bytes != b.buffered_body_bytes) warn("buffered_body_bytes");
  if (a.body_memory_bytes != b.body_memory_bytes) warn("body_memory_bytes");
  if (a.max_header_bytes != b.max_header_bytes) warn("max_header_bytes");
  if (a.public_max_connections != b.public_max_connections || a.admin_max_connections != b.admin_max_connections ||
      a.max_connections_per_address != b.max_connections_per_address) {
    warn("*max_connections*");
  }
  if (a.public_max_pending != b.public_max_pending || a.admin_max_pending != b.admin_max_pending) {
    warn("*_max_pending");
  }
  const MailConfig& m = old_config.mail;
  const MailConfig& n = next.mail;
  if (m.parse_cpu_limit != n.parse_cpu_limit || m.parse_memory_limit != n.parse_memory_limit ||
      m.parse_workers != n.parse_workers) {
    spdlog::warn("config reload: mail.parse_cpu_limit, parse_memory_limit or parse_workers changed; "
                 "they take effect after a restart");
  }
}

}  // namespace

Status EnsureDataDir(const ServerConfig& server) {
  Result<std::vector<MadeDirectory>> made = CreateDataDirectory(server.data_dir);
  if (!made.ok()) return made.status();
  for (const MadeDirectory& d : *made) spdlog::info("created the directory {} (mode {:04o})", d.path, d.mode);
  return Status::Ok();
}

std::string ServeLockPath(const ServerConfig& server) { return server.data_dir + "/serve.lock"; }

bool ServeLockHeld(const ServerConfig& server) {
  UniqueFd fd(open(ServeLockPath(server).c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return false;
  // Closing fd drops our shared lock, if we got it.
  return flock(fd.get(), LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
}

std::string LockOpenError(const std::string& path, int err) {
  std::string out = "cannot open " + path + ": " + std::strerror(err);
  struct stat st;
  if ((err != EACCES && err != EPERM) || stat(path.c_str(), &st) != 0 || st.st_uid == geteuid()) return out;
  // The usual cause: `frontdesk serve` was once run by hand as root (or
  // another user) on the service's data directory, and left its files.
  std::string me = UserName(geteuid());
  return out + "; it belongs to " + UserName(st.st_uid) + ", and this process runs as " + me +
         " (an earlier serve run as " + UserName(st.st_uid) + " probably left it). Give the data directory back: chown -R " +
         me + ": " + path.substr(0, path.rfind('/'));
}

Result<std::unique_ptr<Daemon>> Daemon::Create(std::string config_path, Config config, const Clock& clock) {
  Result<std::shared_ptr<const Router>> router = Router::Build(config);
  if (!router.ok()) return router.status();
  Result<std::shared_ptr<const SlaEngine>> sla = SlaEngine::Build(config);
  if (!sla.ok()) return sla.status();
  std::unique_ptr<Daemon> d(new Daemon(std::move(config_path), std::move(config), clock));
  auto info = d->config_.Lock();
  info->router = *router;
  info->sla = *sla;
  return d;
}

Daemon::Daemon(std::string config_path, Config config, const Clock& clock)
    : config_path_(std::move(config_path)),
      clock_(clock),
      started_at_(clock.Now()),
      form_limiter_(clock, config.form.rate_limit, config.form.rate_limit_window),
      survey_limiter_(clock, kSurveyAnswerLimit, kSurveyAnswerWindow) {
  auto info = config_.Lock();
  info->config = std::make_shared<const Config>(std::move(config));
  info->generation = 1;
  info->loaded_at = started_at_;
}

Daemon::~Daemon() = default;

std::shared_ptr<const Config> Daemon::config() const { return config_.Lock()->config; }

ConfigInfo Daemon::config_info() const { return *config_.Lock(); }

Status Daemon::Reload() {
  std::lock_guard<std::mutex> reload_lock(reload_mutex_);
  sd_notify(0, "RELOADING=1\nSTATUS=Reloading configuration");
  spdlog::info("reloading configuration from {}", config_path_);
  Result<Config> next = LoadConfigFile(config_path_);
  if (!next.ok()) {
    for (size_t start = 0; start < next.status().message().size();) {
      size_t end = next.status().message().find('\n', start);
      if (end == std::string::npos) end = next.status().message().size();
      spdlog::error("config reload: {}", next.status().message().substr(start, end - start));
      start = end + 1;
    }
    spdlog::error("config reload failed; still serving configuration generation {}",
                  config_info().generation);
    {
      auto info = config_.Lock();
      info->last_reload_error = next.status().message();
      info->last_reload_failed_at = clock_.Now();
    }
    sd_notify(0, "READY=1\nSTATUS=Serving (the last reload failed)");
    return next.status();
  }
  Result<std::shared_ptr<const Router>> router = Router::Build(*next);
  Result<std::shared_ptr<const SlaEngine>> sla =
      router.ok() ? SlaEngine::Build(*next) : Result<std::shared_ptr<const SlaEngine>>(router.status());
  if (!sla.ok()) {
    spdlog::error("config reload: {}; still serving the previous configuration", sla.status().message());
    auto info = config_.Lock();
    info->last_reload_error = sla.status().message();
    info->last_reload_failed_at = clock_.Now();
    return sla.status();
  }
  std::shared_ptr<const Config> old_config = config();
  std::shared_ptr<const SlaEngine> old_sla = config_info().sla;
  WarnRestartOnly(*old_config, *next);
  for (const std::string& w : FilesOthersCanRead(*next)) spdlog::warn("config reload: {}", w);
  (void)SetLogLevel(next->logging.level);
  form_limiter_.Configure(next->form.rate_limit, next->form.rate_limit_window);
  uint64_t generation;
  {
    auto info = config_.Lock();
    info->config = std::make_shared<const Config>(std::move(*next));
    info->router = *router;
    info->sla = *sla;
    info->generation++;
    info->loaded_at = clock_.Now();
    info->last_reload_error.clear();
    info->last_reload_failed_at.reset();
    generation = info->generation;
  }
  spdlog::info("configuration generation {} is now serving", generation);
  // After the swap, so a ticket made from now on already gets the new
  // calendars and the recompute covers every one made before.
  if ((*sla)->fingerprint() != old_sla->fingerprint()) RecomputeSla(**sla, "reload");
  sd_notify(0, "READY=1\nSTATUS=Serving");
  return Status::Ok();
}

void Daemon::RecomputeSla(const SlaEngine& sla, const char* why) {
  auto started = std::chrono::steady_clock::now();
  TxnRunner run = [this](const std::function<Status(Store&)>& job) { return writer_->Run(job); };
  Result<RecomputeReport> r = RecomputeDueTimes(sla, run, clock_.Now());
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  if (!r.ok()) {
    spdlog::error("SLA due times after {}: not recomputed: {}; the next start tries again", why, r.status().ToString());
    return;
  }
  if (r->damaged) spdlog::warn("SLA due times: {} tickets skipped: their policy snapshot cannot be read", r->damaged);
  spdlog::info("SLA due times after {}: {} tickets with running clocks, {} moved ({} ms)", why, r->tickets, r->moved,
               ms);
}

Result<SweepReport> Daemon::Escalate(bool dry_run) {
  ConfigInfo info = config_info();
  Result<StorePool::Lease> reader = pool_->Acquire();
  if (!reader.ok()) return reader.status();
  TxnRunner run = [this](const std::function<Status(Store&)>& job) { return writer_->Run(job); };
  return RunEscalations(**reader, *info.config, *info.sla, run, clock_.Now(), info.config->escalation.batch, dry_run);
}

Result<int64_t> Daemon::FillKpiCache() {
  int64_t written = 0;
  for (;;) {
    if (Stopping()) return written;
    const Timestamp now = clock_.Now();
    CacheFill fill;
    Status s = writer_->Run([&](Store& store) {
      Result<CacheFill> r = ReportStore(store).FillCache(now, 24);
      if (!r.ok()) return r.status();
      fill = *r;
      return Status::Ok();
    });
    if (!s.ok()) return s;
    if (!fill.hours) return written;
    written += fill.hours;
  }
}

void Daemon::PollMailboxes() {
  using Steady = std::chrono::steady_clock;
  std::map<std::string, Steady::time_point> next;
  std::map<std::string, int64_t> failures;
  TxnRunner run = [this](const std::function<Status(Store&)>& job) { return writer_->Run(job); };
  std::unique_lock<std::mutex> lock(tick_mutex_);
  while (!tick_stop_) {
    ConfigInfo info = config_info();
    Steady::time_point wake = Steady::now() + std::chrono::minutes(1);
    for (const MailboxConfig& box : info.config->mailboxes) {
      if (!box.enabled) continue;
      auto due = next.emplace(box.name, Steady::now()).first;
      if (due->second <= Steady::now()) {
        lock.unlock();
        Result<StorePool::Lease> reader = pool_->Acquire();
        Result<PollReport> r = reader.ok() ? Result<PollReport>(PollReport()) : Result<PollReport>(reader.status());
        if (reader.ok()) {
          PollContext pc{*info.config, *info.router, *info.sla, **reader, run, clock_, nullptr, parser_.get()};
          r = PollMailbox(box, pc);
        }
        int64_t& failed = failures[box.name];
        if (r.ok() && r->polled_elsewhere) {
          spdlog::debug("mailbox {}: another node is polling it", box.name);
        } else if (r.ok()) {
          if (r->found || r->finished) spdlog::info("{}", DescribePoll(*r));
          failed = 0;
        } else {
          ++failed;
          spdlog::warn("mailbox {}: {} (failure {} in a row; next try in {}s)", box.name, r.status().message(),
                       failed, PollDelay(box, failed).count());
        }
        // A poll that left mail waiting goes on at once.
        due->second = Steady::now() + (r.ok() && r->waiting > 0 ? std::chrono::seconds(0) : PollDelay(box, failed));
        lock.lock();
        if (tick_stop_) return;
      }
      wake = std::min(wake, due->second);
    }
    tick_wake_.wait_until(lock, wake, [this] { return tick_stop_; });
  }
}

void Daemon::DrainSpoolLoop() {
  using Steady = std::chrono::steady_clock;
  // While mailgates are handing mail over, filing waits: a filing
  // transaction holds the write lock the next mailgate needs, and the MTA
  // waits for its durable copy, not for the ticket (whose clocks count from
  // the spool time anyway). Filing starts once arrivals pause for kQuiet,
  // or kMaxDefer after the first mail it has not filed, whichever is first.
  constexpr auto kQuiet = std::chrono::milliseconds(20);
  constexpr auto kMaxDefer = std::chrono::milliseconds(1000);
  TxnRunner run = [this](const std::function<Status(Store&)>& job) { return writer_->Run(job); };
  std::unique_lock<std::mutex> lock(tick_mutex_);
  while (!tick_stop_) {
    while (spool_pending_ && !tick_stop_) {
      Steady::time_point until = std::min(last_arrival_ + kQuiet, first_unfiled_arrival_ + kMaxDefer);
      if (until <= Steady::now()) break;
      spool_wake_.wait_until(lock, until, [this] { return tick_stop_; });
    }
    spool_pending_ = false;
    lock.unlock();
    ConfigInfo info = config_info();
    Result<StorePool::Lease> reader = pool_->Acquire();
    Result<SpoolReport> r = reader.ok() ? Result<SpoolReport>(SpoolReport()) : Result<SpoolReport>(reader.status());
    if (reader.ok()) {
      PollContext pc{*info.config, *info.router, *info.sla, **reader, run, clock_, nullptr, parser_.get()};
      r = DrainSpool(pc, 256);
      // A round of large mails leaves many freed blocks below the mmap
      // threshold (parsed text, headers, SQL values); they go back to the
      // system only when asked. Idle after 30 mails of 24 MB: 150 MiB
      // without, 31 MiB with.
      if (r.ok() && r->raw_bytes >= kTrimAfterBytes) ReturnFreedMemory();
    }
    if (!r.ok()) spdlog::warn("filing spooled mail: {}", r.status().message());
    lock.lock();
    // Straight on while there is more; a pause after failures. Between
    // arrivals the spool is still looked at every 100 ms, for mail a
    // mailgate spooled without the socket.
    auto pause = !r.ok() || r->failed ? std::chrono::milliseconds(1000)
                 : r->left > 0        ? std::chrono::milliseconds(0)
                                      : std::chrono::milliseconds(100);
    spool_wake_.wait_for(lock, pause, [this] { return tick_stop_ || spool_pending_; });
  }
}

void Daemon::SpoolArrived() {
  bool first;
  {
    std::lock_guard<std::mutex> guard(tick_mutex_);
    auto now = std::chrono::steady_clock::now();
    first = !spool_pending_;
    if (first) first_unfiled_arrival_ = now;
    last_arrival_ = now;
    spool_pending_ = true;
  }
  // Later arrivals only move the time DrainSpoolLoop is already waiting
  // for; it reads it again when it wakes.
  if (first) spool_wake_.notify_one();
}

void Daemon::SendLoop() {
  TxnRunner run = [this](const std::function<Status(Store&)>& job) { return writer_->Run(job); };
  // Where clearing old text goes on from; it starts over after a restart.
  int64_t forget_after = 0;
  auto next_forget = std::chrono::steady_clock::now();
  std::unique_lock<std::mutex> lock(tick_mutex_);
  while (!tick_stop_) {
    ConfigInfo info = config_info();
    if (std::chrono::steady_clock::now() >= next_forget) {
      lock.unlock();
      Result<int64_t> cleared = ForgetSentText(*info.config, run, clock_.Now(), &forget_after);
      if (!cleared.ok()) spdlog::warn("outbox: clearing the text of old sent mail: {}", cleared.status().message());
      if (cleared.ok() && *cleared > 0) spdlog::info("outbox: cleared the text of {} old sent mails", *cleared);
      next_forget = std::chrono::steady_clock::now() + std::chrono::minutes(1);
      lock.lock();
    }
    bool more = false;
    if (info.config->smtp.enabled()) {
      lock.unlock();
      Result<StorePool::Lease> reader = pool_->Acquire();
      if (reader.ok()) {
        SendContext sc{*info.config, **reader, run, clock_};
        Result<SendReport> r = SendDue(sc, 100);
        if (!r.ok()) {
          spdlog::warn("outbox: {}", r.status().message());
        } else {
          more = r->sent + r->failed + r->retried + r->suppressed == 100;
          if (r->sent) spdlog::info("outbox: {} sent", r->sent);
        }
      }
      lock.lock();
    }
    std::chrono::seconds wait = more ? std::chrono::seconds(0) : info.config->smtp.interval;
    send_wake_.wait_for(lock, wait, [this] { return tick_stop_ || send_pending_; });
    send_pending_ = false;
  }
}

void Daemon::ListenLoop() {
  std::unique_ptr<PgListener> listener;
  while (!Stopping()) {
    if (!listener) {
      Result<std::unique_ptr<PgListener>> opened = PgListener::Open(database_, listen_options_, kOutboxChannel);
      if (!opened.ok()) {
        spdlog::debug("outbox listener: {}", opened.status().message());
        std::unique_lock<std::mutex> lock(tick_mutex_);
        tick_wake_.wait_for(lock, std::chrono::seconds(1), [this] { return tick_stop_; });
        continue;
      }
      listener = std::move(*opened);
      // Mail queued while nobody listened is due now.
      std::lock_guard<std::mutex> lock(tick_mutex_);
      send_pending_ = true;
      send_wake_.notify_all();
    }
    Result<bool> heard = listener->Wait(std::chrono::milliseconds(500));
    if (!heard.ok()) {
      spdlog::warn("{}; listening again", heard.status().message());
      listener.reset();
      continue;
    }
    if (*heard) {
      std::lock_guard<std::mutex> lock(tick_mutex_);
      send_pending_ = true;
      send_wake_.notify_all();
    }
  }
}

Status Daemon::OpenDatabase(const Config& cfg) {
  StoreOptions store_options;
  store_options.busy_timeout = cfg.server.busy_timeout;
  store_options.migrate = true;
  if (!cfg.server.database_password_file.empty()) {
    Result<std::string> password = ReadSecretFile(cfg.server.database_password_file, "database.password_file");
    if (!password.ok()) return password.status();
    store_options.password = *password;
  }
  if (cfg.backup.before_migrate) {
    store_options.before_migrate = BackupBeforeMigrate(cfg.server.PathIn(cfg.backup.dir), clock_);
  }
  std::string db_path = cfg.server.DatabasePath();
  Result<std::unique_ptr<Store>> main_store = Store::Open(db_path, store_options);
  if (!main_store.ok()) {
    return Status::Io("cannot open database " + RedactedLocation(db_path) + ": " + main_store.status().message());
  }
  main_store_ = std::move(*main_store);
  Status s = main_store_->Optimize();
  if (!s.ok()) spdlog::warn("refreshing query statistics: {}", s.message());
  store_options.migrate = false;
  store_options.before_migrate = nullptr;
  pool_ = std::make_unique<StorePool>(db_path, store_options);
  Result<std::unique_ptr<Store>> writer_store = Store::Open(db_path, store_options);
  if (!writer_store.ok()) {
    return Status::Io("cannot open database " + RedactedLocation(db_path) + ": " + writer_store.status().message());
  }
  // PostgreSQL keeps a transaction's first 64 subtransactions in shared
  // memory; past that every reader of its rows looks them up on disk (the
  // subtransaction cliff). Each job of a batch is one savepoint.
  size_t max_batch = (*writer_store)->db().postgres() ? 64 : 256;
  database_ = db_path;
  listen_options_.busy_timeout = store_options.busy_timeout;
  listen_options_.password = store_options.password;
  writer_ = std::make_unique<WriteQueue>(std::move(*writer_store), max_batch);
  intake_ = std::make_unique<Intake>(*writer_, &metrics_, clock_);
  parser_ = std::make_unique<IsolatedParser>(ParserOptionsOf(cfg.mail));
  context_.reset(new ServeContext{clock_, started_at_, [this] { return config_info(); }, *pool_, *writer_, *intake_,
                                  metrics_, form_limiter_, survey_limiter_, [this] { return Reload(); },
                                  [this](bool dry_run) { return Escalate(dry_run); }});
  return Status::Ok();
}

bool Daemon::Stopping() {
  std::lock_guard<std::mutex> lock(tick_mutex_);
  return tick_stop_;
}

void Daemon::TickLoop() {
  std::unique_lock<std::mutex> lock(tick_mutex_);
  for (;;) {
    std::shared_ptr<const Config> c = config();
    if (tick_wake_.wait_for(lock, c->escalation.interval, [this] { return tick_stop_; })) return;
    lock.unlock();
    // It reads [escalation] on every round, so a reload can turn it off
    // (when cron runs `frontdesk escalate`) or on again.
    if (config()->escalation.tick) {
      Result<SweepReport> r = Escalate(false);
      if (!r.ok()) {
        spdlog::warn("escalation tick: {}", r.status().ToString());
      } else if (r->breaches || r->levels_fired) {
        spdlog::info("escalation tick: {} tickets due, {} breaches, {} levels fired", r->tickets, r->breaches,
                     r->levels_fired);
      }
    }
    // The hours a write has changed since, and the hour just ended.
    Result<int64_t> cached = FillKpiCache();
    if (!cached.ok()) {
      spdlog::warn("KPI cache: {}", cached.status().ToString());
    } else if (*cached > 24) {
      spdlog::info("KPI cache: {} hours written", *cached);
    }
    lock.lock();
  }
}

void Daemon::WaitForStop(const sigset_t& signals) {
  // The watchdog is fed from this loop, so a wedged main loop is noticed.
  uint64_t watchdog_usec = 0;
  bool watchdog = sd_watchdog_enabled(0, &watchdog_usec) > 0 && watchdog_usec > 0;
  auto wait = watchdog ? std::chrono::milliseconds(watchdog_usec / 2000) : std::chrono::milliseconds(60000);
  for (;;) {
    int sig = WaitForSignal(signals, wait);
    if (sig == SIGHUP) {
      (void)Reload();
    } else if (sig == SIGTERM || sig == SIGINT) {
      spdlog::info("received {}; draining", sig == SIGTERM ? "SIGTERM" : "SIGINT");
      return;
    }
    if (watchdog) sd_notify(0, "WATCHDOG=1");
  }
}

namespace {

// serve's lock on its data directory, held until the process ends; the
// kernel drops it even after kill -9.
Result<UniqueFd> TakeServeLock(const ServerConfig& server) {
  const std::string lock_path = ServeLockPath(server);
  UniqueFd lock(open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640));
  if (!lock) return Status::Io(LockOpenError(lock_path, errno));
  if (flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
    return Status::Conflict("another frontdesk serve is running on " + server.data_dir + ": it holds the lock " +
                            lock_path);
  }
  return lock;
}

}  // namespace


int Daemon::Run(const sigset_t& signals, const RouteRegistrar& admin_routes) {
  if (!KeepLargeBlocksReturned()) {
    spdlog::warn("cannot set the allocator's mmap threshold; memory may stay high after large requests");
  }
  std::shared_ptr<const Config> cfg = config();
  if (geteuid() == 0) {
    spdlog::warn("running as root; the packaged systemd unit runs frontdesk as its own user");
  }
  Status s = EnsureDataDir(cfg->server);
  if (!s.ok()) {
    spdlog::critical("{}", s.message());
    return 1;
  }
  Result<UniqueFd> lock = TakeServeLock(cfg->server);
  if (!lock.ok()) {
    spdlog::critical("{}", lock.status().message());
    return 1;
  }
  s = OpenDatabase(*cfg);
  if (!s.ok()) {
    spdlog::critical("{}", s.message());
    return 1;
  }
  // The database keeps no record of the calendars its due times were
  // computed with, and they may have changed while the daemon was stopped.
  RecomputeSla(*config_info().sla, "start");
  HttpServer public_server("public", ListenerOptions(cfg->server, false), &metrics_);
  HttpServer admin_server("admin", ListenerOptions(cfg->server, true), &metrics_);
  RegisterPublicRoutes(public_server, *context_);
  admin_routes(admin_server, *context_);
  for (HttpServer* server : {&public_server, &admin_server}) {
    s = server->Bind();
    if (!s.ok()) {
      spdlog::critical("{}", s.message());
      return 1;
    }
  }
  MailgateServer::Options gate_options;
  gate_options.socket_path = MailgateSocketPath(cfg->server.data_dir);
  MailgateServer gate(gate_options, *writer_, [this] { return config(); }, clock_, &metrics_,
                      [this] { SpoolArrived(); });
  s = gate.Listen();
  if (!s.ok()) spdlog::warn("quick mailgate: {}", s.message());
  public_server.Start();
  admin_server.Start();
  gate.Start();
  std::thread threads[] = {std::thread([this] { TickLoop(); }), std::thread([this] { PollMailboxes(); }),
                           std::thread([this] { DrainSpoolLoop(); }), std::thread([this] { SendLoop(); })};
  std::thread listen_thread;
  if (IsPostgresUrl(database_)) listen_thread = std::thread([this] { ListenLoop(); });
  spdlog::info("frontdesk {} serving: public {}, admin {}, database {}", FRONTDESK_VERSION,
               cfg->server.public_listen.ToString(), cfg->server.admin_listen.ToString(),
               cfg->server.DatabasePath());
  sd_notify(0, "READY=1\nSTATUS=Serving");
  WaitForStop(signals);

  sd_notify(0, "STOPPING=1\nSTATUS=Draining");
  // Listeners and the workers first: work in flight may still wait on the writer.
  public_server.Stop();
  admin_server.Stop();
  gate.Stop();
  {
    std::lock_guard<std::mutex> guard(tick_mutex_);
    tick_stop_ = true;
  }
  tick_wake_.notify_all();
  spool_wake_.notify_all();
  send_wake_.notify_all();
  for (std::thread& t : threads) t.join();
  if (listen_thread.joinable()) listen_thread.join();
  writer_->Stop();
  pool_->CloseIdle();
  s = main_store_->Optimize();
  if (!s.ok()) spdlog::warn("refreshing query statistics: {}", s.message());
  s = main_store_->Checkpoint();
  if (!s.ok()) spdlog::warn("final checkpoint: {}", s.message());
  main_store_.reset();
  spdlog::info("stopped cleanly");
  return 0;
}

}  // namespace frontdesk
