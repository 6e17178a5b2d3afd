// daemon.h: `frontdesk serve`. The Daemon is the context every listener and
// worker receives (there are no singletons): the clock, the current config,
// the database pool. Run() owns the lifecycle: open and migrate the
// database, bind, notify systemd, then take signals in one place until
// SIGTERM drains everything. Reload() is shared by SIGHUP and the admin API;
// a config that fails to load leaves the old one serving.
// Thread-safe: config(), Reload() and the accessors may be called from any
// thread; Run() from the main thread only.
#pragma once

#include <signal.h>

#include <atomic>
#include <functional>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include "config/config.h"
#include "daemon/base/clock.h"
#include "daemon/base/guarded.h"
#include "daemon/base/metrics.h"
#include "daemon/intake/submission.h"
#include "daemon/mail/isolated_parser.h"
#include "daemon/sla/engine.h"
#include "daemon/store/store_pool.h"
#include "daemon/store/write_queue.h"
#include "daemon/tickets/router.h"
#include "daemon/web/http_server.h"
#include "daemon/web/rate_limiter.h"
#include "daemon/web/serve_context.h"

namespace frontdesk {

// Adds the admin listener's routes; admin/ provides it, so that serve/
// never includes admin/.
using RouteRegistrar = std::function<void(HttpServer&, ServeContext&)>;

class Daemon {
 public:
  // Fails when the config's rules or calendars cannot be compiled.
  static Result<std::unique_ptr<Daemon>> Create(std::string config_path, Config config, const Clock& clock);
  ~Daemon();

  // Serves until SIGTERM or SIGINT; returns the process exit code. The
  // caller must have blocked `signals` before any thread started.
  int Run(const sigset_t& signals, const RouteRegistrar& admin_routes);

  // Loads the config file again; on success swaps it in, on failure logs
  // every error and keeps the old config. Serialised: one reload at a time.
  Status Reload();

  std::shared_ptr<const Config> config() const;
  ConfigInfo config_info() const;
  // One escalation sweep through the writer; for the tick and the API.
  Result<SweepReport> Escalate(bool dry_run);
  // Writes the KPI cache's missing hours, a day of them per write
  // transaction so intake waits at most one day's worth. Returns the hours
  // written; stops early when the daemon stops.
  Result<int64_t> FillKpiCache();

 private:
  class Workers;
  Daemon(std::string config_path, Config config, const Clock& clock);
  // Opens and migrates the database, then the readers' pool and the writer.
  Status OpenDatabase(const Config& cfg);
  // Brings every running SLA clock's due time in line with `sla`'s
  // calendars (at start, and after a reload that changed them). A failure
  // is logged: the sweep still records each breach at its true instant.
  void RecomputeSla(const SlaEngine& sla, const char* why);
  // Waits for signals: SIGHUP reloads, SIGTERM and SIGINT return. Feeds
  // the systemd watchdog when it is on.
  void WaitForStop(const sigset_t& signals);
  // The in-daemon sweep and the KPI cache fill, every [escalation] interval.
  void TickLoop();
  // Polls each enabled [[mailbox]] on its interval, backing off after
  // failures, until the daemon stops.
  void PollMailboxes();
  // Files what the quick mailgate spooled, as soon as it arrives.
  void DrainSpoolLoop();
  // Wakes DrainSpoolLoop: the mailgate socket committed a message.
  void SpoolArrived();
  // Delivers the outbox over [smtp] every smtp.interval, while configured,
  // and once a minute clears the text of mail sent longer ago than
  // mail.keep_sent_text (outbox/sent_text.h).
  void SendLoop();
  // PostgreSQL only: hears the commits of every daemon sharing the
  // database that queued mail, and wakes SendLoop for them.
  void ListenLoop();
  bool Stopping();

  std::string config_path_;
  const Clock& clock_;
  Timestamp started_at_;
  std::mutex reload_mutex_;
  mutable Guarded<ConfigInfo> config_;
  Metrics metrics_;
  RateLimiter form_limiter_;
  RateLimiter survey_limiter_;
  std::unique_ptr<Store> main_store_;
  std::unique_ptr<StorePool> pool_;
  std::unique_ptr<WriteQueue> writer_;
  std::unique_ptr<Intake> intake_;
  std::unique_ptr<IsolatedParser> parser_;
  std::unique_ptr<ServeContext> context_;
  std::mutex tick_mutex_;
  std::condition_variable tick_wake_;
  bool tick_stop_ = false;
  // Guarded by tick_mutex_: mail the socket committed and DrainSpoolLoop
  // has not looked at yet, and when it came.
  bool spool_pending_ = false;
  std::condition_variable spool_wake_;  // DrainSpoolLoop's own, with tick_mutex_
  std::chrono::steady_clock::time_point first_unfiled_arrival_, last_arrival_;
  // Guarded by tick_mutex_: mail was queued since SendLoop last looked.
  bool send_pending_ = false;
  std::condition_variable send_wake_;  // SendLoop's own, with tick_mutex_
  std::string database_;               // where the database is, for ListenLoop
  DbOptions listen_options_;
};

// Creates the data directory (mode 0750) when it is missing.
Status EnsureDataDir(const ServerConfig& server);
// The lock `serve` holds on its data directory for as long as it runs: a
// second daemon on the same database is refused, and a mailgate knows that
// a daemon is there to file what it spools.
std::string ServeLockPath(const ServerConfig& server);
// Whether a daemon holds the serve lock on `server`'s data directory now.
bool ServeLockHeld(const ServerConfig& server);
// Why the lock file cannot be opened, and, when it belongs to another user,
// the chown that fixes it.
std::string LockOpenError(const std::string& path, int err);

}  // namespace frontdesk
