// password.h: agents' console passwords, hashed with Argon2id through
// libsodium (crypto_pwhash_str), whose string carries its own salt and
// parameters. Only the hash is ever stored. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "daemon/base/status.h"

namespace frontdesk {

// Passwords shorter than this are refused when set.
inline constexpr size_t kMinPasswordChars = 10;
inline constexpr size_t kMaxPasswordBytes = 1024;

// The hash to store, at the current parameters (libsodium's "moderate"
// cost would take seconds on a small box; "interactive" is 64 MiB and a few
// hundred milliseconds at most).
Result<std::string> HashPassword(std::string_view password);
// Whether `password` matches `hash`. A malformed hash matches nothing.
bool VerifyPassword(const std::string& hash, std::string_view password);
// Whether `hash` was made with other parameters than HashPassword uses now,
// so that a successful login should store a new one.
bool PasswordNeedsRehash(const std::string& hash);
// Why a new password is refused, or "" when it is acceptable.
std::string PasswordProblem(std::string_view password);

}  // namespace frontdesk
