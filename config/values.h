// values.h: parsers for the value types that config and API input share:
// durations ("4h", "3d 2h", "90s"), byte sizes ("10MiB"), mail addresses and
// listen addresses. Pure functions; thread-safe. Each returns an error text
// that says what was expected, without the place, which the caller adds.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "config/config.h"
#include "daemon/base/status.h"

namespace frontdesk {

// Units: w, d, h, m, s, and ms where `allow_ms`. Parts may be separated by
// spaces and must be in decreasing order of unit ("1h30m", "3d 2h").
Result<std::chrono::milliseconds> ParseDuration(std::string_view text);
// "1048576", "512KiB", "10MiB", "1GiB", "10 MB" (MB = 10^6).
Result<int64_t> ParseByteSize(std::string_view text);
// A bare addr-spec: local@domain, with no display name, no angle brackets,
// no white space or control characters. Returns it lower-cased: Frontdesk
// compares addresses without regard to case.
Result<std::string> ParseMailAddress(std::string_view text);
// "127.0.0.1:8080", "[::1]:8081", "0.0.0.0:80".
Result<ListenAddress> ParseListenAddress(std::string_view text);
// 127.0.0.0/8, ::1 or "localhost".
bool IsLoopbackHost(std::string_view host);
// The config file to use: `flag` when given, else $FRONTDESK_CONFIG, else
// ./frontdesk.toml, else /etc/frontdesk/frontdesk.toml. `env` is the value of
// FRONTDESK_CONFIG, or nullptr.
Result<std::string> ResolveConfigPath(const std::string& flag, const char* env);
// Levenshtein distance, for "did you mean" hints.
size_t EditDistance(std::string_view a, std::string_view b);
// The directory of `file`: "." when it has none. Relative paths in the
// config (password files) are read from the config file's directory.
std::string DirectoryOf(const std::string& file);

}  // namespace frontdesk
