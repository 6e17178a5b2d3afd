// secret_file.h: reads a password kept in a file of its own (the
// password_file of [[mailbox]] and [smtp]). Read at every use, so a new
// password needs no reload. Thread-safe.
#pragma once

#include <string>

#include "daemon/base/status.h"

namespace frontdesk {

// The file's content without its trailing line breaks; kUnavailable when
// it cannot be read or is empty. `key` names the setting in the error.
Result<std::string> ReadSecretFile(const std::string& path, const std::string& key);

// What is wrong when any user of the machine may read `path`, with the
// chmod that fixes it; "" when they may not, or it is missing. A warning,
// not a refusal, as `postfix check` and OpenSSH's StrictModes give.
std::string ReadableByOthers(const std::string& path, const std::string& what);

}  // namespace frontdesk
