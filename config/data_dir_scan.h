// data_dir_scan.h: `[server] data_dir` read from a config file's text
// without parsing all of it. The quick mailgate needs only this key to find
// the daemon's socket, and a full TOML parse of the packaged config costs
// more than the rest of its work (docs/PERFORMANCE.md).
//
// The scan is conservative: it answers only when the file says the key in
// the plain way (a `[server]` header, then `data_dir = "..."` or '...'),
// and it gives up on anything that could say it another way (a quoted or
// dotted key that might name it, an inline `server` table, a second
// definition, an escape in the value, an unterminated string). Giving up
// costs only speed: the caller takes the full path, whose loader reads the
// whole file and reports every error with its place. Pure; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace frontdesk {

enum class DataDirScan {
  kFound,    // `value` is the key's value
  kDefault,  // the file does not set it: the default applies
  kUnsure,   // the file may set it in a way the scan does not read
};

struct DataDirScanResult {
  DataDirScan kind = DataDirScan::kUnsure;
  std::string value;
};

DataDirScanResult ScanDataDir(std::string_view toml);

}  // namespace frontdesk
