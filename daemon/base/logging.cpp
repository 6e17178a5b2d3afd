#include "daemon/base/logging.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>

namespace frontdesk {

void SetupLogging(bool to_stdout) {
  auto logger = to_stdout ? spdlog::stdout_logger_mt("frontdesk") : spdlog::stderr_logger_mt("frontdesk");
  if (std::getenv("JOURNAL_STREAM") != nullptr) {
    logger->set_pattern("%l: %v");
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %l: %v");
  }
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

Status SetLogLevel(const std::string& level) {
  spdlog::level::level_enum l = spdlog::level::from_str(level);
  if (l == spdlog::level::off && level != "off") {
    return Status::Invalid("unknown log level \"" + level + "\"", "logging.level");
  }
  spdlog::set_level(l);
  return Status::Ok();
}

}  // namespace frontdesk
