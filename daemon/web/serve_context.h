// serve_context.h: what a route handler of the running daemon may reach:
// the clock, the current config with what is built from it, the database
// (readers and the single writer), the intake, the metrics, the form's
// rate limiter, and the two operations the admin API triggers (reload,
// escalation sweep). The Daemon (daemon/serve/) fills it in; the public
// routes here and the admin routes in admin/ take it, so neither needs
// the Daemon itself. Every member is thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "config/config.h"
#include "daemon/base/clock.h"
#include "daemon/base/metrics.h"
#include "daemon/intake/submission.h"
#include "daemon/sla/engine.h"
#include "daemon/store/store_pool.h"
#include "daemon/store/write_queue.h"
#include "daemon/tickets/router.h"
#include "daemon/web/rate_limiter.h"

namespace frontdesk {

struct ConfigInfo {
  std::shared_ptr<const Config> config;
  // Built from `config`; swapped with it on reload.
  std::shared_ptr<const Router> router;
  std::shared_ptr<const SlaEngine> sla;
  uint64_t generation = 0;  // 1 for the config at start, +1 per good reload
  Timestamp loaded_at;
  std::string last_reload_error;  // empty when the last reload succeeded
  std::optional<Timestamp> last_reload_failed_at;
};

// A person answers a survey once or twice; a script that flips a score
// over and over is held back.
constexpr int kSurveyAnswerLimit = 20;
constexpr std::chrono::seconds kSurveyAnswerWindow{600};

struct ServeContext {
  const Clock& clock;
  Timestamp started_at;
  // The config now serving; a handler keeps the snapshot it took.
  std::function<ConfigInfo()> config_info;
  StorePool& stores;
  WriteQueue& writer;
  Intake& intake;
  Metrics& metrics;
  RateLimiter& form_limiter;
  // Survey answers per client address (kSurveyAnswerLimit per kSurveyAnswerWindow).
  RateLimiter& survey_limiter;
  // Loads the config file again; a failure keeps the old one (Daemon::Reload).
  std::function<Status()> reload;
  // One escalation sweep through the writer.
  std::function<Result<SweepReport>(bool dry_run)> escalate;

  std::shared_ptr<const Config> config() const { return config_info().config; }
};

}  // namespace frontdesk
