#include "daemon/base/password.h"

#include <sodium.h>

#include "daemon/base/text.h"

namespace frontdesk {
namespace {

constexpr unsigned long long kOps = crypto_pwhash_OPSLIMIT_INTERACTIVE;
constexpr size_t kMem = crypto_pwhash_MEMLIMIT_INTERACTIVE;

bool Ready() {
  // sodium_init may be called from many threads; it returns 1 once done.
  return sodium_init() >= 0;
}

}  // namespace

Result<std::string> HashPassword(std::string_view password) {
  if (!Ready()) return Status::Internal("libsodium could not be initialised");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), kOps, kMem) != 0) {
    return Status::Unavailable("not enough memory to hash the password (Argon2id needs 64 MiB)");
  }
  return std::string(out);
}

bool VerifyPassword(const std::string& hash, std::string_view password) {
  if (!Ready() || hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

bool PasswordNeedsRehash(const std::string& hash) {
  if (!Ready() || hash.size() >= crypto_pwhash_STRBYTES) return true;
  return crypto_pwhash_str_needs_rehash(hash.c_str(), kOps, kMem) != 0;
}

std::string PasswordProblem(std::string_view password) {
  if (password.size() > kMaxPasswordBytes) return "is longer than 1024 bytes";
  if (!IsValidUtf8(password)) return "is not valid UTF-8";
  if (HasControlChars(password) || password.find_first_of("\r\n") != std::string_view::npos) {
    return "contains control characters";
  }
  if (Utf8Length(password) < kMinPasswordChars) return "is shorter than 10 characters";
  return "";
}

}  // namespace frontdesk
